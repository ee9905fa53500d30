#!/bin/sh
# 92-smp-discovery.sh - discovery against dnsmasq (U-NAPTR records on a
# loopback port) and `gateway smp serve` (our own SMP over HTTPS), through
# `gateway smp lookup`: a published participant is found (its AS4 URL and
# certificate), a second look-up comes from the cache (the DNS TTL); the
# final outcomes exit 1 (NXDOMAIN, SMP 404, a document type not published,
# a plain-HTTP NAPTR URL); the temporary ones exit 2 (DNS server down, SMP
# unreachable, an SMP that never answers) and do not hold the next
# participant. The SMP itself: the service group links to each document
# type, the signed metadata verifies under the SMP CA, unknown paths 404.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
. "$(dirname "$0")/../lib/smp.sh"
. "$(dirname "$0")/../lib/procs.sh"
: "${TOP:?}" "${GATEWAY:?}"
cd "$TOP" || exit 1
command -v dnsmasq >/dev/null || { echo "FAIL: dnsmasq missing (make deps)"; exit 1; }
tmp=$(mktemp -d)
cleanup() {
	dns_stop "$tmp"
	[ -f "$tmp/smp.pid" ] && kill "$(cat "$tmp/smp.pid")" 2>/dev/null
	[ -f "$tmp/slow.pid" ] && kill "$(cat "$tmp/slow.pid")" 2>/dev/null
	wait 2>/dev/null
	left=0; no_leftovers "$tmp" || left=1
	rm -rf "$tmp"
	[ "$left" -eq 0 ] || exit 1
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
P=$TOP/certs/out
A=0208:0739484052       # published by our SMP
B=0208:0314595348       # in the SML, not in the SMP (404)
C=0208:0000000097       # not in the SML (NXDOMAIN)
D=0208:0200068636       # its SMP does not listen
E=0208:0440058217       # a NAPTR pointing at plain HTTP
F=0208:0202239951       # its SMP accepts and never answers

"$GATEWAY" --set http.listen=127.0.0.1 --set "http.cert=$P/tls/server.crt.pem" \
	--set "http.key=$P/tls/server.key.pem" --set "smp.participants=$A" \
	--set "smp.endpoint_url=https://localhost:9443/as4" --set "smp.endpoint_cert=$P/g3/receiver.crt.pem" \
	smp serve --port 0 --port-file "$tmp/smp.port" >"$tmp/smp.log" 2>&1 &
echo $! > "$tmp/smp.pid"
i=0; while [ ! -s "$tmp/smp.port" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/smp.port" ] || fail "smp serve did not start: $(cat "$tmp/smp.log")"
sp=$(cat "$tmp/smp.port")
dead=$(free_port)
python3 -c 'import socket,sys,time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)' >"$tmp/slow.port" &
echo $! > "$tmp/slow.pid"
i=0; while [ ! -s "$tmp/slow.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
slow=$(cat "$tmp/slow.port")
dp=$(free_port)
dns_start "$tmp" "$dp" "$A=https://localhost:$sp" "$B=https://localhost:$sp/" "$D=https://localhost:$dead" \
	"$E=http://localhost:$sp" "$F=https://localhost:$slow" || fail "dnsmasq"

look() { # WANT NAME ARGS...
	want=$1 name=$2; shift 2
	rc=0; "$GATEWAY" --set "smp.resolver=127.0.0.1:$dp" --set "smp.tls_ca=$P/tls/ca.crt.pem" \
		--set smp.http_timeout_ms=1000 "$@" >"$tmp/$name" 2>&1 || rc=$?
	[ "$rc" -eq "$want" ] || fail "$name: exit $rc, want $want: $(cat "$tmp/$name")"
}
look 0 found smp lookup "$A" "$A"
grep -q "^$A: endpoint https://localhost:9443/as4 certificate .*CN=PBE000102" "$tmp/found" || fail "found: $(cat "$tmp/found")"
grep -q '^lookups: dns=1 smp=1 cached=1 ' "$tmp/found" || fail "the second look-up did not come from the cache: $(cat "$tmp/found")"
look 1 nx smp lookup "$C"
grep -q "not deliverable over Peppol: $C is not registered in the SML (.*NXDOMAIN)" "$tmp/nx" || fail "nx: $(cat "$tmp/nx")"
look 1 404 smp lookup "$B"
grep -q "not deliverable over Peppol: the SMP of $B does not know it .*HTTP 404" "$tmp/404" || fail "404: $(cat "$tmp/404")"
look 1 doc smp lookup --doctype "urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order##urn:x::2.1" "$A"
grep -q 'HTTP 404' "$tmp/doc" || fail "doc: $(cat "$tmp/doc")"
look 1 http smp lookup "$E"
grep -q 'not deliverable over Peppol: .*HTTPS only' "$tmp/http" || fail "http: $(cat "$tmp/http")"
look 2 down smp lookup "$D"
grep -q "SMP GET https://localhost:$dead/.*(retried later)" "$tmp/down" || fail "down: $(cat "$tmp/down")"
# A slow SMP costs its own look-up one timeout; the next participant is found.
look 2 slow smp lookup "$F" "$A"
grep -q "^$F: SMP GET .*Timeout" "$tmp/slow" || fail "slow: $(cat "$tmp/slow")"
grep -q "^$A: endpoint https://localhost:9443/as4" "$tmp/slow" || fail "slow held the next one: $(cat "$tmp/slow")"
# The DNS server does not answer: temporary.
rc=0; "$GATEWAY" --set "smp.resolver=127.0.0.1:$(free_port)" --set smp.dns_timeout_ms=300 \
	smp lookup "$A" >"$tmp/nodns" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "nodns: exit $rc, want 2: $(cat "$tmp/nodns")"
grep -q 'DNS look-up of .* failed: .*(retried later)' "$tmp/nodns" || fail "nodns: $(cat "$tmp/nodns")"
grep -q 'type=35\|query\[NAPTR\]' "$tmp/dns.log" || fail "dnsmasq saw no NAPTR query"
grep -q 'query\[CNAME\]' "$tmp/dns.log" && fail "a CNAME query was made"

# Our SMP as a client sees it.
enc=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "iso6523-actorid-upis::$A")
curl -sS --cacert "$P/tls/ca.crt.pem" "https://localhost:$sp/$enc" >"$tmp/group.xml" || fail "GET service group"
grep -q "<ids:ParticipantIdentifier scheme=\"iso6523-actorid-upis\">$A</ids:ParticipantIdentifier>" "$tmp/group.xml" || fail "group: $(cat "$tmp/group.xml")"
[ "$(grep -o 'ServiceMetadataReference href=' "$tmp/group.xml" | wc -l)" -eq 2 ] || fail "group: two document types: $(cat "$tmp/group.xml")"
href=$(sed -n 's/.*ServiceMetadataReference href="\([^"]*CreditNote[^"]*\)".*/\1/p' "$tmp/group.xml")
[ -n "$href" ] || fail "no credit note reference"
curl -sS --cacert "$P/tls/ca.crt.pem" "$href" >"$tmp/meta.xml" || fail "GET $href"
look 0 verify smp verify "$tmp/meta.xml"
grep -q '^signature: verifies (http://www.w3.org/2001/04/xmldsig-more#rsa-sha256)' "$tmp/verify" || fail "verify: $(cat "$tmp/verify")"
grep -q '^weak' "$tmp/verify" && fail "our own answer reported weak"
grep -q '^certificate: ok (valid at that moment, chains to the SMP CA)' "$tmp/verify" || fail "verify: $(cat "$tmp/verify")"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$P/tls/ca.crt.pem" "https://localhost:$sp/iso6523-actorid-upis%3A%3A0208%3A0000000097")
[ "$code" = 404 ] || fail "unknown participant: HTTP $code"
echo "smp discovery: found through dnsmasq + smp serve (second look-up cached); NXDOMAIN, SMP 404, unpublished document type, plain HTTP are final; DNS down, SMP down and a hanging SMP are temporary and hold nothing; our SMP's answers verify under the SMP CA"
