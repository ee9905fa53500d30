#!/bin/sh
# 61-batch-queue.sh - the onss-batch channel driven by the queue: contracts
# taken in (gateway intake, channel onss-batch) are sent as one signed
# Dimona batch (sequence number from the queue), processed by the simulated
# ONSS behind a real sshd, and the answers polled and applied: each message
# ends accepted with its period id, or refused with the reason shown by
# `gateway show`: a Dimona anomaly from the rule engine, and every batch
# failure case (duplicate name, missing FS, bad signature, schema error,
# wrong environment folder) with its ACRF error id. The gateway has no fault
# switch: each case is made the way it happens, from outside the gateway (a
# second queue reusing a sequence number, the outbox files spoiled between
# `send --no-upload` and the upload, a remote folder that is not the one
# named). An answer that matches nothing is kept and reported.
#
# Env: TOP, GATEWAY, REF, BUILD (from tests/run-all.sh).
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
BATCH_TAG=gw-batchq-test
BATCH_WAIT_MAX=1500
umask 022          # the usual default: the gateway's own umask must protect its files
. "$(dirname "$0")/lib/batch-env.sh"

mkdir -p "$work/outbox" "$work/answers"
cat >> "$work/gateway.conf" <<EOF
outbox = $work/outbox
[queue]
dsn = $work/queue.db
[dimona]
channel = onss-batch
EOF
"$GATEWAY" --config "$work/gateway.conf" sim batch --root "$SFTP_ROOT" --state "$work/sim-state" \
	--interval-ms 50 >"$work/sim.log" 2>&1 &
sim_pid=$!

# inss N -> a valid pre-2000 INSS (born 1990-01-01, serial N).
inss() { b=$((900101000 + $1)); printf '%09d%02d' "$b" $((97 - b % 97)); }
hdr="contract_id,revision,status,employer_noss,employer_kbo,worker_inss,worker_type,joint_committee,worker_code,start_date,end_date,days_worked,hours_worked,gross_wage_cents"
row() { # id serial date
	echo "$1,1,active,175110801,0668600511,$(inss "$2"),OTH,200,495,$3,$3,1,7.6,15000"
}
take_in() { # file rows...
	f=$1; shift
	echo "$hdr" > "$f"
	for r in "$@"; do echo "$r" >> "$f"; done
	gw intake --contracts "$f" >"$work/intake.out" 2>"$work/intake.err" || fail "intake: $(cat "$work/intake.err")"
}
state_of() { gw show "$1" | sed -n 's/^state: *//p' | head -n 1; }
seq_of() { echo "$1" | cut -d. -f5; }
# send [ARGS] -> sets sent_fi to the FI name. Run in this shell, never in
# $(...): fail() there would only end a subshell.
send() {
	gw onss send "$@" >"$work/send.out" 2>"$work/send.err" || fail "send $*: $(cat "$work/send.err")"
	sent_fi=$(sed -n 's/.* in \(FI\.[^ ]*\), .*/\1/p' "$work/send.out")
	[ -n "$sent_fi" ] || fail "send $*: no FI name in: $(cat "$work/send.out")"
}
collect() { # env folder fi -> poll and apply once the answers are there
	s=$(seq_of "$3")
	wait_for "$2" "FO.ACRF.*.$s.T" 1
	if [ "$(gw onss show-answer "$SFTP_ROOT/$2/$(ls "$SFTP_ROOT/$2" | grep "FO.ACRF.*.$s.T" | head -n 1)" |
	     python3 -c 'import json,sys; print(json.load(sys.stdin)["result_code"])')" = 1 ]; then
		wait_for "$2" "FO.NOTI.*.$s.T" 1
	fi
	gw onss poll --env "$1" --dir "$work/answers" >/dev/null 2>>"$work/poll.err" || fail "poll: $(cat "$work/poll.err")"
	gw onss apply --dir "$work/answers" >"$work/apply.out" 2>"$work/apply.err"
	rc=$?
	[ $rc -le 1 ] || fail "apply: $(cat "$work/apply.err")"
	return $rc
}
expect() { # record state pattern
	st=$(state_of "$1")
	[ "$st" = "$2" ] || { gw show "$1"; fail "$1 is $st, want $2"; }
	if [ -n "${3:-}" ]; then
		gw show "$1" > "$work/show.out"
		grep -q -- "$3" "$work/show.out" || { cat "$work/show.out"; fail "$1: gateway show does not say $3"; }
	fi
	echo "$1: $st${3:+ ($3)}"
}

