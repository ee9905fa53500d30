#!/bin/sh
# 30-invoice-validate.sh - `gateway invoice validate` against the official
# Peppol examples and broken copies of them made here at run time.
#
# Every complete example in $REF/peppol/examples/peppol validates with exit 0
# and no output; broken copies (wrong payable total, wrong 0208 check
# digits, missing buyer reference, an element the schema does not know)
# exit 1 with exactly the expected rule ids and locations; several files
# get "== FILE" headers and the worst exit code; --rules narrows the sets;
# unreadable, not well-formed and bad usage exit 2; the BIS release follows
# the clock and --release forces one.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
ex="$REF/peppol/examples/peppol"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export GW_REFERENCE_DIR="$REF"
pass=0
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
ok() { pass=$((pass + 1)); }

# run NAME ARGS...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err, exit in $rc.
run() {
	rn=$1
	shift
	"$GATEWAY" invoice validate "$@" >"$tmp/$rn.out" 2>"$tmp/$rn.err"
	rc=$?
}

# expect NAME CODE "LINES": exit code and stdout exactly.
expect() {
	printf '%s\n' "$3" | sed '/^$/d' >"$tmp/$1.want"
	if [ "$rc" -ne "$2" ]; then
		bad "$1: exit $rc, expected $2"; sed 's/^/    /' "$tmp/$1.out" "$tmp/$1.err" | head -20
	elif ! cmp -s "$tmp/$1.out" "$tmp/$1.want"; then
		bad "$1: output differs"; diff "$tmp/$1.want" "$tmp/$1.out" | sed 's/^/    /' | head -20
	else
		ok
	fi
}

