#!/usr/bin/env bash
# Installs the Debian packages that the build, the tests, the demo and the benches need, when
# missing. Idempotent and quiet when everything is present. Needs root (or sudo) only to install.
set -euo pipefail
# Every tool a test or a demo stage calls is here (make and curl too: a minimal Debian has
# neither; scripts/fresh-debian-check.sh proves the list on a fresh bookworm).
pkgs=(build-essential libtsan2 make cmake ninja-build pkg-config clang libclang-rt-14-dev git ca-certificates
      curl procps
      libssl-dev openssl libsqlite3-dev sqlite3 libjansson-dev libsodium-dev libmicrohttpd-dev
      libcurl4-openssl-dev libxxhash-dev libxml2-dev zlib1g-dev libbz2-dev bzip2
      python3 python3-bitcoinlib valgrind jq bsdutils chromium fonts-liberation python3-jsonschema
      python3-requests python3-six python3-tz
      python3-antlr4 python3-dateutil python3-simplejson python3-colorama python3-appdirs
      python3-requests-cache
      strace # tests/cli/evm_commit_order.sh records the commit's sync calls
      wrk) # wrk: bench/server.sh (`make bench`)
missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
# Node.js and npm (for the dashboard's front-end packages and browser tests): the machine's own
# Node is used when present; Debian's packages (bookworm: Node 18) otherwise. package.json pins
# playwright-core 1.61.1, the last release that supports Node 18.
if ! command -v npm > /dev/null 2>&1 || ! command -v node > /dev/null 2>&1; then
    missing+=(nodejs npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "bootstrap: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo > /dev/null 2>&1; then
        echo "bootstrap: not root and no sudo: run as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
