/*
 * reader.c - streaming contract record files, CSV or JSON Lines
 * (records/reader.h).
 *
 * Owns the file: buffering, physical lines (LF or CRLF, a BOM at the
 * start), the CSV header and its column map, and the rejection text. One
 * record is one line in both formats, so a broken record never takes the
 * next one with it. The CSV path allocates nothing per record: the line,
 * its unquoted copy and the field spans live in the reader.
 */
#include "records/reader.h"
#include "records/csv.h"
#include "records/contract_fields.h"
#include "records/contract_jsonl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_BYTES  65536           /* longer records are refused */
#define BUF_BYTES       (4 * LINE_MAX_BYTES)
#define MAX_COLUMNS     128

struct contract_reader {
	FILE *fp;
	int own_fp;
	char name[256];
	enum contract_format fmt;
	char *buf;                      /* BUF_BYTES */
	size_t start, end;
	off_t base;                     /* file offset of buf[0] */
	off_t rec_off;                  /* where the last line read lies, and its length */
	size_t rec_len;
	int eof;
	int skipping;                   /* inside a line longer than the maximum */
	unsigned long lineno;
	/* CSV */
	int ncols;
	signed char colmap[MAX_COLUMNS];   /* field, or -1 unknown, -2 repeated */
	char colname[MAX_COLUMNS][48];
	char *scratch;                  /* unquoted field text, LINE_MAX_BYTES */
	struct csv_span spans[MAX_COLUMNS];
	/* JSON Lines */
	char *fix;                      /* 3 * LINE_MAX_BYTES + 1, allocated when needed */
};

enum line_rc { LINE_OK, LINE_EOF, LINE_TOO_LONG, LINE_IOERR };

/* Next physical line without its terminator (and without a final CR). */
static enum line_rc
next_line(struct contract_reader *r, char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL || (r->eof && r->start < r->end)) {
			char *p = r->buf + r->start;
			size_t n = nl ? (size_t)(nl - p) : r->end - r->start;
			r->start = nl ? (size_t)(nl + 1 - r->buf) : r->end;
			r->lineno++;
			if (r->skipping || n > LINE_MAX_BYTES) {
				/* The scratch buffers are LINE_MAX_BYTES: never parse more. */
				r->skipping = 0;
				return LINE_TOO_LONG;
			}
			if (n > 0 && p[n - 1] == '\r')
				n--;
			if (r->lineno == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
				p += 3;
				n -= 3;
			}
			*line = p;
			*len = n;
			r->rec_off = r->base + (p - r->buf);
			r->rec_len = n;
			return LINE_OK;
		}
		if (r->eof) {
			if (r->skipping) {
				r->skipping = 0;
				r->lineno++;
				return LINE_TOO_LONG;
			}
			return LINE_EOF;
		}
		if (r->end - r->start >= LINE_MAX_BYTES) {
			/* Drop what we have of the long line; keep reading to its end. */
			r->skipping = 1;
			r->base += r->end;
			r->start = r->end = 0;
		} else if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->base += r->start;
			r->end -= r->start;
			r->start = 0;
		}
		size_t got = fread(r->buf + r->end, 1, BUF_BYTES - r->end, r->fp);
		r->end += got;
		if (got == 0) {
			if (ferror(r->fp))
				return LINE_IOERR;
			r->eof = 1;
		}
	}
}

/* True for a line with nothing but spaces and tabs. */
static int
blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

