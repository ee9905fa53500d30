#!/bin/sh
# 83-as4-receive-refusals.sh - refusals through the real receive path (POST
# /as4 of `gateway serve` over HTTPS), from a test peer (bench/as4_forge)
# whose messages are otherwise right (signed by a valid AP certificate,
# encrypted to the receiver): an SBDH that is not gzip-compressed although
# the headers say gzip is refused with EBMS:0303; an SBDH that disagrees
# with the ebMS headers - originalSender, finalRecipient, Action (document
# type), Service (process), each in turn - with EBMS:0004 naming the pair.
# Nothing is stored for any of them (record store rows, inbox files). The
# same peer's right message is stored and answered with a receipt, before
# and after: the refusals are not the setup failing.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
cd "$TOP" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
export GW_REFERENCE_DIR="$REF"
P=$TOP/certs/out
w=$(mktemp -d "${TMPDIR:-/tmp}/gw83.XXXXXX")
rpid=
trap '[ -n "$rpid" ] && kill "$rpid" 2>/dev/null; rm -rf "$w"' EXIT INT TERM
fail() { echo "FAIL: $*"; [ -f "$w/err" ] && tail -5 "$w/err"; exit 1; }
[ -x "$BUILD/bench/as4_forge" ] || fail "$BUILD/bench/as4_forge missing (make bench-bins)"
[ -f "$P/g3/receiver.crt.pem" ] || fail "run certs/gen-test-pki.sh"

"$GATEWAY" --set "queue.dsn=$w/q.db" --set peppol_as4.receive=on \
	--set "peppol_as4.cert=$P/g3/receiver.crt.pem" --set "peppol_as4.key=$P/g3/receiver.key.pem" \
	--set "peppol_as4.ca=$P/g3/chain.pem" --set "peppol_as4.crl=$P/g3/apca.crl.pem" \
	--set "peppol_as4.inbox=$w/inbox" \
	--set "http.cert=$P/tls/server.crt.pem" --set "http.key=$P/tls/server.key.pem" \
	serve --port 0 --port-file "$w/port" > "$w/out" 2> "$w/err" &
rpid=$!
i=0
while [ ! -s "$w/port" ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "receiver did not start"
	kill -0 "$rpid" 2>/dev/null || fail "receiver exited"
	sleep 0.1
done
port=$(cat "$w/port")
rows() { sqlite3 "$w/q.db" 'SELECT count(*) FROM as4_inbound' 2>/dev/null || echo 0; }
files() { ls "$w/inbox" 2>/dev/null | grep -c .; }
doc=$REF/peppol/examples/peppol/base-example.xml
n=0
send() { # NAME [as4_forge options]: forge a message with its own ids, POST it
	name=$1; shift
	n=$((n + 1))
	"$BUILD/bench/as4_forge" -d "$P/g3" -s sender -t receiver -f "$doc" -S 0208:0668600511 \
		-R 0208:0739484052 -i "6b1f0d1e-7c1a-4d63-9a4e-0c5a2f1e9c$(printf %02d $n)" "$@" \
		"$w/$name" > "$w/$name.id" || fail "as4_forge $name $*"
	curl -s --cacert "$P/tls/ca.crt.pem" -H "Content-Type: $(cat "$w/$name.ct")" \
		--data-binary "@$w/$name" "https://localhost:$port/as4" -o "$w/$name.answer" ||
		fail "POST $name: curl $?"
}
code() { sed -n 's/.*errorCode="\(EBMS:[0-9]*\)".*/\1/p' "$w/$1.answer" | head -n 1; }
stored_ok() { # NAME: answered with a receipt for it, one more row and two more files
	grep -q 'Receipt' "$w/$1.answer" || fail "$1: no receipt: $(head -c 300 "$w/$1.answer")"
	grep -q "RefToMessageId>$(cat "$w/$1.id")<" "$w/$1.answer" || fail "$1: receipt for another id"
	[ "$(rows)" -eq $((before + 1)) ] && [ "$(files)" -eq $((before_files + 2)) ] ||
		fail "$1: stored $(( $(rows) - before )) rows, $(( $(files) - before_files )) files; want 1 and 2"
}

before=$(rows); before_files=$(files)
send right-first
stored_ok right-first
line="right=stored"

doctype=$(sed -n 's/.*CustomizationID>\([^<]*\)<.*/\1/p' "$doc" | head -n 1)
other_doc="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##$doctype::2.1"
before=$(rows); before_files=$(files)
for case in no-gzip:EBMS:0303:DecompressionFailure \
    sender:EBMS:0004:"sender / originalSender" receiver:EBMS:0004:"receiver / finalRecipient" \
    doctype:EBMS:0004:"DOCUMENTID / Action" process:EBMS:0004:"PROCESSID / Service"; do
	name=${case%%:*}; rest=${case#*:}
	want=${rest%:*}; says=${rest##*:}
	case $name in
	no-gzip) send "$name" --no-gzip ;;
	sender) send "$name" --ebms-sender 0208:0000000097 ;;
	receiver) send "$name" --ebms-receiver 0208:0000000097 ;;
	doctype) send "$name" --ebms-doctype "$other_doc" ;;
	process) send "$name" --ebms-process urn:fdc:peppol.eu:2017:poacc:selfbilling:01:1.0 ;;
	esac
	got=$(code "$name")
	[ "$got" = "$want" ] || fail "$name: answered '${got:-no error}', want $want: $(head -c 400 "$w/$name.answer")"
	grep -q "$says" "$w/$name.answer" || fail "$name: the error does not say '$says': $(head -c 600 "$w/$name.answer")"
	grep -q "RefToMessageInError=\"$(cat "$w/$name.id")\"\|RefToMessageId>$(cat "$w/$name.id")<" \
		"$w/$name.answer" || fail "$name: the error does not name the message"
	[ "$(rows)" -eq "$before" ] && [ "$(files)" -eq "$before_files" ] ||
		fail "$name: something was stored ($(rows) rows, $(files) files)"
	line="$line $name=$got"
done

send right-last
stored_ok right-last
line="$line right-again=stored"
kill "$rpid"; wait "$rpid" 2>/dev/null; rpid=
echo "$line"
want="right=stored no-gzip=EBMS:0303 sender=EBMS:0004 receiver=EBMS:0004 doctype=EBMS:0004"
[ "$line" = "$want process=EBMS:0004 right-again=stored" ] || fail "last line: $line"
