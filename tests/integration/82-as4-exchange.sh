#!/bin/sh
# 82-as4-exchange.sh - `make peppol-exchange` with N=40: two gateway
# instances over AS4 on loopback HTTPS. Every record delivered exactly once
# with a verified receipt, although the receiver is killed after storing
# the first message and before answering (test hook); a tampered, wrongly
# encrypted, wrong-CA, expired and revoked message each refused with its
# ebMS error and nothing stored; a replay answered with the same receipt and
# stored once (tests/peppol-exchange.sh checks each and says what failed).
# Then a sender that never sends (its `gateway run` replaced by a wait): the
# exchange must stop at its bound (GW_EXCHANGE_WAIT_S) and say so, not hang.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}"
cd "$TOP" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
out=$(N=40 BUILD=$BUILD sh tests/peppol-exchange.sh 2>&1) || { echo "$out"; exit 1; }
last=$(echo "$out" | tail -n 1)
want="sent=40 delivered-once=40 duplicates=0 receipts-verified=40 refused: tampered=EBMS:0101"
want="$want wrong-encryption=EBMS:0102 wrong-ca=EBMS:0101 expired=EBMS:0101 revoked=EBMS:0101"
want="$want replayed=same-receipt,stored-once"
[ "$last" = "$want" ] || { echo "last line: $last"; echo "want:      $want"; exit 1; }
# The stuck sender: a GATEWAY that is the real one except for `run`.
w=$(mktemp -d "${TMPDIR:-/tmp}/gw82.XXXXXX")
trap 'rm -rf "$w"' EXIT
printf '#!/bin/sh\ncase " $* " in *" run --until-idle "*) exec sleep 3600 ;; esac\nexec "%s" "$@"\n' \
	"$GATEWAY" > "$w/gateway"
chmod +x "$w/gateway"
rc=0
stuck=$(GATEWAY=$w/gateway GW_EXCHANGE_WAIT_S=3 N=2 BUILD=$BUILD timeout 120 sh tests/peppol-exchange.sh 2>&1) ||
	rc=$?
[ "$rc" -eq 1 ] && echo "$stuck" | grep -q "FAIL: the receiver got nothing in 3 s (GW_EXCHANGE_WAIT_S): the sender never sent" ||
	{ echo "a sender that never sends: exit $rc (124: the exchange hung), want 1 with the reason:"
	  echo "$stuck" | tail -5; exit 1; }
echo "$last"
