# tests/integration/lib/batch-env.sh - the common set-up of the ONSS batch
# channel tests (60-batch.sh, 61-batch-queue.sh). Sourced, never run on its
# own (tests/run-all.sh runs only tests/integration/*.sh).
#
# Before sourcing: `set -u`; BATCH_TAG names the temporary folder;
# BATCH_WAIT_MAX (default 3000) bounds wait_for's polls.
# After: TOP, BUILD, GATEWAY, REF set (env or defaults), GW_REFERENCE_DIR
# exported, the current folder is TOP, the test PKI exists, a real sshd runs
# (tests/sftp/sshd.sh, SFTP_* set), $work is a fresh folder, sim_pid="" and
# a trap stops the simulator ($sim_pid) and sshd and removes $work on exit.
# $work/gateway.conf holds the reference folder, the organisation's signing
# identity and the [onss_batch] SFTP connection; [onss_batch] is its last
# section, so a test appends the keys it adds to it, then its own sections.
# Functions: fail MESSAGE, gw ARGS (the gateway on that config),
# wait_for FOLDER PATTERN COUNT, names_ok FOLDER, cms_answer_ok FILE.
# Never starts the simulator itself: each test starts it with its options.

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
GATEWAY=${GATEWAY:-$TOP/$BUILD/gateway}
REF=${REF:-$TOP/../shared/reference}
export GW_REFERENCE_DIR="$REF"
cd "$TOP" || exit 2
sh certs/gen-test-pki.sh >/dev/null 2>&1 || { echo "FAIL: test PKI"; exit 1; }
. "$TOP/tests/sftp/sshd.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/$BATCH_TAG.XXXXXX")
sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	sftp_stop
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
# The end of the simulator's log says why an answer did not come.
fail() { echo "FAIL: $*"; [ -f "$work/sim.log" ] && tail -n 20 "$work/sim.log"; exit 1; }

sftp_start || fail "sshd did not start"
cat > "$work/gateway.conf" <<CONF
reference_dir = $REF
[signing]
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
[onss_batch]
sender = 012996
env = T
sftp_url = $SFTP_URL
sftp_user = $SFTP_USER
sftp_key = $SFTP_KEY
sftp_host_sha256 = $SFTP_HOST_SHA256
sim_ca = $TOP/certs/out/onss/ca.crt.pem
CONF
gw() { "$GATEWAY" --config "$work/gateway.conf" "$@"; }

# wait_for FOLDER PATTERN COUNT: until COUNT answers matching PATTERN are on
# the server (polls; the bound is a failure guard, not a timing assertion).
wait_for() {
	i=0
	while [ "$(ls "$SFTP_ROOT/$1" 2>/dev/null | grep -c "$2")" -lt "$3" ]; do
		i=$((i + 1))
		[ $i -gt "${BATCH_WAIT_MAX:-3000}" ] && fail "no $2 in $1 after a long wait"
		kill -0 "$sim_pid" 2>/dev/null || fail "the batch simulator died"
		sleep 0.1
	done
}

# Batch file names, checked by this pattern and not by the gateway's own
# parser (batch_name_*): <kind>.<purpose>.<sender>.<YYYYMMDD>.<seq>.<env>
# then, for FI/FS, the version and part (".1.1"), for GO the version
# (".1"); answers (FO.ACRF/NOTI/IDFL/DMPI) end at the environment or add a
# counter (".1"), as the names in the official samples
# (../shared/reference/onss/samples) do. The date must exist.
batch_name_re='^(F[IS]\.(DIMN|DMFA|DMWA)\.[0-9]{6}\.[0-9]{8}\.[0-9]{5}\.[RTS]\.1\.1|GO\.(DIMN|DMFA|DMWA)\.[0-9]{6}\.[0-9]{8}\.[0-9]{5}\.[RTS]\.1|FO\.(ACRF|NOTI|IDFL|DMPI)\.[0-9]{6}\.[0-9]{8}\.[0-9]{5}\.[RTS](\.[0-9]+)?)$'
# names_ok FOLDER: every file of FOLDER has a well-formed batch name with a
# real date; FI, FS and GO come together.
names_ok() {
	for f in $(ls "$1"); do
		[ -f "$1/$f" ] || continue
		echo "$f" | grep -Eq "$batch_name_re" || fail "badly named batch file $1/$f"
		d=$(echo "$f" | cut -d. -f4)
		date -d "$d" +%Y%m%d 2>/dev/null | grep -qx "$d" || fail "$f: no such date $d"
		case $f in
		FI.*) b=${f#FI.}
			[ -f "$1/FS.$b" ] || fail "$f without FS.$b"
			[ -f "$1/GO.${b%.1}" ] || fail "$f without GO.${b%.1}" ;;
		esac
	done
}
# cms_answer_ok FILE: a signed answer (base64 CMS signedData around the
# XML) verified by `openssl cms -verify` against the test CA, not by the
# gateway's batch_cms_verify; the well-formed XML inside goes to
# $work/signed.xml. Returns 1 (no fail) when openssl refuses it.
cms_answer_ok() {
	openssl base64 -d -in "$1" -out "$work/signed.der" 2>"$work/cms.err" &&
	openssl cms -verify -binary -inform DER -in "$work/signed.der" -CAfile "$TOP/certs/out/onss/ca.crt.pem" \
		-purpose any -out "$work/signed.xml" 2>"$work/cms.err" &&
	xmllint --noout "$work/signed.xml" 2>>"$work/cms.err"
}