/* Printable copy of a header name for rejections. */
static void
keep_name(char *dst, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* Read the header line and map its columns to fields. */
static gw_rc
csv_header(struct contract_reader *r, char *errbuf, size_t errcap)
{
	char *line;
	size_t n;
	enum line_rc lr;
	int bad;
	const char *why;

	do {
		lr = next_line(r, &line, &n);
	} while (lr == LINE_OK && blank(line, n));
	if (lr == LINE_EOF)
		return GW_OK;                   /* an empty file has no records */
	if (lr == LINE_IOERR) {
		snprintf(errbuf, errcap, "%s: read error: %s", r->name, strerror(errno));
		return GW_EIO;
	}
	if (lr == LINE_TOO_LONG) {
		snprintf(errbuf, errcap, "%s:%lu: header longer than %d bytes", r->name,
		    r->lineno, LINE_MAX_BYTES);
		return GW_EINPUT;
	}
	int nf = csv_split(line, n, r->scratch, r->spans, MAX_COLUMNS, &bad, &why);
	if (nf < 0) {
		snprintf(errbuf, errcap, "%s:%lu: header column %d: %s", r->name, r->lineno,
		    bad + 1, why);
		return GW_EINPUT;
	}
	if (nf > MAX_COLUMNS) {
		snprintf(errbuf, errcap, "%s:%lu: header has %d columns, at most %d", r->name,
		    r->lineno, nf, MAX_COLUMNS);
		return GW_EINPUT;
	}
	int seen[CF_COUNT] = { 0 };
	for (int i = 0; i < nf; i++) {
		const struct csv_span *s = &r->spans[i];
		if (s->n == 0) {
			snprintf(errbuf, errcap, "%s:%lu: header column %d has no name", r->name,
			    r->lineno, i + 1);
			return GW_EINPUT;
		}
		int f = contract_field_lookup(s->p, s->n);
		keep_name(r->colname[i], sizeof r->colname[i], s->p, s->n);
		/* Unknown and repeated columns refuse every record that puts a
		 * value in them: that value would otherwise be lost or ambiguous. */
		if (f < 0)
			r->colmap[i] = -1;
		else if (seen[f]++) {
			r->colmap[i] = -2;
			for (int k = 0; k < i; k++)
				if (r->colmap[k] == f)
					r->colmap[k] = -2;
		} else
			r->colmap[i] = (signed char)f;
	}
	r->ncols = nf;
	return GW_OK;
}

gw_rc
contract_reader_open_stream(struct contract_reader **out, FILE *fp, const char *name,
                            enum contract_format fmt, char *errbuf, size_t errcap)
{
	struct contract_reader *r = calloc(1, sizeof *r);
	gw_rc rc = GW_ENOMEM;

	*out = NULL;
	if (r == NULL || (r->buf = malloc(BUF_BYTES)) == NULL ||
	    (r->scratch = malloc(LINE_MAX_BYTES)) == NULL) {
		snprintf(errbuf, errcap, "%s: out of memory", name);
		goto fail;
	}
	r->fp = fp;
	snprintf(r->name, sizeof r->name, "%s", name);
	if (fmt == CONTRACT_FMT_AUTO) {
		/* Peek: fill the buffer once and look at the first real byte. */
		r->end = fread(r->buf, 1, BUF_BYTES, fp);
		if (r->end < BUF_BYTES) {
			if (ferror(fp)) {
				snprintf(errbuf, errcap, "%s: read error: %s", name, strerror(errno));
				rc = GW_EIO;
				goto fail;
			}
			r->eof = 1;
		}
		size_t i = r->end >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		while (i < r->end && (r->buf[i] == ' ' || r->buf[i] == '\t' ||
		    r->buf[i] == '\r' || r->buf[i] == '\n'))
			i++;
		fmt = i < r->end && r->buf[i] == '{' ? CONTRACT_FMT_JSONL : CONTRACT_FMT_CSV;
	}
	r->fmt = fmt;
	if (fmt == CONTRACT_FMT_CSV && (rc = csv_header(r, errbuf, errcap)) != GW_OK)
		goto fail;
	*out = r;
	return GW_OK;
fail:
	if (r != NULL) {
		free(r->buf);
		free(r->scratch);
		free(r);
	}
	return rc;
}

/* Format from the file name's extension; AUTO when it says nothing. */
static enum contract_format
format_from_name(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot == NULL || strchr(dot, '/') != NULL)
		return CONTRACT_FMT_AUTO;
	if (strcmp(dot, ".csv") == 0 || strcmp(dot, ".CSV") == 0)
		return CONTRACT_FMT_CSV;
	if (strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".ndjson") == 0)
		return CONTRACT_FMT_JSONL;
	return CONTRACT_FMT_AUTO;
}

