/*
 * service/intake.c - contract files into the durable queue (intake.h).
 *
 * Owns gathering what the store and the outbox know of a record for the
 * pure decision (intake_decide.c), the Dimona rules on what it would
 * declare (intake_rules.c), and the batching of a file into units of work
 * (store/store.h: messages and store rows in one commit), one step per
 * function: open the file (intake_file_open), check a record against the
 * held ones (intake_against_held), make room in the batch, decide
 * (intake_prepare_json), act on the verdict, commit (intake_commit); and
 * the hold of Horeca EXT days until their runs are known
 * (intake_series.c decides those). A revision with nothing to declare,
 * and a day of a Horeca EXT run (with its run row), are kept in the record
 * store, in the batch's commit, so the DmfA sees them; neither is ever a
 * message, so nothing is held and nothing is settled after a crash. Must
 * never acknowledge a record before the commit that holds it, never queue
 * a second IN for a standing period, never let one bad record stop the
 * file, never decide on a stored revision it cannot read.
 */
#include "service/intake.h"
#include "service/intake_decide.h"
#include "core/params.h"
#include "service/followup.h"
#include "service/intake_rules.h"
#include "service/intake_series.h"
#include "core/config.h"
#include "core/log.h"
#include "records/reader.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void
intake_opts_default(struct intake_opts *o)
{
	o->channel = param_str(P_DIMONA_CHANNEL);
	o->progress = NULL;
	o->caller_keeps_rejections = 0;
	o->expiry_ms = param_int(P_QUEUE_EXPIRY_S) * 1000;
	o->batch = (size_t)param_int(P_INTAKE_BATCH);
	if (o->batch < 1 || o->batch > 100000)
		o->batch = 1000;
}

/* A fresh message for record c. */
static void
intake_msg(struct queue_msg *m, const struct contract *c, const char *kind,
           const struct intake_opts *o, int64_t now)
{
	memset(m, 0, sizeof *m);
	snprintf(m->record_id, sizeof m->record_id, "%s", c->contract_id);
	m->revision = c->revision;
	snprintf(m->kind, sizeof m->kind, "%s", kind);
	snprintf(m->channel, sizeof m->channel, "%s", o->channel);
	m->state = QS_PENDING;
	m->next_attempt_ms = 0;
	m->expires_ms = o->expiry_ms > 0 ? now + o->expiry_ms : 0;
}

/* The message holding the standing period of a record: its newest IN that
 * did not end refused, failed or cancelled; "" when none stands. */
static void
intake_standing_in(const struct queue_msg *list, size_t n, char *id, size_t cap)
{
	id[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i].kind, "dimona-in") != 0)
			continue;
		if (list[i].state == QS_REFUSED || list[i].state == QS_FAILED ||
		    list[i].state == QS_CANCELLED)
			return;
		snprintf(id, cap, "%s", list[i].id);
		return;
	}
}

/* Decide what c produces, given its canonical JSON (ownership taken):
 * gather what the store and the outbox know of the record, let the pure
 * decision (intake_decide.h) and the EXT run rules decide. A revision with
 * nothing to declare hands its JSON back in *keep, for the store. */
