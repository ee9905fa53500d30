#!/bin/sh
# 85-dashboard.sh - the operator's web pages as a person and a scraper see
# them. A queue is filled the real way (intake, one message held, a run
# against the REST simulator that refuses one declaration); `gateway serve`
# then shows it:
#   - /healthz answers without a credential; every other page refuses one
#     without it (401), a wrong token (401), a wrong method (405), an unknown
#     page (404), an oversized body (413); a browser is sent to /login;
#   - /metrics gives the queue's counts in Prometheus text;
#   - over TLS, a client certificate under [http] client_ca is a credential;
#   - without TLS the server refuses to listen beyond loopback;
#   - the dashboard, loaded in a real headless Chromium through the login
#     link, shows what a person must see: the counts, the held contract that
#     starts tomorrow, the refusal with its anomaly in Dutch and in French,
#     the next DmfA due date, the signing certificate's expiry, and a
#     message's timeline. The screenshot is kept in $BUILD/artefacts/.
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}"
cd "$TOP"
w=$(mktemp -d "${TMPDIR:-/tmp}/gw85.XXXXXX")
simpid="" srvpid="" tlspid=""
cleanup() {
	for p in $simpid $srvpid $tlspid; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$w"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
command -v chromium > /dev/null 2>&1 || fail "chromium is not installed (make deps installs it)"
[ -f certs/out/tls/ca.crt.pem ] || sh certs/gen-test-pki.sh > /dev/null
wait_file() { i=0; while [ ! -s "$1" ]; do i=$((i + 1)); [ "$i" -lt 100 ] || fail "$2 did not start"; sleep 0.1; done; }

# The queue: the sample contracts, one more that starts tomorrow and is
# held by the operator, and a run against the simulator.
"$GATEWAY" sim onss --ledger "$w/ledger.jsonl" --port-file "$w/simport" --process-ms 20 \
	> "$w/sim.out" 2> "$w/sim.err" &
simpid=$!
wait_file "$w/simport" "the simulator"
cat > "$w/gw.conf" <<EOF
[queue]
dsn = $w/q.db
[dimona]
base_url = https://localhost:$(cat "$w/simport")/REST/dimona/v2
token_url = https://localhost:$(cat "$w/simport")/REST/oauth/v5/token
ca_file = $TOP/certs/out/tls/ca.crt.pem
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
[signing]
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
[run]
idle_horizon_ms = 5000
[http]
token_file = $w/token
max_body_kb = 1
EOF
gw() { "$GATEWAY" --config "$w/gw.conf" --log-level error "$@"; }
tomorrow=$(clock_date +1)
grep '"J-2026-120302"' fixtures/contracts/sample.jsonl | head -n 1 |
	sed "s/J-2026-120302/J-TOMORROW-1/; s/2026-12-03/$tomorrow/g" > "$w/tomorrow.jsonl"
# (exit 1: the construction worker of the sample is refused at intake.)
gw intake --contracts fixtures/contracts/sample.jsonl --contracts "$w/tomorrow.jsonl" > /dev/null ||
	[ $? -eq 1 ] || fail "intake"
held=$(gw show J-TOMORROW-1 | awk '/^id:/ { print $2; exit }')
gw hold --reason "waiting for the member's papers" "$held" > /dev/null || fail "hold"
gw run --until-idle > /dev/null 2> "$w/run.err" || [ $? -eq 1 ] || fail "run: $(tail -3 "$w/run.err")"
kill "$simpid"; wait "$simpid" 2>/dev/null || true; simpid=""
refused=$(gw list --state refused --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

# The day's summary says the same in text, and exits 1: something needs someone.
if gw summary > "$w/summary"; then fail "summary exit 0 with a refusal and a held contract"; fi
grep -q "^work starting today or tomorrow without an accepted Dimona: 1$" "$w/summary" ||
	fail "summary: $(cat "$w/summary")"
grep -q "^  $tomorrow  J-TOMORROW-1  held" "$w/summary" || fail "summary: the held contract: $(cat "$w/summary")"
grep -q "^ *90373-334: Overlappende Dimonaperiode" "$w/summary" || fail "summary: the refusal in words"
grep -q "^DmfA: the next due is 2026 Q4, by 2027-01-31 (in 67 days)" "$w/summary" ||
	fail "summary: DmfA due date: $(grep DmfA "$w/summary")"

# The server, with a token.
head -c 48 /dev/urandom | base64 | tr -d '/+=\n' > "$w/token"
chmod 600 "$w/token"
tok=$(cat "$w/token")
# Not through gw(): a backgrounded function is a subshell, and killing it
# would leave the server running.
"$GATEWAY" --config "$w/gw.conf" --log-level error serve --port 0 --port-file "$w/port" \
	> "$w/serve.out" 2> "$w/serve.err" &
srvpid=$!
wait_file "$w/port" "gateway serve"
u=http://127.0.0.1:$(cat "$w/port")
code() { curl -s -o "$w/body" -w '%{http_code}' "$@"; }
[ "$(code "$u/healthz")" = 200 ] && grep -q '"status":"ok"' "$w/body" || fail "/healthz: $(cat "$w/body")"
[ "$(code "$u/metrics")" = 401 ] || fail "/metrics without a token"
[ "$(code -H "Authorization: Bearer wrong-token-wrong-token-wrong" "$u/metrics")" = 401 ] ||
	fail "/metrics with a wrong token"
[ "$(code -H "Authorization: Bearer $tok" -X POST "$u/metrics")" = 405 ] || fail "POST /metrics"
[ "$(code -H "Authorization: Bearer $tok" "$u/nothing-here")" = 404 ] || fail "unknown page"
head -c 4096 /dev/zero | tr '\0' x > "$w/big"
[ "$(code -H "Authorization: Bearer $tok" --data-binary @"$w/big" "$u/metrics")" = 413 ] ||
	fail "an oversized body was taken"
[ "$(code -H "Accept: text/html" "$u/")" = 303 ] || fail "a browser is not sent to /login"
[ "$(code -H "Authorization: Bearer $tok" "$u/metrics")" = 200 ] || fail "/metrics with the token"
grep -qx 'gateway_messages{channel="dimona-rest",state="refused"} 1' "$w/body" ||
	fail "metrics: refused count: $(grep refused "$w/body")"
grep -qx 'gateway_messages{channel="dimona-rest",state="held"} 1' "$w/body" || fail "metrics: held count"
grep -q '^gateway_certificate_expiry_timestamp_seconds{use="signing (ONSS)",file=".*org.crt.pem"} [1-9]' \
	"$w/body" || fail "metrics: no certificate expiry"
grep -q '^gateway_send_duration_seconds_bucket{channel="dimona-rest",le="+Inf"} ' "$w/body" ||
	fail "metrics: no send histogram"
# `gateway run` sent, `gateway serve` is another process: the histogram comes
# from the queue's history, one observation per answered message.
answered=$(awk '/^gateway_messages\{channel="dimona-rest",state="(accepted|accepted-with-warnings|refused)"\}/ \
	{ n += $2 } END { print n + 0 }' "$w/body")
[ "$answered" -gt 0 ] || fail "metrics: no answered message to measure"
grep -qx "gateway_send_duration_seconds_count{channel=\"dimona-rest\"} $answered" "$w/body" ||
	fail "metrics: $answered answered sends, histogram: $(grep 'seconds_count{channel="dimona-rest"' "$w/body")"
grep -qx 'gateway_retries_total{channel="dimona-rest"} [0-9]*' "$w/body" || fail "metrics: no retry counter"
# A second scrape folds nothing twice.
curl -sS -o "$w/body2" -H "Authorization: Bearer $tok" "$u/metrics" || fail "second scrape"
grep -qx "gateway_send_duration_seconds_count{channel=\"dimona-rest\"} $answered" "$w/body2" ||
	fail "metrics: the second scrape counted again: $(grep 'seconds_count{channel="dimona-rest"' "$w/body2")"

# What a person sees, in a real browser: log in through the link, then the
# dashboard and a message's timeline.
browse() { # URL OUT [extra chromium args]
	url=$1; out=$2; shift 2
	timeout 90 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$w/chrome" \
		"$@" "$url" > "$out" 2> "$w/chrome.err" || fail "chromium: $(tail -3 "$w/chrome.err")"
}
browse "$u/" "$w/nologin.html" --dump-dom
grep -q 'name="token"' "$w/nologin.html" || fail "without a session the browser does not get the login form"
browse "$u/login?token=$tok" "$w/dash.html" --dump-dom
text=$(sed 's/<[^>]*>/ /g; s/&amp;/\&/g' "$w/dash.html" | tr -s ' \n' '  ')
for want in "Messages by state" "J-TOMORROW-1" "$tomorrow" "held" \
	"90373-334 NL: Overlappende Dimonaperiode (blokkerend; Dimona IN aangifte)" \
	"90373-334 FR: En chevauchement - Overlappende Dimonaperiode (nl) (bloquant; Dimona IN aangifte)" \
	"Next due: the DmfA of 2026 Q4, by 2027-01-31" "signing (ONSS)" "org.crt.pem"; do
	case $text in *"$want"*) ;; *) fail "the dashboard does not show \"$want\"" ;; esac
