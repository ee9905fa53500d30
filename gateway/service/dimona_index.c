/*
 * dimona_index.c - the Dimona batch export's index of records
 * (dimona_index.h).
 *
 * The rules are a pure function of a declaration and the moment: each
 * record is checked once as it is read, and the index keeps only whether
 * anything was found. Only the records with a finding, and the first days
 * of merged Horeca runs (changed by the merge), are read again to be judged
 * and reported in contract-id order; the others cannot be blocked.
 */
#include "service/dimona_index.h"
#include "core/array.h"
#include "core/log.h"
#include "onss/codelist.h"
#include "onss/dimona/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK_BYTES (1u << 20)

struct dimona_index_reader {
	const struct dimona_index *x;
	struct contract_reader *r;
	struct contract c;
};

/* A copy of s among the index's strings (blocks that never move, so that
 * entries can point into them). NULL when memory ran out. */
static const char *
strings_add(struct dimona_index *x, const char *s)
{
	size_t n = strlen(s) + 1;
	if (x->nblk == 0 || x->used + n > BLOCK_BYTES) {
		if (ARRAY_RESERVE(x->blk, x->nblk, x->blkcap, 16) != GW_OK ||
		    (x->blk[x->nblk] = malloc(BLOCK_BYTES)) == NULL)
			return NULL;
		x->nblk++;
		x->used = 0;
	}
	char *p = x->blk[x->nblk - 1] + x->used;
	memcpy(p, s, n);
	x->used += n;
	return p;
}

/* Standard input copied to an unnamed temporary file, from its start. */
static FILE *
spool_stdin(void)
{
	char buf[65536];
	size_t k;
	FILE *t = tmpfile();
	if (t == NULL)
		return NULL;
	while ((k = fread(buf, 1, sizeof buf, stdin)) > 0)
		if (fwrite(buf, 1, k, t) != k)
			goto fail;
	if (ferror(stdin) || fflush(t) != 0 || fseek(t, 0, SEEK_SET) != 0)
		goto fail;
	return t;
fail:
	fclose(t);
	return NULL;
}