static gw_rc
intake_prepare_json(struct queue *q, const struct contract *c, char *json, size_t len,
                    const struct intake_opts *o, struct queue_msg out[2], size_t *n,
                    enum intake_verdict *v, char **keep, struct store_run_member *member,
                    char *why, size_t whycap, char field[48], char *err, size_t errcap)
{
	char hash[65];
	size_t nl = 0;
	struct queue_msg *list = NULL;
	struct contract prev;
	struct intake_known k;
	struct store *sto = NULL;
	struct store_revision have;
	int64_t now = queue_now_ms();
	gw_rc rc;

	*n = 0;
	*v = IV_QUEUE;
	*keep = NULL;
	why[0] = '\0';
	field[0] = '\0';
	memset(member, 0, sizeof *member);
	memset(&k, 0, sizeof k);
	memset(&have, 0, sizeof have);
	queue_sha256_hex(json, len, hash);
	if ((rc = store_of(q, &sto)) != GW_OK)
		goto out;
	rc = sto->ops->revision_get(sto, c->contract_id, 1, &have);
	if (rc != GW_OK && rc != GW_ENOTFOUND)
		goto out;
	if (rc == GW_OK) {
		k.taken = 1;
		k.revision = have.revision;
		memcpy(k.hash, have.hash, sizeof k.hash);
	}
	rc = GW_OK;
	switch (intake_decide_revision(&k, c, hash, why, whycap)) {
	case IS_REPLAY: *v = IV_REPLAY; goto out;
	case IS_UNCHANGED: *v = IV_UNCHANGED; goto out;
	case IS_CONFLICT: *v = IV_CONFLICT; goto out;
	case IS_NEW: break;
	}
	if (k.taken) {
		if ((rc = queue_by_record(q, c->contract_id, &list, &nl)) != GW_OK)
			goto out;
		/* The newest revision stored: kept in the store (a revision
		 * that declared nothing), else the newest message payload
		 * (what the other side was told). Out of memory is not "no
		 * earlier revision": deciding without it would re-declare. */
		struct record_rejection rej;
		if (have.payload != NULL) {
			rc = contract_from_json(have.payload, strlen(have.payload), &prev, &rej);
			if (rc == GW_OK)
				k.prev = &prev;
			else if (rc != GW_EINPUT)
				goto out;
		}
		for (size_t i = 0; i < nl && k.prev == NULL; i++) {
			if (list[i].payload == NULL)
				continue;
			rc = contract_from_json(list[i].payload, strlen(list[i].payload), &prev, &rej);
			if (rc == GW_OK)
				k.prev = &prev;
			else if (rc != GW_EINPUT)
				goto out;
		}
		rc = GW_OK;
	}
	/* A day of a Horeca EXT run: its follow-up acts on the run's OTH
	 * period, never a stray IN of its own; the revision itself is kept in
	 * the store beside its run row (no message carries it). */
	if (k.taken) {
		int in_run = 0;
		rc = intake_series_followup(q, c, o->channel, o->expiry_ms > 0 ? now + o->expiry_ms : 0,
		    out, n, member, &in_run, why, whycap, err, errcap);
		if (rc != GW_OK)
			goto out;
		if (in_run) {
			if (member->msg_id[0] == '\0')
				*v = IV_CONFLICT;
			else {
				*keep = json;
				json = NULL;
			}
			goto out;
		}
	}
	char standing[QUEUE_ID_MAX + 1] = "";
	intake_standing_in(list, nl, standing, sizeof standing);
	k.standing = standing[0] != '\0';
	enum followup f = intake_decide_followup(&k, c);
	if (f == FU_NONE) {
		/* Nothing for Dimona, but the DmfA needs this revision's pay:
		 * the store keeps it, in the batch's commit. */
		*v = IV_NOTHING;
		*keep = json;
		json = NULL;
		goto out;
	}
	/* The Dimona rules now, as the build will run them: what they would
	 * refuse is refused here, naming the record and the field. */
	int refused = 0;
	if (f == FU_CANCEL_AND_IN &&
	    (rc = intake_rules_refuse(&prev, "dimona-cancel", &refused, field, 48, why,
	    whycap)) != GW_OK)
		goto out;
	if (!refused && (rc = intake_rules_refuse(c, f == FU_CANCEL_AND_IN ? "dimona-in" :
	    followup_name(f), &refused, field, 48, why, whycap)) != GW_OK)
		goto out;
	if (refused) {
		*v = IV_REFUSED;
		goto out;
	}
	if (f == FU_CANCEL_AND_IN) {
		char *oldjson = NULL;
		size_t oldlen = 0;
		if ((rc = contract_to_json(&prev, &oldjson, &oldlen)) != GW_OK)
			goto out;
		intake_msg(&out[0], c, "dimona-cancel", o, now);
		snprintf(out[0].depends_on, sizeof out[0].depends_on, "%s", standing);
		out[0].payload = oldjson;       /* the old period's worker and employer */
		intake_msg(&out[1], c, "dimona-in", o, now);
		queue_make_id(out[0].id, out[0].record_id, out[0].revision, out[0].kind);
		snprintf(out[1].depends_on, sizeof out[1].depends_on, "%s", out[0].id);
		out[1].payload = json;
		json = NULL;
		*n = 2;
		goto out;
	}
	intake_msg(&out[0], c, followup_name(f), o, now);
	if (f != FU_IN)
		snprintf(out[0].depends_on, sizeof out[0].depends_on, "%s", standing);
	out[0].payload = json;
	json = NULL;
	*n = 1;
out:
	for (size_t i = 0; i < nl; i++)
		queue_msg_free(&list[i]);
	free(list);
	free(json);
	store_revision_free(&have);
	return rc;
}

