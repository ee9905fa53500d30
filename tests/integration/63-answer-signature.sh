#!/bin/sh
# 63-answer-signature.sh - where answers must carry the ONSS signature
# (production, or [onss_batch] answers_signed = required), `gateway onss
# apply` refuses a plain answer and keeps it in unmatched/ naming the reason,
# while the same answer signed by the ONSS (here the test ONSS identity,
# openssl cms -sign: an outside signer) is read; `onss show-answer` still
# shows the plain one, saying it carries no signature; and a signed answer
# is refused when answer_ca is empty instead of being believed unchecked.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export GW_REFERENCE_DIR="$REF"
fail() { echo "FAIL: $*"; exit 1; }
PKI=$TOP/certs/out/onss
[ -f "$PKI/org.key.pem" ] || sh "$TOP/certs/gen-test-pki.sh" >/dev/null 2>&1 || fail "test PKI"
src=$REF/onss/samples/ACRF_20231_1.xml
plain=FO.ACRF.012996.20261125.00001.R
signed=FO.ACRF.012996.20261125.00002.R
mkdir "$tmp/answers"
cp "$src" "$tmp/answers/$plain"
openssl cms -sign -binary -nodetach -outform DER -md sha256 -in "$src" -signer "$PKI/org.crt.pem" \
	-inkey "$PKI/org.key.pem" -out "$tmp/answers/$signed" 2>"$tmp/cms.err" || fail "openssl: $(cat "$tmp/cms.err")"
gw() { "$GATEWAY" --set "queue.dsn=$tmp/queue.db" --set onss_batch.env=R \
	--set "onss_batch.answer_ca=$PKI/ca.crt.pem" "$@"; }

rc=0; gw onss apply --dir "$tmp/answers" >"$tmp/apply.out" 2>"$tmp/apply.err" || rc=$?
[ "$rc" -eq 1 ] || fail "apply: exit $rc, want 1: $(cat "$tmp/apply.err")"
[ -f "$tmp/answers/unmatched/$plain" ] || fail "the plain answer is not kept in unmatched/: $(ls -R "$tmp/answers")"
grep "$plain" "$tmp/apply.err" | grep -q "unsigned answer refused" || fail "no reason given: $(cat "$tmp/apply.err")"
grep "$signed" "$tmp/apply.err" | grep -q "refused" && fail "the signed answer was refused: $(cat "$tmp/apply.err")"

gw onss show-answer "$tmp/answers/unmatched/$plain" >"$tmp/show.json" 2>"$tmp/show.err" || fail "show-answer: $(cat "$tmp/show.err")"
grep -q '"signature": *null' "$tmp/show.json" || fail "show-answer does not say it is unsigned: $(head -c 300 "$tmp/show.json")"

cp "$tmp/answers/unmatched/$signed" "$tmp/s.der" 2>/dev/null || cp "$tmp/answers/$signed" "$tmp/s.der" 2>/dev/null ||
	cp "$(find "$tmp/answers" -name "$signed" | head -n 1)" "$tmp/s.der"
rc=0; "$GATEWAY" --set onss_batch.answer_ca= onss show-answer "$tmp/s.der" >/dev/null 2>"$tmp/empty.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "answer_ca is empty" "$tmp/empty.err" || fail "empty answer_ca: exit $rc, $(cat "$tmp/empty.err")"
echo "answer signatures: a plain answer refused and kept in unmatched/ where signatures are required, a signed one read, an empty answer_ca refused"
