#!/bin/sh
# 64-batch-upload-cut.sh - the SFTP connection cut in the middle of an
# upload (61 covers a server that is away before the upload starts).
#
# sshd is restarted with a file-size limit (RLIMIT_FSIZE) below the size
# of the FI file, so the SFTP server process is killed by SIGXFSZ while it
# writes the FI: the connection drops mid-file, leaving a partial
# temporary file on the server and no FI, FS or GO. The gateway's upload
# must fail, every message of the batch staying ready with a next attempt
# and the failed upload in its history; once sshd runs normally again,
# `gateway onss run` uploads the same batch (not a new one), the simulated
# ONSS processes it once (no ACRF-133 duplicate), every message ends
# accepted, and no partial file is left. Nothing lost, nothing duplicated.
#
# Env: TOP, GATEWAY, REF, BUILD (from tests/run-all.sh).
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
BATCH_TAG=gw-batchcut-test
BATCH_WAIT_MAX=1500
. "$(dirname "$0")/lib/batch-env.sh"
# The cut connection makes libcurl 7.88 leak its SSH session (a library
# defect, fixed in curl 8.13): suppressed here only, the reason in the file.
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TOP/tests/sftp/lsan-curl-ssh.supp"
export LSAN_OPTIONS

mkdir -p "$work/outbox" "$work/answers"
cat >> "$work/gateway.conf" <<CONF
outbox = $work/outbox
[queue]
dsn = $work/queue.db
[dimona]
channel = onss-batch
CONF
"$GATEWAY" --config "$work/gateway.conf" sim batch --root "$SFTP_ROOT" --state "$work/sim-state" \
	--interval-ms 50 >"$work/sim.log" 2>&1 &
sim_pid=$!

N=400
inss() { b=$((900101000 + $1)); printf '%09d%02d' "$b" $((97 - b % 97)); }
{ echo "contract_id,revision,status,employer_noss,employer_kbo,worker_inss,worker_type,joint_committee,worker_code,start_date,end_date,days_worked,hours_worked,gross_wage_cents"
  i=1; while [ $i -le $N ]; do
	d=2026-12-0$((1 + i % 9))
	echo "CUT-$i,1,active,175110801,0668600511,$(inss $i),OTH,200,495,$d,$d,1,7.6,15000"
	i=$((i + 1)); done; } >"$work/c.csv"
gw intake --contracts "$work/c.csv" >"$work/intake.out" 2>&1 || fail "intake: $(cat "$work/intake.out")"
grep -q "$N taken in" "$work/intake.out" || fail "intake: $(cat "$work/intake.out")"
q() { sqlite3 "$work/queue.db" "$1"; }

# The batch written first (no upload), to size the limit below its FI.
gw onss send --no-upload >"$work/send0.out" 2>&1 || fail "send --no-upload: $(cat "$work/send0.out")"
fi_=$(sed -n 's/.* in \(FI\.[^ ]*\), .*/\1/p' "$work/send0.out")
[ -n "$fi_" ] || fail "no FI name in: $(cat "$work/send0.out")"
size=$(wc -c <"$work/outbox/$fi_")
# sshd's log (its stderr) is subject to the limit too: leave it room.
logsz=$(wc -c <"$SFTP_TMP/sshd.log")
limit=$(( (logsz + 65536) / 512 + 1 ))          # in 512-byte blocks
[ $((limit * 512)) -lt "$size" ] || fail "FI of $size bytes not larger than the limit $((limit * 512))"
sftp_pause
ulimit -S -f "$limit"
sftp_run; started=$?
ulimit -S -f unlimited
[ $started -eq 0 ] || fail "sshd did not start with the size limit"

gw onss run --once --answers "$work/answers" >"$work/run1.out" 2>"$work/run1.err"
[ "$(q "select count(*) from msgs where state='ready'")" = $N ] ||
	fail "after the cut: $(q "select state, count(*) from msgs group by state"); $(tail -n 3 "$work/run1.err")"
[ "$(q "select count(*) from msgs where state='ready' and next_attempt_ms > 0 and remote_ref2='$fi_'")" = $N ] ||
	fail "messages without a next attempt or their FI name after the cut"
first=$(q "select id from msgs order by id limit 1")
q "select why from events where msg_id='$first'" | grep -q "upload of .* failed" ||
	fail "the cut upload is not in the history: $(q "select why from events where msg_id='$first'")"
ls -a "$SFTP_ROOT/INTEST" >"$work/after-cut"
grep -q "^\.$fi_\.part$" "$work/after-cut" ||
	fail "no partial file on the server, the cut did not happen mid-file: $(cat "$work/after-cut")"
part=$(wc -c <"$SFTP_ROOT/INTEST/.$fi_.part")
[ "$part" -gt 0 ] && [ "$part" -lt "$size" ] || fail "partial file of $part bytes, FI $size"
grep -q "^$fi_\$\|^GO\." "$work/after-cut" && fail "FI or GO on the server after a cut upload"
echo "cut after $part of $size bytes: $N messages ready, with a next attempt"

sftp_pause
sftp_resume || fail "sshd did not come back"
gw onss run --until-idle --answers "$work/answers" --interval-ms 100 >"$work/run2.out" 2>"$work/run2.err" ||
	fail "onss run after the cut: $(tail -n 3 "$work/run2.err")"
[ "$(q "select count(*) from msgs where state='accepted'")" = $N ] ||
	fail "after the retry: $(q "select state, count(*) from msgs group by state")"
[ "$(q "select count(distinct remote_ref2) from msgs")" = $N ] || fail "period ids not distinct"
ls -a "$SFTP_ROOT/INTEST" | grep -q '\.part$' && fail "a partial file is left on the server"
grep -q "ACRF-133" "$work/sim.log" && fail "the batch was processed twice (ACRF-133)"
n_acrf=$( (ls "$SFTP_ROOT/OUTTEST"; find "$work/answers" -type f -name 'FO.ACRF.*' -exec basename {} \;) |
	grep "^FO\.ACRF\." | sort -u | wc -l)
[ "$n_acrf" = 1 ] || fail "$n_acrf ACRF answers, want 1"
echo "SFTP cut mid-upload: $N messages accepted after the retry, uploaded once, no partial file left"
