#!/bin/sh
# Differential check of the native CEN rule set against the official
# CEN TC 434 XSLT run by Saxon-HE: every unit-test document, every complete
# example, and N mutated examples; findings (rule id, flag, location, count)
# must be identical per document. A developer tool, not run by make check:
# the official XSLT is not in the repository (fetch it; never commit it).
#
# usage: CEN_XSLT=.../ubl/xslt/EN16931-UBL-validation.xslt \
#        [SAXON_JAR=/usr/share/java/Saxon-HE.jar] [N=500] [SEED=1] \
#        BUILD=build REF=../shared/reference sh tests/conformance/tools/cen_saxon_diff.sh
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-build}
REF=${REF:-$top/../shared/reference}
SAXON_JAR=${SAXON_JAR:-/usr/share/java/Saxon-HE.jar}
: "${CEN_XSLT:?set CEN_XSLT to the official EN16931-UBL-validation.xslt}"
bin="$top/$BUILD/conformance/peppol_unit"
tools="$top/tests/conformance/tools"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/in" "$work/mine" "$work/svrl"

# unit-test documents and their findings
REF="$REF" "$bin" --suite cen --dump "$work/in" >/dev/null || true
mv "$work"/in/*.txt "$work/mine/"
# complete examples and mutated examples
for f in "$REF"/peppol/examples/peppol/*.xml "$REF"/peppol/examples/peppol-snippets/*.xml; do
	cp "$f" "$work/in/ex-$(basename "$f")"
done
python3 "$tools/mutate.py" "$REF" "$work/in" "${N:-500}" "${SEED:-1}" "$work/in"
for f in "$work"/in/ex-*.xml "$work"/in/m*.xml; do
	b=$(basename "$f")
	"$bin" --doc --suite cen "$f" | grep -v ' fatal, [0-9]* warning$' | sed "s|^$f: ||" >"$work/mine/$b.txt" || true
done
java -jar "$SAXON_JAR" -s:"$work/in" -xsl:"$CEN_XSLT" -o:"$work/svrl" >"$work/saxon.log" 2>&1 || true
python3 "$tools/svrl_diff.py" "$work/svrl" "$work/mine" -v
