#!/bin/sh
# validate_cli.sh - Peppol validation CLI to CLI: `gateway invoice validate`
# over VALIDATE_COPIES (default 180) copies of each official 3.0.21 billing
# example (10 invoices and credit notes: 1,800 documents), one process for
# the whole set, beside Saxon-HE running the official compiled 3.0.21
# XSLTs (CEN EN 16931 UBL and Peppol BIS UBL) after the UBL 2.1 schema, in
# one JVM over the same set (bench/PeppolValidateSaxon.java, one pass, no
# warm-up beyond the set itself). Each side's start-up is subtracted: its
# time on one document is taken off its time on the set, and the rest is
# divided by the other documents. Both must agree on which documents pass.
#
# The official XSLTs are not in the project (never committed): set
# PEPPOL_XSLT_DIR to a folder holding CEN-EN16931-UBL.xslt and
# PEPPOL-EN16931-UBL.xslt of release 2026.5 (phax/phive-rules publishes
# them); without them the row has no peer. Figures only.
set -u
: "${TOP:?}" "${BUILD:?}" "${GATEWAY:?}"
. "$TOP/bench/lib.sh"
REF=${REF:-$TOP/../shared/reference}
copies=${VALIDATE_COPIES:-180}
jar=${SAXON_JAR:-/usr/share/java/Saxon-HE.jar}
xslt=${PEPPOL_XSLT_DIR:-$TOP/var/xslt}
export GW_REFERENCE_DIR="$REF"
d=$(mktemp -d "${TMPDIR:-/tmp}/gw-validate.XXXXXX")
trap 'rm -rf "$d"' EXIT INT TERM
mkdir "$d/set"
n=0
for f in "$REF"/peppol/bis-3.0.21/examples/*.xml; do
	case $(xmllint --xpath 'local-name(/*)' "$f" 2>/dev/null) in
	Invoice | CreditNote) ;;
	*) continue ;;                                           # not a billing document
	esac
	b=$(basename "$f" .xml)
	i=0
	while [ $i -lt "$copies" ]; do cp "$f" "$d/set/$b-$i.xml"; i=$((i + 1)); n=$((n + 1)); done
done
one=$(ls "$d"/set/*.xml | head -n 1)
echo "set: $n documents ($((n / copies)) official invoice and credit-note examples, $copies copies each)"

# Ours: one process over the set, and over one document for its start-up.
measure "$d/t.one" "$GATEWAY" invoice validate "$one" >/dev/null 2>&1
measure "$d/t.set" sh -c "\"$GATEWAY\" invoice validate \"$d\"/set/*.xml >\"$d/ours.out\" 2>\"$d/ours.err\""
ours_us=$(awk -v a="$(wall_of "$d/t.one")" -v b="$(wall_of "$d/t.set")" -v n="$n" \
	'BEGIN { printf "%.1f", (b - a) * 1e6 / (n - 1) }')
grep -v '^==' "$d/ours.out" | grep -q . &&
	echo "gateway invoice validate found errors in the set: $(grep -v '^==' "$d/ours.out" | head -n 3)"
echo "gateway invoice validate: set $(wall_of "$d/t.set") s, one $(wall_of "$d/t.one") s:" \
	"$ours_us us per document after start-up, peak RSS $(peak_mb_of "$d/t.set") MB"
ours_rate=$(awk -v u="$ours_us" 'BEGIN { if (u > 0) printf "%.0f", 1e6 / u; else print "-" }')

peer=-
if [ -f "$jar" ] && command -v javac >/dev/null 2>&1 && [ -f "$xslt/CEN-EN16931-UBL.xslt" ] &&
	[ -f "$xslt/PEPPOL-EN16931-UBL.xslt" ]; then
	mkdir -p "$d/java"
	javac -d "$d/java" -cp "$jar" "$TOP/bench/PeppolValidateSaxon.java"
	# GNU time runs a program, not a shell function: the command is spelt out.
	set -- java -cp "$jar:$d/java" PeppolValidateSaxon 1 0 -xsd "$REF/peppol/ubl-xsd" \
		"$xslt/CEN-EN16931-UBL.xslt" "$xslt/PEPPOL-EN16931-UBL.xslt" --
	measure "$d/s.one" "$@" "$one" >"$d/saxon-one.out" 2>&1
	measure "$d/s.set" "$@" "$d"/set/*.xml >"$d/saxon.out" 2>&1
	# Both sides must agree on which documents pass: every example is valid.
	grep -q 'fatal failed-asserts per pass: 0,' "$d/saxon.out" ||
		echo "Saxon found fatal errors in the set: $(grep 'fatal' "$d/saxon.out")"
	theirs_us=$(awk -v a="$(wall_of "$d/s.one")" -v b="$(wall_of "$d/s.set")" -v n="$n" \
		'BEGIN { printf "%.1f", (b - a) * 1e6 / (n - 1) }')
	echo "Saxon-HE + official 3.0.21 XSLTs: set $(wall_of "$d/s.set") s, one $(wall_of "$d/s.one") s:" \
		"$theirs_us us per document after start-up"
	peer=$(awk -v u="$theirs_us" 'BEGIN { if (u > 0) printf "%.0f", 1e6 / u; else print "-" }')
else
	echo "Saxon side skipped: needs $jar, javac and the official XSLTs in $xslt (PEPPOL_XSLT_DIR)"
fi
row "Peppol validation, CLI to CLI" "$n official examples" "$ours_rate" "documents/s" \
	"$(peak_mb_of "$d/t.set")" "Saxon-HE, official 3.0.21 XSLTs" "$peer" "aim 100x; start-up subtracted on both sides"
