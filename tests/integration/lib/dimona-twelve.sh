# dimona-twelve.sh - sourced by the REST fault tests: twelve plain contracts
# of the 533-record fixture (one revision each, an accepted IN expected, no
# designed duplicate), with their expectations.
#
#   dimona_twelve DIR   writes DIR/contracts.csv and DIR/expected.tsv; 1 when
#                       the fixture does not give twelve
#
# Needs the current folder to be TOP.
dimona_twelve() {
	_exp=fixtures/dimona/expected-500.tsv
	_csv=fixtures/dimona/contracts-500.csv
	awk -F, 'NR > 1 { n[$1]++ } END { for (c in n) if (n[c] == 1) print c }' "$_csv" >"$1/single"
	awk -F'\t' 'NR == FNR { single[$1] = 1; next }
		single[$1] && $3 == "IN" && $4 == "A" && $5 == "-" && n[$6]++ < 2 &&
		$6 ~ /^(artist one day|white-collar period|student|flexi one day|blue-collar period|open-ended contract|occasional single day)/' \
		"$1/single" "$_exp" | head -n 12 >"$1/expected.tsv"
	cut -f1 "$1/expected.tsv" >"$1/ids"
	awk -F, 'NR == FNR { want[$1] = 1; next } FNR == 1 || want[$1]' "$1/ids" \
		"$_csv" >"$1/contracts.csv"
	[ "$(wc -l <"$1/expected.tsv")" -eq 12 ] && [ "$(wc -l <"$1/contracts.csv")" -eq 13 ] || {
		echo "fixture subset: $(wc -l <"$1/expected.tsv") expectations, $(wc -l <"$1/contracts.csv") lines"
		return 1
	}
}