n=0
for f in "$ex"/*.xml; do
	n=$((n + 1))
	run "example$n" "$f"
	expect "example$n" 0 ""
done
[ "$n" -ge 9 ] || bad "only $n examples under $ex"

base="$ex/base-example.xml"
grep -q '<cbc:PayableAmount currencyID="EUR">1656.25</cbc:PayableAmount>' "$base" || bad "base example changed"

# Wrong total: the amount due no longer equals the totals it derives from.
sed 's|<cbc:PayableAmount currencyID="EUR">1656.25<|<cbc:PayableAmount currencyID="EUR">1666.25<|' "$base" >"$tmp/total.xml"
run total "$tmp/total.xml"
expect total 1 "error BR-CO-16 /Invoice[1]/cac:LegalMonetaryTotal[1]"
grep -qx "$tmp/total.xml: not valid: 1 error, 0 warnings" "$tmp/total.err" || bad "total: summary: $(cat "$tmp/total.err")"
# --explain: the rule's official message (from the Schematron) under its line.
run explain --explain "$tmp/total.xml"
expect explain 1 "error BR-CO-16 /Invoice[1]/cac:LegalMonetaryTotal[1]
    Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) -Paid amount (BT-113) +Rounding amount (BT-114)."
run example-summary "$base"
grep -qx "$base: valid: 0 errors, 0 warnings" "$tmp/example-summary.err" || bad "no summary for a valid file: $(cat "$tmp/example-summary.err")"

# A Belgian enterprise number as the seller's address: right, then wrong check digits.
sed 's|<cbc:EndpointID schemeID="0088">9482348239847239874</cbc:EndpointID>|<cbc:EndpointID schemeID="0208">0739484052</cbc:EndpointID>|' \
	"$base" >"$tmp/kbo-ok.xml"
grep -q 'schemeID="0208">0739484052' "$tmp/kbo-ok.xml" || bad "seller endpoint not replaced"
run kbo-ok "$tmp/kbo-ok.xml"
expect kbo-ok 0 ""
sed 's|schemeID="0208">0739484052<|schemeID="0208">0739484059<|' "$tmp/kbo-ok.xml" >"$tmp/kbo.xml"
run kbo "$tmp/kbo.xml"
expect kbo 1 "error PEPPOL-COMMON-R043 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cbc:EndpointID[1]"

# Neither buyer reference nor order reference.
sed -e 's|<cbc:BuyerReference>[^<]*</cbc:BuyerReference>||' -e '/<cac:OrderReference>/,/<\/cac:OrderReference>/d' \
	"$base" >"$tmp/noref.xml"
run noref "$tmp/noref.xml"
expect noref 1 "error PEPPOL-EN16931-R003 /Invoice[1]"

# A schema failure is reported and the rules still run on the document.
sed -e 's|<cbc:BuyerReference>[^<]*</cbc:BuyerReference>|<cbc:Surprise>1</cbc:Surprise>|' \
	-e '/<cac:OrderReference>/,/<\/cac:OrderReference>/d' "$base" >"$tmp/xsd.xml"
run xsd "$tmp/xsd.xml"
if [ "$rc" -ne 1 ] || ! grep -q "^error XSD line [0-9]*: Element '{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}Surprise': This element is not expected" "$tmp/xsd.out" ||
	! grep -qx 'error PEPPOL-EN16931-R003 /Invoice\[1\]' "$tmp/xsd.out"; then
	bad "xsd: exit $rc: $(cat "$tmp/xsd.out")"
else
	ok
fi

# Country blocks: the seller (and buyer) moved to another country, each
# finding as the official rules in force (3.0.21) give it: the Danish pair
# gets DK-R-017 (the buyer's CompanyID has no scheme 0184) besides the
# 3.0.19 findings.
sed -e '29s/GB/SE/' -e 's/GB1232434/SE123456789001/' \
	-e 's|<cbc:CompanyID>GB983294</cbc:CompanyID>|<cbc:CompanyID>5560360794</cbc:CompanyID>|' \
	-e 's|<cbc:ID>BIC324098|<cbc:ID>SE:BANKGIRO|' -e 's|<cbc:ID>IBAN32423940|<cbc:ID>12X|' "$base" >"$tmp/se.xml"
run se --rules peppol "$tmp/se.xml"
expect se 1 "error SE-R-013 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:PartyLegalEntity[1]
warning SE-R-008 /Invoice[1]/cac:PaymentMeans[1]/cac:PayeeFinancialAccount[1]/cbc:ID[1]
warning SE-R-009 /Invoice[1]/cac:PaymentMeans[1]/cac:PayeeFinancialAccount[1]/cbc:ID[1]"
sed -e '29s/GB/DK/' -e '59s/SE/DK/' -e 's|<cbc:CompanyID>GB983294</cbc:CompanyID>|<cbc:CompanyID schemeID="0184">12345678</cbc:CompanyID>|' \
	-e 's|<cbc:ID schemeID="0002">FR23342</cbc:ID>|<cbc:ID>FR23342</cbc:ID>|' -e 's|name="Credit transfer">30<|>31<|' \
	-e '/<cac:FinancialInstitutionBranch>/,/<\/cac:FinancialInstitutionBranch>/d' "$base" >"$tmp/dk.xml"
run dk --rules peppol "$tmp/dk.xml"
expect dk 1 "error DK-R-017 /Invoice[1]/cac:AccountingCustomerParty[1]/cac:Party[1]
error DK-R-013 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:PartyIdentification[1]
error DK-R-013 /Invoice[1]/cac:AccountingCustomerParty[1]/cac:Party[1]/cac:PartyIdentification[1]
error DK-R-006 /Invoice[1]/cac:PaymentMeans[1]"
sed -e '29s/GB/NL/' -e '59s/SE/NL/' -e '89s/SE/NL/' "$base" >"$tmp/nl.xml"
run nl --rules peppol "$tmp/nl.xml"
expect nl 1 "error NL-R-003 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:PartyLegalEntity[1]/cbc:CompanyID[1]
error NL-R-005 /Invoice[1]/cac:AccountingCustomerParty[1]/cac:Party[1]/cac:PartyLegalEntity[1]/cbc:CompanyID[1]
error NL-R-009 /Invoice[1]/cac:InvoiceLine[1]/cac:OrderLineReference[1]/cbc:LineID[1]
error NL-R-009 /Invoice[1]/cac:InvoiceLine[2]/cac:OrderLineReference[1]/cbc:LineID[1]"

sed -e 's/GB1232434/EL094014202/' -e 's|<cbc:ID>Snippet1</cbc:ID>|<cbc:ID>094014201\|13-11-2017\|-3\|9.9\|\|</cbc:ID>|' \
	"$base" >"$tmp/gr.xml"
run gr --rules peppol "$tmp/gr.xml"
expect gr 1 "error GR-R-009 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cbc:EndpointID[1]
error GR-R-001-2 /Invoice[1]/cbc:ID[1]
error GR-R-001-3 /Invoice[1]/cbc:ID[1]
error GR-R-001-4 /Invoice[1]/cbc:ID[1]
error GR-R-001-5 /Invoice[1]/cbc:ID[1]
error GR-R-001-6 /Invoice[1]/cbc:ID[1]
error GR-R-001-7 /Invoice[1]/cbc:ID[1]
warning GR-S-011 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]
error GR-R-003 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:PartyTaxScheme[1]/cbc:CompanyID[1]"
sed -e 's/GB1232434/IT1232434/' -e '/<cbc:StreetName>Main street 1/d' \
	-e 's|</cac:PartyTaxScheme>|</cac:PartyTaxScheme><cac:PartyTaxScheme><cbc:CompanyID>abc</cbc:CompanyID><cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>|' \
	"$base" >"$tmp/it.xml"
run it --rules peppol "$tmp/it.xml"
expect it 1 "error IT-R-001 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:PartyTaxScheme[2]
error IT-R-002 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]"
sed -e '29s/GB/IS/' -e '59s/SE/IS/' -e 's|name="Credit transfer">30<|>42<|' "$base" >"$tmp/is.xml"
run is --rules peppol "$tmp/is.xml"
expect is 1 "error IS-R-002 /Invoice[1]
error IS-R-004 /Invoice[1]/cac:AccountingCustomerParty[1]"

# --rules narrows the rule sets (the schema is always checked).
run cen --rules cen "$tmp/noref.xml"
expect cen 0 ""
run peppol --rules peppol "$tmp/total.xml"
expect peppol 0 ""
run all --rules all "$tmp/kbo.xml"
expect all 1 "error PEPPOL-COMMON-R043 /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cbc:EndpointID[1]"

# Several files: one block each, exit = worst.
run several "$base" "$tmp/noref.xml"
expect several 1 "== $base
== $tmp/noref.xml
error PEPPOL-EN16931-R003 /Invoice[1]"

# Unreadable and not well-formed files: exit 2, a reason on stderr, the other files still done.
printf '<Invoice><ID>1</Invoice>\n' >"$tmp/broken.xml"
run broken "$tmp/broken.xml" "$tmp/missing.xml" "$tmp/noref.xml"
expect broken 2 "== $tmp/broken.xml
== $tmp/missing.xml
== $tmp/noref.xml
error PEPPOL-EN16931-R003 /Invoice[1]"
grep -q "broken.xml: line 1: not well-formed XML" "$tmp/broken.err" || bad "broken: stderr: $(cat "$tmp/broken.err")"
grep -q "missing.xml: cannot open" "$tmp/broken.err" || bad "missing: stderr: $(cat "$tmp/broken.err")"
cp "$base" "$tmp/noperm.xml"
chmod 000 "$tmp/noperm.xml"
if [ "$(id -u)" -ne 0 ]; then
	run noperm "$tmp/noperm.xml"
	expect noperm 2 ""
fi
run dir "$tmp"
expect dir 2 ""

# The BIS release: the one in force by the pinned clock (3.0.21 since 17
# August 2026) refuses an empty segment in the specification identifier,
# 3.0.19 did not; --release forces one; a clock pinned before that day
# gets 3.0.19. The official 3.0.21 examples are valid under it.
sed 's|poacc:billing:3.0</cbc:CustomizationID>|poacc:billing:3.0::x</cbc:CustomizationID>|' "$base" >"$tmp/colons.xml"
grep -q 'billing:3.0::x<' "$tmp/colons.xml" || bad "customization id not replaced"
run colons "$tmp/colons.xml"
expect colons 1 "error PEPPOL-EN16931-R004 /Invoice[1]"
run colons19 --release 3.0.19 "$tmp/colons.xml"
expect colons19 0 ""
run colons21 --release=3.0.21 "$tmp/colons.xml"
expect colons21 1 "error PEPPOL-EN16931-R004 /Invoice[1]"
GATEWAY_NOW=2026-08-16T23:30:00+02:00 "$GATEWAY" invoice validate "$tmp/colons.xml" >"$tmp/before.out" 2>"$tmp/before.err"
rc=$?
expect before 0 ""
GATEWAY_NOW=2026-08-17T00:30:00+02:00 "$GATEWAY" invoice validate "$tmp/colons.xml" >"$tmp/from.out" 2>"$tmp/from.err"
rc=$?
expect from 1 "error PEPPOL-EN16931-R004 /Invoice[1]"
n21=0
for f in "$REF"/peppol/bis-3.0.21/examples/*.xml; do
	n21=$((n21 + 1))
	run "example21-$n21" --release 3.0.21 "$f"
	expect "example21-$n21" 0 ""
done
[ "$n21" -ge 10 ] || bad "only $n21 examples under bis-3.0.21/examples"
run badrelease --release 3.0.20 "$base"
expect badrelease 2 ""
grep -q -- '--release must be one of 3.0.19, 3.0.21, not 3.0.20' "$tmp/badrelease.err" || bad "badrelease: stderr: $(cat "$tmp/badrelease.err")"

# Usage.
run usage1
expect usage1 2 ""
run usage2 --rules sometimes "$base"
expect usage2 2 ""
"$GATEWAY" invoice validate --help >"$tmp/help.out" 2>&1 && grep -q 'invoice validate \[--rules all|cen|peppol\] FILE' "$tmp/help.out" && ok || bad "--help"

echo "invoice validate: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
