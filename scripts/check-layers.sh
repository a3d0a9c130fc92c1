#!/usr/bin/env bash
# The layering as a check: every #include in src/ must name a header of the file's own module
# or of a module below it. The modules, their folders and what each may link come from
# CMakeLists.txt (CW_DIR_<m>, CW_DEPS_<m>), so the build and this check read one table.
# Public headers belong to the module named in the table below. Exit 1 names each climbing include.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A dir deps owner
while read -r _ name rest; do
    case $name in
        CW_DIR_*) dir[${name#CW_DIR_}]=$rest ;;
        CW_DEPS_*) deps[${name#CW_DEPS_}]=$rest ;;
    esac
done < <(sed -n 's/^set(\(CW_DIR_[a-z_]*\|CW_DEPS_[a-z_]*\)\s*\(.*\))$/x \1 \2/p' CMakeLists.txt)

# public header -> module
owner=([chainwatch/csv.h]=util [chainwatch/json_write.h]=util [chainwatch/errors.h]=util [chainwatch/util.h]=util [chainwatch/sql.h]=util [chainwatch/keccak.h]=util
       [chainwatch/store.h]=store
       [chainwatch/labels.h]=labels [chainwatch/alert.h]=alert [chainwatch/share.h]=share
       [chainwatch/supply.h]=supply [chainwatch/cluster.h]=analytics
       [chainwatch/patterns.h]=analytics [chainwatch/screen.h]=analytics
       [chainwatch/trace.h]=analytics [chainwatch/acct_trace.h]=analytics
       [chainwatch/acct_evm.h]=analytics [chainwatch/evm_services.h]=analytics
       [chainwatch/acct_screen.h]=analytics [chainwatch/acct_labels.h]=analytics
       [chainwatch/acct_report.h]=analytics [chainwatch/acct_policy.h]=analytics [chainwatch/xchain.h]=analytics [chainwatch/xchain_evm.h]=analytics [chainwatch/xchain_btcevm.h]=analytics
       [chainwatch/flow.h]=chain [chainwatch/gen.h]=gen
       [chainwatch/gen_evm.h]=gen
       [chainwatch/monitor.h]=monitor [chainwatch/server.h]=server)

declare -A modcache
module_of() { # a path under src/ or a header name -> $mod ('' when unknown); no subshell
    local p=$1 m d bestlen=0
    if [[ -n ${modcache[$p]+x} ]]; then mod=${modcache[$p]}; return; fi
    mod=""
    case $p in
        chainwatch/btc/*) mod=chain_btc ;;
        chainwatch/evm/*) mod=chain_evm ;;
        chainwatch/*) mod=${owner[$p]:-} ;;
        *)
            for m in "${!dir[@]}"; do
                d=${dir[$m]#src/}
                if [[ $p == "$d"/* || $p == src/"$d"/* ]] && ((${#d} > bestlen)); then
                    mod=$m; bestlen=${#d}
                fi
            done ;;
    esac
    modcache[$p]=$mod
}

status=0
# every quoted #include of every file but the CLI's, as FILE:HEADER, in one grep
while IFS=: read -r f inc; do
    module_of "${f#include/}"
    m=$mod
    [ -n "$m" ] || continue # src/cli sits above everything
    allowed=" $m ${deps[$m]:-} "
    module_of "$inc"
    o=$mod
    if [ -z "$o" ]; then
        echo "check-layers: $f includes \"$inc\", which belongs to no module (add it to the table)"
        status=1
    elif [[ $allowed != *" $o "* ]]; then
        echo "check-layers: $f (module $m) includes \"$inc\" of module $o, which is not below it"
        status=1
    fi
done < <(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' | grep -v '^src/cli/' |
    xargs grep -H '^\s*#\s*include\s*"' | sed -n 's/^\([^:]*\):\s*#\s*include\s*"\([^"]*\)".*/\1:\2/p' ; true)

# The server is thin: it never issues SQL of its own or of another module (each module's
# tables are read and written through that module's functions).
while IFS= read -r hit; do
    echo "check-layers: $hit: the server issues SQL (call the owning module's function)"
    status=1
done < <(git ls-files 'src/server/*' | xargs grep -nE '\bsqlite3_[a-z_]+\s*\(|#\s*include\s*<sqlite3\.h>' ; true)

# Engines report errors in their own words: no string in a module below the front ends (cli,
# server) names a command-line flag ("--txs"); comments may.
while IFS= read -r hit; do
    echo "check-layers: $hit: an engine names a CLI flag (say it in the engine's own words)"
    status=1
done < <(git ls-files 'src/*.c' 'src/*.h' | grep -v '^src/cli/\|^src/server/' |
    xargs grep -nE '"([^"]*[^a-z0-9"-])?--[a-z]' | grep -vE '^[^:]+:[0-9]+:\s*(/?\*|//)' ; true)

exit $status
