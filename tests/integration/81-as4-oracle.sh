#!/bin/sh
# 81-as4-oracle.sh - a message built by peppol/as4 opened by another
# implementation (Python's cryptography, not OpenSSL through our code): the
# transported key unwraps with RSA-OAEP SHA-256 / MGF1-SHA256 with the
# receiver's key, the attachment decrypts as AES-128-GCM (IV, cipher text,
# tag), inflates as gzip to an SBDH around the invoice, and the signature's
# attachment reference is the SHA-256 of the gzip bytes. Then
# `gateway as4 verify` on the same message: signature ok, the encrypted
# attachment reported as not checkable.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}"
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
python3 -c 'import cryptography' 2>/dev/null || { echo "skip: python3 cryptography not installed"; exit 0; }
bench=$TOP/$BUILD/bench/as4_bench
[ -x "$bench" ] || (cd "$TOP" && make -s "$BUILD/bench/as4_bench" >/dev/null) || fail "as4_bench not built"
sh "$TOP/certs/gen-test-pki.sh" >/dev/null 2>&1 || fail "test PKI"
"$bench" -n 1 -d "$TOP/certs/out/g3" --write-samples "$tmp" >/dev/null || fail "as4_bench --write-samples"

python3 - "$tmp/message.mime" "$TOP/certs/out/g3/receiver.key.pem" <<'PY' || fail "oracle"
import base64, gzip, hashlib, re, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
raw = open(sys.argv[1], 'rb').read()
key = serialization.load_pem_private_key(open(sys.argv[2], 'rb').read(), None)
head, body = raw.split(b'\r\n\r\n', 1)
bd = re.search(rb'boundary="([^"]+)"', head).group(1)
parts = body.split(b'--' + bd)
soap = parts[1].split(b'\r\n\r\n', 1)[1][:-2]
att_part = parts[2]
att_head, att = att_part.split(b'\r\n\r\n', 1)
att = att[:-2]
assert b'Content-Disposition' not in att_head, 'Content-Disposition present'
cid = re.search(rb'Content-ID: <([^>]+)>', att_head).group(1)
wrapped = base64.b64decode(re.search(rb'<xenc:CipherValue>([^<]+)<', soap).group(1))
assert b'xmlenc11#rsa-oaep"' in soap and b'mgf1sha256' in soap and b'aes128-gcm' in soap
k = key.decrypt(wrapped, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
assert len(k) == 16, 'key length %d' % len(k)
gz = AESGCM(k).decrypt(att[:12], att[12:], None)
sbdh = gzip.decompress(gz)
assert b'<StandardBusinessDocument' in sbdh and b'<Invoice' in sbdh, 'not an SBDH with an invoice'
ref = re.search(rb'<ds:Reference URI="cid:' + re.escape(cid) + rb'">.*?<ds:DigestValue>([^<]+)<', soap).group(1)
assert base64.b64decode(ref) == hashlib.sha256(gz).digest(), 'attachment digest is not SHA-256 of the gzip bytes'
for must in (b'urn:fdc:peppol.eu:2017:identifiers:ap', b'urn:fdc:peppol.eu:2017:agreements:tia:ap_provider',
             b'name="originalSender"', b'name="finalRecipient"', b'type="cenbii-procid-ubl"',
             b'<eb:Action>busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##'):
    assert must in soap, must
assert b'trackingIdentifier' not in soap
print('oracle: key unwrapped, attachment decrypted and inflated, digest matches')
PY

rc=0; "$GATEWAY" as4 verify "$tmp/message.mime" >"$tmp/v.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "verify our message: exit $rc: $(cat "$tmp/v.out")"
grep -q 'signer: .*CN=PBE000101' "$tmp/v.out" || fail "signer: $(cat "$tmp/v.out")"
grep -q '1 not checkable' "$tmp/v.out" || fail "the encrypted attachment: $(cat "$tmp/v.out")"
rc=0; "$GATEWAY" as4 verify "$tmp/receipt.xml" >"$tmp/r.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "verify our receipt: exit $rc: $(cat "$tmp/r.out")"
grep -q 'signer: .*CN=PBE000102' "$tmp/r.out" || fail "receipt signer: $(cat "$tmp/r.out")"
echo "ok: as4 message opened by an independent implementation; our message and receipt verify"
