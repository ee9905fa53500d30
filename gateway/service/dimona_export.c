/*
 * dimona_export.c - the offline Dimona export pipeline (dimona_export.h).
 *
 * Reads the records into an index (service/dimona_index.h: the highest
 * revision per contract wins, Horeca occasional runs of more than two days
 * become one OTH period, the named Dimona checks reject a record on stderr
 * or print a warning), then writes the forms through
 * onss/batch/submission.h, each worker thread building the declarations of
 * its submission again from their lines, and checks the FI against the
 * project's Dimona schema before committing. Holds no declaration beyond
 * the one a thread is writing, so that memory follows the index and not
 * the records; never touches the queue (cancellations and amendments of
 * declared periods go through `gateway intake` / `gateway run`).
 */
#include "service/dimona_export.h"
#include "core/clock.h"
#include "core/dirs.h"
#include "core/log.h"
#include "onss/batch/submission.h"
#include "onss/dimona/decl.h"
#include "service/dimona_index.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One submission of an export: a slice of the declarations, its own
 * sequence number, written, checked and sealed by a worker thread. */
struct chunk {
	const struct dimona_index_entry *v;
	size_t n;
	struct batch_name name;
	struct batch_writer *bw;          /* sealed on success, NULL after commit */
	size_t written;
	size_t *too_long;                 /* indexes (into v) of forms a zone cannot hold */
	size_t ntoo_long;
	gw_rc rc;
	char err[256];
};

/* What the worker threads share. */
struct pool {
	struct chunk *c;
	size_t n;
	size_t next;                      /* the next chunk to take, under lock */
	pthread_mutex_t lock;
	xmlSchemaPtr schema;              /* read-only once parsed: shared by every thread */
	const struct dimona_index *x;     /* where the records lie */
	const struct gw_signer *signer;
	const char *out;
	struct progress *progress;        /* forms written, under lock; NULL: none */
	size_t forms_done;
};

/* One more form written (by any thread): the progress line, if any. */
static void
pool_form_done(struct pool *p)
{
	if (p->progress == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	progress_set(p->progress, ++p->forms_done);
	pthread_mutex_unlock(&p->lock);
}

/* Check the FI being written (fp) against the parsed schema. */
static gw_rc
validate_fi(FILE *fp, xmlSchemaPtr schema, char *err, size_t ecap)
{
	char self[64];
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
	if (vc == NULL) {
		snprintf(err, ecap, "out of memory checking the FI");
		return GW_ENOMEM;
	}
	fflush(fp);
	snprintf(self, sizeof self, "/proc/self/fd/%d", fileno(fp));
	gw_rc rc = xmlSchemaValidateFile(vc, self, 0) == 0 ? GW_OK : GW_EINTERNAL;
	if (rc != GW_OK)
		snprintf(err, ecap, "the generated FI does not validate against the Dimona schema");
	xmlSchemaFreeValidCtxt(vc);
	return rc;
}

/* Write one chunk's forms into its own submission, check it, seal it
 * (FI durable in its temporary file, FS made); nothing is placed yet. */
static void
chunk_write(struct pool *p, struct chunk *c, struct dimona_index_reader *rd,
            struct dimona_decl *d)
{
	if ((c->rc = batch_writer_open(&c->bw, p->out, &c->name)) != GW_OK) {
		snprintf(c->err, sizeof c->err, "%s: cannot write there", p->out);
		return;
	}
	if ((c->too_long = malloc((c->n ? c->n : 1) * sizeof *c->too_long)) == NULL) {
		c->rc = GW_ENOMEM;
		return;
	}
	FILE *fp = batch_writer_file(c->bw);
	gw_rc rc = dimona_document_begin(fp);
	for (size_t i = 0; rc == GW_OK && i < c->n; i++) {
		if ((rc = dimona_index_decl(rd, &c->v[i], d, c->err, sizeof c->err)) != GW_OK) {
			c->rc = rc;
			return;
		}
		rc = dimona_document_form(d, fp);
		if (rc == GW_EINPUT) {        /* a value the Dimona zones cannot hold */
			c->too_long[c->ntoo_long++] = i;
			rc = GW_OK;
			continue;
		}
		c->written += rc == GW_OK;
		pool_form_done(p);
	}
	if (rc == GW_OK)
		rc = dimona_document_end(fp);
	if (rc != GW_OK)
		snprintf(c->err, sizeof c->err, "writing failed (%s)", gw_rc_name(rc));
	else if (c->written > 0 && p->schema != NULL)
		rc = validate_fi(fp, p->schema, c->err, sizeof c->err);
	if (rc == GW_OK && c->written > 0 && (rc = batch_writer_seal(c->bw, p->signer)) != GW_OK)
		snprintf(c->err, sizeof c->err, "signing the FI failed (%s)", gw_rc_name(rc));
	c->rc = rc;
}

/* A worker: take chunks until none is left, with its own reader of the
 * records and room for one declaration. */
static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	struct dimona_index_reader *rd = NULL;
	struct dimona_decl *d = malloc(sizeof *d);
	int ok = d != NULL && dimona_index_reader_open(p->x, &rd) == GW_OK;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			break;
		if (ok)
			chunk_write(p, &p->c[i], rd, d);
		else {
			p->c[i].rc = GW_ENOMEM;
			snprintf(p->c[i].err, sizeof p->c[i].err, "out of memory");
		}
	}
	dimona_index_reader_close(rd);
	free(d);
	return NULL;
}

