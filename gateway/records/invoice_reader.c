/*
 * invoice_reader.c - JSON Lines invoice files, one record per call.
 *
 * Owns the open file and one line buffer of at most INVOICE_LINE_MAX bytes;
 * a longer line is rejected and skipped to its end, so memory stays bounded.
 * Blank lines are skipped; a final line without newline is a record like any
 * other. Never writes.
 */
#include "records/invoice_reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct invoice_reader {
	FILE *f;
	bool own;
	char path[256];
	unsigned long line;
	char *buf;
	size_t cap;
};

gw_rc
invoice_reader_open(struct invoice_reader **out, const char *path, char *errbuf, size_t errcap)
{
	struct invoice_reader *r = calloc(1, sizeof *r);
	if (r == NULL)
		return GW_ENOMEM;
	if (strcmp(path, "-") == 0) {
		r->f = stdin;
	} else {
		r->f = fopen(path, "r");
		r->own = true;
	}
	if (r->f == NULL) {
		snprintf(errbuf, errcap, "%s: %s", path, strerror(errno));
		free(r);
		return GW_EIO;
	}
	snprintf(r->path, sizeof r->path, "%s", path);
	*out = r;
	return GW_OK;
}

/* Read one physical line into r->buf (without newline). 1: a line, 0: end of
 * file, -1: read error, -2: line too long (consumed). */
static int
read_line(struct invoice_reader *r, size_t *len)
{
	size_t n = 0;
	bool too_long = false;
	int c;
	while ((c = getc(r->f)) != EOF && c != '\n') {
		if (too_long)
			continue;
		if (n + 1 >= r->cap) {
			size_t ncap = r->cap ? r->cap * 2 : 4096;
			if (ncap > INVOICE_LINE_MAX + 1)
				ncap = INVOICE_LINE_MAX + 1;
			if (n + 1 >= ncap) {
				too_long = true;
				continue;
			}
			char *nb = realloc(r->buf, ncap);
			if (nb == NULL)
				return -1;
			r->buf = nb;
			r->cap = ncap;
		}
		r->buf[n++] = (char)c;
	}
	if (ferror(r->f))
		return -1;
	if (c == EOF && n == 0 && !too_long)
		return 0;
	r->line++;
	if (too_long)
		return -2;
	if (n > 0 && r->buf[n - 1] == '\r')   /* CRLF files */
		n--;
	r->buf[n] = '\0';
	*len = n;
	return 1;
}

/* True when a line holds nothing but spaces and tabs. */
static bool
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

gw_rc
invoice_reader_next(struct invoice_reader *r, struct invoice *inv, struct record_rejection *rej)
{
	size_t len = 0;
	for (;;) {
		memset(rej, 0, sizeof *rej);
		snprintf(rej->file, sizeof rej->file, "%s", r->path);
		int k = read_line(r, &len);
		rej->line = r->line;
		if (k == 0)
			return GW_ENOTFOUND;
		if (k == -1) {
			snprintf(rej->reason, sizeof rej->reason, "read error: %s", strerror(errno));
			return GW_EIO;
		}
		if (k == -2) {
			snprintf(rej->reason, sizeof rej->reason, "line longer than %u bytes",
			    INVOICE_LINE_MAX);
			return GW_EINPUT;
		}
		const char *text = r->buf;
		if (r->line == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
			text += 3;     /* a UTF-8 byte-order mark some editors write */
			len -= 3;
		}
		if (blank(text, len))
			continue;
		gw_rc rc = invoice_parse_json(text, len, inv, rej);
		snprintf(rej->file, sizeof rej->file, "%s", r->path);
		rej->line = r->line;
		if (rc == GW_ENOMEM)
			return GW_EIO;
		return rc;
	}
}

void
invoice_reader_close(struct invoice_reader *r)
{
	if (r == NULL)
		return;
	if (r->own && r->f)
		fclose(r->f);
	free(r->buf);
	free(r);
}