/* Open the file for the first pass and for reading records again. */
static int
index_open(struct dimona_index *x, const char *path, const char *prog)
{
	char err[512];
	if (strcmp(path, "-") == 0) {
		if ((x->spool = spool_stdin()) == NULL) {
			fprintf(stderr, "%s: -: cannot keep a copy of standard input: %s\n", prog,
			    strerror(errno));
			return -1;
		}
		x->fd = fileno(x->spool);
		if (contract_reader_open_stream(&x->r, x->spool, "-", CONTRACT_FMT_AUTO, err,
		    sizeof err) != GW_OK) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return -1;
		}
		return 0;
	}
	if (contract_reader_open(&x->r, path, err, sizeof err) != GW_OK) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	if ((x->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* One valid record into the index, judged by the rules as it stands. */
static int
index_add(struct dimona_index *x, const struct contract *c, struct dimona_decl *d)
{
	struct dimona_findings f;
	char key[DIMONA_RUN_KEY_MAX];
	off_t off;
	size_t len;

	if (ARRAY_RESERVE(x->v, x->n, x->cap, 4096) != GW_OK)
		return -1;
	struct dimona_index_entry *e = &x->v[x->n];
	memset(e, 0, sizeof *e);
	contract_reader_where(x->r, &off, &len);
	e->off = off;
	e->len = (uint32_t)len;
	e->revision = c->revision;
	e->cancelled = c->status == CONTRACT_CANCELLED;
	if ((e->id = strings_add(x, c->contract_id)) == NULL)
		return -1;
	dimona_decl_from_contract(d, c);
	if (!e->cancelled)
		e->findings = dimona_rules_check(d, NULL, x->today, x->minutes, &f) > 0 || f.n > 0;
	if (dimona_is_horeca_ext_day(d)) {
		dimona_ext_run_key(d, key, sizeof key);
		if ((e->run_key = strings_add(x, key)) == NULL)
			return -1;
		e->start = c->start_date;
		e->end = c->end_date ? c->end_date : c->start_date;
	}
	x->n++;
	return 0;
}

int
dimona_index_read(struct dimona_index *x, const char *path, const char *prog,
                  gw_ymd today, int minutes, size_t *nrej)
{
	struct contract *c = malloc(sizeof *c);       /* large: kept off the stack */
	struct dimona_decl *d = malloc(sizeof *d);
	struct record_rejection rej;
	gw_rc rc;
	int ret = -1;

	memset(x, 0, sizeof *x);
	x->fd = -1;
	x->file = path;
	x->today = today;
	x->minutes = minutes;
	if (c == NULL || d == NULL)
		goto out;
	if (index_open(x, path, prog) != 0)
		goto out;
	while ((rc = contract_reader_next(x->r, c, &rej)) != GW_ENOTFOUND) {
		if (rc == GW_EINPUT) {
			record_rejection_print(&rej, stderr);
			(*nrej)++;
			continue;
		}
		if (rc != GW_OK) {
			fprintf(stderr, "%s: %s: read error\n", prog, path);
			goto out;
		}
		if (index_add(x, c, d) != 0) {
			fprintf(stderr, "%s: %s: out of memory\n", prog, path);
			goto out;
		}
	}
	ret = 0;
out:
	free(c);
	free(d);
	return ret;
}

/* Contract id, then revision, then place in the file: the last of equal
 * revisions wins, as it did when the records were sorted themselves. */
static int
by_id_rev(const void *a, const void *b)
{
	const struct dimona_index_entry *x = a, *y = b;
	int k = strcmp(x->id, y->id);
	if (k != 0)
		return k;
	if (x->revision != y->revision)
		return (x->revision > y->revision) - (x->revision < y->revision);
	return (x->off > y->off) - (x->off < y->off);
}

/* Mark the Horeca runs among the kept entries and drop the days folded
 * into a run's first day. */
static gw_rc
merge_runs(struct dimona_index *x, size_t *merged)
{
	size_t m = 0;
	for (size_t i = 0; i < x->n; i++)
		m += x->v[i].run_key != NULL;
	struct dimona_ext_day *d = calloc(m ? m : 1, sizeof *d);
	if (d == NULL)
		return GW_ENOMEM;
	m = 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct dimona_index_entry *e = &x->v[i];
		if (e->run_key == NULL)
			continue;
		d[m].i = i;
		d[m].key = e->run_key;
		d[m].start = e->start;
		d[m].end = e->end;
		m++;
	}
	*merged = dimona_ext_runs(d, m);
	for (size_t k = 0; k < m; k++) {
		x->v[d[k].i].run_end = d[k].run_end;
		if (d[k].in_run)
			x->v[d[k].i].id = NULL;            /* dropped below */
	}
	free(d);
	size_t out = 0;
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].id != NULL)
			x->v[out++] = x->v[i];
	x->n = out;
	return GW_OK;
}

static void
print_finding(const char *file, const struct dimona_decl *d, const struct dimona_finding *f)
{
	const char *nl = NULL, *fr = NULL;
	if (f->code[0] != '\0')
		onss_error_label(f->code, &nl, &fr);
	fprintf(stderr, "%s: record %s: field %s: %s%s %s%s%s\n", file, d->c.contract_id, f->field,
	    f->severity == 'W' ? "warning: " : "", f->check, f->code[0] ? f->code : "",
	    nl ? " - " : "", nl ? nl : "");
}

