#!/bin/sh
# 51-queue-readonly.sh - a queue whose folder the gateway cannot write.
#
# SQLite's WAL keeps queue.db-wal and queue.db-shm beside the queue, so a
# read-only folder makes the switch to WAL fail. The gateway used to say
# only "cannot switch to WAL (journal_mode=)"; it must name the folder and
# the cause, exit 2, and change nothing; once the folder is writable again
# the same commands work and the messages taken in before are all there.
# A queue file the gateway cannot open for writing is named the same way.
#
# Run as root (who writes anywhere), the gateway runs as nobody through
# setpriv, on files given to nobody; otherwise as the caller.
#
# Env: TOP, GATEWAY (from tests/run-all.sh).
set -u
: "${TOP:?}" "${GATEWAY:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
ok() { pass=$((pass + 1)); }

if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "setpriv missing (util-linux)"; exit 1; }
	as() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	give() { chown -R 65534:65534 "$@"; }
	chmod 0755 "$tmp"
else
	as() { "$@"; }
	give() { :; }
fi
q="$tmp/q"
mkdir "$q"
hdr=contract_id,revision,status,employer_noss,employer_kbo,worker_inss,worker_last_name,worker_first_name,worker_birth_date,worker_birth_place,worker_birth_country,worker_sex,worker_nationality,worker_street,worker_house_number,worker_postcode,worker_municipality,worker_country,worker_type,joint_committee,worker_code,start_date,start_time,end_date,end_time,planned_hours,days_worked,hours_worked,weekly_hours,reference_weekly_hours,gross_wage_cents,function_code,place_of_work_name,place_of_work_street,place_of_work_house_number,place_of_work_postcode,place_of_work_municipality,invoice_id
{ echo "$hdr"; grep '^ART-0002,' "$TOP/fixtures/dimona/contracts-500.csv"; } >"$tmp/a.csv"
{ echo "$hdr"; grep '^ART-0003,' "$TOP/fixtures/dimona/contracts-500.csv"; } >"$tmp/b.csv"
chmod 0644 "$tmp/a.csv" "$tmp/b.csv"
gw() { as "$GATEWAY" --set "queue.dsn=$q/queue.db" --log-level error "$@"; }

give "$q"
gw intake --contracts "$tmp/a.csv" >"$tmp/out" 2>&1 && ok || bad "first intake: $(cat "$tmp/out")"

# The folder made read-only (the -wal and -shm files are gone after a clean close).
rm -f "$q/queue.db-wal" "$q/queue.db-shm"
chmod 0555 "$q"
for cmd in "status" "intake --contracts $tmp/b.csv"; do
	# shellcheck disable=SC2086
	gw $cmd >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ]; then
		bad "$cmd on a read-only folder: exit $rc: $(cat "$tmp/err")"
	elif ! grep -q "queue $q/queue.db: cannot switch to WAL .*: the folder $q is not writable (Permission denied)" "$tmp/err"; then
		bad "$cmd on a read-only folder: the folder and the cause not named: $(cat "$tmp/err")"
	else ok; fi
done
chmod 0755 "$q"
gw intake --contracts "$tmp/b.csv" >"$tmp/out" 2>&1 && ok || bad "intake once writable: $(cat "$tmp/out")"
n=$(sqlite3 "$q/queue.db" "select count(*) from msgs where record_id in ('ART-0002','ART-0003')")
[ "$n" = 2 ] && ok || bad "$n messages after the outage, want 2 (nothing lost, nothing twice)"

# The queue file itself not writable.
chmod 0440 "$q/queue.db"
gw status >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "queue $q/queue.db: cannot open it for writing: Permission denied" "$tmp/err"; then ok
else bad "read-only queue file: exit $rc: $(cat "$tmp/err")"; fi

echo "read-only queue: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
