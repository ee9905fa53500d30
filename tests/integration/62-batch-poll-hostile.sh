#!/bin/sh
# 62-batch-poll-hostile.sh - what the ONSS's OUT folder may hold that is not
# a well-formed answer, through a real sshd: names that are not of the
# answer grammar (a space, '#', '?', a quote) are reported and skipped and
# do not block the answers after them; an answer over [onss_batch]
# max_answer_mb is not downloaded, stays on the server, and is quarantined
# so that later polls leave it alone.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
BATCH_TAG=gw-poll-test
. "$(dirname "$0")/lib/batch-env.sh"

out=$SFTP_ROOT/OUTTEST
mkdir -p "$out" "$work/answers"
cat >>"$work/gateway.conf" <<CONF
max_answer_mb = 1
CONF
good1=FO.ACRF.012996.20261125.00001.T
good2=FO.NOTI.012996.20261125.00001.T
big=FO.NOTI.012996.20261125.00002.T
echo '<answer>one</answer>' >"$out/$good1"
echo '<answer>two</answer>' >"$out/$good2"
for odd in 'FO.a b' 'FO.#' 'FO.?x' "FO.it's"; do echo odd >"$out/$odd"; done
head -c 1500000 /dev/zero >"$out/$big"

rc=0; gw onss poll --env T --dir "$work/answers" >"$work/poll1.out" 2>"$work/poll1.err" || rc=$?
[ "$rc" -eq 1 ] || fail "poll with odd files: exit $rc, want 1 ($(cat "$work/poll1.err"))"
grep -q '^2 answers stored in .*, 5 skipped' "$work/poll1.out" || fail "poll said: $(cat "$work/poll1.out")"
for f in "$good1" "$good2"; do
	[ -f "$work/answers/$f" ] || fail "$f was not stored"
	[ -e "$out/$f" ] && fail "$f stored but not removed from the server"
done
for odd in 'FO.a b' 'FO.#' 'FO.?x' "FO.it's" "$big"; do
	[ -f "$out/$odd" ] || fail "'$odd' was removed from the server"
	[ -e "$work/answers/$odd" ] && fail "'$odd' was stored"
done
grep -q 'FO.a\\x20b skipped: not an ONSS answer name' "$work/poll1.err" || fail "the odd name is not reported: $(cat "$work/poll1.err")"
grep -q "$big skipped: larger than 1 MiB" "$work/poll1.err" || fail "the big answer is not reported"
[ -f "$work/answers/quarantine/$big.why" ] || fail "no quarantine note for $big"
ls -a "$work/answers" | grep -q '\.dl' && fail "a partial download was left behind"

# A later answer still comes through; the quarantined one is not fetched again.
good3=FO.ACRF.012996.20261125.00003.T
echo '<answer>three</answer>' >"$out/$good3"
rc=0; gw onss poll --env T --dir "$work/answers" >"$work/poll2.out" 2>"$work/poll2.err" || rc=$?
[ -f "$work/answers/$good3" ] || fail "an answer after the odd files was not stored ($(cat "$work/poll2.err"))"
grep -q "$big" "$work/poll2.err" && fail "the quarantined answer was fetched again"
grep -q '^1 answers stored in .*, 4 skipped' "$work/poll2.out" || fail "second poll said: $(cat "$work/poll2.out")"
echo "batch poll: 4 odd names and 1 oversized answer skipped and left on the server (the big one quarantined), the answers around them stored"
