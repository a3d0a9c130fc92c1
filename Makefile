# chainwatch: thin wrapper over the CMake presets. BUILD_ROOT lets parallel checkouts or
# sessions use separate build folders (make test BUILD_ROOT=/tmp/cw-build).
BUILD_ROOT ?= build
FUZZ_SECONDS ?= 60
JOBS ?= 2

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all setup bootstrap release asan demo test bench fuzz lint install clean

all: release

bootstrap:
	@bash scripts/bootstrap.sh

setup: bootstrap

# make install PREFIX=DIR: the optimised binary in DIR/bin, the dashboard in
# DIR/share/chainwatch/web (serve's default --web-root for an installed binary), the docs.
install: release
	@bash scripts/web-build.sh
	@bash scripts/install.sh $(BUILD_ROOT)/release/chainwatch "$(DESTDIR)$(PREFIX)"

release: bootstrap
	@cmake --preset release -B $(BUILD_ROOT)/release >/dev/null
	@cmake --build $(BUILD_ROOT)/release -j $(JOBS)

asan: bootstrap
	@cmake --preset asan -B $(BUILD_ROOT)/asan >/dev/null
	@cmake --build $(BUILD_ROOT)/asan -j $(JOBS)

# The demo needs the chainwatch binary only: its target, not the tests and benches of `release`
# (144 of its 329 build steps).
demo: bootstrap
	@cmake --preset release -B $(BUILD_ROOT)/release >/dev/null
	@cmake --build $(BUILD_ROOT)/release -j $(JOBS) --target chainwatch
	@bash scripts/demo.sh $(BUILD_ROOT)/release/chainwatch

# The ASan + UBSan suite, then the ThreadSanitizer build of the tests whose threads share data
# (the tsan presets in CMakePresets.json; scripts/tsan.sh).
test: asan release
	@cd $(BUILD_ROOT)/asan && ctest --output-on-failure -j $(JOBS) --timeout 900
	@bash scripts/tsan.sh $(BUILD_ROOT)/tsan $(JOBS)

bench: release
	@bash scripts/bench.sh $(BUILD_ROOT)/release

fuzz: bootstrap
	@cmake --preset fuzz -B $(BUILD_ROOT)/fuzz >/dev/null
	@cmake --build $(BUILD_ROOT)/fuzz -j $(JOBS)
	@bash scripts/fuzz.sh $(BUILD_ROOT)/fuzz $(FUZZ_SECONDS)

lint: release
	@bash scripts/lint.sh $(BUILD_ROOT)/release

clean:
	rm -rf $(BUILD_ROOT)
