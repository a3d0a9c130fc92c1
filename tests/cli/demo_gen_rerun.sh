#!/usr/bin/env bash
# demo_gen_rerun.sh: the demo's world stage (scripts/demo.d/10-gen.sh) after an interrupted
# `make demo`. A generation killed half way left block files without truth/world.json, and
# `chainwatch gen` rightly refuses to replace blk files it did not finish, so every later
# `make demo` failed at once until the user removed the folder by hand. The stage now
# generates into world.partial and moves it into place whole: an interrupted stage leaves the
# previous world (or none) and the next run completes. Also: the stage's output says the world
# is SYNTHETIC. Small worlds (CW_DEMO_TXS) to stay quick under ASan.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
STAGE="$SRC/scripts/demo.d/10-gen.sh"
O="$T/out"
mkdir -p "$O"
stage() { # stage BIN TXS: runs the stage as scripts/demo.sh does; output in $T/stage.txt
    BIN=$1 OUT=$O SHARED=$SHARED ROOT=$SRC CW_DEMO_TXS=$2 bash "$STAGE" > "$T/stage.txt" 2>&1
}

# 1. what a generation killed half way leaves: blocks, no truth/world.json
"$CW_BIN" gen --out "$O/world" --txs 12000 --seed 1 --quiet > /dev/null
rm -f "$O/world/truth/world.json"
check "the stage completes over a half world left by an interrupted run" stage "$CW_BIN" 12000
check "the world is complete afterwards (truth/world.json)" test -s "$O/world/truth/world.json"
check_eq "its stamp records the parameters" "$(cat "$O/world/.stamp" 2>/dev/null)" \
    "gen --txs 12000 --seed 1 --xor-key 5ca1ab1e0ddba11d"
check "no partial folder is left" test ! -e "$O/world.partial"
check "the output says the world is SYNTHETIC" grep -q "SYNTHETIC world" "$T/stage.txt"
check "the heist line says SYNTHETIC" grep -q "^heist .* (SYNTHETIC world): " "$T/stage.txt"

# 2. idempotent: a second run keeps the world
before=$(stat -c %Y "$O/world/truth/world.json" 2>/dev/null || echo none)
check "a second run succeeds" stage "$CW_BIN" 12000
check "and reuses the world" grep -q "world already generated" "$T/stage.txt"
check_eq "world.json untouched" "$(stat -c %Y "$O/world/truth/world.json" 2>/dev/null || echo none)" "$before"

# 3. a generation interrupted now (new parameters; a stand-in gen that writes a block file and
#    dies as on Ctrl-C) leaves the previous complete world in place
cat > "$T/dying-gen" <<'SH'
#!/usr/bin/env bash
while [ $# -gt 0 ]; do [ "$1" = --out ] && out=$2; shift; done
mkdir -p "$out/blocks" && head -c 1000 /dev/urandom > "$out/blocks/blk00000.dat"
exit 130
SH
chmod +x "$T/dying-gen"
if stage "$T/dying-gen" 13000; then bad "an interrupted generation fails the stage"; else ok "an interrupted generation fails the stage"; fi
check "the previous world is still whole" test -s "$O/world/truth/world.json"
check_eq "with its stamp" "$(cat "$O/world/.stamp")" "gen --txs 12000 --seed 1 --xor-key 5ca1ab1e0ddba11d"
check "the next run completes with the new parameters" stage "$CW_BIN" 13000
check_eq "new stamp" "$(cat "$O/world/.stamp")" "gen --txs 13000 --seed 1 --xor-key 5ca1ab1e0ddba11d"
check "no partial folder is left" test ! -e "$O/world.partial"
finish
