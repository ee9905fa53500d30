#!/bin/sh
# peppol-exchange.sh - two gateway instances exchange N invoices and credit
# notes over Peppol AS4 on loopback HTTPS (`make peppol-exchange N=1000`;
# tests/integration/82-as4-exchange.sh runs it with a small N).
#
# The sender (AP certificate g3/sender) intakes N generated records (bench/
# gen_invoices, deterministic) and runs its peppol-as4 channel until idle;
# the receiver (g3/receiver) serves POST /as4. The receiver starts with the
# test hook GATEWAY_TEST_AS4_EXIT_AFTER_STORE: it exits right after durably
# storing the first message (and those stored in the same group commit),
# before answering; the script restarts it on the same port and the
# sender's retries (same MessageIds) must get the receipts.
# Once about half the records are stored, the sender is killed too (SIGKILL,
# whatever it was doing) and run again: its recovery re-sends what it left
# unknown under the same MessageIds.
# Then a test peer (bench/as4_forge) sends a tampered, a wrongly encrypted,
# a wrong-CA, an expired-certificate and a revoked-certificate message, each
# of which must be refused with its ebMS error and store nothing, and a
# replay (the same bytes twice, then the same document under a new
# MessageId) that must be answered with a receipt and stored once.
#
# The sender has no configured endpoint: it finds the receiver through
# discovery, as the Peppol network does. The receiver's own SMP (`gateway
# smp serve`, HTTPS) publishes every buyer of the run with the receiver's
# AS4 endpoint and certificate, signed under the test SMP CA, and dnsmasq
# (loopback port, unprivileged) serves each buyer's U-NAPTR record in the
# test SML zone pointing at that SMP.
#
# Last line: sent=N delivered-once=N duplicates=0 receipts-verified=N and the
# refusals. Exit 0 only when every figure is what it must be. A sender that
# never reaches the receiver (ends without sending, or sends nothing within
# GW_EXCHANGE_WAIT_S seconds, default 120) fails the run, saying so.
set -u
: "${TOP:?}" "${GATEWAY:?}" "${BUILD:?}"
N=${N:-40}
cd "$TOP" || exit 2
. tests/lib/clock.sh
[ -n "${GATEWAY_NOW:-}" ] || pin_clock "$TEST_NOW"
export GW_REFERENCE_DIR="${REF:-/work/shared/reference}"
w=$(mktemp -d "${TMPDIR:-/tmp}/gwx.XXXXXX")
rpid=
smppid=
spid=
. tests/lib/smp.sh
. tests/lib/procs.sh
cleanup() {
	for p in $rpid $smppid $spid; do kill "$p" 2>/dev/null; done
	dns_stop "$w"
	wait 2>/dev/null
	left=0; no_leftovers "$w" || left=1
	[ -n "${KEEP:-}" ] && echo "kept $w" || rm -rf "$w"
	[ "$left" -eq 0 ] || exit 1
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
P=$TOP/certs/out
[ -f "$P/g3/receiver.crt.pem" ] && [ -f "$P/tls/server.crt.pem" ] || fail "run certs/gen-test-pki.sh"
for b in gen_invoices as4_forge; do
	[ -x "$BUILD/bench/$b" ] || fail "$BUILD/bench/$b missing (make bench-bins)"
done

mkdir -p "$w/s" "$w/r"
rcv() { exec "$GATEWAY" --set "queue.dsn=$w/r/q.db" --set peppol_as4.receive=on \
	--set "peppol_as4.cert=$P/g3/receiver.crt.pem" --set "peppol_as4.key=$P/g3/receiver.key.pem" \
	--set "peppol_as4.ca=$P/g3/chain.pem" --set "peppol_as4.crl=$P/g3/apca.crl.pem" \
	--set "peppol_as4.inbox=$w/r/inbox" \
	--set "http.cert=$P/tls/server.crt.pem" --set "http.key=$P/tls/server.key.pem" "$@"; }
snd() { ${snd_exec:+exec} "$GATEWAY" --set "queue.dsn=$w/s/q.db" --set peppol_as4.discovery=on \
	--set "smp.resolver=127.0.0.1:$dnsport" --set "smp.tls_ca=$P/tls/ca.crt.pem" \
	--set "smp.ca=$P/g3/smp-chain.pem" --set "peppol_as4.tls_ca=$P/tls/ca.crt.pem" \
	--set "peppol_as4.cert=$P/g3/sender.crt.pem" --set "peppol_as4.key=$P/g3/sender.key.pem" \
	--set "peppol_as4.outbox=$w/s/outbox" --set queue.retry_base_ms=200 \
	--set queue.retry_cap_ms=2000 "$@"; }
sndx() { snd_exec=1; snd "$@"; }
start_receiver() { # PORT [hook]: start (rcv execs: $! is the gateway), wait for the port file
	rm -f "$w/r/port"
	if [ "${2:-}" = hook ]; then
		(export GATEWAY_TEST_AS4_EXIT_AFTER_STORE=1
		 rcv serve --port "$1" --port-file "$w/r/port" >> "$w/r/out" 2>> "$w/r/err") &
	else
		rcv serve --port "$1" --port-file "$w/r/port" >> "$w/r/out" 2>> "$w/r/err" &
	fi
	rpid=$!
	i=0
	while [ ! -s "$w/r/port" ]; do
		i=$((i + 1)); [ $i -lt 300 ] || fail "receiver did not start: $(tail -3 "$w/r/err")"
		kill -0 "$rpid" 2>/dev/null || fail "receiver exited: $(tail -3 "$w/r/err")"
		sleep 0.1
	done
	port=$(cat "$w/r/port")
}
stored() { # documents in the receiver's inbox (sidecars: a pair is complete)
	ls "$w/r/inbox" 2>/dev/null | grep -c '\.json$'
}
rows() { sqlite3 "$w/r/q.db" 'SELECT count(*) FROM as4_inbound' 2>/dev/null || echo 0; }

# N records with a Peppol buyer: invoices and credit notes.
"$BUILD/bench/gen_invoices" $((N * 2 + 20)) 14 | grep -v '"buyer": {[^}]*"peppol_id": ""' |
	head -n "$N" > "$w/in.jsonl"
[ "$(wc -l < "$w/in.jsonl")" -eq "$N" ] || fail "could not generate $N records"
credit=$(grep -c '"type": "credit_note"' "$w/in.jsonl")

start_receiver 0 hook
first=$rpid
# Discovery: our SMP publishes the buyers with the receiver's endpoint;
# dnsmasq points each buyer's U-NAPTR record at it.
python3 -c 'import sys, json
ids = sorted({json.loads(l)["buyer"]["peppol_id"] for l in open(sys.argv[1])})
print(",".join(ids))' "$w/in.jsonl" > "$w/buyers"
"$GATEWAY" --set http.listen=127.0.0.1 --set "http.cert=$P/tls/server.crt.pem" \
	--set "http.key=$P/tls/server.key.pem" --set "smp.participants=$(cat "$w/buyers")" \
	--set "smp.endpoint_url=https://localhost:$port/as4" --set "smp.endpoint_cert=$P/g3/receiver.crt.pem" \
	--set "smp.cert=$P/g3/smp.crt.pem" --set "smp.key=$P/g3/smp.key.pem" \
	smp serve --port 0 --port-file "$w/smp.port" > "$w/smp.out" 2> "$w/smp.err" &
smppid=$!
i=0
while [ ! -s "$w/smp.port" ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "smp serve did not start: $(tail -3 "$w/smp.err")"
	kill -0 "$smppid" 2>/dev/null || fail "smp serve exited: $(tail -3 "$w/smp.err")"
	sleep 0.1
done
smpport=$(cat "$w/smp.port")
dnsport=$(free_port)
# shellcheck disable=SC2046
dns_start "$w" "$dnsport" $(tr ',' '\n' < "$w/buyers" | sed "s#\$#=https://localhost:$smpport#") ||
	fail "dnsmasq did not start"
snd intake --invoices "$w/in.jsonl" > "$w/s/intake" 2> "$w/s/intake.err" ||
	fail "intake: $(cat "$w/s/intake.err")"
grep -q "$N taken in" "$w/s/intake" || fail "intake: $(cat "$w/s/intake")"
(sndx run --until-idle --channel peppol-as4 > "$w/s/run" 2> "$w/s/run.err") &
spid=$!
# The receiver stores the first message and exits before answering: wait
# for that, but not for ever (a sender that never sends would hold the run).
wait_s=${GW_EXCHANGE_WAIT_S:-120}
i=0
while kill -0 "$first" 2>/dev/null; do
	kill -0 "$spid" 2>/dev/null || { wait "$spid"; st=$?
		fail "the sender ended (exit $st) without reaching the receiver: $(tail -3 "$w/s/run.err")"; }
	i=$((i + 1))
	[ "$i" -le $((wait_s * 10)) ] ||
		fail "the receiver got nothing in ${wait_s} s (GW_EXCHANGE_WAIT_S): the sender never sent;" \
			"its last words: $(tail -3 "$w/s/run.err")"
	sleep 0.1
done
wait "$first"
st=$?
[ "$st" -eq 70 ] || fail "receiver with the test hook ended with $st, not 70: $(tail -3 "$w/r/err")"
# The sender has [run] send_batch (8) POSTs in flight: the messages stored
# with the first one (one group commit) are unanswered too, each of them
# stopped at the hook before its answer.
killed_rows=$(rows)
[ "$killed_rows" -ge 1 ] && [ "$killed_rows" -le 8 ] ||
	fail "after the kill the receiver holds $killed_rows messages, want 1 to 8 (the POSTs in flight)"
start_receiver "$port"
i=0
while [ "$(rows)" -lt $((N / 2)) ] && kill -0 "$spid" 2>/dev/null && [ $i -lt 1200 ]; do
	i=$((i + 1)); sleep 0.05
done
sender_killed=no
kill -9 "$spid" 2>/dev/null && sender_killed="yes, with $(rows) of $N stored"
wait "$spid"
st=$?
spid=
if [ "$sender_killed" = no ]; then
	[ "$st" -eq 0 ] || fail "sender run: $(tail -5 "$w/s/run.err")"
else
	snd run --until-idle --channel peppol-as4 >> "$w/s/run" 2>> "$w/s/run.err" ||
		fail "sender run after the kill: $(tail -5 "$w/s/run.err")"
fi
cat "$w/s/run"

# The figures of the exchange. A message is accepted only on a receipt
# that verified (the channel has no other way there), so receipts-verified
# counts accepted messages; the channel's own counter (which counts a
# receipt read twice across the sender's kill twice) is on the line above.
accepted=$(snd status --json | sed 's/.*"peppol-as4":{[^}]*"accepted":\([0-9]*\).*/\1/')
verified=$accepted
# Each document's own id is its first cbc:ID; count how often each arrived.
awk 'FNR == 1 { seen = 0 }
	!seen && match($0, /<cbc:ID>[^<]*<\/cbc:ID>/) {
		print substr($0, RSTART + 8, RLENGTH - 17); seen = 1 }' "$w/r/inbox"/*.xml |
	sort | uniq -c > "$w/ids"
sed 's/.*"invoice_id": "\([^"]*\)".*/\1/' "$w/in.jsonl" > "$w/want-ids"
once=$(awk 'NR == FNR { c[$2] = $1; next } c[$1] == 1 { n++ } END { print n + 0 }' "$w/ids" "$w/want-ids")
files=$(stored)
distinct=$(wc -l < "$w/ids")
# Every message was stored under the MessageId the sender recorded before
# its first POST: a retry (the one after the kill included) re-sent it.
sqlite3 "$w/s/q.db" "SELECT remote_ref FROM msgs WHERE channel='peppol-as4'" | sort > "$w/sent-ids"
sqlite3 "$w/r/q.db" "SELECT message_id FROM as4_inbound" | sort > "$w/stored-ids"
cmp -s "$w/sent-ids" "$w/stored-ids" ||
	fail "stored MessageIds differ from those the sender recorded: $(diff "$w/sent-ids" "$w/stored-ids" | head -5)"
sent=$(grep -c . "$w/sent-ids")
dups=$((files - distinct + $(rows) - files))

# Refusals: each refused with its ebMS error, nothing stored.
doc=$w/replay.xml
sed '0,/<cbc:ID>[^<]*<\/cbc:ID>/s//<cbc:ID>PEER-REPLAY-1<\/cbc:ID>/' \
	"$(ls "$w/r/inbox"/*.xml | head -n 1)" > "$doc"
forge() { # OUT ARGS...: a message from the test peer
	o=$1; shift
	"$BUILD/bench/as4_forge" -d "$P/g3" -f "$doc" -S 0208:0668600511 -R 0208:0739484052 "$@" "$w/$o" \
		> "$w/$o.id" || fail "as4_forge $*"
}
post() { # NAME: POST $w/NAME, the answer into $w/NAME.answer
	curl -s --cacert "$P/tls/ca.crt.pem" -H "Content-Type: $(cat "$w/$1.ct")" \
		--data-binary "@$w/$1" "https://localhost:$port/as4" -o "$w/$1.answer" ||
		fail "POST $1: curl $?"
}
code() { sed -n 's/.*errorCode="\(EBMS:[0-9]*\)".*/\1/p' "$w/$1.answer" | head -n 1; }
refusals=
before=$(rows); before_files=$(stored)
for case in tampered:sender:receiver:--tamper:EBMS:0101 wrong-encryption:sender:sender::EBMS:0102 \
    wrong-ca:wrongca:receiver::EBMS:0101 expired:expired:receiver::EBMS:0101 \
    revoked:revoked:receiver::EBMS:0101; do
	name=${case%%:*}; rest=${case#*:}
	signer=${rest%%:*}; rest=${rest#*:}
	to=${rest%%:*}; rest=${rest#*:}
	extra=${rest%%:*}; want=${rest#*:}
	# shellcheck disable=SC2086
	forge "$name" -s "$signer" -t "$to" $extra
	post "$name"
	got=$(code "$name")
	[ "$got" = "$want" ] || fail "$name: answered '${got:-no error}', want $want: $(head -c 300 "$w/$name.answer")"
	[ "$(rows)" -eq "$before" ] && [ "$(stored)" -eq "$before_files" ] || fail "$name: something was stored"
	refusals="$refusals $name=$got"
done
# Replay: the same bytes twice get the same receipt, one record; the same
# document under a new MessageId gets a receipt too, and is not stored again.
forge replay -s sender -t receiver -i 6b1f0d1e-7c1a-4d63-9a4e-0c5a2f1e9b01
post replay; cp "$w/replay.answer" "$w/replay.first"
grep -q 'Receipt' "$w/replay.first" || fail "replay: first delivery not answered with a receipt: $(head -c 300 "$w/replay.first")"
post replay
cmp -s "$w/replay.first" "$w/replay.answer" || fail "replay: the same message got another answer"
forge replay2 -s sender -t receiver -i 6b1f0d1e-7c1a-4d63-9a4e-0c5a2f1e9b01
post replay2
grep -q 'Receipt' "$w/replay2.answer" || fail "replay under a new MessageId: no receipt"
grep -q "RefToMessageId>$(cat "$w/replay2.id")<" "$w/replay2.answer" ||
	fail "replay under a new MessageId: the receipt does not name it"
[ "$(rows)" -eq $((before + 1)) ] && [ "$(stored)" -eq $((before_files + 1)) ] ||
	fail "replay: stored $(( $(rows) - before )) times, want once"
refusals="$refusals replayed=same-receipt,stored-once"

kill "$rpid"; wait "$rpid" 2>/dev/null; rpid=
grep '^as4:' "$w/r/out"
kill "$smppid"; wait "$smppid" 2>/dev/null; smppid=
served=$(sed -n 's/^smp: [0-9]* service groups, \([0-9]*\) signed metadata.*/\1/p' "$w/smp.out")
queries=$(grep -c 'query\[NAPTR\]' "$w/dns.log")
echo "discovery: $(tr ',' '\n' < "$w/buyers" | grep -c .) buyers published by smp serve, $queries NAPTR queries answered by dnsmasq, ${served:-0} signed SMP answers served; no endpoint configured on the sender"
ok=1
[ "$sent" -eq "$N" ] && [ "$once" -eq "$N" ] && [ "$dups" -eq 0 ] && [ "$verified" -eq "$N" ] &&
	[ "$accepted" -eq "$N" ] && [ "${served:-0}" -gt 0 ] && [ "$queries" -gt 0 ] || ok=0
echo "credit notes=$credit; receiver killed after storing $killed_rows message(s), before answering: recovered by re-sending the same MessageIds; sender killed: $sender_killed"
echo "sent=$sent delivered-once=$once duplicates=$dups receipts-verified=$verified refused:$refusals"
[ $ok -eq 1 ] || exit 1
