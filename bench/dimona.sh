#!/bin/sh
# dimona.sh - the Dimona batch export at scale: DIMONA_CONTRACTS contract
# records (default 1,000,000; the cooperative's year is ~217,000;
# bench/gen_contracts) exported by
# `gateway dimona export` (read, Horeca series merge, every named check,
# XML forms, check against the project's schema, CMS signature); then the
# FI checked against the official Dimona_20231.xsd with xmllint --stream and
# signed with openssl cms -sign: the same checking and signing done by the
# tools a user would otherwise use, on the same output, in the same run.
# Prints wall time, peak memory and forms per second, and the table row.
# Figures only: nothing asserted.
set -u
: "${TOP:?}" "${BUILD:?}" "${GATEWAY:?}"
N=${DIMONA_CONTRACTS:-1000000}
. "$TOP/bench/lib.sh"
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
measure "$D/t.gw" "$GATEWAY" --log-level warn dimona export --contracts "$D/contracts.csv" --out "$D/out" \
	--sender 123456 --sign-cert "$PKI/org.crt.pem" --sign-key "$PKI/org.key.pem" >"$D/stdout" 2>"$D/stderr"
rc=$?
FI=$(ls "$D/out"/FI.DIMN.* 2>/dev/null)
[ -n "$FI" ] || { tail -5 "$D/stderr"; echo "dimona export failed (exit $rc)"; exit 1; }
forms=$(cat $FI | grep -c "<Form>")
secs=$(wall_of "$D/t.gw")
ours=$(rate "$forms" "$secs")
files=$(ls "$D/out"/FI.DIMN.* | wc -l)
largest=$(ls -l "$D/out"/FI.DIMN.* | awk '$5 > m { m = $5 } END { printf "%.0f", m / 1048576 }')
echo "export: $forms forms in $files file(s), largest $largest MB ($(grep -c 'record .*field' "$D/stderr") findings on stderr, exit $rc)," \
	"wall $secs s, peak RSS $(peak_mb_of "$D/t.gw") MB, $ours forms/s"
# The same check and signature by the usual tools, file by file.
v=valid
peer_s=0
for f in $FI; do
	measure "$D/t.xl" xmllint --noout --stream --schema "$REF/onss/xsd/Dimona_20231.xsd" "$f" 2>"$D/xsd" || v="NOT valid"
	measure "$D/t.os" openssl cms -sign -binary -in "$f" -signer "$PKI/org.crt.pem" -inkey "$PKI/org.key.pem" \
		-outform DER -out "$D/sig.der" -md sha256 || v="$v, openssl failed"
	peer_s=$(awk -v a="$peer_s" -v b="$(wall_of "$D/t.xl")" -v c="$(wall_of "$D/t.os")" 'BEGIN { print a + b + c }')
done
echo "xmllint --stream --schema (official Dimona_20231.xsd) + openssl cms -sign: $v, $peer_s s"
row "Dimona batch export (check, build, XSD, sign)" "$N contracts, $files file(s)" "$ours" "forms/s" \
	"$(peak_mb_of "$D/t.gw")" "xmllint --stream --schema + openssl cms" "$(rate "$forms" "$peer_s")" \
	"the tools only check and sign what the gateway read, checked and built; largest file $largest MB"
