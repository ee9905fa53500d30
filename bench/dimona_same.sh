#!/bin/sh
# dimona_same.sh - the Dimona batch export gives the same bytes before and
# after a change: GATEWAY_A and GATEWAY_B (default: this build) export the
# same records with the clock pinned, and every FI must be byte-identical
# but for the FormCreationHour of each form (the clock runs on from the pin,
# to the millisecond); the FI, FS and GO names the same; what each printed
# on stdout and stderr the same (log lines without their time and pid); the
# exit status the same. The FS is not compared byte for byte (the CMS
# signing time differs); each is verified against its FI with openssl.
# The records: SAME_N generated contracts (default 50,000; bench/
# gen_contracts), then the test fixtures that hold revisions, cancellations,
# Horeca runs, warnings and bad records (CSV, JSON Lines, and standard
# input). Exit 0 when all hold, 1 at the first difference. Not in the table.
#   GATEWAY_A=/path/to/old/gateway sh bench/dimona_same.sh
set -u
: "${TOP:?}" "${BUILD:?}" "${GATEWAY_A:?}"
GATEWAY_B=${GATEWAY_B:-$TOP/$BUILD/gateway}
N=${SAME_N:-50000}
GEN=$TOP/$BUILD/bench/gen_contracts
PKI=$TOP/certs/out/onss
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT INT TERM
[ -x "$GEN" ] || { echo "dimona_same: $GEN missing (make bench-bins builds it)"; exit 1; }
[ -f "$PKI/org.key.pem" ] || sh "$TOP/certs/gen-test-pki.sh" >/dev/null 2>&1
"$GEN" "$N" 7 >"$D/contracts.csv" || exit 1
fail() { echo "dimona_same: $*"; exit 1; }

# same NAME FILE [GATEWAY OPTION...]: export FILE ("-": from standard input,
# STDIN names the file) with both builds and compare.
same() {
	name=$1 file=$2
	shift 2
	# Both runs read one and the same moment (the rules look at the date).
	GATEWAY_NOW=${SAME_NOW:-2026-11-25T10:00:00+01:00}
	GATEWAY_NOW_FROM=$(date +%s)
	export GATEWAY_NOW GATEWAY_NOW_FROM
	for side in A B; do
		eval gw=\$GATEWAY_$side
		# One output folder for both, so that the messages naming it agree.
		mkdir "$D/out"
		"$gw" --log-level info "$@" dimona export --contracts "$file" --out "$D/out" \
			--sender 123456 --sign-cert "$PKI/org.crt.pem" --sign-key "$PKI/org.key.pem" \
			<"${STDIN:-/dev/null}" >"$D/$side.out" 2>"$D/$side.err"
		echo "$?" >"$D/$side.rc"
		rm -rf "$D/$side"
		mv "$D/out" "$D/$side"
		# Log lines carry the time they were written and the pid: compare the rest.
		sed 's/^[0-9T:.+-]* \([a-z]*\) gateway\[[0-9]*\]:/\1:/' "$D/$side.err" >"$D/$side.msg"
	done
	cmp -s "$D/A.rc" "$D/B.rc" || fail "$name: exit status differs: $(cat "$D/A.rc") against $(cat "$D/B.rc")"
	(cd "$D/A" && ls) >"$D/A.ls"
	(cd "$D/B" && ls) >"$D/B.ls"
	cmp -s "$D/A.ls" "$D/B.ls" || fail "$name: the files written differ: $(diff "$D/A.ls" "$D/B.ls" | head -5)"
	nfi=0
	for f in "$D/A"/FI.*; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		[ "$(wc -c <"$f")" = "$(wc -c <"$D/B/$b")" ] || fail "$name: $b: not the same size"
		for side in A B; do
			sed 's|<FormCreationHour>[^<]*</FormCreationHour>|<FormCreationHour/>|g' "$D/$side/$b" >"$D/$side.fi"
		done
		cmp "$D/A.fi" "$D/B.fi" || fail "$name: $b differs"
		fs=$(echo "$b" | sed 's/^FI/FS/')
		openssl base64 -d -in "$D/B/$fs" -out "$D/sig.der" 2>/dev/null &&
			openssl cms -verify -binary -inform DER -in "$D/sig.der" -content "$D/B/$b" \
				-noverify -out /dev/null 2>/dev/null || fail "$name: $fs does not verify against $b"
		nfi=$((nfi + 1))
	done
	cmp -s "$D/A.out" "$D/B.out" || fail "$name: stdout differs: $(diff "$D/A.out" "$D/B.out" | head -5)"
	cmp -s "$D/A.msg" "$D/B.msg" || fail "$name: stderr differs: $(diff "$D/A.msg" "$D/B.msg" | head -5)"
	echo "dimona_same: $name: exit $(cat "$D/B.rc"), $nfi FI file(s) identical" \
		"($(cat "$D/B"/FI.* 2>/dev/null | wc -c) bytes), stdout and $(wc -l <"$D/B.err") stderr line(s) identical"
}

cd "$TOP" || exit 1
same "$N generated contracts" "$D/contracts.csv"
same "$N generated contracts, 1,000 forms a file, 3 threads" "$D/contracts.csv" \
	--set onss_batch.max_forms=1000 --set onss_batch.export_threads=3
same "fixtures/dimona/export-mixed.csv" fixtures/dimona/export-mixed.csv
STDIN=fixtures/dimona/export-mixed.csv same "export-mixed.csv on standard input" -
same "fixtures/dimona/contracts-500.csv" fixtures/dimona/contracts-500.csv
same "fixtures/contracts/sample.jsonl" fixtures/contracts/sample.jsonl
same "fixtures/contracts/sample.csv" fixtures/contracts/sample.csv
