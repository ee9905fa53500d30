/*
 * csv.c - one CSV line into fields (records/csv.h).
 *
 * Owns RFC 4180 quoting: "" inside a quoted field is one quote; a quote
 * inside an unquoted field, text after a closing quote and a quote left
 * open at the end of the line are broken quoting. Never allocates, never
 * looks past n.
 */
#include "records/csv.h"

#include <string.h>

int
csv_split(const char *line, size_t n, char *scratch, struct csv_span *out,
          int max, int *bad, const char **why)
{
	size_t i = 0, sp = 0;
	int nf = 0;

	for (;;) {
		struct csv_span f;
		if (i < n && line[i] == '"') {
			size_t start = sp;
			i++;
			for (;;) {
				if (i >= n) {
					*bad = nf;
					*why = "quoted field not closed on its line";
					return -1;
				}
				if (line[i] == '"') {
					if (i + 1 < n && line[i + 1] == '"') {
						scratch[sp++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				scratch[sp++] = line[i++];
			}
			if (i < n && line[i] != ',') {
				*bad = nf;
				*why = "text after the closing quote";
				return -1;
			}
			f.p = scratch + start;
			f.n = sp - start;
		} else {
			const char *comma = memchr(line + i, ',', n - i);
			size_t end = comma ? (size_t)(comma - line) : n;
			if (memchr(line + i, '"', end - i) != NULL) {
				*bad = nf;
				*why = "quote inside an unquoted field";
				return -1;
			}
			f.p = line + i;
			f.n = end - i;
			i = end;
		}
		if (nf < max)
			out[nf] = f;
		nf++;
		if (i >= n)
			return nf;
		i++;                /* the comma */
	}
}