/* Decide what c produces. */
gw_rc
intake_prepare(struct queue *q, const struct contract *c, const struct intake_opts *o,
               struct queue_msg out[2], size_t *n, enum intake_verdict *v, char **keep,
               char *why, size_t whycap)
{
	char *json = NULL, *kept = NULL, err[256], field[48];
	struct store_run_member member;
	size_t len = 0;
	gw_rc rc = contract_to_json(c, &json, &len);
	*n = 0;
	if (keep != NULL)
		*keep = NULL;
	if (rc != GW_OK)
		return rc;
	rc = intake_prepare_json(q, c, json, len, o, out, n, v, &kept, &member, why, whycap, field,
	    err, sizeof err);
	if (keep != NULL)
		*keep = kept;
	else
		free(kept);
	return rc;
}

/*
 * Reading a file is split in two threads: a parser (read, validate,
 * canonical JSON) and the caller (decide, batch, commit). They meet in a
 * bounded ring, so memory stays bounded whatever the file size.
 */
enum { PR_RECORD, PR_REJECTED, PR_EOF, PR_ERROR };
#define RING 512

struct parsed {
	int what;
	struct contract c;
	char *json;
	size_t len;
	struct record_rejection rej;
	gw_rc rc;
};

struct pipe {
	struct contract_reader *rd;
	struct parsed *ring;
	size_t head, tail;            /* head: next to read; tail: next to write */
	int abort;
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
};

/* The parser thread. */
static void *
pipe_parse(void *arg)
{
	struct pipe *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->tail - p->head == RING && !p->abort)
			pthread_cond_wait(&p->not_full, &p->mu);
		int stop = p->abort;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			return NULL;
		struct parsed *x = &p->ring[p->tail % RING];
		memset(&x->rej, 0, sizeof x->rej);
		x->json = NULL;
		gw_rc rc = contract_reader_next(p->rd, &x->c, &x->rej);
		if (rc == GW_OK) {
			x->rc = contract_to_json(&x->c, &x->json, &x->len);
			x->what = x->rc == GW_OK ? PR_RECORD : PR_ERROR;
		} else if (rc == GW_EINPUT) {
			x->what = PR_REJECTED;
		} else if (rc == GW_ENOTFOUND) {
			x->what = PR_EOF;
		} else {
			x->what = PR_ERROR;
			x->rc = rc;
		}
		int last = x->what == PR_EOF || x->what == PR_ERROR;
		pthread_mutex_lock(&p->mu);
		p->tail++;
		pthread_cond_signal(&p->not_empty);
		pthread_mutex_unlock(&p->mu);
		if (last)
			return NULL;
	}
}

/* The next parsed item (the caller's side); release it with pipe_done. */
static struct parsed *
pipe_next(struct pipe *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->tail == p->head)
		pthread_cond_wait(&p->not_empty, &p->mu);
	struct parsed *x = &p->ring[p->head % RING];
	pthread_mutex_unlock(&p->mu);
	return x;
}

static void
pipe_done(struct pipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->head++;
	pthread_cond_signal(&p->not_full);
	pthread_mutex_unlock(&p->mu);
}

/* Record ids in the current batch: a second revision of one of them must
 * see the first committed before it is decided. */
struct idset {
	char (*ids)[CONTRACT_ID_MAX + 1];
	size_t cap, n;
};

