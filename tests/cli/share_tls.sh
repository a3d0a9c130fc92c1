#!/usr/bin/env bash
# share_tls.sh: HTTPS through libmicrohttpd's TLS support. A node serves on a loopback port
# with a self-signed certificate (made here with openssl for IP 127.0.0.1); a partner
# registered with --cacert pulls a GREEN alert over https; plain HTTP to the TLS port fails;
# plain HTTP on a non-loopback address is refused at start (exit 2), and so is a certificate
# without a key.
set -euo pipefail
BIN=${CW_BIN:?CW_BIN not set}
command -v openssl >/dev/null || { echo "SKIP: openssl not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
T=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }; rm -rf "$T"; }
trap cleanup EXIT
pass=0; fail=0
check() { if eval "$2"; then echo "ok   $1"; pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
"$BIN" node init --db "$T/usa.db" --name USA >/dev/null
"$BIN" node init --db "$T/kor.db" --name KOR >/dev/null
K=$("$BIN" keys add peer-KOR --role peer --org KOR --db "$T/usa.db")
"$BIN" alerts raise --db "$T/usa.db" --title "over TLS" --kind k --tlp green >/dev/null

set +e
"$BIN" serve --db "$T/usa.db" --listen 0.0.0.0:0 2>"$T/err"; rc=$?
set -e
check "plain HTTP on 0.0.0.0 refused (exit 2)" '[ $rc = 2 ] && grep -q loopback "$T/err"'
set +e
"$BIN" serve --db "$T/usa.db" --listen 127.0.0.1:0 --tls-cert "$T/cert.pem" 2>/dev/null; rc=$?
set -e
check "certificate without key refused" '[ $rc = 2 ]'

"$BIN" serve --db "$T/usa.db" --listen 127.0.0.1:0 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
    --ready-file "$T/ready" 2>"$T/log" &
PID=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/log"; exit 1; }
PORT=$(cut -d: -f2 "$T/ready")
PK=$("$BIN" node show --db "$T/usa.db" --json | jq -r .public_key)
"$BIN" peer add USA "https://127.0.0.1:$PORT" --key "$K" --pubkey "$PK" --org USA \
    --cacert "$T/cert.pem" --db "$T/kor.db" >/dev/null
"$BIN" peer add USA-plain "http://127.0.0.1:$PORT" --key "$K" --pubkey "$PK" --org USA --db "$T/kor.db" >/dev/null
"$BIN" peer add USA-untrusted "https://127.0.0.1:$PORT" --key "$K" --pubkey "$PK" --org USA --db "$T/kor.db" >/dev/null
check "pull over https with the partner's CA" '"$BIN" peer pull USA --db "$T/kor.db" >/dev/null'
check "alert arrived over TLS" '"$BIN" alerts list --db "$T/kor.db" --source partner --json | jq -e ".alerts[0].title == \"over TLS\"" >/dev/null'
check "plain HTTP to the TLS port fails" '! "$BIN" peer pull USA-plain --db "$T/kor.db" >/dev/null 2>&1'
check "https without trusting the certificate fails" '! "$BIN" peer pull USA-untrusted --db "$T/kor.db" >/dev/null 2>&1'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
