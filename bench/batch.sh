#!/bin/sh
# batch.sh - the ONSS batch channel at scale: BATCH_BENCH_N generated
# contracts (default 100000) exported as one signed Dimona batch, checked by
# openssl, uploaded over SFTP to a real sshd on loopback, processed by the
# simulated ONSS (signature, XSD, the Dimona rules), and the answers fetched
# and read back (XSD + parse). Prints the time of each step. Figures only:
# nothing is asserted about time.
set -u
: "${TOP:?}" "${BUILD:?}" "${GATEWAY:?}"
N=${BATCH_BENCH_N:-100000}
REF=${REF:-$TOP/../shared/reference}
export GW_REFERENCE_DIR="$REF"
cd "$TOP" || exit 1
[ -f certs/out/onss/org.key.pem ] || sh certs/gen-test-pki.sh >/dev/null 2>&1
make -s BUILD="$BUILD" "$BUILD/bench/gen_contracts" >/dev/null 2>&1 || { echo "batch: gen_contracts missing"; exit 1; }
. "$TOP/tests/sftp/sshd.sh"
D=$(mktemp -d)
sim_pid=""
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; sftp_stop; rm -rf "$D"' EXIT INT TERM
sftp_start >/dev/null || { echo "batch: sshd did not start"; exit 1; }
cat > "$D/gw.conf" <<EOF
reference_dir = $REF
[signing]
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
[onss_batch]
sftp_url = $SFTP_URL
sftp_user = $SFTP_USER
sftp_key = $SFTP_KEY
sftp_host_sha256 = $SFTP_HOST_SHA256
sim_ca = $TOP/certs/out/onss/ca.crt.pem
EOF
gw() { "$GATEWAY" --config "$D/gw.conf" "$@"; }
ms() { date +%s%3N; }
step() { # label start
	echo "$1: $(( $(ms) - $2 )) ms"
}

"$TOP/$BUILD/bench/gen_contracts" "$N" 3 > "$D/c.csv"
mkdir "$D/out" "$D/answers"
t=$(ms); gw dimona export --contracts "$D/c.csv" --out "$D/out" --sender 012996 --env T >/dev/null 2>&1
step "export $N contracts (rules, XML, atomic write, CMS sign)" "$t"
FI=$(ls "$D/out" | grep '^FI\.DIMN')
forms=$(grep -o '<Form>' "$D/out/$FI" | wc -l)
echo "FI: $forms declarations, $(du -k "$D/out/$FI" | cut -f1) KB"
t=$(ms)
openssl base64 -d -in "$D/out/FS.${FI#FI.}" -out "$D/fs.der" &&
	openssl cms -verify -binary -inform DER -in "$D/fs.der" -content "$D/out/$FI" \
	-CAfile certs/out/onss/ca.crt.pem -out /dev/null 2>/dev/null && step "openssl cms -verify" "$t"
t=$(ms); gw onss upload --dir "$D/out" "$FI" 2>/dev/null; step "SFTP upload (FI, FS, GO)" "$t"
t=$(ms); gw sim batch --root "$SFTP_ROOT" --state "$D/st" --once >/dev/null 2>&1
step "simulated ONSS: signature, XSD, rules, answers" "$t"
t=$(ms); gw onss poll --env T --dir "$D/answers" >/dev/null 2>&1; step "SFTP poll (download, fsync, remove)" "$t"
NOTI=$(ls "$D/answers" | grep '^FO.NOTI')
t=$(ms); gw onss show-answer "$D/answers/$NOTI" > "$D/noti.json"
step "read the NOTI ($(du -k "$D/answers/$NOTI" | cut -f1) KB: XSD + parse + JSON)" "$t"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('answers:', len(d['forms']), 'forms,', sum(1 for f in d['forms'] if f['result_code']==1), 'accepted')" "$D/noti.json"
