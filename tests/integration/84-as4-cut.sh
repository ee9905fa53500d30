#!/bin/sh
# 84-as4-cut.sh - a connection cut in the middle of an AS4 transfer, both
# ways, ends with every invoice delivered exactly once. A TCP proxy
# (tests/lib/cut_proxy.py, bytes passed through unread: TLS stays end to
# end) sits between the sender's `gateway run` and the receiver's `gateway
# serve`:
#   up:   the first connections are cut after K bytes of what the sender
#         sends: the request body is on the wire, the receiver gets half a
#         request and stores nothing; the sender's retry (same MessageId)
#         is stored.
#   down: the first connections are cut after K bytes of what the receiver
#         sends once a request body is on the wire: inside a receipt, which
#         is only sent once its document is durable; the sender's retry
#         gets the receipt again (the duplicate rule), nothing stored twice.
# Each round: N records accepted on verified receipts, N rows and N inbox
# pairs at the receiver, each document in the inbox once, the MessageIds
# stored those the sender recorded, the cuts made (proxy log) and seen by
# the sender (failed POSTs); the down round also sees the receiver answer a
# re-sent message as a duplicate.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
cd "$TOP" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
export GW_REFERENCE_DIR="$REF"
N=${N:-12}
P=$TOP/certs/out
w=$(mktemp -d "${TMPDIR:-/tmp}/gw84.XXXXXX")
rpid= ppid_=
stop() { for p in $rpid $ppid_; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rpid= ppid_=; }
trap 'stop; rm -rf "$w"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
for b in gen_invoices; do [ -x "$BUILD/bench/$b" ] || fail "$BUILD/bench/$b missing (make bench-bins)"; done
[ -f "$P/g3/receiver.crt.pem" ] || fail "run certs/gen-test-pki.sh"
command -v python3 > /dev/null || fail "python3 needed for the cutting proxy"

"$BUILD/bench/gen_invoices" $((N * 2 + 20)) 14 | grep -v '"buyer": {[^}]*"peppol_id": ""' |
	head -n "$N" > "$w/in.jsonl"
[ "$(wc -l < "$w/in.jsonl")" -eq "$N" ] || fail "could not generate $N records"
sed 's/.*"invoice_id": "\([^"]*\)".*/\1/' "$w/in.jsonl" | sort > "$w/want-ids"

wait_port() { # FILE PID: wait until FILE holds a port
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1)); [ $i -lt 300 ] || fail "no port in $1"
		kill -0 "$2" 2>/dev/null || fail "$1: the process exited"
		sleep 0.1
	done
}

round() { # DIRECTION BYTES CUTS
	d=$w/$1; mkdir -p "$d"
	"$GATEWAY" --set "queue.dsn=$d/r.db" --set peppol_as4.receive=on \
		--set "peppol_as4.cert=$P/g3/receiver.crt.pem" --set "peppol_as4.key=$P/g3/receiver.key.pem" \
		--set "peppol_as4.ca=$P/g3/chain.pem" --set "peppol_as4.crl=$P/g3/apca.crl.pem" \
		--set "peppol_as4.inbox=$d/inbox" \
		--set "http.cert=$P/tls/server.crt.pem" --set "http.key=$P/tls/server.key.pem" \
		serve --port 0 --port-file "$d/rport" > "$d/r.out" 2> "$d/r.err" &
	rpid=$!
	wait_port "$d/rport" "$rpid"
	python3 tests/lib/cut_proxy.py "$(cat "$d/rport")" "$d/pport" "$d/proxy.log" "$1" "$2" "$3" &
	ppid_=$!
	wait_port "$d/pport" "$ppid_"
	snd() { "$GATEWAY" --set "queue.dsn=$d/s.db" \
		--set "peppol_as4.endpoint_url=https://localhost:$(cat "$d/pport")/as4" \
		--set "peppol_as4.endpoint_cert=$P/g3/receiver.crt.pem" --set "peppol_as4.tls_ca=$P/tls/ca.crt.pem" \
		--set "peppol_as4.cert=$P/g3/sender.crt.pem" --set "peppol_as4.key=$P/g3/sender.key.pem" \
		--set "peppol_as4.outbox=$d/outbox" --set queue.retry_base_ms=100 \
		--set queue.retry_cap_ms=500 "$@"; }
	snd intake --invoices "$w/in.jsonl" > "$d/intake" 2>&1 || fail "$1: intake: $(tail -3 "$d/intake")"
	snd run --until-idle --channel peppol-as4 > "$d/run" 2> "$d/run.err" ||
		fail "$1: sender run: $(tail -5 "$d/run.err")"
	accepted=$(snd status --json | sed 's/.*"peppol-as4":{[^}]*"accepted":\([0-9]*\).*/\1/')
	stop
	made=$(grep -c '^cut connection' "$d/proxy.log")
	[ "$made" -eq "$3" ] || fail "$1: the proxy made $made cuts, want $3: $(cat "$d/proxy.log")"
	seen=$(grep -c 'POST .*https://' "$d/run.err")
	[ "$seen" -ge "$3" ] || fail "$1: the sender saw $seen failed POSTs, want $3 or more"
	[ "$accepted" = "$N" ] || fail "$1: $accepted of $N accepted"
	rows=$(sqlite3 "$d/r.db" 'SELECT count(*) FROM as4_inbound')
	pairs=$(ls "$d/inbox" | grep -c '\.json$')
	[ "$rows" -eq "$N" ] && [ "$pairs" -eq "$N" ] || fail "$1: receiver holds $rows rows, $pairs inbox pairs, want $N"
	awk 'FNR == 1 { seen = 0 }
		!seen && match($0, /<cbc:ID>[^<]*<\/cbc:ID>/) {
			print substr($0, RSTART + 8, RLENGTH - 17); seen = 1 }' "$d/inbox"/*.xml | sort > "$d/ids"
	cmp -s "$d/ids" "$w/want-ids" || fail "$1: documents in the inbox differ from those sent: $(diff "$w/want-ids" "$d/ids" | head -5)"
	sqlite3 "$d/s.db" "SELECT remote_ref FROM msgs WHERE channel='peppol-as4'" | sort > "$d/sent"
	sqlite3 "$d/r.db" "SELECT message_id FROM as4_inbound" | sort > "$d/stored"
	cmp -s "$d/sent" "$d/stored" || fail "$1: stored MessageIds are not those the sender recorded"
	dups=$(grep -c 'is a duplicate of' "$d/r.err")
	if [ "$1" = down ]; then
		[ "$dups" -ge 1 ] || fail "down: no re-sent message answered as a duplicate: the cut was not inside a receipt"
	fi
	echo "$1: cuts=$made after $2 bytes, failed-posts=$seen, accepted=$accepted, stored=$rows, re-sent-duplicates=$dups"
}

round up 3000 3
round down 300 3