done
mkdir -p "$TOP/$BUILD/artefacts"
browse "$u/login?token=$tok" /dev/null --screenshot="$TOP/$BUILD/artefacts/dashboard.png" --window-size=1280,1800
[ -s "$TOP/$BUILD/artefacts/dashboard.png" ] || fail "no screenshot"
browse "$u/login?token=$tok&next=/message/$refused" "$w/msg.html" --dump-dom
grep -q "sent → refused" "$w/msg.html" || fail "the timeline lacks sent → refused: $(sed "s/<[^>]*>/ /g" "$w/msg.html" | tr -s " " | head -c 800)"
grep -q "Overlappende Dimonaperiode" "$w/msg.html" || fail "the message page lacks the anomaly's words"

# TLS with a client certificate as the credential; plain HTTP stays on loopback.
cat >> "$w/gw.conf" <<EOF
cert = $TOP/certs/out/tls/server.crt.pem
key = $TOP/certs/out/tls/server.key.pem
client_ca = $TOP/certs/out/onss/ca.crt.pem
EOF
"$GATEWAY" --config "$w/gw.conf" --log-level error serve --port 0 --port-file "$w/tlsport" \
	> "$w/tls.out" 2> "$w/tls.err" &
tlspid=$!
wait_file "$w/tlsport" "gateway serve (TLS)"
t=https://localhost:$(cat "$w/tlsport")
[ "$(code --cacert certs/out/tls/ca.crt.pem "$t/metrics")" = 401 ] || fail "TLS: no credential accepted"
[ "$(code --cacert certs/out/tls/ca.crt.pem --cert certs/out/onss/org.crt.pem --key certs/out/onss/org.key.pem \
	"$t/metrics")" = 200 ] || fail "TLS: the client certificate is not a credential"
[ "$(code --cacert certs/out/tls/ca.crt.pem --cert certs/out/tls/server.crt.pem --key certs/out/tls/server.key.pem \
	"$t/metrics")" = 401 ] || fail "TLS: a certificate from another CA was accepted"
if timeout 10 "$GATEWAY" --set "queue.dsn=$w/q.db" --set http.listen=0.0.0.0 serve --port 0 > /dev/null 2> "$w/e1"; then
	fail "plain HTTP beyond loopback was served"
fi
grep -q "without TLS" "$w/e1" || fail "refusal not explained: $(cat "$w/e1")"
echo "dashboard: health open, credentials enforced (token, session, client certificate), metrics," \
	"and in Chromium the counts, the held contract starting $tomorrow, the refusal in Dutch and French," \
	"the DmfA due date, certificate expiry and a timeline (screenshot: $BUILD/artefacts/dashboard.png)"