gw_rc
contract_reader_open(struct contract_reader **r, const char *path, char *errbuf,
                     size_t errcap)
{
	*r = NULL;
	if (strcmp(path, "-") == 0)
		return contract_reader_open_stream(r, stdin, "-", CONTRACT_FMT_AUTO, errbuf, errcap);
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		snprintf(errbuf, errcap, "%s: %s", path, strerror(errno));
		return GW_EIO;
	}
	gw_rc rc = contract_reader_open_stream(r, fp, path, format_from_name(path),
	    errbuf, errcap);
	if (rc != GW_OK) {
		fclose(fp);
		return rc;
	}
	(*r)->own_fp = 1;
	return GW_OK;
}

enum contract_format
contract_reader_format(const struct contract_reader *r)
{
	return r->fmt;
}

/* One CSV record: split, check the columns, build. */
static gw_rc
csv_record(struct contract_reader *r, const char *line, size_t n, struct contract *c,
           struct record_rejection *rej)
{
	struct field_value v[CF_COUNT];
	int bad;
	const char *why;
	int nf = csv_split(line, n, r->scratch, r->spans, MAX_COLUMNS, &bad, &why);

	memset(v, 0, sizeof v);
	/* Name the record if its id came before the trouble. */
	int upto = nf < 0 ? bad : nf;
	for (int i = 0; i < upto && i < r->ncols && i < MAX_COLUMNS; i++)
		if (r->colmap[i] == CF_CONTRACT_ID) {
			struct field_value id = { r->spans[i].p, r->spans[i].n };
			contract_rejection_set_id(rej, &id);
		}
	if (nf < 0)
		return contract_reject(rej, bad < r->ncols ? r->colname[bad] : "",
		    "broken quoting: %s", why);
	if (nf != r->ncols)
		return contract_reject(rej, "", "%d fields, the header has %d", nf, r->ncols);
	for (int i = 0; i < nf; i++) {
		int f = r->colmap[i];
		if (f >= 0) {
			v[f].p = r->spans[i].p;
			v[f].n = r->spans[i].n;
		} else if (r->spans[i].n != 0)
			return contract_reject(rej, r->colname[i], f == -1 ? "unknown column"
			    : "column appears more than once in the header");
	}
	return contract_build(v, c, rej);
}

/* One record's line, in the reader's format. */
static gw_rc
parse_line(struct contract_reader *r, const char *line, size_t n, struct contract *c,
           struct record_rejection *rej)
{
	if (r->fmt == CONTRACT_FMT_CSV)
		return csv_record(r, line, n, c, rej);
	if (r->fix == NULL && (r->fix = malloc(3 * LINE_MAX_BYTES + 1)) == NULL) {
		contract_reject(rej, "", "out of memory");
		return GW_ENOMEM;          /* the record may be good: not a rejection */
	}
	return contract_jsonl_parse(line, n, r->fix, c, rej);
}

gw_rc
contract_reader_next(struct contract_reader *r, struct contract *c,
                     struct record_rejection *rej)
{
	char *line;
	size_t n;
	enum line_rc lr;

	memset(rej, 0, sizeof *rej);
	snprintf(rej->file, sizeof rej->file, "%s", r->name);
	if (r->fmt == CONTRACT_FMT_CSV && r->ncols == 0)
		return GW_ENOTFOUND;
	do {
		lr = next_line(r, &line, &n);
	} while (lr == LINE_OK && blank(line, n));
	rej->line = r->lineno;
	switch (lr) {
	case LINE_EOF:
		return GW_ENOTFOUND;
	case LINE_IOERR:
		contract_reject(rej, "", "read error: %s", strerror(errno));
		return GW_EIO;
	case LINE_TOO_LONG:
		return contract_reject(rej, "", "record longer than %d bytes", LINE_MAX_BYTES);
	case LINE_OK:
		break;
	}
	return parse_line(r, line, n, c, rej);
}

void
contract_reader_where(const struct contract_reader *r, off_t *off, size_t *len)
{
	*off = r->rec_off;
	*len = r->rec_len;
}