static unsigned long
idset_hash(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* 1 when id was already there, 0 when added. */
static int
idset_add(struct idset *s, const char *id)
{
	size_t i = idset_hash(id) & (s->cap - 1);
	while (s->ids[i][0] != '\0') {
		if (strcmp(s->ids[i], id) == 0)
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	snprintf(s->ids[i], sizeof s->ids[i], "%s", id);
	s->n++;
	return 0;
}

static void idset_clear(struct idset *s) { memset(s->ids, 0, s->cap * sizeof *s->ids); s->n = 0; }

/* Is id in the set? */
static int
idset_has(const struct idset *s, const char *id)
{
	size_t i = idset_hash(id) & (s->cap - 1);
	while (s->ids[i][0] != '\0') {
		if (strcmp(s->ids[i], id) == 0)
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	return 0;
}

/* Horeca EXT INs held back until the file (or the hold) ends, so that a
 * run of three days becomes one OTH period (intake_series.h). */
#define HOLD_MAX 16384     /* calloc'd: pages untouched cost nothing */

struct hold {
	struct intake_held *v;
	size_t n;
	struct idset ids;
};

/* A record whose id is held: 1 an older revision (replay), 2 the same
 * revision and content, 3 the same revision with other content, 4 a higher
 * revision (the held one dropped, counted as replayed: superseded before
 * it was taken in), 5 not held after all (ids are never removed from the
 * set). */
static int
intake_hold_replace(struct hold *h, const struct contract *c, const char *json, size_t len)
{
	size_t k = 0;
	while (k < h->n && strcmp(h->v[k].c.contract_id, c->contract_id) != 0)
		k++;
	if (k == h->n)
		return 5;
	struct intake_held *x = &h->v[k];
	if (c->revision < x->c.revision)
		return 1;
	if (c->revision == x->c.revision) {
		const char *have = x->in.payload;
		return have != NULL && strlen(have) == len && memcmp(have, json, len) == 0 ? 2 : 3;
	}
	queue_msg_free(&x->in);
	h->v[k] = h->v[--h->n];
	return 4;
}

/* Resolve the held records into runs and commit them with their run rows
 * and day-index rows in one unit of work; a record that cannot be placed
 * is a rejection (path, rej_out). */
static gw_rc
intake_flush_held(struct queue *q, struct hold *h, struct intake_stats *st, const char *path,
                  FILE *rej_out, char *err, size_t errcap)
{
	struct queue_msg *out = NULL;
	unsigned char *dup = NULL;
	struct store_day *rows = NULL;
	struct store_revision *revs = NULL;
	struct intake_run_rows rr = { 0 };
	size_t nout = 0, runs = 0, nrows = 0, refused = 0;
	gw_rc rc = GW_OK;
	if (h->n == 0)
		return GW_OK;
	if ((rc = intake_series_resolve(q, h->v, h->n, &out, &nout, &rr, &runs, err,
	    errcap)) != GW_OK)
		goto out;
	dup = calloc(nout ? nout : 1, 1);
	if (dup == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	/* The index rows, the revisions and the messages in one commit; the
	 * run members' own revisions last, so that they win over the merged
	 * period the run's IN carries for its first record. */
	size_t nrevs = 0;
	if ((rc = intake_series_days(h->v, h->n, &rows, &nrows)) != GW_OK ||
	    (rc = store_unit_revisions(out, nout, &revs, &nrevs)) != GW_OK)
		goto out;
	if (rr.nkept > 0) {
		struct store_revision *t = realloc(revs, (nrevs + rr.nkept) * sizeof *t);
		if (t == NULL) {
			rc = GW_ENOMEM;
			goto out;
		}
		revs = t;
		memcpy(&revs[nrevs], rr.kept, rr.nkept * sizeof *revs);
		nrevs += rr.nkept;
	}
	struct store_unit u = { .msgs = out, .nmsgs = nout, .dup = dup, .revs = revs,
	                        .nrevs = nrevs, .days = rows, .ndays = nrows, .runs = rr.m,
	                        .nruns = rr.n };
	if ((rc = store_commit(q, &u)) != GW_OK)
		goto out;
	for (size_t i = 0; i < h->n; i++) {
		if (h->v[i].why[0] == '\0')
			continue;
		struct record_rejection rej;
		memset(&rej, 0, sizeof rej);
		snprintf(rej.file, sizeof rej.file, "%s", path);
		snprintf(rej.record_id, sizeof rej.record_id, "%s", h->v[i].c.contract_id);
		snprintf(rej.field, sizeof rej.field, "start_date");
		snprintf(rej.reason, sizeof rej.reason, "%s", h->v[i].why);
		record_rejection_print(&rej, rej_out);
		refused++;
	}
	st->rejected += refused;
	st->queued_records += h->n - refused;
	for (size_t i = 0; i < nout; i++)
		if (!dup[i])
			st->messages++;
	if (runs > 0)
		log_info(NULL, NULL, "%zu Horeca occasional run(s) of more than two days taken in as"
		    " one OTH period each", runs);
out:
	for (size_t i = 0; i < nout; i++)
		queue_msg_free(&out[i]);
	for (size_t i = 0; i < h->n; i++)
		queue_msg_free(&h->v[i].in);
	h->n = 0;
	idset_clear(&h->ids);
	free(out);
	free(dup);
	free(rows);
	free(revs);                 /* shallow: the kept payloads are rr's */
	intake_run_rows_clear(&rr);
	return rc;
}

/* Revisions no message carries, kept in the store: those that declared
 * nothing (for the DmfA) and new revisions of a Horeca run's days (with
 * their run rows). They ride in the batch's commit. */
struct keeps {
	struct store_revision *v;
	size_t n;
	size_t nothing;                /* of v: revisions that declared nothing */
	struct store_run_member *runs;
	size_t nruns;
};

/* Commit the batch: its messages, the revisions they carry, the kept
 * revisions and the run rows in ONE unit of work; counts only what the
 * commit made durable. Revisions that declared nothing count as "nothing
 * to declare", not as messages. */
static gw_rc
intake_flush(struct queue *q, struct queue_msg *msgs, unsigned char *dup, size_t *nm,
             unsigned long *recs, struct keeps *kp, struct intake_stats *st)
{
	struct store_revision *revs = NULL;
	size_t nrevs = 0;
	gw_rc rc = GW_OK;
	if (*nm + kp->n > 0)
		rc = store_unit_revisions(msgs, *nm, &revs, &nrevs);
	/* The kept revisions after those the messages carry: a run day's
	 * UPDATE carries the run's period, the kept one the day itself. */
	if (rc == GW_OK && kp->n > 0) {
		struct store_revision *t = realloc(revs, (nrevs + kp->n) * sizeof *t);
		if (t == NULL)
			rc = GW_ENOMEM;
		else {
			revs = t;
			memcpy(&revs[nrevs], kp->v, kp->n * sizeof *t);
			nrevs += kp->n;
		}
	}
	if (rc == GW_OK && *nm + nrevs > 0) {
		struct store_unit u = { .msgs = msgs, .nmsgs = *nm, .dup = dup, .revs = revs,
		                        .nrevs = nrevs, .runs = kp->runs, .nruns = kp->nruns };
		rc = store_commit(q, &u);
		if (rc == GW_OK) {
			st->queued_records += *recs;
			st->no_change += kp->nothing;
			for (size_t i = 0; i < *nm; i++)
				if (!dup[i])
					st->messages++;
		}
	}
	free(revs);                 /* shallow: the kept payloads are kp's */
	for (size_t i = 0; i < *nm; i++)
		queue_msg_free(&msgs[i]);
	for (size_t i = 0; i < kp->n; i++)
		store_revision_free(&kp->v[i]);
	*nm = 0;
	*recs = 0;
	kp->n = 0;
	kp->nothing = 0;
	kp->nruns = 0;
	return rc;
}

/* Keep the revision of c (json, ownership taken) in the store. */
static void
intake_keep(struct keeps *kp, const struct contract *c, char *json)
{
	struct store_revision *r = &kp->v[kp->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->record_id, sizeof r->record_id, "%s", c->contract_id);
	r->revision = c->revision;
	queue_sha256_hex(json, strlen(json), r->hash);
	r->payload = json;
}

/* One file being taken in: the parser thread, the batch being built,
 * the held Horeca days and the revisions kept without a message. */
struct intake_file {
	struct queue *q;
	const char *path;
	const struct intake_opts *o;
	struct intake_stats *st;
	FILE *rej;
	char *err;
	size_t errcap;
	struct pipe p;
	pthread_t thr;
	int started;
	size_t cap, nm;                 /* msgs and dup: cap entries, nm used */
	struct queue_msg *msgs;
	unsigned char *dup;
	struct idset ids;               /* record ids of the batch */
	struct hold hold;
	struct keeps keeps;
	unsigned long recs;             /* records of the batch with messages */
	struct store_rejection *rejs;   /* refused records, kept in the store at the end */
	size_t nrejs, caprejs;
};

/* Allocate the batch, open the file and start its parser thread. */
static gw_rc
intake_file_open(struct intake_file *f)
{
	f->cap = f->o->batch * 2 + 2;
	f->msgs = calloc(f->cap, sizeof *f->msgs);
	f->dup = calloc(f->cap, 1);
	f->ids.cap = 1;
	while (f->ids.cap < f->o->batch * 2)
		f->ids.cap <<= 1;
	f->ids.ids = calloc(f->ids.cap, sizeof *f->ids.ids);
	f->hold.ids.cap = HOLD_MAX * 2;
	f->hold.v = calloc(HOLD_MAX, sizeof *f->hold.v);
	f->hold.ids.ids = calloc(f->hold.ids.cap, sizeof *f->hold.ids.ids);
	f->keeps.v = calloc(f->cap, sizeof *f->keeps.v);
	f->keeps.runs = calloc(f->cap, sizeof *f->keeps.runs);
	f->p.ring = calloc(RING, sizeof *f->p.ring);
	pthread_mutex_init(&f->p.mu, NULL);
	pthread_cond_init(&f->p.not_empty, NULL);
	pthread_cond_init(&f->p.not_full, NULL);
	if (f->msgs == NULL || f->dup == NULL || f->ids.ids == NULL || f->p.ring == NULL ||
	    f->keeps.v == NULL || f->keeps.runs == NULL || f->hold.v == NULL ||
	    f->hold.ids.ids == NULL) {
		snprintf(f->err, f->errcap, "%s: out of memory; nothing taken in", f->path);
		return GW_ENOMEM;
	}
	gw_rc rc = contract_reader_open(&f->p.rd, f->path, f->err, f->errcap);
	if (rc != GW_OK)
		return rc;
	if (pthread_create(&f->thr, NULL, pipe_parse, &f->p) != 0)
		return GW_EINTERNAL;
	f->started = 1;
	return GW_OK;
}

/* Stop the parser and free everything not committed. */
static void
intake_file_close(struct intake_file *f)
{
	if (f->started) {
		pthread_mutex_lock(&f->p.mu);
		f->p.abort = 1;
		pthread_cond_signal(&f->p.not_full);
		pthread_mutex_unlock(&f->p.mu);
		pthread_join(f->thr, NULL);
		/* Parsed but not taken: free their JSON. */
		for (size_t i = f->p.head; i < f->p.tail; i++)
			free(f->p.ring[i % RING].json);
	}
	for (size_t i = 0; i < f->nm; i++)
		queue_msg_free(&f->msgs[i]);
	for (size_t i = 0; i < f->keeps.n; i++)
		store_revision_free(&f->keeps.v[i]);
	free(f->keeps.v);
	free(f->keeps.runs);
	for (size_t i = 0; f->hold.v != NULL && i < f->hold.n; i++)
		queue_msg_free(&f->hold.v[i].in);
	free(f->hold.v);
	free(f->hold.ids.ids);
	contract_reader_close(f->p.rd);
	pthread_mutex_destroy(&f->p.mu);
	pthread_cond_destroy(&f->p.not_empty);
	pthread_cond_destroy(&f->p.not_full);
	free(f->p.ring);
	free(f->ids.ids);
	free(f->msgs);
	free(f->dup);
	free(f->rejs);
}

/* Note a refused record for the store (intake_keep_rejections); printed
 * to f->rej as before. */
static void
intake_note_rejection(struct intake_file *f, const struct record_rejection *rej)
{
	record_rejection_print(rej, f->rej);
	if (f->nrejs == f->caprejs) {
		size_t cap = f->caprejs ? f->caprejs * 2 : 64;
		struct store_rejection *v = realloc(f->rejs, cap * sizeof *v);
		if (v == NULL)
			return;         /* still printed; the store misses it (logged at the end) */
		f->rejs = v;
		f->caprejs = cap;
	}
	struct store_rejection *r = &f->rejs[f->nrejs++];
	memset(r, 0, sizeof *r);
	snprintf(r->record_id, sizeof r->record_id, "%s", rej->record_id);
	snprintf(r->file, sizeof r->file, "%s", rej->file);
	r->line = rej->line > UINT32_MAX ? UINT32_MAX : (uint32_t)rej->line;
	snprintf(r->field, sizeof r->field, "%s", rej->field);
	snprintf(r->reason, sizeof r->reason, "%s", rej->reason);
	r->at_ms = queue_now_ms();
}

/* Keep the file's refused records in the record store, so that show,
 * list --state rejected and the API give them back (not only stderr). */
static void
intake_keep_rejections(struct intake_file *f)
{
	struct store *st;
	gw_rc rc = f->nrejs == 0 ? GW_OK : store_of(f->q, &st);
	if (rc == GW_OK && f->nrejs > 0)
		rc = st->ops->rejections_put(st, f->rejs, f->nrejs);
	if (rc != GW_OK)
		log_warn(NULL, f->path, "%zu refused record(s) not kept in the record store (%s): they"
		    " are only in this output", f->nrejs, gw_rc_name(rc));
}

/* Print one rejection of record rid (field, reason) and count it. */
static void
intake_reject(struct intake_file *f, const char *rid, const char *field, const char *reason)
{
	struct record_rejection rej;
	memset(&rej, 0, sizeof rej);
	f->st->rejected++;
	snprintf(rej.file, sizeof rej.file, "%s", f->path);
	snprintf(rej.record_id, sizeof rej.record_id, "%s", rid);
	snprintf(rej.field, sizeof rej.field, "%s", field);
	snprintf(rej.reason, sizeof rej.reason, "%s", reason);
	intake_note_rejection(f, &rej);
}

/* Commit the batch; also the held records when with_held. A failure says
 * the queue refused (unless something more precise was said). */
static gw_rc
intake_commit(struct intake_file *f, int with_held)
{
	gw_rc rc = intake_flush(f->q, f->msgs, f->dup, &f->nm, &f->recs, &f->keeps, f->st);
	if (rc == GW_OK && with_held)
		rc = intake_flush_held(f->q, &f->hold, f->st, f->path, f->rej, f->err, f->errcap);
	if (rc != GW_OK && f->err[0] == '\0')
		snprintf(f->err, f->errcap, "queue refused the batch (%s)%s", gw_rc_name(rc),
		    rc == GW_ETEMP ? ": disk nearly full or queue busy; try again later" : "");
	if (rc == GW_OK)
		idset_clear(&f->ids);
	return rc;
}

/* Another revision of a held record: nothing of the held one is
 * committed yet, so it is compared here and, when superseded, dropped;
 * the new one is decided as if it came first (flushing instead would cut
 * its run in two). *done 1: the record needs nothing more. */
static gw_rc
intake_against_held(struct intake_file *f, struct parsed *x, int *done)
{
	const struct contract *c = &x->c;
	*done = 0;
	if (!idset_has(&f->hold.ids, c->contract_id))
		return GW_OK;
	switch (intake_hold_replace(&f->hold, c, x->json, x->len)) {
	case 1:
		f->st->replayed++;
		*done = 1;
		return GW_OK;
	case 2:
		f->st->unchanged++;
		*done = 1;
		return GW_OK;
	case 3: {
		char why[128];
		snprintf(why, sizeof why, "revision %u is already in this file with other content;"
		    " send a higher revision", c->revision);
		intake_reject(f, c->contract_id, "revision", why);
		*done = 1;
		return GW_OK;
	}
	case 4:
		f->st->replayed++;
		return GW_OK;
	default:
		/* Not held after all (ids stay in the set): what was held is
		 * committed first. */
		return intake_commit(f, 1);
	}
}

/* Keep the batch within its bounds: one revision per record per batch
 * (a second must see the first committed), arrays and id set not full. */
static gw_rc
intake_make_room(struct intake_file *f, const struct contract *c)
{
	if (f->ids.n < f->ids.cap / 2 && !idset_add(&f->ids, c->contract_id) &&
	    f->nm + 2 <= f->cap && f->keeps.n + 1 <= f->cap)
		return GW_OK;
	gw_rc rc = intake_commit(f, 0);
	if (rc == GW_OK)
		idset_add(&f->ids, c->contract_id);
	return rc;
}

/* Act on the decision about c: hold a Horeca EXT IN, batch its messages,
 * keep a revision without message, or reject. *force: commit now. */
static void
intake_apply_verdict(struct intake_file *f, const struct contract *c, enum intake_verdict v,
                     size_t n, char **keep, const struct store_run_member *member,
                     const char *why, const char *field, int *force)
{
	switch (v) {
	case IV_QUEUE:
		if (n == 1 && strcmp(f->msgs[f->nm].kind, "dimona-in") == 0 &&
		    intake_series_applies(c)) {
			struct intake_held *hd = &f->hold.v[f->hold.n++];
			hd->c = *c;
			hd->in = f->msgs[f->nm];
			memset(&f->msgs[f->nm], 0, sizeof f->msgs[f->nm]);
			idset_add(&f->hold.ids, c->contract_id);
			break;
		}
		f->nm += n;
		f->recs++;
		/* A run's follow-up: its revision is kept beside its run row,
		 * and the next record of the same run must see it committed. */
		if (member->msg_id[0] != '\0') {
			f->keeps.runs[f->keeps.nruns++] = *member;
			intake_keep(&f->keeps, c, *keep);
			*keep = NULL;
			*force = 1;
		}
		break;
	case IV_REPLAY: f->st->replayed++; break;
	case IV_UNCHANGED: f->st->unchanged++; break;
	case IV_NOTHING:
		/* Its revision, kept in the store, rides in the batch's commit. */
		intake_keep(&f->keeps, c, *keep);
		f->keeps.nothing++;
		*keep = NULL;
		break;
	case IV_REFUSED: intake_reject(f, c->contract_id, field, why); break;
	case IV_CONFLICT: intake_reject(f, c->contract_id, "revision", why); break;
	}
}

/* One valid record of the file (its JSON taken): decide, batch, and
 * commit when the batch or the hold is full. */
static gw_rc
intake_record(struct intake_file *f, struct parsed *x)
{
	const struct contract *c = &x->c;
	size_t n = 0;
	int force = 0, done = 0;
	enum intake_verdict v;
	char why[256], field[48], *keep = NULL;
	struct store_run_member member;
	gw_rc rc;

	if ((rc = intake_against_held(f, x, &done)) != GW_OK || done ||
	    (rc = intake_make_room(f, c)) != GW_OK) {
		free(x->json);
		x->json = NULL;
		return rc;
	}
	rc = intake_prepare_json(f->q, c, x->json, x->len, f->o, &f->msgs[f->nm], &n, &v, &keep,
	    &member, why, sizeof why, field, f->err, f->errcap);
	x->json = NULL;
	if (rc != GW_OK) {
		if (f->err[0] == '\0')
			snprintf(f->err, f->errcap, "record %s: cannot prepare: %s", c->contract_id,
			    gw_rc_name(rc));
		return rc;
	}
	intake_apply_verdict(f, c, v, n, &keep, &member, why, field, &force);
	free(keep);                 /* set only with a verdict that keeps it */
	if (f->hold.n == HOLD_MAX || f->hold.ids.n >= HOLD_MAX)
		rc = intake_commit(f, 1);
	if (rc == GW_OK && (force || f->nm >= f->o->batch))
		rc = intake_commit(f, 0);
	return rc;
}

/* The whole file: each parsed item in turn, then the last batch and the
 * held records. */
gw_rc
intake_contracts(struct queue *q, const char *path, const struct intake_opts *o,
                 struct intake_stats *st, FILE *rej_out, char *errbuf, size_t errcap)
{
	struct intake_file f = { .q = q, .path = path, .o = o, .st = st, .rej = rej_out,
	                         .err = errbuf, .errcap = errcap };
	gw_rc rc;

	memset(st, 0, sizeof *st);
	errbuf[0] = '\0';
	if ((rc = intake_file_open(&f)) != GW_OK)
		goto out;
	for (;;) {
		struct parsed *x = pipe_next(&f.p);
		if (x->what == PR_EOF) {
			pipe_done(&f.p);
			break;
		}
		if (x->what == PR_ERROR) {
			rc = x->rc;
			snprintf(errbuf, errcap, "%s: read error (%s)", path, gw_rc_name(rc));
			pipe_done(&f.p);
			goto out;
		}
		st->read++;
		if (o->progress != NULL)
			progress_set(o->progress, st->read);
		if (x->what == PR_REJECTED) {
			st->rejected++;
			intake_note_rejection(&f, &x->rej);
		} else {
			rc = intake_record(&f, x);
		}
		pipe_done(&f.p);
		if (rc != GW_OK)
			goto out;
	}
	rc = intake_commit(&f, 1);
out:
	if (!o->caller_keeps_rejections)
		intake_keep_rejections(&f);
	intake_file_close(&f);
	return rc;
}
