#!/bin/sh
# 36-hostile-xml.sh - hostile documents at every reader of outside XML.
#
# 35 covers the DOCTYPE forms (entity expansion in attributes, XXE). Here,
# each of `gateway onss show-answer`, `gateway onss apply` and `gateway
# invoice validate` gets:
#   quadratic blowup  one 64 KB entity referenced 2,000 times: refused at the
#                     DOCTYPE, before the entity is read;
#   undeclared entity the same references without a DOCTYPE: not well-formed;
#   deep nesting      100,000 levels: refused at libxml2's depth limit (256),
#                     no crash, no stack exhaustion;
#   huge attribute    one 11 MB attribute value: refused at libxml2's 10 MB
#                     limit (the HUGE option is never honoured);
#   1 GB document     written streaming to a temp file, refused by its size
#                     before it is read, naming the file; deleted at once.
# Each refusal names the file and the reason; show-answer and invoice
# validate exit 2, apply keeps the file in unmatched/ and exits 1.
#
# Env: TOP, GATEWAY, REF (from tests/run-all.sh).
set -u
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export GW_REFERENCE_DIR="$REF"
pass=0
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
ok() { pass=$((pass + 1)); }

# doc ROOT KIND DST: a document with root ROOT, made hostile as KIND says.
doc() {
	case $2 in
	blowup)
		awk -v r="$1" 'BEGIN {
			e = "x"; while (length(e) < 65536) e = e e
			printf "<?xml version=\"1.0\"?>\n<!DOCTYPE %s [<!ENTITY a \"%s\">]>\n<%s>", r, e, r
			for (i = 0; i < 2000; i++) printf "&a;"
			printf "</%s>\n", r }' ;;
	undeclared)
		awk -v r="$1" 'BEGIN { printf "<%s>", r
			for (i = 0; i < 2000; i++) printf "&a;"
			printf "</%s>\n", r }' ;;
	deep)
		awk -v r="$1" 'BEGIN { printf "<%s>", r
			for (i = 0; i < 100000; i++) printf "<F>"
			for (i = 0; i < 100000; i++) printf "</F>"
			printf "</%s>\n", r }' ;;
	attribute)
		{ printf '<%s foo="' "$1"; head -c 11534336 /dev/zero | tr '\0' x; printf '"/>\n'; } ;;
	esac >"$3"
}

# expect CMD-NAME FILE RC PATTERN: the last command's exit and stderr.
expect() {
	if [ "$rc" -ne "$3" ]; then
		bad "$1 $(basename "$2"): exit $rc, expected $3: $(head -c 300 "$tmp/err")"
	elif ! grep -q "$2: .*$4" "$tmp/err"; then
		bad "$1 $(basename "$2"): stderr does not name the file and '$4': $(head -c 300 "$tmp/err")"
	else ok; fi
}

blowup="a DOCTYPE is not allowed"
undeclared="not well-formed XML: Entity 'a' not defined"
deep="not well-formed XML: Excessive depth in document: 256"
attribute="not well-formed XML: AttValue length too long"

mkdir "$tmp/answers"
n=0
for kind in blowup undeclared deep attribute; do
	n=$((n + 1))
	eval "want=\$$kind"
	# show-answer
	doc ACRF $kind "$tmp/acrf.$kind.xml"
	"$GATEWAY" onss show-answer "$tmp/acrf.$kind.xml" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect show-answer "$tmp/acrf.$kind.xml" 2 "$want"
	[ -s "$tmp/out" ] && bad "show-answer $kind printed: $(head -c 200 "$tmp/out")"
	mv "$tmp/acrf.$kind.xml" "$tmp/answers/FO.ACRF.000000.20260101.0000$n.T.1"
	# invoice validate
	doc Invoice $kind "$tmp/inv.$kind.xml"
	"$GATEWAY" invoice validate "$tmp/inv.$kind.xml" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect "invoice validate" "$tmp/inv.$kind.xml" 2 "$want"
	rm -f "$tmp/inv.$kind.xml"
done

# The 1 GB document: real XML written streaming (no sparse trick, so the
# size is what the readers see), refused by size before it is read.
big="$tmp/answers/FO.ACRF.000000.20260101.00009.T.1"
{ printf '<?xml version="1.0"?>\n<ACRF>'
  yes '<Form><Anomaly>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</Anomaly></Form>' |
  head -c 1073741824
  printf '</ACRF>\n'; } >"$big"
size=$(wc -c <"$big")
[ "$size" -gt 1073741824 ] || bad "1 GB document: only $size bytes written"
"$GATEWAY" onss show-answer "$big" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect show-answer "$big" 2 "file too large: $size bytes, an answer has at most 536870912; not read"
"$GATEWAY" invoice validate "$big" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "invoice validate" "$big" 2 "larger than 16777216 bytes (\[peppol\] max_invoice_bytes)"

# apply: every hostile answer kept in unmatched/ with its reason, none applied.
"$GATEWAY" --set "queue.dsn=$tmp/queue.db" onss apply --dir "$tmp/answers" >"$tmp/apply.out" 2>"$tmp/apply.err"
rc=$?
[ $rc -eq 1 ] || bad "apply: exit $rc, expected 1: $(head -c 500 "$tmp/apply.err")"
n=0
for kind in blowup undeclared deep attribute big; do
	n=$((n + 1))
	[ $kind = big ] && n=9
	f="FO.ACRF.000000.20260101.0000$n.T.1"
	if [ $kind = big ]; then want="file too large: $size bytes"; else eval "want=\$$kind"; fi
	if grep "$f" "$tmp/apply.err" | grep -q "$want" && [ -f "$tmp/answers/unmatched/$f" ]; then ok
	else bad "apply $kind ($f): $(grep "$f" "$tmp/apply.err"); $(ls "$tmp/answers/unmatched" 2>&1)"; fi
done
rm -f "$big" "$tmp/answers/unmatched/$(basename "$big")"
grep -q "^5 answers: 0 matched, 5 unmatched" "$tmp/apply.out" || bad "apply: $(cat "$tmp/apply.out")"

echo "hostile XML: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
