#!/bin/sh
# 15-out-dirs.sh - every `--out DIR` is created when missing, parents
# included (shared/spec/cli.md v2), and one that cannot be a folder is a
# clear usage error naming it: dimona export, dmfa export, invoice export,
# onss wrap.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
cd "$TOP" || exit 2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
PKI=$TOP/certs/out/onss
[ -f "$PKI/org.key.pem" ] || sh certs/gen-test-pki.sh >/dev/null 2>&1 || fail "test PKI"
SIGN="--sign-cert $PKI/org.crt.pem --sign-key $PKI/org.key.pem"
export GW_REFERENCE_DIR="$REF"

# has DIR PATTERN: the folder exists and holds a file matching PATTERN.
has() { [ -d "$1" ] && ls "$1" | grep -q "$2" || fail "$1: no $2 in it (exit $rc): $(tail -n 2 "$W/err")"; }

rc=0; "$GATEWAY" dimona export --contracts fixtures/dimona/export-mixed.csv --out "$W/a/b/dimona" \
	--sender 123456 --env S >/dev/null 2>"$W/err" || rc=$?
has "$W/a/b/dimona" '^GO\.DIMN\.123456\.'
rc=0; "$GATEWAY" --set dmfa.local_units=123456749=2000000042,150000120=3000000063 dmfa export --contracts fixtures/dmfa/quarter-2026q2.csv --quarter 20262 --out "$W/c/dmfa/" \
	--env T $SIGN --params fixtures/dmfa/params-test.txt >/dev/null 2>"$W/err" || rc=$?
has "$W/c/dmfa" '^FI\.DMFA\.'
rc=0; "$GATEWAY" invoice export --invoices fixtures/invoices/sample.jsonl --out "$W/d/e/invoices" \
	>/dev/null 2>"$W/err" || rc=$?
has "$W/d/e/invoices" '\.xml$'
echo '<x/>' >"$W/payload.xml"
rc=0; "$GATEWAY" onss wrap --purpose DIMN --xml "$W/payload.xml" --out "$W/f/wrap" --sender 123456 --env S \
	>/dev/null 2>"$W/err" || rc=$?
has "$W/f/wrap" '^GO\.DIMN\.'

# A path through a plain file cannot become a folder: exit 2, named.
: >"$W/file"
rc=0; "$GATEWAY" dimona export --contracts fixtures/dimona/export-mixed.csv --out "$W/file/sub" \
	--sender 123456 --env S >/dev/null 2>"$W/err" || rc=$?
[ "$rc" -eq 2 ] || fail "--out through a file: exit $rc, want 2"
grep -q "$W/file" "$W/err" || fail "the error does not name the folder: $(cat "$W/err")"
rc=0; "$GATEWAY" invoice export --invoices fixtures/invoices/sample.jsonl --out "$W/file" >/dev/null 2>"$W/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "Not a directory" "$W/err" || fail "--out on a file: exit $rc, $(cat "$W/err")"
echo "out dirs: dimona, dmfa, invoice export and onss wrap create missing --out folders; a file in the way is exit 2, named"
