#!/bin/sh
# 52-retention.sh - `gateway retention` on a pinned clock.
#
# Two contracts are declared on 2026-03-01 through the REST simulator
# (accepted: each keeps the bytes sent and its record); a third is taken in
# and cancelled by the operator on 2030-12-01 (final, but recent), a fourth
# stays pending. On 2031-03-06 (1831 days later, past the default keeping
# period of 1830 days), `gateway retention`:
#   --dry-run        says the first two would be purged and changes nothing;
#   (plain)          purges their body and payload, prints them, keeps their
#                    id, state, references, content hash and history (plus a
#                    "retention" event); the recent one and the pending one
#                    keep everything;
#   again            purges nothing more;
#   --older-than 10  shorter than keep_days: refused, exit 2, nothing purged;
# and with keep_days = 30 the recent cancel goes too, never the pending one.
#
# Env: TOP, GATEWAY (from tests/run-all.sh).
set -u
: "${TOP:?}" "${GATEWAY:?}"
cd "$TOP" || exit 1
. "$TOP/tests/lib/clock.sh"
tmp=$(mktemp -d)
pass=0
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
ok() { pass=$((pass + 1)); }
simpid=""
trap '[ -n "$simpid" ] && kill "$simpid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
[ -f certs/out/tls/ca.crt.pem ] || sh certs/gen-test-pki.sh >/dev/null
. "$TOP/tests/integration/lib/onss-sim.sh"      # pins the clock to 2026-03-01 10:00 Brussels
start_sim "$tmp" --employer 175110801 --employer 123456749
db="$tmp/queue.db"
gw() { "$GATEWAY" --config "$tmp/gw.conf" --log-level error "$@"; }
q() { sqlite3 "$db" "$1"; }
csv() { head -n 1 fixtures/dimona/contracts-500.csv; grep -E "^($1),1," fixtures/dimona/contracts-500.csv; }

csv 'WC-0001|WC-0002' >"$tmp/ab.csv"
gw intake --contracts "$tmp/ab.csv" >"$tmp/intake.out" 2>&1 || bad "intake: $(cat "$tmp/intake.out")"
timeout 120 "$GATEWAY" --config "$tmp/gw.conf" --log-level error run --until-idle >/dev/null 2>"$tmp/run.err" ||
	[ $? -eq 1 ] || bad "run: $(tail -n 3 "$tmp/run.err")"
kill "$simpid"; wait "$simpid" 2>/dev/null; simpid=""
id_of() { q "select id from msgs where record_id='$1'"; }
A=$(id_of WC-0001) B=$(id_of WC-0002)
[ "$(q "select count(*) from msgs where state='accepted' and length(body) > 0 and remote_ref2 <> ''")" = 2 ] ||
	{ echo "the two declarations were not accepted with their body: $(q 'select record_id, state from msgs')"; exit 1; }
pin_clock 2030-12-01T10:00:00Z
csv 'STU-0001|STU-0002' >"$tmp/cd.csv"
gw intake --contracts "$tmp/cd.csv" >"$tmp/intake.out" 2>&1 || bad "intake: $(cat "$tmp/intake.out")"
C=$(id_of STU-0001) D=$(id_of STU-0002)
gw cancel --reason "test" --actor t "$C" >/dev/null 2>&1 || bad "cancel C"
# What each message is before: state, refs, hash, events, body and payload sizes.
snap() { q "select id, state, remote_ref, remote_ref2, content_hash, updated_ms from msgs order by id"; }
snap >"$tmp/before"
[ "$(q "select count(*) from msgs where payload is not null")" = 4 ] || bad "payloads missing before the purge"
hashes=$(q "select content_hash from msgs where id in ('$A','$B') and content_hash <> '' order by id")
ev_before=$(q "select count(*) from events")

pin_clock 2031-03-06T10:00:00Z
gw retention --dry-run >"$tmp/dry.out" 2>&1 || bad "dry run: $(cat "$tmp/dry.out")"
[ "$(grep -c '^would purge m[0-9a-f]* record ' "$tmp/dry.out")" = 2 ] && grep -q "record WC-0001 " "$tmp/dry.out" &&
	grep -q "record WC-0002 " "$tmp/dry.out" && ok || bad "dry run: $(cat "$tmp/dry.out")"
grep -q "^would purge 2 of 3 final messages last changed before 2026-03-02T" "$tmp/dry.out" && ok ||
	bad "dry run total: $(tail -n 1 "$tmp/dry.out")"
[ "$(q "select count(*) from msgs where payload is not null")" = 4 ] &&
	[ "$(q "select count(*) from events")" = "$ev_before" ] && ok || bad "the dry run changed the queue"

gw retention --actor dpo >"$tmp/run.out" 2>&1 || bad "retention: $(cat "$tmp/run.out")"
[ "$(grep -c '^purged m[0-9a-f]* record WC-000[12] rev 1 dimona-in accepted (last change 2026-03-01T.*): body [1-9][0-9]* bytes, payload [1-9][0-9]* bytes$' "$tmp/run.out")" = 2 ] && ok ||
	bad "retention lines: $(cat "$tmp/run.out")"
grep -q "^purged 2 of 3 final messages .*; 0 already purged; audit trail kept$" "$tmp/run.out" && ok ||
	bad "retention total: $(tail -n 1 "$tmp/run.out")"
for id in "$A" "$B"; do
	[ "$(q "select count(*) from msgs where id='$id' and body is null and payload is null and body_file=''")" = 1 ] &&
		ok || bad "$id still carries its body or payload"
	[ "$(q "select count(*) from events where msg_id='$id' and what='retention' and actor='operator:dpo'")" = 1 ] &&
		ok || bad "$id: no retention event"
done
for id in "$C" "$D"; do
	[ "$(q "select count(*) from msgs where id='$id' and payload is not null")" = 1 ] && ok ||
		bad "$id lost its payload although recent or not final"
done
snap >"$tmp/after"
[ "$(q "select content_hash from msgs where id in ('$A','$B') and content_hash <> '' order by id")" = "$hashes" ] &&
	[ -n "$hashes" ] && ok || bad "content hashes lost"
cmp -s "$tmp/before" "$tmp/after" && ok || bad "ids, states, refs, hashes or times changed: $(diff "$tmp/before" "$tmp/after")"
[ "$(q "select count(*) from events")" = $((ev_before + 2)) ] && ok || bad "history lost or grown wrong"

gw retention >"$tmp/again.out" 2>&1 && grep -q "^purged 0 of 3 final messages .*; 2 already purged;" "$tmp/again.out" &&
	ok || bad "second run: $(cat "$tmp/again.out")"
gw retention --older-than 10 >"$tmp/short.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "shorter than the keeping period (\[retention\] keep_days = 1830)" "$tmp/short.out" &&
	[ "$(q "select count(*) from msgs where payload is not null")" = 2 ] && ok || bad "--older-than 10: exit $rc: $(cat "$tmp/short.out")"
# With a shorter keeping period configured, the recent cancel goes too.
gw --set retention.keep_days=30 retention >"$tmp/k30.out" 2>&1 && grep -q "record STU-0001 " "$tmp/k30.out" &&
	[ "$(q "select count(*) from msgs where payload is not null")" = 1 ] && ok || bad "keep_days=30: $(cat "$tmp/k30.out")"

echo "retention: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
