#!/bin/sh
# 40-invoice-export.sh - `gateway invoice export`: Peppol BIS Billing 3.0
# documents from invoice records.
#
# - exports fixtures/invoices/varied.jsonl (200 generated + 12 hand-written
#   records) and sample.jsonl: exit 0, one file per record, every file valid
#   against the UBL 2.1 XSD (xmllint, schemas read from $REF);
# - compares fixtures/invoices/expected/*.xml byte for byte. Their totals
#   were verified by hand (the working is in fixtures/invoices/expected/
#   README.md): HW-0001 mixed S 21/12/6 + Z + E with an allowance and two
#   charges, payable 1418.37; HW-0003 intra-community K, 4836.00; HW-0005 not
#   subject to VAT (O), 1551.23; HW-0006 credit note with a negative line,
#   VAT 168.945 -> 168.95, 973.45; HW-0011 half-cent roundings, 4.09;
# - exports twice and checks the output is byte-identical (determinism);
# - bad/bad.jsonl: exit 1, stderr equal to bad/bad.expected, the two good
#   records still written;
# - a buyer without Peppol id: document written, stderr says so, exit 0 (a
#   buyer without any identifier gets no EndpointID, which the validator
#   reports as PEPPOL-EN16931-R010 and nothing else);
# - revisions: the highest wins, a replay is skipped;
# - usage and I/O errors exit 2; no temp file is ever left behind;
# - `gateway invoice validate` over every output (skipped with a message
#   while it is the "not built yet" placeholder): exit 0, no finding;
# - with PEPPOL_XSLT_DIR set (a developer's fetched copy of the official
#   CEN and Peppol XSLTs), Saxon-HE runs them too: no failed assert.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
GATEWAY=${GATEWAY:-$TOP/build/gateway}
REF=${REF:-$(cd "$TOP/../shared/reference" && pwd)}
export GW_REFERENCE_DIR="$REF"
FIX="$TOP/fixtures/invoices"
XSD="$REF/peppol/ubl-xsd/maindoc"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Validate every document of a directory against the UBL 2.1 XSD; sets
# xsd_n to the number checked. Called in this shell, never inside $(...):
# a subshell would lose what fail() counts.
xsd_check() { # dir
	xsd_n=0
	for f in "$1"/*.xml; do
		if grep -q '<CreditNote' "$f"; then x="$XSD/UBL-CreditNote-2.1.xsd"; else x="$XSD/UBL-Invoice-2.1.xsd"; fi
		if ! xmllint --noout --nonet --schema "$x" "$f" 2>"$tmp/xsd.err"; then
			fail "XSD: $f: $(grep -v validates "$tmp/xsd.err" | head -n 3)"
		fi
		xsd_n=$((xsd_n + 1))
	done
}

# 0. the first 200 records of the varied fixture are `gen_invoices 200 42`
gen="$TOP/${BUILD:-build}/bench/gen_invoices"
if [ -x "$gen" ]; then
	"$gen" 200 42 >"$tmp/gen.jsonl"
	head -n 200 "$FIX/varied.jsonl" | cmp -s - "$tmp/gen.jsonl" || fail "varied.jsonl is not gen_invoices 200 42 + hand-written records"
	"$gen" 200 42 | cmp -s - "$tmp/gen.jsonl" || fail "gen_invoices is not deterministic"
fi

# 1. varied fixture (under the usual 022 umask: the gateway's own 027 must
# keep what it writes from other users, invoices naming people included)
umask 022
"$GATEWAY" invoice export --invoices "$FIX/varied.jsonl" --out "$tmp/varied" \
	>"$tmp/varied.out" 2>"$tmp/varied.err"
rc=$?
others=$(find "$tmp/varied" -type f -perm /o=rwx | head -n 3)
[ -z "$others" ] || fail "varied: readable by others (the gateway's umask is 027): $others"
[ "$rc" -eq 0 ] || fail "varied: exit $rc, want 0: $(head -n 3 "$tmp/varied.err")"
records=$(grep -c . "$FIX/varied.jsonl")
files=$(ls "$tmp/varied" | grep -c '\.xml$')
[ "$files" -eq "$records" ] || fail "varied: $files files for $records records"
if grep -v 'cannot be delivered over Peppol' "$tmp/varied.err" | grep -q .; then
	fail "varied: unexpected stderr: $(grep -v 'cannot be delivered' "$tmp/varied.err" | head -n 3)"
fi
grep -q 'HW-0010: buyer has no peppol_id: HW-0010.xml written, cannot be delivered over Peppol' \
	"$tmp/varied.err" || fail "varied: no undeliverable note for HW-0010"
grep -q 'record HW-0001:' "$tmp/varied.err" && fail "varied: HW-0001 has a Peppol id but got a note"
xsd_check "$tmp/varied"
[ "$xsd_n" -eq "$records" ] || fail "varied: $xsd_n documents schema-checked for $records records"
ls -A "$tmp/varied" | grep -q '^\.' && fail "varied: temp files left: $(ls -A "$tmp/varied" | grep '^\.')"

# 2. expected documents, byte for byte
for e in "$FIX"/expected/*.xml; do
	name=$(basename "$e")
	cmp -s "$e" "$tmp/varied/$name" || { fail "expected: $name differs"; diff "$e" "$tmp/varied/$name" | head -n 10; }
done

# 3. determinism: a second run writes the same bytes
"$GATEWAY" invoice export --invoices "$FIX/varied.jsonl" --out "$tmp/again" >/dev/null 2>&1
diff -r "$tmp/varied" "$tmp/again" >/dev/null || fail "determinism: second export differs"

# 4. sample (the demo input)
"$GATEWAY" invoice export --invoices "$FIX/sample.jsonl" --out "$tmp/sample" >/dev/null 2>"$tmp/sample.err"
rc=$?
[ "$rc" -eq 0 ] || fail "sample: exit $rc"
[ "$(ls "$tmp/sample" | grep -c '\.xml$')" -eq "$(grep -c . "$FIX/sample.jsonl")" ] || fail "sample: file count"
xsd_check "$tmp/sample"

# 5. bad records: exact rejection lines, the rest still processed
( cd "$FIX/bad" && "$GATEWAY" invoice export --invoices bad.jsonl --out "$tmp/bad" \
	>"$tmp/bad.out" 2>"$tmp/bad.err" )
rc=$?
[ "$rc" -eq 1 ] || fail "bad: exit $rc, want 1"
diff "$FIX/bad/bad.expected" "$tmp/bad.err" >"$tmp/bad.diff" || { fail "bad: rejections differ"; head -n 20 "$tmp/bad.diff"; }
[ "$(ls "$tmp/bad" | tr '\n' ' ')" = "BAD-OK-1.xml BAD-OK-2.xml " ] || fail "bad: written: $(ls "$tmp/bad" | tr '\n' ' ')"
grep -q '2 written (0 not deliverable over Peppol), 21 rejected' "$tmp/bad.out" || fail "bad: summary: $(cat "$tmp/bad.out")"

# 6. a private buyer without any identifier: written, said so, exit 0
"$GATEWAY" invoice export --invoices "$FIX/no-endpoint.jsonl" --out "$tmp/priv" >/dev/null 2>"$tmp/priv.err"
rc=$?
[ "$rc" -eq 0 ] || fail "no-endpoint: exit $rc"
grep -q 'PRIV-0001: buyer has no peppol_id: PRIV-0001.xml written, cannot be delivered over Peppol (no buyer electronic address at all)' \
	"$tmp/priv.err" || fail "no-endpoint: stderr: $(cat "$tmp/priv.err")"
[ -f "$tmp/priv/PRIV-0001.xml" ] || fail "no-endpoint: no document"
grep -q '<cbc:EndpointID schemeID="0208">0668600511' "$tmp/priv/PRIV-0001.xml" || fail "no-endpoint: seller endpoint"
xsd_check "$tmp/priv"

# 7. revisions: rev 2 replaces rev 1, a replay of rev 1 is skipped
head -n 1 "$FIX/sample.jsonl" >"$tmp/rev.jsonl"
head -n 1 "$FIX/sample.jsonl" | sed 's/"revision": "1"/"revision": "2"/; s/"unit_price": "450.00"/"unit_price": "470.00"/' >>"$tmp/rev.jsonl"
head -n 1 "$FIX/sample.jsonl" >>"$tmp/rev.jsonl"
"$GATEWAY" invoice export --invoices "$tmp/rev.jsonl" --out "$tmp/rev" >/dev/null 2>"$tmp/rev.err"
rc=$?
[ "$rc" -eq 0 ] || fail "revisions: exit $rc"
grep -q '<cbc:PriceAmount currencyID="EUR">470.00</cbc:PriceAmount>' "$tmp/rev/SMP-0001.xml" || fail "revisions: rev 2 not written"
grep -q 'rev.jsonl:3: record SMP-0001: revision 1 skipped: revision 2 already exported' "$tmp/rev.err" \
	|| fail "revisions: replay not reported: $(cat "$tmp/rev.err")"

# 8. PaymentID form from the configuration
"$GATEWAY" --set peppol_ubl.payment_id=digits invoice export --invoices "$FIX/sample.jsonl" --out "$tmp/digits" >/dev/null 2>&1
grep -q '<cbc:PaymentID>202603000122</cbc:PaymentID>' "$tmp/digits/SMP-0001.xml" || fail "payment id digits: $(grep PaymentID "$tmp/digits/SMP-0001.xml")"
grep -q '<cbc:PaymentID>+++202/6030/00122+++</cbc:PaymentID>' "$tmp/sample/SMP-0001.xml" || fail "payment id structured: $(grep PaymentID "$tmp/sample/SMP-0001.xml")"

# 9. usage and I/O errors
"$GATEWAY" invoice export --invoices "$FIX/sample.jsonl" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "usage: missing --out: exit $rc"
"$GATEWAY" invoice export --invoices "$tmp/nonexistent.jsonl" --out "$tmp/x" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "I/O: missing input: exit $rc"
: >"$tmp/plainfile"
"$GATEWAY" invoice export --invoices "$FIX/sample.jsonl" --out "$tmp/plainfile/sub" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "I/O: bad out dir: exit $rc"
"$GATEWAY" invoice export --help >/dev/null 2>&1; rc=$?
[ "$rc" -eq 0 ] || fail "--help: exit $rc"

# 10. the native validator, once it is there
validated="validator skipped"
"$GATEWAY" invoice validate "$tmp/varied"/*.xml "$tmp/sample"/*.xml >"$tmp/val.out" 2>"$tmp/val.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'not built yet' "$tmp/val.err"; then
	echo "skip: gateway invoice validate is not built yet"
else
	[ "$rc" -eq 0 ] || fail "validate: exit $rc: $(head -n 3 "$tmp/val.err")"
	if grep -v '^== ' "$tmp/val.out" | grep -q .; then
		fail "validate: findings:"; grep -v '^== ' "$tmp/val.out" | sort | uniq -c | sort -rn | head -n 20
	fi
	validated="validator clean"
	# Without any buyer identifier there is no Peppol electronic address
	# (no EAS scheme fits a private person): the validator must say exactly
	# that, and nothing else.
	"$GATEWAY" invoice validate "$tmp/priv/PRIV-0001.xml" >"$tmp/priv.val" 2>"$tmp/priv.val.err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "validate no-endpoint: exit $rc, want 1"
	[ "$(cat "$tmp/priv.val")" = "error PEPPOL-EN16931-R010 /Invoice[1]/cac:AccountingCustomerParty[1]/cac:Party[1]" ] \
		|| fail "validate no-endpoint: $(cat "$tmp/priv.val")"
fi

# 11. the official validator's artefacts, when a developer has fetched them
# (never committed): PEPPOL_XSLT_DIR holding CEN-EN16931-UBL.xslt and
# PEPPOL-EN16931-UBL.xslt, run by Saxon-HE; not a single failed assert
# (fatal or warning) over the varied and sample documents.
saxon=${SAXON_JAR:-/usr/share/java/Saxon-HE.jar}
if [ -n "${PEPPOL_XSLT_DIR:-}" ] && [ -f "$saxon" ] && command -v java >/dev/null; then
	mkdir -p "$tmp/all" "$tmp/svrl-cen" "$tmp/svrl-peppol"
	cp "$tmp/varied"/*.xml "$tmp/sample"/*.xml "$tmp/all/"
	java -jar "$saxon" -s:"$tmp/all" -xsl:"$PEPPOL_XSLT_DIR/CEN-EN16931-UBL.xslt" -o:"$tmp/svrl-cen" >/dev/null 2>&1
	java -jar "$saxon" -s:"$tmp/all" -xsl:"$PEPPOL_XSLT_DIR/PEPPOL-EN16931-UBL.xslt" -o:"$tmp/svrl-peppol" >/dev/null 2>&1
	n=$(ls "$tmp/svrl-cen" "$tmp/svrl-peppol" | grep -c '\.xml$')
	[ "$n" -eq $((2 * $(ls "$tmp/all" | wc -l))) ] || fail "official XSLT: $n reports"
	if grep -l 'failed-assert' "$tmp/svrl-cen"/* "$tmp/svrl-peppol"/* >"$tmp/svrl.bad"; then
		fail "official XSLT: failed asserts in $(wc -l <"$tmp/svrl.bad") reports: $(head -n 3 "$tmp/svrl.bad")"
	fi
	validated="$validated, official XSLTs clean"
fi

if [ "$fails" -ne 0 ]; then
	echo "40-invoice-export: $fails failure(s)"
	exit 1
fi
echo "40-invoice-export: $files + 10 documents XSD-valid, 5 expected files equal, 21 rejections exact, $validated"
