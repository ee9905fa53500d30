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
# The assertions, form-decoded; signing input and signature (base64url ->
# binary) split out by the standard library, all in one python3 (one per
# assertion cost half a second each on a loaded machine): TMP/N.input and
# TMP/N.sig, and a list of "N<TAB>capture file".
python3 - "$tmp" "$dir"/*-token.form >"$tmp/list" <<'PY' || exit 1
import base64, os, sys, urllib.parse
tmp = sys.argv[1]
for i, f in enumerate(sys.argv[2:]):
    if not os.path.isfile(f):
        continue
    try:
        form = urllib.parse.parse_qs(open(f).read())
        head, payload, sig = form["client_assertion"][0].split(".")
    except (KeyError, ValueError):
        print("check_jwt: %s: no client_assertion" % f, file=sys.stderr)
        sys.exit(1)
    open("%s/%d.input" % (tmp, i), "w").write(head + "." + payload)
    open("%s/%d.sig" % (tmp, i), "wb").write(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    print("%d\t%s" % (i, f))
PY
n=0
while IFS='	' read -r i f; do
	openssl dgst -sha256 -verify "$tmp/pub.pem" -signature "$tmp/$i.sig" "$tmp/$i.input" >"$tmp/out" 2>&1 ||
		{ echo "check_jwt: $f: openssl refuses the signature: $(cat "$tmp/out")"; exit 1; }
	n=$((n + 1))
done <"$tmp/list"
[ "$n" -gt 0 ] || { echo "check_jwt: no client assertion captured in $dir"; exit 1; }
echo "jwt: $n client assertions verified by openssl dgst -sha256 -verify"