# ---- three declarations in one batch, all accepted -------------------------
take_in "$work/a.csv" "$(row C1 1 2026-12-01)" "$(row C2 2 2026-12-01)" "$(row C3 3 2026-12-02)"
send; fi1=$sent_fi
case $fi1 in FI.DIMN.012996.*.00001.T.1.1) ;; *) fail "first batch named $fi1" ;; esac
grep -q "^3 claimed, 3 in" "$work/send.out" || fail "send: $(cat "$work/send.out")"
[ "$(state_of C1)" = sent ] || fail "C1 not sent after upload"
gw show C1 | grep -q "^batch file: *$fi1" || fail "the FI name is not recorded on C1"
collect T OUTTEST "$fi1" || fail "answers of $fi1 unmatched: $(cat "$work/apply.err")"
for c in C1 C2 C3; do expect $c accepted "FO.NOTI"; done
gw show C1 | grep -q "^ticket: " || fail "C1 has no ticket"
gw show C1 | grep -Eq "^period id: *[0-9]{12}$" || fail "C1 has no Dimona period id"

# ---- a declaration the ONSS rules refuse: C1's period again under another id
take_in "$work/b.csv" "$(row C4 1 2026-12-01)"
send; fi2=$sent_fi
collect T OUTTEST "$fi2" || fail "answers of $fi2 unmatched"
expect C4 refused "90373-333"

# ---- the batch failure cases, each through the queue -----------------------
# spoil CASE FI: what goes wrong between the writing and the upload.
spoil() {
	b=${2#FI.}
	case $1 in
	missing-fs) rm "$work/outbox/FS.$b" || fail "no FS.$b to remove" ;;
	bad-signature) printf '<!-- changed after signing -->\n' >> "$work/outbox/$2" ;;
	schema-error) # an element the schema refuses, signed again with the
		# organisation's key by openssl: the signature is good, the XML not
		sed -i 's#^</Dimona>$#<Unexpected/>\n</Dimona>#' "$work/outbox/$2"
		grep -q '^<Unexpected/>$' "$work/outbox/$2" || fail "schema-error: FI not spoiled"
		openssl cms -sign -binary -md sha256 -nosmimecap -signer "$TOP/certs/out/onss/org.crt.pem" \
			-inkey "$TOP/certs/out/onss/org.key.pem" -in "$work/outbox/$2" -outform DER \
			-out "$work/resigned.der" 2>"$work/cms.err" || fail "openssl cms -sign: $(cat "$work/cms.err")"
		openssl base64 -in "$work/resigned.der" -out "$work/outbox/FS.$b" || fail "base64 FS" ;;
	*) fail "spoil: unknown case $1" ;;
	esac
}
n=10
for case in "missing-fs ACRF-122" "bad-signature ACRF-125" "schema-error ACRF-102"; do
	set -- $case
	n=$((n + 1))
	take_in "$work/f$n.csv" "$(row "F$n" "$n" 2026-12-03)"
	send --no-upload; fi=$sent_fi
	[ "$(state_of "F$n")" = ready ] || fail "$1: F$n not left ready by --no-upload"
	spoil "$1" "$fi"
	gw onss send >"$work/send.out" 2>"$work/send.err" || fail "$1: upload of $fi: $(cat "$work/send.err")"
	[ "$(state_of "F$n")" = sent ] || fail "$1: F$n is $(state_of "F$n") after the upload, want sent"
	collect T OUTTEST "$fi" || true
	expect "F$n" refused "$2"
done