gw_rc
contract_reader_twin(const struct contract_reader *r, struct contract_reader **out)
{
	struct contract_reader *t = calloc(1, sizeof *t);

	*out = NULL;
	if (t == NULL || (t->buf = malloc(LINE_MAX_BYTES)) == NULL ||
	    (t->scratch = malloc(LINE_MAX_BYTES)) == NULL) {
		contract_reader_close(t);
		return GW_ENOMEM;
	}
	memcpy(t->name, r->name, sizeof t->name);
	t->fmt = r->fmt;
	t->ncols = r->ncols;
	memcpy(t->colmap, r->colmap, sizeof t->colmap);
	memcpy(t->colname, r->colname, sizeof t->colname);
	t->eof = 1;                     /* it has no file of its own to read on */
	*out = t;
	return GW_OK;
}

gw_rc
contract_reader_read_at(struct contract_reader *r, int fd, off_t off, size_t len,
                        struct contract *c, struct record_rejection *rej)
{
	size_t got = 0;

	memset(rej, 0, sizeof *rej);
	snprintf(rej->file, sizeof rej->file, "%s", r->name);
	if (len > LINE_MAX_BYTES)
		return contract_reject(rej, "", "record longer than %d bytes", LINE_MAX_BYTES);
	while (got < len) {
		ssize_t k = pread(fd, r->buf + got, len - got, off + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			contract_reject(rej, "", "read error at byte %lld: %s", (long long)(off + (off_t)got),
			    k < 0 ? strerror(errno) : "the file is shorter than it was");
			return GW_EIO;
		}
		got += (size_t)k;
	}
	return parse_line(r, r->buf, len, c, rej);
}

void
contract_reader_close(struct contract_reader *r)
{
	if (r == NULL)
		return;
	if (r->own_fp && r->fp != NULL)
		fclose(r->fp);
	free(r->buf);
	free(r->scratch);
	free(r->fix);
	free(r);
}

int
contract_file_foreach(const char *path, const char *prog,
                      int (*fn)(void *ctx, struct contract *c), void *ctx,
                      size_t *nrejected)
{
	struct contract_reader *r = NULL;
	struct contract *c = malloc(sizeof *c);   /* large: kept off the stack */
	struct record_rejection rej;
	char err[512];
	gw_rc rc;
	int ret = -1;

	if (c == NULL)
		return -1;
	if (contract_reader_open(&r, path, err, sizeof err) != GW_OK) {
		fprintf(stderr, "%s: %s\n", prog, err);
		free(c);
		return -1;
	}
	while ((rc = contract_reader_next(r, c, &rej)) != GW_ENOTFOUND) {
		if (rc == GW_EINPUT) {
			record_rejection_print(&rej, stderr);
			(*nrejected)++;
			continue;
		}
		if (rc != GW_OK) {
			fprintf(stderr, "%s: %s: read error\n", prog, path);
			goto out;
		}
		if (fn(ctx, c) != 0)
			goto out;
	}
	ret = 0;
out:
	contract_reader_close(r);
	free(c);
	return ret;
}

/* s with every byte that is not printable UTF-8 written as '?'. */
static void
print_clean(const char *s, FILE *out)
{
	size_t n = strlen(s);
	size_t i = 0;
	while (i < n) {
		size_t ok = text_utf8_check(s + i, n - i);
		for (size_t k = 0; k < ok; k++) {
			unsigned char ch = (unsigned char)s[i + k];
			fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, out);
		}
		i += ok;
		if (i < n) {
			fputc('?', out);
			i++;
		}
	}
}

void
record_rejection_print(const struct record_rejection *rej, FILE *out)
{
	print_clean(rej->file, out);
	fprintf(out, ":%lu: ", rej->line);
	if (rej->record_id[0] != '\0') {
		fputs("record ", out);
		print_clean(rej->record_id, out);
		fputs(": ", out);
	}
	if (rej->field[0] != '\0') {
		fputs("field ", out);
		print_clean(rej->field, out);
		fputs(": ", out);
	}
	print_clean(rej->reason, out);
	fputc('\n', out);
}
