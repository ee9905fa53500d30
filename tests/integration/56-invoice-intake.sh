#!/bin/sh
# 56-invoice-intake.sh - invoice records into the queue from the command
# line: the sample file taken in (ready on peppol-as4, the buyer without
# Peppol id failed with its reason), the exact bytes `gateway invoice export`
# writes, then fixtures/invoices/revisions.jsonl: revisions become a
# cancelling document plus a new one, both valid with `gateway invoice
# validate`, the credit note's totals those of the invoice it cancels;
# replays change nothing; a conflicting revision is rejected.
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}"
cd "$TOP"
export GW_REFERENCE_DIR="${REF:-/work/shared/reference}"
w=$(mktemp -d "${TMPDIR:-/tmp}/gw56.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$w"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
gw() { "$GATEWAY" --set "queue.dsn=$w/q.db" "$@"; }
count() { # STATE: peppol-as4 count of that state
	gw status --json | sed "s/.*\"peppol-as4\":{[^}]*\"$1\":\([0-9]*\).*/\1/"
}
body() { # MSGID FILE: the stored bytes of a message
	gw show --body "$1" | sed '1,/^body:$/d' > "$2"
}
msgid() { # RECORD KIND REVISION: the message id
	gw show "$1" | awk -v k="$2" -v r="$3" '/^id:/ { id = $2 }
		/^record:/ { rev = $4 } /^kind:/ { if ($2 == k && rev == r) print id }'
}
block() { # FILE TAG: the text of the first <TAG> block, on one line
	tr -d '\n' < "$1" | sed "s|.*\(<$2>.*</$2>\).*|\1|"
}
sample=fixtures/invoices/sample.jsonl
revs=fixtures/invoices/revisions.jsonl

# The sample: 10 records, 9 ready, SMP-0009 (no peppol_id) failed.
gw intake --invoices "$sample" > "$w/i1" 2> "$w/e1" || fail "intake exit $?: $(cat "$w/e1")"
grep -q "10 read, 0 rejected, 10 taken in" "$w/i1" || fail "first intake: $(cat "$w/i1")"
[ "$(count ready)" -eq 9 ] || fail "ready $(count ready), want 9"
[ "$(count failed)" -eq 1 ] || fail "failed $(count failed), want 1"
gw show inv:SMP-0009 > "$w/s9"
grep -q "last error:    buyer has no Peppol id: deliver by other means" "$w/s9" ||
	fail "no reason on SMP-0009: $(cat "$w/s9")"
grep -q "building -> failed: buyer has no Peppol id" "$w/s9" || fail "no failed event"

# The stored bytes are those `gateway invoice export` writes.
"$GATEWAY" invoice export --invoices "$sample" --out "$w/exp" > /dev/null 2>&1 ||
	fail "export exit $?"
for id in SMP-0001 SMP-0009 SMP-0010; do
	want=$(sha256sum "$w/exp/$id.xml" | cut -d' ' -f1)
	gw show "inv:$id" | grep -q "content hash:  sha256:$want" ||
		fail "$id: stored bytes differ from export"
done

# Same file again: nothing.
gw intake --invoices "$sample" > "$w/i2" || fail "replay exit $?"
grep -q " 0 taken in .* 10 unchanged" "$w/i2" || fail "replay: $(cat "$w/i2")"

# Revisions: SMP-0001 r2, SMP-0002 replayed, SMP-0003 r2 then r3, SMP-0009
# r2 (no Peppol id), SMP-0004 r1 with other content (rejected), SMP-0010
# (a credit note) r2.
if gw intake --invoices "$revs" > "$w/i3" 2> "$w/e3"; then fail "conflict not rejected"; fi
grep -q "7 read, 1 rejected, 5 taken in (5 revised; 10 messages: 8 ready, 2 failed)" "$w/i3" ||
	fail "revisions: $(cat "$w/i3")"
grep -q "1 unchanged" "$w/i3" || fail "SMP-0002 replay: $(cat "$w/i3")"
grep -q "record SMP-0004: field revision: revision 1 was already taken in with other content" \
	"$w/e3" || fail "conflict not explained: $(cat "$w/e3")"
[ "$(count ready)" -eq 17 ] || fail "ready $(count ready), want 17"
[ "$(count failed)" -eq 3 ] || fail "failed $(count failed), want 3"

# The revised invoice: one credit note naming SMP-0001, one new invoice.
gw show inv:SMP-0001 > "$w/s1"
[ "$(grep -c '^kind:          invoice' "$w/s1")" -eq 2 ] || fail "invoices: $(cat "$w/s1")"
[ "$(grep -c '^kind:          credit-note' "$w/s1")" -eq 1 ] || fail "credit notes"
grep -Eq "^document id: +SMP-0001-CN2" "$w/s1" || fail "credit note id"
grep -Eq "^document id: +SMP-0001-R2" "$w/s1" || fail "new invoice id"
[ "$(grep -c 'building -> ready: waiting for the Peppol AS4 transport' "$w/s1")" -eq 3 ] ||
	fail "ready event text: $(cat "$w/s1")"
cn=$(msgid inv:SMP-0001 credit-note 2)
r1=$(msgid inv:SMP-0001 invoice 1)
r2=$(msgid inv:SMP-0001 invoice 2)
[ -n "$cn" ] && [ -n "$r1" ] && [ -n "$r2" ] || fail "message ids not found"
body "$cn" "$w/cn.xml"
body "$r1" "$w/r1.xml"
body "$r2" "$w/r2.xml"
"$GATEWAY" invoice validate "$w/cn.xml" "$w/r2.xml" > "$w/v1" || fail "not valid: $(cat "$w/v1")"
grep -q "^<CreditNote " "$w/cn.xml" || fail "not a CreditNote"
[ "$(block "$w/cn.xml" cac:BillingReference | grep -c '<cbc:ID>SMP-0001</cbc:ID>')" -eq 1 ] ||
	fail "BillingReference: $(block "$w/cn.xml" cac:BillingReference)"
for tag in cac:LegalMonetaryTotal cac:TaxTotal cac:InvoiceLine; do
	case $tag in cac:InvoiceLine) ctag=cac:CreditNoteLine ;; *) ctag=$tag ;; esac
	a=$(block "$w/r1.xml" "$tag" | sed 's/InvoicedQuantity/Q/g; s/InvoiceLine/L/g')
	b=$(block "$w/cn.xml" "$ctag" | sed 's/CreditedQuantity/Q/g; s/CreditNoteLine/L/g')
	[ "$a" = "$b" ] || fail "$tag differs between SMP-0001 and its credit note"
