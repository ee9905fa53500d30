#!/bin/sh
# Differential check of one native rule set (Peppol or CEN) of one BIS
# release against the official compiled XSLT of that release run by
# Saxon-HE: every unit-test document of the suite, every complete example
# (examples/, the snippets and bis-3.0.21/examples), N random mutants
# (mutate.py) and N mutants aimed at the 3.0.21 changes (mutate_21.py);
# findings (flag, rule id, location, count) must be identical per document.
# A developer tool, not run by make check: the official XSLTs are not in
# the repository (phax/phive-rules, phive-rules-peppol/src/main/resources/
# external/schematron/openpeppol/2026.5/xslt/; never commit them).
#
# usage: XSLT=.../PEPPOL-EN16931-UBL.xslt SUITE=peppol RELEASE=3.0.21 \
#        [SAXON_JAR=/usr/share/java/Saxon-HE.jar] [N=500] [SEED=1] [KEEP=dir] [PEPPOL_UNIT=bin] \
#        BUILD=build REF=../shared/reference sh tests/conformance/tools/peppol_saxon_diff.sh
#        (SUITE=cen with XSLT=.../CEN-EN16931-UBL.xslt for the CEN rules)
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-build}
REF=${REF:-$top/../shared/reference}
SAXON_JAR=${SAXON_JAR:-/usr/share/java/Saxon-HE.jar}
SUITE=${SUITE:-peppol}
RELEASE=${RELEASE:-3.0.21}
N=${N:-500}
SEED=${SEED:-1}
: "${XSLT:?set XSLT to the official compiled XSLT of the release}"
bin=${PEPPOL_UNIT:-$top/$BUILD/conformance/peppol_unit}
tools="$top/tests/conformance/tools"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/in" "$work/mine" "$work/svrl" "$work/src"

# unit-test documents of the suite and their findings
REF="$REF" "$bin" --suite "$SUITE" --release "$RELEASE" --dump "$work/in" >/dev/null || true
mv "$work"/in/*.txt "$work/mine/"
# complete examples, then mutants of them
for f in "$REF"/peppol/examples/peppol/*.xml "$REF"/peppol/examples/peppol-snippets/*.xml; do
	cp "$f" "$work/in/ex-$(basename "$f")"
done
for f in "$REF"/peppol/bis-3.0.21/examples/*.xml; do
	cp "$f" "$work/in/ex21-$(basename "$f")"
	cp "$f" "$work/src/"
done
python3 "$tools/mutate.py" "$REF" "$work/in" "$N" "$SEED" "$work/in"
python3 "$tools/mutate_21.py" "$work/in" "$N" "$SEED" "$work"/src/*.xml
for f in "$work"/in/ex*.xml "$work"/in/m*.xml "$work"/in/t*.xml; do
	b=$(basename "$f")
	"$bin" --doc --suite "$SUITE" --release "$RELEASE" "$f" | grep -v ' fatal, [0-9]* warning$' |
	    sed "s|^$f: ||" >"$work/mine/$b.txt" || true
done
java -jar "$SAXON_JAR" -s:"$work/in" -xsl:"$XSLT" -o:"$work/svrl" >"$work/saxon.log" 2>&1 || true
[ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp -r "$work/in" "$work/mine" "$work/svrl" "$KEEP/"
python3 "$tools/svrl_diff.py" "$work/svrl" "$work/mine" -v
