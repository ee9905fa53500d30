#!/bin/sh
# dimona.sh - Dimona at the cooperative's yearly volume: DIMONA_CONTRACTS
# contract records (default 217,000, bench/gen_contracts) exported by
# `gateway dimona export` (read, Horeca series merge, every named check,
# XML forms, check against the project's schema, CMS signature); then the
# FI checked against the official Dimona_20231.xsd with xmllint. Prints wall
# time, peak memory and forms per second. Figures only: nothing asserted.
set -u
: "${TOP:?}" "${BUILD:?}" "${GATEWAY:?}"
N=${DIMONA_CONTRACTS:-217000}
GEN=$TOP/$BUILD/bench/gen_contracts
REF=${REF:-$TOP/../shared/reference}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT INT TERM
[ -x "$GEN" ] || { echo "dimona: $GEN missing (make bench builds it)"; exit 1; }
PKI=$TOP/certs/out/onss
[ -f "$PKI/org.key.pem" ] || sh "$TOP/certs/gen-test-pki.sh" >/dev/null 2>&1
"$GEN" "$N" 7 >"$D/contracts.csv" || exit 1
echo "input: $N records, $(du -m "$D/contracts.csv" | cut -f1) MB CSV"
mkdir "$D/out"
cd "$TOP"
/usr/bin/time -v "$GATEWAY" --log-level warn dimona export --contracts "$D/contracts.csv" --out "$D/out" \
	--sender 123456 --sign-cert "$PKI/org.crt.pem" --sign-key "$PKI/org.key.pem" >"$D/stdout" 2>"$D/stderr"
rc=$?
FI=$(ls "$D/out"/FI.DIMN.* 2>/dev/null)
[ -n "$FI" ] || { tail -5 "$D/stderr"; echo "dimona export failed (exit $rc)"; exit 1; }
forms=$(grep -c '<Form>' "$FI")
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$D/stderr")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/stderr")
secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
echo "export: $forms forms ($(grep -c 'record .*field' "$D/stderr") findings on stderr, exit $rc)," \
	"wall $wall, peak RSS $((rss / 1024)) MB, $(awk -v f="$forms" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? f / s : 0) }') forms/s"
start=$(date +%s.%N)
if xmllint --noout --stream --schema "$REF/onss/xsd/Dimona_20231.xsd" "$FI" 2>"$D/xsd"; then v=valid; else v="NOT valid"; fi
end=$(date +%s.%N)
echo "official XSD (xmllint --stream): $v, $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"
