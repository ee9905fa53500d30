#!/bin/sh
# check_jwt.sh DIR CERT - every OAuth client assertion the REST simulator
# captured in DIR (NNNNNN-token.form, `gateway sim onss --capture DIR`)
# verified by openssl, not by the gateway's jwt_verify_rs256: the RS256
# signature over the JWS signing input (header.payload, as sent) with the
# public key of CERT. Prints the count; exit 1 at the first refusal. The
# header and claims are checked by check_rest_bodies.py.
set -u
dir=$1 cert=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
openssl x509 -pubkey -noout -in "$cert" > "$tmp/pub.pem" || { echo "check_jwt: no public key in $cert"; exit 1; }
n=0
for f in "$dir"/*-token.form; do
	[ -f "$f" ] || continue
	# The assertion, form-decoded; signing input and signature (base64url
	# -> binary) split out by the standard library.
	python3 - "$f" "$tmp/input" "$tmp/sig" <<'PY' || { echo "check_jwt: $f: no client_assertion"; exit 1; }
import base64, sys, urllib.parse
form = urllib.parse.parse_qs(open(sys.argv[1]).read())
head, payload, sig = form["client_assertion"][0].split(".")
open(sys.argv[2], "w").write(head + "." + payload)
open(sys.argv[3], "wb").write(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
PY
	openssl dgst -sha256 -verify "$tmp/pub.pem" -signature "$tmp/sig" "$tmp/input" >"$tmp/out" 2>&1 ||
		{ echo "check_jwt: $f: openssl refuses the signature: $(cat "$tmp/out")"; exit 1; }
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "check_jwt: no client assertion captured in $dir"; exit 1; }
echo "jwt: $n client assertions verified by openssl dgst -sha256 -verify"