/* Run the pool on `threads` threads (the caller's counts as one). */
static void
pool_run(struct pool *p, unsigned threads)
{
	pthread_t t[16];
	unsigned started = 0;
	if (threads > 16)
		threads = 16;
	while (started + 1 < threads && pthread_create(&t[started], NULL, pool_worker, p) == 0)
		started++;
	pool_worker(p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(t[i], NULL);
}

/* How many threads: the option, else one per CPU (at most 4); one when
 * the key is in a token, whose engine session is not shared. */
static unsigned
export_threads(const struct dimona_export_opts *o)
{
	if (o->signer != NULL && o->signer->in_token)
		return 1;
	if (o->threads > 0)
		return o->threads;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 4 ? 4 : (unsigned)n;
}

/* Cut the declarations into chunks of at most max forms, each with the
 * next sequence number of the folder. */
static gw_rc
chunks_make(const struct dimona_export_opts *o, const struct dimona_index_entry *v, size_t n,
            const struct batch_name *bn, struct chunk **out, size_t *nout)
{
	size_t max = o->max_forms ? o->max_forms : n;
	size_t k = (n + max - 1) / max;
	struct chunk *c = calloc(k, sizeof *c);
	if (c == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < k; i++) {
		c[i].v = v + i * max;
		c[i].n = i + 1 < k ? max : n - i * max;
		c[i].name = *bn;
		if (batch_seq_next_offline(o->out, &c[i].name.seq) != GW_OK) {
			free(c);
			return GW_EIO;
		}
	}
	*out = c;
	*nout = k;
	return GW_OK;
}

static void
chunks_free(struct chunk *c, size_t n)
{
	for (size_t i = 0; c != NULL && i < n; i++) {
		batch_writer_abort(c[i].bw);
		free(c[i].too_long);
	}
	free(c);
}

/* Write the declarations as one submission per chunk, in parallel, then
 * place them (FI, FS, GO each) in order only when every one was written,
 * checked and signed: a failure places nothing. */
static gw_rc
write_submissions(const struct dimona_export_opts *o, const struct dimona_index *x,
                  const struct batch_name *bn, struct dimona_export_result *res, size_t *nrej,
                  char *err, size_t errcap)
{
	struct pool p = { .signer = o->signer, .out = o->out, .progress = o->progress, .x = x };
	size_t n = x->n;
	gw_rc rc;

	if ((rc = chunks_make(o, x->v, n, bn, &p.c, &p.n)) != GW_OK) {
		snprintf(err, errcap, "%s: cannot draw a sequence number there", o->out);
		return rc;
	}
	if (o->schema != NULL) {
		xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(o->schema);
		p.schema = pc ? xmlSchemaParse(pc) : NULL;
		if (pc)
			xmlSchemaFreeParserCtxt(pc);
		if (p.schema == NULL) {
			snprintf(err, errcap, "%s: cannot load the Dimona schema", o->schema);
			rc = GW_ECONFIG;
			goto out;
		}
	}
	pthread_mutex_init(&p.lock, NULL);
	if (p.progress != NULL)
		p.progress->total = n;
	pool_run(&p, export_threads(o));
	pthread_mutex_destroy(&p.lock);

	size_t written = 0;
	for (size_t i = 0; i < p.n; i++) {
		for (size_t j = 0; j < p.c[i].ntoo_long; j++)
			fprintf(stderr, "%s: record %s: a value is longer than its Dimona zone\n",
			    o->contracts, p.c[i].v[p.c[i].too_long[j]].id);
		*nrej += p.c[i].ntoo_long;
		written += p.c[i].written;
		if (p.c[i].rc != GW_OK && rc == GW_OK) {
			rc = p.c[i].rc;
			snprintf(err, errcap, "%s", p.c[i].err);
		}
	}
	if (rc == GW_OK && written == 0) {
		snprintf(err, errcap, "nothing declarable in %s; nothing written", o->contracts);
		rc = GW_ENOTFOUND;
	}
	if (rc == GW_OK && (res->fis = calloc(p.n, sizeof *res->fis)) == NULL)
		rc = GW_ENOMEM;
	for (size_t i = 0; rc == GW_OK && i < p.n; i++) {
		if (p.c[i].written == 0)
			continue;
		rc = batch_writer_commit(p.c[i].bw, o->signer, res->fis[res->nfiles], sizeof res->fis[0]);
		p.c[i].bw = NULL;
		if (rc != GW_OK)
			snprintf(err, errcap, "committing %s failed (%s); %zu submission(s) placed before it",
			    "a submission", gw_rc_name(rc), res->nfiles);
		else
			res->nfiles++;
	}
	res->written = written;
out:
	if (p.schema)
		xmlSchemaFree(p.schema);
	chunks_free(p.c, p.n);
	return rc;
}

void
dimona_export_result_free(struct dimona_export_result *res)
{
	free(res->fis);
	res->fis = NULL;
	res->nfiles = 0;
}

gw_rc
dimona_export(const struct dimona_export_opts *o, struct dimona_export_result *res,
              char *err, size_t errcap)
{
	struct dimona_index x;
	size_t nrej = 0, written = 0, merged;
	gw_rc rc = GW_EIO;
	gw_ymd today;
	int minutes;

	memset(res, 0, sizeof *res);
	err[0] = '\0';
	/* One moment for the whole export: the rules judge each record when
	 * it is read, and the file names carry the day. */
	clock_brussels_now(&today, &minutes);
	if (dimona_index_read(&x, o->contracts, o->prog, today, minutes, &nrej) != 0)
		goto out;
	if ((rc = dimona_index_select(&x, &merged, &nrej, err, errcap)) != GW_OK)
		goto out;
	if (x.n == 0) {
		snprintf(err, errcap, "nothing declarable in %s; nothing written", o->contracts);
		rc = GW_ENOTFOUND;
		goto out;
	}

	struct batch_name bn;
	memset(&bn, 0, sizeof bn);
	snprintf(bn.purpose, sizeof bn.purpose, "DIMN");
	snprintf(bn.sender, sizeof bn.sender, "%s", o->sender);
	bn.date = today;
	bn.env = o->env;
	char derr[PATH_MAX + 100];
	if (dir_ensure(o->out, 0750, derr, sizeof derr) != GW_OK) {
		snprintf(err, errcap, "--out %s", derr);
		rc = GW_EIO;
		goto out;
	}
	if ((rc = write_submissions(o, &x, &bn, res, &nrej, err, errcap)) != GW_OK)
		goto out;
	written = res->written;
	log_info(NULL, NULL, "Dimona export: %zu declaration(s) in %zu submission(s) from %s, %zu record(s) rejected",
	    written, res->nfiles, res->fis[0], nrej);
out:
	res->written = written;
	res->rejected = nrej;
	dimona_index_free(&x);
	return rc;
}
