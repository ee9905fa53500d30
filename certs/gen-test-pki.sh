#!/bin/sh
# Generates the test PKI into certs/out/ (ignored by git). Idempotent: does
# nothing when certs/out/.complete exists and is newer than this script.
#
#   onss/     test "ONSS root" CA -> organisation certificate (the sender's
#             signing identity for batch FS files and the REST JWT)
#   peppol/   Peppol-like test root -> test AP CA -> ap1 and ap2 (two access points)
#   tls/      a TLS CA and a localhost server certificate for the simulators
#   bad/      expired, not-yet-valid, wrong-CA and wrong-key-usage certificates
#   g3/       a Peppol-like G3 hierarchy for AS4: root -> AP CA and SMP CA, the
#             AP CA's CRL, sender and receiver AP certificates, and the bad ones
#             (expired, revoked, issued by a wrong CA)
#   ssh/      host key and client key for the SFTP tests
#
# Nothing here is a production key. Keys are mode 600.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/out"
if [ -f "$out/.complete" ] && [ "$out/.complete" -nt "$0" ]; then
	exit 0
fi
rm -rf "$out"
umask 077
mkdir -p "$out/onss" "$out/peppol" "$out/tls" "$out/bad" "$out/ssh" "$out/g3"
cd "$out"

# ext FILE SECTION... writes an openssl extension file.
cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf_sign]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment
extendedKeyUsage = clientAuth, emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_ap]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment, dataEncipherment
extendedKeyUsage = clientAuth, serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_tls]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_wrong_usage]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyCertSign
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
selfsigned() { # key subj out days
	openssl req -new -x509 -key "$1" -subj "$2" -out "$3" -days "$4" -sha256 \
		-extensions ca -config ext.cnf 2>/dev/null ||
	openssl req -new -x509 -key "$1" -subj "$2" -out "$3" -days "$4" -sha256 \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
# issue CA_CRT CA_KEY KEY SUBJ OUT EXT [not_before not_after]
issue() {
	openssl req -new -key "$3" -subj "$4" -out "$5.csr" 2>/dev/null
	if [ $# -ge 8 ]; then
		openssl x509 -req -in "$5.csr" -CA "$1" -CAkey "$2" -CAcreateserial -sha256 \
			-extfile ext.cnf -extensions "$6" -out "$5" \
			-not_before "$7" -not_after "$8" 2>/dev/null ||
		issue_ca_dates "$@"
	else
		openssl x509 -req -in "$5.csr" -CA "$1" -CAkey "$2" -CAcreateserial -sha256 \
			-days 825 -extfile ext.cnf -extensions "$6" -out "$5" 2>/dev/null
	fi
	rm -f "$5.csr"
}
# OpenSSL 3.0's x509 has no -not_before: sign with `ca` and explicit dates.
issue_ca_dates() {
	mkdir -p cadb && : > cadb/index.txt && echo 1000 > cadb/serial
	cat > cadb/ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = cadb/index.txt
serial = cadb/serial
new_certs_dir = cadb
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
[p]
commonName = supplied
organizationName = optional
countryName = optional
CNF
	cat ext.cnf >> cadb/ca.cnf
	openssl ca -batch -config cadb/ca.cnf -cert "$1" -keyfile "$2" -in "$5.csr" \
		-out "$5" -extensions "$6" -startdate "$7" -enddate "$8" -notext 2>/dev/null
}

# ONSS channel: a root and the organisation certificate (subject shaped
# like the qualified organisation certificates used with the ONSS).
key onss/ca.key.pem
selfsigned onss/ca.key.pem "/C=BE/O=Test ONSS Root CA/CN=Test ONSS Root CA" onss/ca.crt.pem 3650
key onss/org.key.pem
issue onss/ca.crt.pem onss/ca.key.pem onss/org.key.pem \
	"/C=BE/O=Cooperative Test/OU=0668600511/serialNumber=0668600511/CN=Cooperative Test gateway" \
	onss/org.crt.pem leaf_sign

# Peppol: test root -> test AP CA -> two access points.
key peppol/root.key.pem
selfsigned peppol/root.key.pem "/C=BE/O=Test Peppol Root/CN=Test PEPPOL Root CA" peppol/root.crt.pem 3650
key peppol/apca.key.pem
issue peppol/root.crt.pem peppol/root.key.pem peppol/apca.key.pem \
	"/C=BE/O=Test Peppol/CN=Test PEPPOL ACCESS POINT CA - G2" peppol/apca.crt.pem ca
for ap in ap1 ap2; do
	key peppol/$ap.key.pem
	issue peppol/apca.crt.pem peppol/apca.key.pem peppol/$ap.key.pem \
		"/C=BE/O=Test AP $ap/OU=PEPPOL TEST AP/CN=PBE00000$( [ $ap = ap1 ] && echo 1 || echo 2)" \
		peppol/$ap.crt.pem leaf_ap
done
cat peppol/apca.crt.pem peppol/root.crt.pem > peppol/chain.pem

# TLS for the simulators (localhost).
key tls/ca.key.pem
selfsigned tls/ca.key.pem "/C=BE/O=Test TLS CA/CN=Test TLS CA" tls/ca.crt.pem 3650
key tls/server.key.pem
issue tls/ca.crt.pem tls/ca.key.pem tls/server.key.pem "/C=BE/O=Simulator/CN=localhost" \
	tls/server.crt.pem leaf_tls

# The bad cases, all with otherwise valid-looking organisation subjects.
key bad/key.pem
issue onss/ca.crt.pem onss/ca.key.pem bad/key.pem "/C=BE/O=Expired/CN=expired" \
	bad/expired.crt.pem leaf_sign 20200101000000Z 20210101000000Z
issue onss/ca.crt.pem onss/ca.key.pem bad/key.pem "/C=BE/O=Future/CN=not-yet-valid" \
	bad/not-yet-valid.crt.pem leaf_sign 20400101000000Z 20410101000000Z
key bad/rogue-ca.key.pem
selfsigned bad/rogue-ca.key.pem "/C=BE/O=Rogue CA/CN=Rogue CA" bad/rogue-ca.crt.pem 3650
issue bad/rogue-ca.crt.pem bad/rogue-ca.key.pem bad/key.pem \
	"/C=BE/O=Cooperative Test/CN=wrong CA" bad/wrong-ca.crt.pem leaf_sign
issue onss/ca.crt.pem onss/ca.key.pem bad/key.pem "/C=BE/O=Wrong usage/CN=wrong key usage" \
	bad/wrong-usage.crt.pem leaf_wrong_usage
issue peppol/apca.crt.pem peppol/apca.key.pem bad/key.pem "/C=BE/O=Expired AP/CN=PBE000009" \
	bad/ap-expired.crt.pem leaf_ap 20200101000000Z 20210101000000Z
issue bad/rogue-ca.crt.pem bad/rogue-ca.key.pem bad/key.pem "/C=BE/O=Rogue AP/CN=PBE000666" \
	bad/ap-wrong-ca.crt.pem leaf_ap

# Peppol G3-like hierarchy for AS4 (peppol/as4/pki.c checks chains against it).
# Every date is fixed, so that a test pinned to any moment from 2025 to 2034
# sees the same validity whatever day the script ran; the CRL's dates too.
# Each CA keeps an `openssl ca` database so that it can revoke and issue a CRL.
g3_db() { # DIR CACERT CAKEY: a CA database in DIR
	mkdir -p "$1/new" && : > "$1/index.txt" && echo 1000 > "$1/serial" && echo 1000 > "$1/crlnumber"
	cat > "$1/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $1/index.txt
serial = $1/serial
crlnumber = $1/crlnumber
new_certs_dir = $1/new
certificate = $2
private_key = $3
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
[p]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
countryName = optional
CNF
	cat ext.cnf >> "$1/ca.cnf"
	# [ca] is the ca command's own section there: the CA extensions get another name.
	printf '[g3_ca]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n%s\n%s\n' \
		'subjectKeyIdentifier = hash' 'authorityKeyIdentifier = keyid:always' >> "$1/ca.cnf"
}
g3_issue() { # DB KEY SUBJ OUT EXT START END
	openssl req -new -key "$2" -subj "$3" -out "$4.csr" 2>/dev/null
	openssl ca -batch -config "$1/ca.cnf" -in "$4.csr" -out "$4" -extensions "$5" \
		-startdate "$6" -enddate "$7" -notext 2>/dev/null
	rm -f "$4.csr"
}
key g3/root.key.pem
openssl req -new -key g3/root.key.pem -subj "/C=BE/O=Test OpenPeppol/OU=FOR TEST ONLY/CN=Test PEPPOL ROOT CA - G3" \
	-out g3/root.csr 2>/dev/null
g3_db g3/rootdb g3/root.crt.pem g3/root.key.pem
openssl ca -batch -selfsign -config g3/rootdb/ca.cnf -keyfile g3/root.key.pem -in g3/root.csr \
	-out g3/root.crt.pem -extensions g3_ca -startdate 20250101000000Z -enddate 20450101000000Z -notext 2>/dev/null
rm -f g3/root.csr
for ca in apca smpca; do
	key g3/$ca.key.pem
	name=$( [ $ca = apca ] && echo "ACCESS POINT" || echo "SERVICE METADATA PUBLISHER")
	g3_issue g3/rootdb g3/$ca.key.pem "/C=BE/O=Test OpenPeppol/OU=FOR TEST ONLY/CN=Test PEPPOL $name TEST CA - G3" \
		g3/$ca.crt.pem g3_ca 20250101000000Z 20400101000000Z
done
g3_db g3/apdb g3/apca.crt.pem g3/apca.key.pem
# ap_g3 NAME CN [START END]: an AP certificate with its own key.
ap_g3() {
	key g3/$1.key.pem
	g3_issue g3/apdb g3/$1.key.pem "/C=BE/O=Test AP $1/OU=PEPPOL TEST AP/CN=$2" g3/$1.crt.pem leaf_ap \
		"${3:-20250101000000Z}" "${4:-20350101000000Z}"
}
ap_g3 sender PBE000101
ap_g3 receiver PBE000102
ap_g3 expired PBE000103 20250101000000Z 20250601000000Z
ap_g3 revoked PBE000104
openssl ca -batch -config g3/apdb/ca.cnf -revoke g3/revoked.crt.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config g3/apdb/ca.cnf -gencrl -out g3/apca.crl.pem \
	-crl_lastupdate 20250601000000Z -crl_nextupdate 20400101000000Z 2>/dev/null
# The wrong CA: a self-made "AP CA" with the same name, not under the root.
key g3/rogue.key.pem
openssl req -new -x509 -key g3/rogue.key.pem -out g3/rogue.crt.pem -days 7300 -sha256 \
	-subj "/C=BE/O=Test OpenPeppol/OU=FOR TEST ONLY/CN=Test PEPPOL ACCESS POINT TEST CA - G3" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
g3_db g3/roguedb g3/rogue.crt.pem g3/rogue.key.pem
key g3/wrongca.key.pem
g3_issue g3/roguedb g3/wrongca.key.pem "/C=BE/O=Test AP wrongca/OU=PEPPOL TEST AP/CN=PBE000105" \
	g3/wrongca.crt.pem leaf_ap 20250101000000Z 20350101000000Z
cat g3/apca.crt.pem g3/root.crt.pem > g3/chain.pem
# The SMP signing certificate (our own SMP, `gateway smp serve`) under the SMP CA.
g3_db g3/smpdb g3/smpca.crt.pem g3/smpca.key.pem
key g3/smp.key.pem
g3_issue g3/smpdb g3/smp.key.pem "/C=BE/O=Test SMP/OU=PEPPOL TEST SMP/CN=PSM000101" g3/smp.crt.pem leaf_ap \
	20250101000000Z 20350101000000Z
cat g3/smpca.crt.pem g3/root.crt.pem > g3/smp-chain.pem
rm -rf g3/rootdb g3/apdb g3/roguedb g3/smpdb

# SSH keys for the SFTP channel and the test sshd.
ssh-keygen -q -t ed25519 -N '' -C gateway-test-host -f ssh/host_ed25519 >/dev/null
ssh-keygen -q -t ed25519 -N '' -C gateway-test-client -f ssh/client_ed25519 >/dev/null

rm -rf cadb ext.cnf ./*/*.srl ./*.srl
chmod 600 ./*/*key* ssh/host_ed25519 ssh/client_ed25519
chmod 644 ./*/*.crt.pem peppol/chain.pem g3/chain.pem g3/smp-chain.pem g3/apca.crl.pem ssh/*.pub
touch .complete
echo "test PKI generated in $out" >&2
