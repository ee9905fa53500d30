#!/bin/sh
# 35-doctype-refused.sh - no DOCTYPE in a document from outside.
#
# Official ONSS answers and a Peppol example, each made hostile here by an
# internal subset whose entity is referenced a few hundred times in an
# attribute of the root (the expansion the schema check multiplied: 3,200
# references took 22 s), or by an external entity / external subset (XXE).
# `gateway onss show-answer`, `gateway onss apply` and `gateway invoice
# validate` refuse each, naming the file and saying a DOCTYPE is not
# allowed; the same documents without the DOCTYPE are still accepted.
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
refusal="a DOCTYPE is not allowed"

refs=$(awk 'BEGIN { for (i = 0; i < 400; i++) printf "&a;" }')
# expand SRC ROOT DST: SRC with an entity subset, ROOT carrying 400 references.
expand() {
	awk -v root="$2" -v refs="$refs" '
		NR == 1 { print; print "<!DOCTYPE " root " [<!ENTITY a \"xxxxxxxxxxxxxxxx\">]>"; next }
		!done && index($0, "<" root) == 1 {
			n = length(root) + 1
			$0 = substr($0, 1, n) " foo=\"" refs "\"" substr($0, n + 1)
			done = 1
		}
		{ print }' "$1" >"$3"
}
# xxe SRC ROOT DST: SRC with an external entity and an external subset.
xxe() {
	awk -v root="$2" '
		NR == 1 { print; print "<!DOCTYPE " root " SYSTEM \"http://127.0.0.1:9/x.dtd\" " \
		    "[<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"; next }
		{ print }' "$1" >"$3"
}

# show-answer: every answer kind, expanded and XXE.
for s in ACRF_20231_1 NOTIFICATION_20223_1 DmfAPID_20224_1 IDFLUX_20231_1; do
	src="$REF/onss/samples/$s.xml"
	root=${s%%_*}
	if "$GATEWAY" onss show-answer "$src" >/dev/null 2>"$tmp/plain.err"; then ok
	else bad "$s without a DOCTYPE refused: $(cat "$tmp/plain.err")"; fi
	for kind in expand xxe; do
		$kind "$src" "$root" "$tmp/$s.$kind.xml"
		"$GATEWAY" onss show-answer "$tmp/$s.$kind.xml" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -ne 2 ] || [ -s "$tmp/out" ]; then
			bad "show-answer $s.$kind: exit $rc, output $(head -c 200 "$tmp/out")"
		elif ! grep -q "^$tmp/$s.$kind.xml: $refusal" "$tmp/err"; then
			bad "show-answer $s.$kind: stderr: $(cat "$tmp/err")"
		else ok; fi
	done
done

# apply: the refused answers are kept in unmatched/, each named with the reason.
mkdir "$tmp/answers"
cp "$tmp/ACRF_20231_1.expand.xml" "$tmp/answers/FO.ACRF.000000.20260101.00001.T.1"
cp "$tmp/NOTIFICATION_20223_1.xxe.xml" "$tmp/answers/FO.NOTI.000000.20260101.00001.T.1"
"$GATEWAY" --set "queue.dsn=$tmp/queue.db" onss apply --dir "$tmp/answers" >"$tmp/apply.out" 2>"$tmp/apply.err"
rc=$?
[ $rc -eq 1 ] || bad "apply: exit $rc, expected 1: $(cat "$tmp/apply.err")"
for f in FO.ACRF.000000.20260101.00001.T.1 FO.NOTI.000000.20260101.00001.T.1; do
	if grep "$f" "$tmp/apply.err" | grep -q "$refusal" && [ -f "$tmp/answers/unmatched/$f" ]; then ok
	else bad "apply $f: $(cat "$tmp/apply.err"); $(ls -R "$tmp/answers")"; fi
done
grep -q "^2 answers: 0 matched, 2 unmatched" "$tmp/apply.out" || bad "apply: $(cat "$tmp/apply.out")"

# invoice validate: the official example passes, its hostile copies do not.
src="$REF/peppol/examples/peppol/base-example.xml"
"$GATEWAY" invoice validate "$src" >"$tmp/out" 2>&1 && ok || bad "base-example: $(cat "$tmp/out")"
for kind in expand xxe; do
	$kind "$src" Invoice "$tmp/inv.$kind.xml"
	"$GATEWAY" invoice validate "$tmp/inv.$kind.xml" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ]; then
		bad "invoice validate $kind: exit $rc: $(head -c 300 "$tmp/out")"
	elif ! grep -q "inv.$kind.xml: $refusal" "$tmp/err"; then
		bad "invoice validate $kind: stderr: $(cat "$tmp/err")"
	else ok; fi
done

echo "DOCTYPE refused: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