# Wrong environment folder: the server path is misconfigured, so the T
# submission lands in the production folder IN.
n=$((n + 1))
mkdir -p "$SFTP_ROOT/misplaced"
ln -s ../IN "$SFTP_ROOT/misplaced/INTEST"
sed "s#^sftp_url = .*#sftp_url = ${SFTP_URL}misplaced/#" "$work/gateway.conf" > "$work/misplaced.conf"
take_in "$work/f$n.csv" "$(row "F$n" "$n" 2026-12-03)"
"$GATEWAY" --config "$work/misplaced.conf" onss send >"$work/send.out" 2>"$work/send.err" ||
	fail "send to the misplaced folder: $(cat "$work/send.err")"
fi=$(sed -n 's/.* in \(FI\.[^ ]*\), .*/\1/p' "$work/send.out")
[ -n "$fi" ] || fail "wrong-folder: nothing sent: $(cat "$work/send.out")"
collect R OUT "$fi" || true
expect "F$n" refused ACRF-119

# Duplicate name: a second queue (its own outbox) of the same sender starts
# its sequence at 1 again, a name the ONSS has already received (fi1; the
# pinned clock gives both the same date).
n=$((n + 1))
mkdir -p "$work/dup-outbox" "$work/dup-answers"
sed "s#^dsn = .*#dsn = $work/dup.db#; s#^outbox = .*#outbox = $work/dup-outbox#" "$work/gateway.conf" > "$work/dup.conf"
echo "$hdr" > "$work/f$n.csv"; row "F$n" "$n" 2026-12-03 >> "$work/f$n.csv"
"$GATEWAY" --config "$work/dup.conf" intake --contracts "$work/f$n.csv" >/dev/null 2>&1 || fail "intake F$n"
"$GATEWAY" --config "$work/dup.conf" onss send >"$work/send.out" 2>"$work/send.err" ||
	fail "dup send: $(cat "$work/send.err")"
fi=$(sed -n 's/.* in \(FI\.[^ ]*\), .*/\1/p' "$work/send.out")
[ "$fi" = "$fi1" ] || fail "duplicate-name: the second queue sent $fi, not $fi1"
wait_for OUTTEST "FO.ACRF.*.$(seq_of "$fi").T" 1
"$GATEWAY" --config "$work/dup.conf" onss poll --env T --dir "$work/dup-answers" >/dev/null 2>>"$work/poll.err" || fail "dup poll"
"$GATEWAY" --config "$work/dup.conf" onss apply --dir "$work/dup-answers" >/dev/null 2>"$work/apply.err" || true
"$GATEWAY" --config "$work/dup.conf" show "F$n" > "$work/show.out"
grep -q "^state: *refused" "$work/show.out" || { cat "$work/show.out"; fail "F$n (duplicate name) is not refused"; }
grep -q "ACRF-133" "$work/show.out" || { cat "$work/show.out"; fail "F$n: gateway show does not say ACRF-133"; }
echo "F$n: refused (ACRF-133)"

# ---- the service loop, and a send whose upload never happened or is unknown --
# R1: written and recorded but not uploaded (as after a crash before the
# upload): `onss run` uploads it. R2: uploaded by hand behind the queue's
# back (as after a crash between upload and the state change): `onss run`
# asks the server first and does not upload it twice (no ACRF-133).
take_in "$work/r1.csv" "$(row R1 31 2026-12-04)"
gw onss send --no-upload >"$work/send.out" 2>&1 || fail "send --no-upload"
[ "$(state_of R1)" = ready ] || fail "R1 not left ready by --no-upload"
take_in "$work/r2.csv" "$(row R2 32 2026-12-04)"
gw onss send --no-upload >"$work/send.out" 2>&1 || fail "send --no-upload 2"
fi_r2=$(sed -n 's/.* in \(FI\.[^ ]*\), .*/\1/p' "$work/send.out")
gw onss upload --dir "$work/outbox" "$fi_r2" 2>>"$work/upload.log" || fail "upload R2 by hand"
gw onss run --until-idle --answers "$work/answers" --interval-ms 100 >"$work/run.out" 2>"$work/run.err" ||
	fail "onss run: $(tail -n 3 "$work/run.err")"
