#!/usr/bin/env bash
# fresh-debian-check.sh: proves that the README's two set-up commands work on a truly fresh
# Debian 12. Debootstraps a minimal bookworm (minbase + git + ca-certificates) into a chroot,
# gives it this machine's apt sources, CA bundle and resolver (as a new machine here would have
# them), clones this repository into it, and runs the two commands of README's "Set-up: two
# commands" block, read from the README itself, as root inside the chroot. Prints each
# command's exit status and time, and the last lines of its output.
# Not part of `make test`: it takes minutes and downloads packages from the Debian mirror.
#
#   sudo scripts/fresh-debian-check.sh [--dir DIR] [--keep] [--no-shared] [--mirror URL]
#     --dir DIR     chroot location (default: a new /var/tmp/cw-fresh.XXXXXX)
#     --keep        keep the chroot afterwards (default: removed when every command passed)
#     --no-shared   do not bind ../shared/data (read-only) next to the clone: tests skip
#     --mirror URL  Debian mirror (default: the first URI of this machine's apt sources)
# Needs: root, debootstrap (apt-get install debootstrap), mount. Exit 0 when both commands pass.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="" KEEP=0 SHARED_ON=1 MIRROR=""
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) DIR=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --no-shared) SHARED_ON=0; shift ;;
        --mirror) MIRROR=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "fresh-debian-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-debian-check: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "fresh-debian-check: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }

if [ -z "$MIRROR" ]; then
    MIRROR=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null |
             grep -v security | head -1 | awk '{ print $2 }' || true)
    [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi
[ -n "$DIR" ] || DIR=$(mktemp -d /var/tmp/cw-fresh.XXXXXX)
mkdir -p "$DIR"
LOG="$DIR.log"
: > "$LOG"
echo "fresh-debian-check: chroot $DIR, mirror $MIRROR, log $LOG"

# the README's two commands: the non-empty lines of the first code block after "## Set-up"
mapfile -t CMDS < <(awk '/^## Set-up/ { s = 1; next } s && /^```/ { if (b) exit; b = 1; next }
                         s && b && NF { sub(/[ \t]+#.*$/, ""); print }' "$ROOT/README.md")
[ ${#CMDS[@]} -eq 2 ] || { echo "fresh-debian-check: expected two commands in README's Set-up block, found ${#CMDS[@]}" >&2; exit 1; }

MOUNTS=()
SERVE_PID=""
cleanup() {
    set +e
    # the demo's server runs in the background inside the chroot: stop it (its pid only)
    if [ -s "$DIR/root/chainwatch/demo-data/serve.pid" ]; then
        pid=$(cat "$DIR/root/chainwatch/demo-data/serve.pid")
        if [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$(readlink -f "$DIR")" ]; then kill "$pid"; sleep 1; fi
    fi
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[$i]}" 2>/dev/null; done
}
trap cleanup EXIT
mnt() { # mnt TARGET mount-args...: mount and remember for cleanup
    local target=$1; shift
    mkdir -p "$target"
    mount "$@" "$target"
    MOUNTS+=("$target")
}

if [ ! -x "$DIR/usr/bin/git" ]; then
    echo "-- debootstrap --variant=minbase --include=git,ca-certificates bookworm"
    debootstrap --variant=minbase --include=git,ca-certificates bookworm "$DIR" "$MIRROR" >> "$LOG" 2>&1 ||
        { tail -20 "$LOG"; echo "fresh-debian-check: debootstrap failed (log: $LOG)" >&2; exit 1; }
fi
# what a new machine here has: the apt sources, the CA bundle (a proxy's CA included), a resolver
rm -f "$DIR/etc/apt/sources.list"
cp -a /etc/apt/sources.list.d/. "$DIR/etc/apt/sources.list.d/" 2>/dev/null || true
[ -e /etc/apt/sources.list ] && cp /etc/apt/sources.list "$DIR/etc/apt/sources.list"
cp /etc/ssl/certs/ca-certificates.crt "$DIR/etc/ssl/certs/ca-certificates.crt"
cp /etc/resolv.conf "$DIR/etc/resolv.conf" 2>/dev/null || true
for f in /usr/share/keyrings/debian-archive-keyring.gpg; do [ -e "$f" ] && cp "$f" "$DIR$f"; done
mnt "$DIR/proc" -t proc proc
mnt "$DIR/sys" -t sysfs sys
mnt "$DIR/dev" --bind /dev
mnt "$DIR/dev/pts" --bind /dev/pts
mnt "$DIR/dev/shm" -t tmpfs -o mode=1777 shm

echo "-- the chroot has: $(chroot "$DIR" sh -c 'for t in make curl node npm gcc cmake; do command -v $t >/dev/null && printf "%s " $t; done; echo "(of make curl node npm gcc cmake)"')"
rm -rf "$DIR/srv/chainwatch.git" "$DIR/root/chainwatch"
branch=$(git -C "$ROOT" rev-parse --abbrev-ref HEAD)
git clone -q --bare --branch "$branch" "$ROOT" "$DIR/srv/chainwatch.git"
echo "-- cloning $branch at $(git -C "$ROOT" rev-parse --short HEAD) inside the chroot"
chroot "$DIR" git clone -q /srv/chainwatch.git /root/chainwatch
if [ "$SHARED_ON" = 1 ] && [ -d "$ROOT/../shared/data" ]; then
    mnt "$DIR/root/shared/data" --bind -o ro "$ROOT/../shared/data"
    echo "-- ../shared/data bound read-only (tests use the shared fixtures)"
fi

status=0
for c in "${CMDS[@]}"; do
    echo "-- running: $c"
    t0=$(date +%s)
    # a login-like environment: no variable of this machine's session leaks in
    set +e
    chroot "$DIR" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 TERM=dumb ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} \
        bash -c "cd /root/chainwatch && $c" > "$DIR.cmd.log" 2>&1
    rc=$?
    set -e
    cat "$DIR.cmd.log" >> "$LOG"
    echo "   exit $rc after $(( $(date +%s) - t0 )) s; last lines:"
    tail -15 "$DIR.cmd.log" | sed 's/^/   | /'
    if [ "$rc" -ne 0 ]; then status=1; break; fi
done
if [ "$status" = 0 ]; then
    echo "fresh-debian-check: PASS: both README commands succeeded on a fresh bookworm"
    if [ "$KEEP" = 0 ]; then
        cleanup; MOUNTS=(); trap - EXIT
        # remove the chroot only when nothing is mounted under it any more (/dev is bound rw)
        if grep -q " $(readlink -f "$DIR")/" /proc/mounts; then
            echo "fresh-debian-check: something is still mounted under $DIR: not removing it"
        else
            rm -rf "$DIR"
        fi
    fi
else
    echo "fresh-debian-check: FAIL (chroot kept in $DIR, full log $LOG)"
fi
exit $status
