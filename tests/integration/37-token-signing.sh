#!/bin/sh
# 37-token-signing.sh - the batch signature made with the key in a token.
#
# A SoftHSM token is created in a temporary folder (SOFTHSM2_CONF) and the
# organisation's test key imported into it. `gateway dimona export` signs
# the same contracts once with the PEM key and once with the key named by
# its PKCS#11 URI; both FS files must verify with `openssl cms -verify`
# against the test CA (an outside check) and name the same signer. A wrong
# PIN is refused, naming the URI without the PIN.
#
# Env: TOP, GATEWAY (from tests/run-all.sh).
set -u
: "${TOP:?}" "${GATEWAY:?}"
cd "$TOP" || exit 1
. "$TOP/tests/lib/clock.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
ok() { pass=$((pass + 1)); }
module=/usr/lib/softhsm/libsofthsm2.so
[ -r "$module" ] && command -v softhsm2-util >/dev/null ||
	{ echo "SoftHSM missing: make deps installs softhsm2 and libengine-pkcs11-openssl"; exit 1; }
[ -f certs/out/onss/org.key.pem ] || sh certs/gen-test-pki.sh >/dev/null

mkdir "$tmp/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$tmp" \
	>"$tmp/softhsm2.conf"
export SOFTHSM2_CONF="$tmp/softhsm2.conf"
softhsm2-util --init-token --free --label gw-it --pin 4321 --so-pin 8765 >/dev/null || exit 1
openssl pkcs8 -topk8 -nocrypt -in certs/out/onss/org.key.pem -out "$tmp/k8.pem" || exit 1
softhsm2-util --import "$tmp/k8.pem" --token gw-it --label org --id 02 --pin 4321 >/dev/null || exit 1
rm -f "$tmp/k8.pem"
uri="pkcs11:token=gw-it;object=org;type=private;pin-value=4321"

{ head -n 1 fixtures/dimona/contracts-500.csv; grep -E '^(WC-000[1-5]|STU-000[1-3]),' fixtures/dimona/contracts-500.csv; } \
	>"$tmp/c.csv"
export_with() { # DIR KEY
	mkdir "$1"
	"$GATEWAY" --set "signing.pkcs11_module=$module" dimona export --contracts "$tmp/c.csv" --out "$1" \
		--sender 123456 --sign-cert certs/out/onss/org.crt.pem --sign-key "$2" >"$1.out" 2>"$1.err"
}
for how in pem token; do
	if [ $how = pem ]; then key=certs/out/onss/org.key.pem; else key=$uri; fi
	if ! export_with "$tmp/$how" "$key"; then bad "$how: export failed: $(cat "$tmp/$how.err")"; continue; fi
	fi_=$(ls "$tmp/$how"/FI.* 2>/dev/null | head -n 1)
	fs=$(ls "$tmp/$how"/FS.* 2>/dev/null | head -n 1)
	[ -n "$fi_" ] && [ -n "$fs" ] || { bad "$how: no FI/FS written"; continue; }
	base64 -d "$fs" >"$tmp/$how.der" || { bad "$how: FS not base64"; continue; }
	if openssl cms -verify -inform DER -in "$tmp/$how.der" -content "$fi_" -binary \
		-CAfile certs/out/onss/ca.crt.pem -purpose any -out /dev/null 2>"$tmp/$how.cms"; then ok
	else bad "$how: FS does not verify: $(cat "$tmp/$how.cms")"; fi
	openssl cms -verify -inform DER -in "$tmp/$how.der" -content "$fi_" -binary -noverify \
		-signer "$tmp/$how.signer" -out /dev/null 2>/dev/null
done
if [ -s "$tmp/pem.signer" ] && cmp -s "$tmp/pem.signer" "$tmp/token.signer"; then ok
else bad "the PEM and token signatures name different signers"; fi

"$GATEWAY" --set "signing.pkcs11_module=$module" dimona export --contracts "$tmp/c.csv" --out "$tmp/bad" \
	--sender 123456 --sign-cert certs/out/onss/org.crt.pem \
	--sign-key "pkcs11:token=gw-it;object=org;type=private;pin-value=0000" >/dev/null 2>"$tmp/bad.err"
rc=$?
if [ $rc -ne 0 ] && grep -q "pin-value=\*\*\*: no private key from the token: .*PIN incorrect" "$tmp/bad.err" &&
	! grep -q 0000 "$tmp/bad.err"; then ok
else bad "wrong PIN: exit $rc: $(cat "$tmp/bad.err")"; fi

echo "token signing: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