expect R1 accepted "uploaded .* (again)"
expect R2 accepted "already received by the ONSS"
gw show R2 | grep -q "ACRF-133" && fail "R2 was uploaded twice"

# ---- the server away during the upload: the messages wait, then go ----------
sftp_pause
take_in "$work/r3.csv" "$(row R3 33 2026-12-05)"
gw onss send >"$work/send.out" 2>"$work/send.err" && fail "send succeeded with the server away"
[ "$(state_of R3)" = ready ] || fail "R3 is $(state_of R3) after a failed upload, want ready"
gw show R3 | grep -q "upload of .* failed" || fail "the failed upload is not explained on R3"
sftp_resume || fail "sshd did not come back"
gw onss run --until-idle --answers "$work/answers" --interval-ms 100 >"$work/run.out" 2>"$work/run.err" ||
	fail "onss run after the outage: $(tail -n 3 "$work/run.err")"
expect R3 accepted "uploaded .* (again)"

# ---- a submission that cannot be written: its messages fail with the reason --
# A second queue pointed at the same outbox starts its sequence at 1 again;
# the writer refuses a name already in the folder, and the message must not
# wait forever in ready for a file that does not exist.
sed "s#^dsn = .*#dsn = $work/other.db#" "$work/gateway.conf" > "$work/other.conf"
echo "$hdr" > "$work/w.csv"; row W1 41 2026-12-06 >> "$work/w.csv"
"$GATEWAY" --config "$work/other.conf" intake --contracts "$work/w.csv" >/dev/null 2>&1 || fail "intake W1"
"$GATEWAY" --config "$work/other.conf" onss send >/dev/null 2>&1 && fail "a send over an existing name succeeded"
"$GATEWAY" --config "$work/other.conf" show W1 > "$work/show.out"
grep -q "^state: *failed" "$work/show.out" || { cat "$work/show.out"; fail "W1 is not failed"; }
grep -q "could not be written (duplicate)" "$work/show.out" || { cat "$work/show.out"; fail "W1's reason"; }
echo "W1: failed (could not be written: name already in the outbox)"

# ---- an answer that matches nothing is kept and reported --------------------
cp "$work/answers/applied/$(ls "$work/answers/applied" | grep '^FO.ACRF' | head -n 1)" \
	"$work/answers/FO.ACRF.012996.20261125.09999.T"
sed -i 's#<FileName>[^<]*</FileName>#<FileName>GO.DIMN.012996.20261125.09999.T.1</FileName>#' \
	"$work/answers/FO.ACRF.012996.20261125.09999.T"
gw onss apply --dir "$work/answers" >"$work/apply.out" 2>"$work/apply.err"
[ $? -eq 1 ] || fail "an unmatched answer did not make apply exit 1"
grep -q "matched no message" "$work/apply.err" || fail "unmatched answer not reported"
[ -f "$work/answers/unmatched/FO.ACRF.012996.20261125.09999.T" ] || fail "unmatched answer not kept"

