#!/bin/sh
# Peppol AS4 protocol alone (peppol/as4, no network): messages built+signed+
# encrypted, parsed+decrypted+verified, receipts built+verified per second,
# one thread, on the official base example invoice. Env: BUILD, REF.
# Figures only.
set -u
top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
bin="$top/$BUILD/bench/as4_bench"
[ -x "$bin" ] || { echo "as4: $bin not built (make bench)"; exit 1; }
sh "$top/certs/gen-test-pki.sh"
inv="${REF:-$top/../shared/reference}/peppol/examples/peppol/base-example.xml"
[ -f "$inv" ] && set -- -f "$inv" || set --
"$bin" -d "$top/certs/out/g3" -n "${AS4_N:-500}" "$@"
