/*
 * csv.h - splitting one CSV line (RFC 4180, comma, optional quotes) into
 * fields, without allocating. Internal to records/.
 *
 * A record is one physical line: a quoted field that does not close on its
 * line is broken quoting (no contract field may hold a line break), so the
 * reader can always resynchronise at the next line.
 */
#ifndef GW_RECORDS_CSV_H
#define GW_RECORDS_CSV_H

#include <stddef.h>

struct csv_span {
	const char *p;
	size_t n;
};

/* Split line[0..n) (terminator removed). Unquoted fields point into line,
 * quoted ones into scratch (at least n bytes). Returns the number of
 * fields (only the first max are stored), or -1 for broken quoting with
 * *bad = index of the broken field and *why a static reason. */
int csv_split(const char *line, size_t n, char *scratch, struct csv_span *out,
              int max, int *bad, const char **why);

#endif