# ---- BATCH_Q_N generated contracts (default 12000, over 10,000 declarations
# once the gateway's own Dimona checks have stopped the few they block)
# through the queue.
# The project's generator, intake into a fresh queue, one send (one file),
# and every declaration's answer matched back to its own message.
QN=${BATCH_Q_N:-12000}
big=""
if [ "$QN" -gt 0 ] && make -s BUILD="$BUILD" "$BUILD/bench/gen_contracts" >/dev/null 2>&1; then
	mkdir -p "$work/big-outbox"
	# A fresh queue starts its sequence again: it needs its own outbox (the
	# writer refuses a name already in a folder) and, against a real ONSS,
	# its own sender or date.
	sed "s#^dsn = .*#dsn = $work/big.db#; s#^outbox = .*#outbox = $work/big-outbox#; s#^sender = .*#sender = 012997#" \
		"$work/gateway.conf" > "$work/big.conf"
	gb() { "$GATEWAY" --config "$work/big.conf" "$@"; }
	"$TOP/$BUILD/bench/gen_contracts" "$QN" 11 > "$work/big.csv" || fail "gen_contracts"
	gb intake --contracts "$work/big.csv" >"$work/big-intake.out" 2>"$work/big-intake.err" ||
		[ $? -eq 1 ] || fail "intake: $(tail -n 2 "$work/big-intake.err")"
	taken=$(sed -n 's/.* \([0-9]*\) taken in.*/\1/p' "$work/big-intake.out")
	# Exit 1: some generated contracts were stopped by the Dimona rules
	# before sending (failed, with their reason); the rest went.
	gb onss send --max 100000 >"$work/send.out" 2>"$work/send.err" || [ $? -eq 1 ] ||
		fail "send: $(tail -n 2 "$work/send.err")"
	fi_big=$(sed -n 's/.* in \(FI\.[^ ]*\), .*/\1/p' "$work/send.out")
	claimed=$(sed -n 's/^\([0-9]*\) claimed, .*/\1/p' "$work/send.out")
	in_file=$(sed -n 's/^[0-9]* claimed, \([0-9]*\) in .*/\1/p' "$work/send.out")
	failed=$(sed -n 's/.*, \([0-9]*\) failed,.*/\1/p' "$work/send.out")
	[ -n "$fi_big" ] && [ $((in_file + failed)) -eq "$claimed" ] && [ "$in_file" -ge $((claimed * 8 / 10)) ] ||
		fail "big send: $(cat "$work/send.out")"
	[ -n "${BATCH_Q_N:-}" ] || [ "$in_file" -ge 10000 ] || fail "fewer than 10,000 declarations ($in_file) in the batch"
	s=$(seq_of "$fi_big")
	wait_for OUTTEST "FO.NOTI.*.$s.T" 1
	gb onss poll --env T --dir "$work/answers" >/dev/null 2>>"$work/poll.err" || fail "poll big"
	gb onss apply --dir "$work/answers" >"$work/apply.out" 2>"$work/apply.err" || fail "apply big: $(cat "$work/apply.err")"
	gb status --json > "$work/status.json"
	acc=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["channels"]["onss-batch"]; print(c["accepted"] + c["accepted-with-warnings"], c["refused"], c["sent"])' "$work/status.json")
	set -- $acc
	# Every declaration answered and matched to its own message; the rule
	# engine may refuse a few generated ones (their reason is on the message).
	[ $(($1 + $2)) = "$in_file" ] && [ "$3" = 0 ] && [ "$1" -ge $((in_file * 99 / 100)) ] ||
		fail "of $in_file declarations $1 accepted, $2 refused, $3 unanswered"
	big=", $in_file generated declarations answered and matched one by one ($1 accepted, $2 refused)"
	echo "big batch: $in_file messages in $fi_big: $1 accepted, $2 refused, none unanswered"
elif [ "$QN" -gt 0 ]; then
	fail "bench/gen_contracts cannot be built: the big batch cannot run"
fi

# Personal data stays with the owner and group: the queue (and its -wal,
# -shm), the batch files and the stored answers are not readable by others.
nfiles=$(find "$work"/queue.db* "$work/outbox" "$work/answers" -type f | wc -l)
others=$(find "$work"/queue.db* "$work/outbox" "$work/answers" -type f -perm /o=rwx | head -n 5)
[ "$nfiles" -ge 10 ] && [ -z "$others" ] || fail "of $nfiles queue, batch and answer files, readable by others: $others"

# Every answer applied, and every submission the queues wrote where
# nothing was spoiled by hand, named as the pattern says.
names_ok "$work/answers/applied"
names_ok "$work/dup-outbox"
[ -d "$work/big-outbox" ] && names_ok "$work/big-outbox"
echo "batch queue: 3 accepted, 1 refused by the rules, 5 failure cases refused with their ACRF ids, resend after a lost upload without a duplicate, server outage survived, unmatched kept, $nfiles files none readable by others$big"