done
[ "$(block "$w/r1.xml" cac:LegalMonetaryTotal)" != "$(block "$w/r2.xml" cac:LegalMonetaryTotal)" ] ||
	fail "the new invoice does not carry the new amounts"

# SMP-0003: revision 3 cancels what revision 2 issued.
body "$(msgid inv:SMP-0003 credit-note 3)" "$w/cn3.xml"
block "$w/cn3.xml" cac:BillingReference | grep -q "<cbc:ID>SMP-0003-R2</cbc:ID>" ||
	fail "r3 credit note does not cancel SMP-0003-R2"
"$GATEWAY" invoice validate "$w/cn3.xml" > "$w/v3" || fail "cn3 not valid: $(cat "$w/v3")"

# SMP-0010 is a credit note: its revision is cancelled by an invoice.
body "$(msgid inv:SMP-0010 invoice 2)" "$w/dn.xml"
body "$(msgid inv:SMP-0010 credit-note 2)" "$w/c10.xml"
grep -q "<cbc:ID>SMP-0010-DN2</cbc:ID>" "$w/dn.xml" || fail "no SMP-0010-DN2"
"$GATEWAY" invoice validate "$w/dn.xml" "$w/c10.xml" > "$w/v4" || fail "not valid: $(cat "$w/v4")"

# SMP-0009 revision 2: both documents failed with the reason.
[ "$(gw show inv:SMP-0009 | grep -c 'last error:    buyer has no Peppol id')" -eq 3 ] ||
	fail "SMP-0009 revision 2 not failed"

# Replays of everything: no change.
gw intake --invoices "$revs" > "$w/i4" 2>/dev/null || true
grep -q "7 read, 1 rejected, 0 taken in (0 revised; 0 messages" "$w/i4" || fail "replay: $(cat "$w/i4")"
grep -q "1 replayed (older revision), 5 unchanged" "$w/i4" || fail "replay: $(cat "$w/i4")"
gw intake --invoices "$sample" > "$w/i5" || fail "old sample exit $?"
grep -q " 0 taken in .* 4 replayed (older revision), 6 unchanged" "$w/i5" || fail "old: $(cat "$w/i5")"
[ "$(count ready)" -eq 17 ] && [ "$(count failed)" -eq 3 ] || fail "a replay changed the queue"

# Disk nearly full: refused with a temporary error, nothing written.
grep '"SMP-0005"' "$sample" | sed 's/"revision": "1"/"revision": "2"/; s/"unit_price": "[0-9.]*"/"unit_price": "7.00"/' \
	> "$w/full.jsonl"
if "$GATEWAY" --set "queue.dsn=$w/q.db" --set queue.min_free_mb=999999999999 \
	intake --invoices "$w/full.jsonl" > /dev/null 2> "$w/e6"; then fail "intake on a full disk"; fi
grep -q "disk nearly full" "$w/e6" || fail "full disk not explained: $(cat "$w/e6")"
[ "$(count ready)" -eq 17 ] || fail "a refused intake wrote rows"
gw intake --invoices "$w/full.jsonl" > "$w/i6" || fail "intake after the disk freed up"
grep -q "1 taken in (1 revised; 2 messages: 2 ready" "$w/i6" || fail "after full disk: $(cat "$w/i6")"
gw status --check > /dev/null || fail "integrity check"
echo "invoice intake: 10 + 6 revised records, 22 messages (19 ready, 3 failed), replays inert, full disk refused"
