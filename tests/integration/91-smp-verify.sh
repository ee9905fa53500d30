#!/bin/sh
# 91-smp-verify.sh - `gateway smp verify` (spec/cli.md) on the three real
# SMP answers of the reference, at a moment inside their certificates'
# validity: 2 and 3 verify (exit 0, RSA-SHA1 reported as weak), 1 does not
# (exit 1, its digest does not match); tampered copies of 2 do not verify
# (a changed endpoint URL: exit 1; a second ServiceMetadata or a wrapped
# one: exit 2); under the configured SMP CA (the test PKI's) the real
# signers do not chain (exit 1), and today their certificates are expired.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
cd "$TOP" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
S=$REF/peppol/smp
AT=2020-01-01T00:00:00Z
run() { # WANT NAME ARGS...: exit code WANT, output in $tmp/NAME
	want=$1 name=$2; shift 2
	rc=0; "$GATEWAY" "$@" >"$tmp/$name" 2>&1 || rc=$?
	[ "$rc" -eq "$want" ] || fail "$name: exit $rc, want $want: $(cat "$tmp/$name")"
}
run 1 m1 --set smp.ca= smp verify --at $AT "$S/signed-service-metadata1.xml"
run 0 m2 --set smp.ca= smp verify --at $AT "$S/signed-service-metadata2.xml"
run 0 m3 --set smp.ca= smp verify --at $AT "$S/signed-service-metadata3-c14n-inclusive.xml"
grep -q '^signature: does not verify: the digest' "$tmp/m1" || fail "m1: $(cat "$tmp/m1")"
for m in m2 m3; do
	grep -q '^signature: verifies (http://www.w3.org/2000/09/xmldsig#rsa-sha1)' "$tmp/$m" || fail "$m: $(cat "$tmp/$m")"
	grep -q '^weak: RSA-SHA1' "$tmp/$m" || fail "$m: RSA-SHA1 not reported weak"
	grep -q '^signer: .*issuer CN=PEPPOL SERVICE METADATA PUBLISHER CA - G2' "$tmp/$m" || fail "$m: issuer"
done
grep -q '^endpoint: busdox-transport-as2-ver1p0 https://peppol.netedi.com/receive.aspx activation 2016-11-02T00:00:00Z expiration 2026-11-02T00:00:00Z certificate .*CN=PNO000070$' "$tmp/m2" ||
	fail "m2: endpoint line: $(cat "$tmp/m2")"
[ "$(grep -c '^endpoint: ' "$tmp/m3")" -eq 2 ] || fail "m3: two endpoints"
grep -q '^endpoint: peppol-transport-as4-v2_0 https://ap.econnect.eu/as4/v1 ' "$tmp/m3" || fail "m3: AS4 endpoint"

# The configured SMP CA (the test PKI) is not the real signers' CA; and at
# the pinned now (2026) their certificates are expired.
run 1 ca smp verify --at $AT "$S/signed-service-metadata2.xml"
grep -q '^signature: verifies' "$tmp/ca" || fail "ca: the signature itself verifies"
grep -q '^certificate: not accepted: .*unable to get local issuer certificate' "$tmp/ca" || fail "ca: $(cat "$tmp/ca")"
run 1 now --set smp.ca= smp verify "$S/signed-service-metadata2.xml"
grep -q '^certificate: not accepted: .*not valid at that moment' "$tmp/now" || fail "now: $(cat "$tmp/now")"

# Tampered copies of the good answer.
sed 's#https://peppol.netedi.com/receive.aspx#https://evil.example/as4#' "$S/signed-service-metadata2.xml" >"$tmp/url.xml"
cmp -s "$tmp/url.xml" "$S/signed-service-metadata2.xml" && fail "the URL was not changed"
run 1 url --set smp.ca= smp verify --at $AT "$tmp/url.xml"
grep -q '^endpoint: .*https://evil.example/as4' "$tmp/url" || fail "url: the endpoint read"
sed 's#<Certificate>MIIFrzCCA5egAwIBAgIQGFKQA5zJ#<Certificate>MIIFrzCCA5egAwIBAgIQGFKQA5zK#' "$S/signed-service-metadata2.xml" >"$tmp/cert.xml"
run 1 cert --set smp.ca= smp verify --at $AT "$tmp/cert.xml"
# A second ServiceMetadata (the signed one kept) and a wrapped one.
sed 's#</ServiceMetadata>#</ServiceMetadata><ServiceMetadata/>#' "$S/signed-service-metadata2.xml" >"$tmp/two.xml"
run 2 two --set smp.ca= smp verify --at $AT "$tmp/two.xml"
grep -q 'a second ServiceMetadata' "$tmp/two" || fail "two: $(cat "$tmp/two")"
sed 's#<ServiceMetadata>#<Wrap><ServiceMetadata>#; s#</ServiceMetadata>#</ServiceMetadata></Wrap>#' "$S/signed-service-metadata2.xml" >"$tmp/wrap.xml"
run 2 wrap --set smp.ca= smp verify --at $AT "$tmp/wrap.xml"

# Not an SMP answer, a DOCTYPE, a missing file: exit 2.
run 2 xsd smp verify "$S/peppol-smp-types-v1-ext.xsd"
printf '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>' >"$tmp/dtd.xml"
run 2 dtd smp verify "$tmp/dtd.xml"
grep -q 'DOCTYPE' "$tmp/dtd" || fail "dtd: not named"
run 2 missing smp verify "$tmp/missing.xml"
run 2 usage smp verify
echo "smp verify: the real answers get their verdicts (2 and 3 verify, weak RSA-SHA1; 1 does not); changed URL and certificate exit 1, second and wrapped ServiceMetadata exit 2; chain and expiry checked"
