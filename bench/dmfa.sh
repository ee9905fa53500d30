#!/bin/sh
# dmfa.sh - DmfA at scale: a quarter of DMFA_CONTRACTS contracts (default
# 1,000,000) for DMFA_WORKERS workers (default 100,000) read from CSV,
# aggregated, streamed to XML, validated against the official XSD (streaming)
# and signed (CMS, streaming), by `gateway dmfa export`. Prints wall time and
# peak memory (GNU time), then the same for an independent streaming XSD check
# with xmllint, and the table row. DMFA_UPDATE=1 (BENCH=all) also times the
# correction of 1 % of the contracts. Figures only: nothing is asserted.
set -u
: "${TOP:?}" "${BUILD:?}" "${GATEWAY:?}"
N=${DMFA_CONTRACTS:-1000000}
W=${DMFA_WORKERS:-100000}
GEN=$TOP/$BUILD/bench/dmfa_gen
. "$TOP/bench/lib.sh"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT INT TERM
[ -x "$GEN" ] || { echo "dmfa: $GEN missing (make bench builds it)"; exit 1; }
PKI=$TOP/certs/out/onss
[ -f "$PKI/org.key.pem" ] || sh "$TOP/certs/gen-test-pki.sh" >/dev/null 2>&1
"$GEN" "$N" "$W" 42 20262 >"$D/contracts.csv" || exit 1
echo "input: $N contracts, $W workers, $(du -m "$D/contracts.csv" | cut -f1) MB CSV"
mkdir "$D/out"
# Every employer of the generated contracts gets a default establishment
# unit (DmfA LocalUnitID, zone 00042); without one the DmfA refuses them.
units=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "employer_noss") c = i; next }
	{ print $c "=2000000042" }' "$D/contracts.csv" | sort -u | paste -sd, -)
measure "$D/t.gw" "$GATEWAY" --set "dmfa.local_units=$units" dmfa export --contracts "$D/contracts.csv" --quarter 20262 --out "$D/out" \
	--env T --params "$TOP/schemas/dmfa/params.txt" \
	--sign-cert "$PKI/org.crt.pem" --sign-key "$PKI/org.key.pem" >"$D/stdout" 2>"$D/stderr"
rc=$?
grep -E 'info .*DmfA' "$D/stderr" | sed 's/.*DmfA/DmfA/'
FI=$(ls "$D/out"/FI.DMFA.* 2>/dev/null)
[ $rc -eq 0 ] && [ -n "$FI" ] || { tail -5 "$D/stderr"; echo "dmfa export failed (exit $rc)"; exit 1; }
ours=$(rate "$N" "$(wall_of "$D/t.gw")")
echo "export (read + aggregate + write + XSD check + sign): wall $(wall_of "$D/t.gw") s, peak RSS $(peak_mb_of "$D/t.gw") MB, $ours contracts/s," \
     "FI $(du -m "$FI" | cut -f1) MB, FS $(wc -c <"${FI%/*}/FS.${FI##*/FI.}") bytes"
peer=-
if command -v xmllint >/dev/null 2>&1 && [ -n "${REF:-}" ]; then
	measure "$D/t.xl" xmllint --stream --noout --schema "$REF/onss/xsd/DmfAOriginal_20231.xsd" "$FI" >/dev/null 2>"$D/xl"
	peer=$(rate "$N" "$(wall_of "$D/t.xl")")
	echo "independent xmllint --stream check: $(grep -c 'validates' "$D/xl") valid," \
	     "wall $(wall_of "$D/t.xl") s, peak RSS $(peak_mb_of "$D/t.xl") MB"
fi
row "DmfA quarter (read, aggregate, XML, XSD, sign)" "$N contracts, $W workers" "$ours" "contracts/s" \
	"$(peak_mb_of "$D/t.gw")" "xmllint --stream --schema" "$peer" "the tool only checks the file the gateway built"
[ "${DMFA_UPDATE:-0}" = 1 ] || exit 0

# The correction at the same scale: 1 % of the contracts revised (pay + 1.00),
# compared with the filed set, permanent ids from a DMPI of every worker.
"$GEN" "$N" "$W" 42 20262 10 >"$D/revised.csv" || exit 1
"$GEN" --dmpi "$W" 20262 >"$D/dmpi.xml" || exit 1
measure "$D/t.up" "$GATEWAY" --set "dmfa.local_units=$units" dmfa update --filed "$D/contracts.csv" --contracts "$D/revised.csv" \
	--quarter 20262 --dmpi "$D/dmpi.xml" --out "$D/out" --env T --params "$TOP/schemas/dmfa/params.txt" \
	--sign-cert "$PKI/org.crt.pem" --sign-key "$PKI/org.key.pem" >"$D/stdout2" 2>"$D/stderr2"
rc=$?
grep -E 'info .*DmfAUpdate' "$D/stderr2" | sed 's/.*DmfAUpdate/DmfAUpdate/'
[ $rc -eq 0 ] || { tail -5 "$D/stderr2"; echo "dmfa update failed (exit $rc)"; exit 1; }
echo "update (read 2 x $N contracts + DMPI, compare, write, XSD check, sign):" \
     "wall $(wall_of "$D/t.up") s, peak RSS $(peak_mb_of "$D/t.up") MB"
