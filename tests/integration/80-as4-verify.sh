#!/bin/sh
# 80-as4-verify.sh - `gateway as4 verify` (spec/cli.md) on the real captures
# in the reference: the receipts of phase4 (helger) and Holodeck B2B
# (dataport1) verify, the outgoing phase4 message verifies except its
# encrypted attachment (said to be uncheckable); a changed byte in a signed
# element gives exit 1 naming the reference; a file that is not AS4 gives 2.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
A=$REF/peppol/as4

for f in helger.as4in dataport1.as4in dump-raw.as4out; do
	rc=0; "$GATEWAY" as4 verify --at 2022-03-07T18:00:00Z "$A/$f" >"$tmp/$f.out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || fail "$f: exit $rc: $(cat "$tmp/$f.out")"
	grep -q '^signature value: ok' "$tmp/$f.out" || fail "$f: no signature line: $(cat "$tmp/$f.out")"
	grep -q '^signer: ' "$tmp/$f.out" || fail "$f: no signer line"
done
grep -q 'signer: .*CN=POP000306' "$tmp/helger.as4in.out" || fail "helger: signer subject"
grep -q 'certificate: valid' "$tmp/helger.as4in.out" || fail "helger: valid on 2022-03-07: $(cat "$tmp/helger.as4in.out")"
grep -q 'signer: .*CN=PDE000357' "$tmp/dataport1.as4in.out" || fail "dataport1: signer subject"
grep -q 'cid:.*not checked' "$tmp/dump-raw.as4out.out" || fail "dump-raw: the encrypted attachment is not reported"
grep -q 'issuer: .*G3' "$tmp/dump-raw.as4out.out" || fail "dump-raw: issuer G3"

# Default --at is the pinned clock (2026-11-25): helger's certificate ended in 2023.
"$GATEWAY" as4 verify "$A/helger.as4in" >"$tmp/now.out" 2>&1 || fail "helger at the pinned now"
grep -q 'certificate: EXPIRED' "$tmp/now.out" || fail "helger: not reported expired now: $(cat "$tmp/now.out")"

# One byte changed inside the signed eb:Messaging (the receipt's RefToMessageId).
sed 's/3b3775c9-e88d/3b3775c9-e88e/' "$A/helger.as4in" >"$tmp/tampered.as4in"
cmp -s "$A/helger.as4in" "$tmp/tampered.as4in" && fail "tamper did not change the file"
rc=0; "$GATEWAY" as4 verify "$tmp/tampered.as4in" >"$tmp/t.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "tampered: exit $rc, want 1: $(cat "$tmp/t.out")"
grep -q 'phase4-msg-a9255f87.*MISMATCH' "$tmp/t.out" || fail "tampered: reference not named: $(cat "$tmp/t.out")"

rc=0; "$GATEWAY" as4 verify "$A/base-sbdh.xml" >"$tmp/n.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "base-sbdh.xml: exit $rc, want 2"
rc=0; "$GATEWAY" as4 verify "$tmp/missing" >"$tmp/m.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "missing file: exit $rc, want 2"
echo "ok: as4 verify (3 real captures, tamper, not-AS4)"