gw_rc
dimona_index_select(struct dimona_index *x, size_t *merged, size_t *nrej, char *err,
                    size_t errcap)
{
	struct dimona_index_reader *rd = NULL;
	struct dimona_decl *d = malloc(sizeof *d);
	gw_rc rc = GW_ENOMEM;

	*merged = 0;
	if (d == NULL) {
		snprintf(err, errcap, "%s: out of memory", x->file);
		goto out;
	}
	/* Highest revision per contract wins; cancelled ones are not declared. */
	qsort(x->v, x->n, sizeof *x->v, by_id_rev);
	size_t k = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (i + 1 < x->n && strcmp(x->v[i].id, x->v[i + 1].id) == 0)
			continue;
		if (x->v[i].cancelled) {
			log_info(NULL, x->v[i].id, "cancelled before any declaration: nothing to declare");
			continue;
		}
		x->v[k++] = x->v[i];
	}
	x->n = k;
	if (merge_runs(x, merged) != GW_OK) {
		snprintf(err, errcap, "%s: out of memory", x->file);
		goto out;
	}
	if (*merged)
		log_info(NULL, NULL, "%zu Horeca occasional run(s) of more than two days declared as OTH",
		    *merged);

	/* The rules' verdicts, reported in contract-id order. */
	if ((rc = dimona_index_reader_open(x, &rd)) != GW_OK) {
		snprintf(err, errcap, "%s: out of memory", x->file);
		goto out;
	}
	k = 0;
	for (size_t i = 0; i < x->n; i++) {
		struct dimona_findings f;
		if (x->v[i].findings || x->v[i].run_end != 0) {
			if ((rc = dimona_index_decl(rd, &x->v[i], d, err, errcap)) != GW_OK)
				goto out;
			size_t blocking = dimona_rules_check(d, NULL, x->today, x->minutes, &f);
			for (size_t j = 0; j < f.n; j++)
				if (!blocking || f.f[j].severity == 'B')
					print_finding(x->file, d, &f.f[j]);
			if (blocking) {
				(*nrej)++;
				continue;
			}
		}
		x->v[k++] = x->v[i];
	}
	x->n = k;
	rc = GW_OK;
out:
	dimona_index_reader_close(rd);
	free(d);
	return rc;
}

gw_rc
dimona_index_reader_open(const struct dimona_index *x, struct dimona_index_reader **out)
{
	struct dimona_index_reader *rd = calloc(1, sizeof *rd);
	*out = NULL;
	if (rd == NULL)
		return GW_ENOMEM;
	rd->x = x;
	if (contract_reader_twin(x->r, &rd->r) != GW_OK) {
		free(rd);
		return GW_ENOMEM;
	}
	*out = rd;
	return GW_OK;
}

void
dimona_index_reader_close(struct dimona_index_reader *rd)
{
	if (rd == NULL)
		return;
	contract_reader_close(rd->r);
	free(rd);
}

gw_rc
dimona_index_decl(struct dimona_index_reader *rd, const struct dimona_index_entry *e,
                  struct dimona_decl *d, char *err, size_t errcap)
{
	struct record_rejection rej;
	gw_rc rc = contract_reader_read_at(rd->r, rd->x->fd, e->off, e->len, &rd->c, &rej);
	if (rc == GW_ENOMEM) {
		snprintf(err, errcap, "%s: out of memory", rd->x->file);
		return rc;
	}
	/* Parsing the same bytes gives the same record: anything else means
	 * the file changed under the export, which must then write nothing. */
	if (rc != GW_OK || strcmp(rd->c.contract_id, e->id) != 0 || rd->c.revision != e->revision) {
		snprintf(err, errcap, "%s: record %s: changed while it was being exported%s%s",
		    rd->x->file, e->id, rc != GW_OK ? ": " : "", rc != GW_OK ? rej.reason : "");
		return GW_EIO;
	}
	dimona_decl_from_contract(d, &rd->c);
	if (e->run_end != 0)
		dimona_ext_run_apply(d, e->run_end);
	return GW_OK;
}

void
dimona_index_free(struct dimona_index *x)
{
	for (size_t i = 0; i < x->nblk; i++)
		free(x->blk[i]);
	free(x->blk);
	free(x->v);
	contract_reader_close(x->r);
	if (x->spool != NULL)
		fclose(x->spool);
	else if (x->fd >= 0)
		close(x->fd);
	memset(x, 0, sizeof *x);
	x->fd = -1;
}
