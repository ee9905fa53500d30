/*
 * service/intake_series.c - Horeca EXT runs into one OTH period at intake
 * (intake_series.h).
 *
 * Owns the grouping of held-back EXT days into runs and the messages a run
 * becomes. The merged period itself is what dimona_merge_ext_series()
 * makes, so intake and `gateway dimona export` declare the same period.
 * Finds earlier runs through the record store's run members, never
 * through messages. Must never queue a dimona-in for a later day of a run,
 * never lose a held record (every one leaves as a message or a run row
 * with its kept revision), never decide without a stored revision it
 * cannot read (that stops the intake, naming the record and the field).
 */
#include "service/intake_series.h"
#include "core/array.h"
#include "core/log.h"
#include "onss/dimona/dates.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"
#include "records/reader.h"

#include <stdlib.h>
#include <string.h>

/* Is c an active Horeca EXT contract? */
int
intake_series_applies(const struct contract *c)
{
	char jc[4];
	if (c->status != CONTRACT_ACTIVE || strcmp(c->worker_type, "EXT") != 0)
		return 0;
	dimona_jc_derive(c->joint_committee, jc);
	return strcmp(jc, "302") == 0;
}

static gw_ymd
last_day(const struct contract *c)
{
	return c->end_date ? c->end_date : c->start_date;
}

gw_rc
intake_run_rows_add(struct intake_run_rows *r, const struct contract *c, const char *msg_id,
                    int head, const char *why, char *payload)
{
	if (ARRAY_RESERVE(r->m, r->n, r->cap, 16) != GW_OK ||
	    (payload != NULL && ARRAY_RESERVE(r->kept, r->nkept, r->capk, 16) != GW_OK)) {
		free(payload);
		return GW_ENOMEM;
	}
	struct store_run_member *m = &r->m[r->n++];
	memset(m, 0, sizeof *m);
	snprintf(m->record_id, sizeof m->record_id, "%s", c->contract_id);
	m->revision = c->revision;
	snprintf(m->msg_id, sizeof m->msg_id, "%s", msg_id);
	m->head = head;
	snprintf(m->why, sizeof m->why, "%s", why);
	if (payload != NULL) {
		struct store_revision *k = &r->kept[r->nkept++];
		memset(k, 0, sizeof *k);
		snprintf(k->record_id, sizeof k->record_id, "%s", c->contract_id);
		k->revision = c->revision;
		queue_sha256_hex(payload, strlen(payload), k->hash);
		k->payload = payload;
	}
	return GW_OK;
}

void
intake_run_rows_clear(struct intake_run_rows *r)
{
	for (size_t i = 0; i < r->nkept; i++)
		store_revision_free(&r->kept[i]);
	free(r->kept);
	free(r->m);
	memset(r, 0, sizeof *r);
}

/* A stored revision of rid as a contract: GW_EINPUT (err names the record
 * and the field) when it cannot be read, which stops the intake: deciding
 * without it would declare the run wrongly. */
static gw_rc
series_read(const char *json, const char *rid, uint32_t rev, struct contract *c, char *err,
            size_t errcap)
{
	struct record_rejection rej;
	memset(&rej, 0, sizeof rej);
	gw_rc rc = contract_from_json(json, strlen(json), c, &rej);
	if (rc == GW_EINPUT) {
		snprintf(err, errcap, "record %s: stored revision %u cannot be read (field %s: %s);"
		    " nothing of this batch taken in", rid, rev, rej.field[0] ? rej.field : "-",
		    rej.reason);
		log_error(NULL, rid, "%s", err);
	}
	return rc;
}

/* The Dimona fields of two periods differ. */
static int
period_differs(const struct contract *a, const struct contract *b)
{
	return a->start_date != b->start_date || a->end_date != b->end_date ||
	    a->start_time != b->start_time || a->end_time != b->end_time ||
	    a->planned_hours != b->planned_hours || strcmp(a->worker_type, b->worker_type) != 0 ||
	    strcmp(a->joint_committee, b->joint_committee) != 0;
}

static int
ended_without_effect(enum queue_state s)
{
	return s == QS_REFUSED || s == QS_FAILED || s == QS_CANCELLED;
}

/* The message that set the run's period as last declared: its IN or its
 * newest UPDATE that did not end without effect (d: the run's followers). */
static const struct queue_msg *
series_last(const struct queue_msg *rin, const struct queue_msg *d, size_t nd)
{
	const struct queue_msg *last = rin;
	for (size_t i = 0; i < nd; i++)
		if (strcmp(d[i].kind, "dimona-update") == 0 && d[i].payload != NULL &&
		    !ended_without_effect(d[i].state) && d[i].created_ms >= last->created_ms)
			last = &d[i];
	return last;
}

/* A fresh message of record c. */
static void
series_msg(struct queue_msg *m, const struct contract *c, const char *kind, const char *channel,
           int64_t expires_ms, const char *depends_on)
{
	memset(m, 0, sizeof *m);
	snprintf(m->record_id, sizeof m->record_id, "%s", c->contract_id);
	m->revision = c->revision;
	snprintf(m->kind, sizeof m->kind, "%s", kind);
	snprintf(m->channel, sizeof m->channel, "%s", channel);
	m->state = QS_PENDING;
	m->expires_ms = expires_ms;
	snprintf(m->depends_on, sizeof m->depends_on, "%s", depends_on);
	queue_make_id(m->id, m->record_id, m->revision, m->kind);
}

#define RUN_MAX 64

/* The content of member revision rev of record rid: kept in the store (a
 * day merged when taken in, or a later revision of a day), else carried by
 * its own IN (a day declared on its own before the run merged it). */
static gw_rc
series_member_read(struct queue *q, struct store *sto, const char *rid, uint32_t rev,
                   struct contract *c, char *err, size_t errcap)
{
	struct store_revision have;
	struct queue_msg *l = NULL;
	size_t nl = 0;
	gw_rc rc = sto->ops->revision_get(sto, rid, 1, &have);
	if (rc == GW_OK && have.revision == rev && have.payload != NULL) {
		rc = series_read(have.payload, rid, rev, c, err, errcap);
		store_revision_free(&have);
		return rc;
	}
	if (rc == GW_OK)
		store_revision_free(&have);
	else if (rc != GW_ENOTFOUND)
		return rc;
	if ((rc = queue_by_record(q, rid, &l, &nl)) != GW_OK && rc != GW_ENOTFOUND)
		return rc;
	rc = GW_ENOTFOUND;
	for (size_t i = 0; i < nl && rc == GW_ENOTFOUND; i++)
		if (l[i].revision == rev && l[i].payload != NULL &&
		    strcmp(l[i].kind, "dimona-in") == 0)
			rc = series_read(l[i].payload, rid, rev, c, err, errcap);
	for (size_t i = 0; i < nl; i++)
		queue_msg_free(&l[i]);
	free(l);
	if (rc == GW_ENOTFOUND) {
		snprintf(err, errcap, "record %s: revision %u of a Horeca EXT run is neither kept in"
		    " the record store nor carried by a message; nothing of this batch taken in",
		    rid, rev);
		log_error(NULL, rid, "%s", err);
		rc = GW_EINTERNAL;
	}
	return rc;
}

/* The run's days as last taken in (the store's members of the run declared
 * by run_in, each record at its newest member revision), but record skip;
 * *n of at most RUN_MAX. */
static gw_rc
series_members_of(struct queue *q, struct store *sto, const char *run_in, const char *skip,
                  struct contract *v, size_t *n, char *err, size_t errcap)
{
	struct store_run_member *r = NULL;
	size_t nr = 0;
	gw_rc rc = sto->ops->run_members(sto, run_in, &r, &nr);
	*n = 0;
	if (rc != GW_OK)
		return rc;
	/* By record id, then revision: the last row of each record counts. */
	for (size_t i = 0; i < nr && rc == GW_OK && *n < RUN_MAX; i++) {
		if (strcmp(r[i].record_id, skip) == 0 ||
		    (i + 1 < nr && strcmp(r[i + 1].record_id, r[i].record_id) == 0))
			continue;
		if ((rc = series_member_read(q, sto, r[i].record_id, r[i].revision, &v[*n], err,
		    errcap)) == GW_OK)
			(*n)++;
	}
	free(r);
	return rc;
}

/* Cancelled days are not in the run any more. */
static size_t
series_active(struct contract *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].status == CONTRACT_ACTIVE)
			v[k++] = v[i];
	return k;
}

static int
contract_day_cmp(const void *a, const void *b)
{
	const struct contract *x = a, *y = b;
	return (x->start_date > y->start_date) - (x->start_date < y->start_date);
}

/* Still one run of three or more days of one worker at one employer? */
static int
series_still_one_run(struct contract *v, size_t n)
{
	char k0[DIMONA_WORKER_KEY_MAX], k[DIMONA_WORKER_KEY_MAX];
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, contract_day_cmp);
	dimona_worker_key(&v[0], k0, sizeof k0);
	gw_ymd end = last_day(&v[0]);
	for (size_t i = 0; i < n; i++) {
		if (!intake_series_applies(&v[i]) ||
		    strcmp(v[i].employer_noss, v[0].employer_noss) != 0)
			return 0;
		dimona_worker_key(&v[i], k, sizeof k);
		if (strcmp(k, k0) != 0)
			return 0;
		if (i > 0) {
			if (v[i].start_date != ymd_add_days(end, 1))
				return 0;
			end = last_day(&v[i]);
		}
	}
	return ymd_to_days(end) - ymd_to_days(v[0].start_date) + 1 > 2;
}

/* A new revision of a record that was merged into a run. */
gw_rc
intake_series_followup(struct queue *q, const struct contract *c, const char *channel,
                       int64_t expires_ms, struct queue_msg out[1], size_t *n,
                       struct store_run_member *member, int *in_run, char *why, size_t whycap,
                       char *err, size_t errcap)
{
	struct store *sto = NULL;
	struct store_run_member was;
	struct queue_msg rin;
	struct queue_msg *d = NULL;
	size_t nd = 0;
	struct contract *v = NULL, prev;
	struct dimona_decl *dd = NULL;
	char *mjson = NULL;
	size_t mlen = 0;
	int have_rin = 0;
	gw_rc rc;

	*n = 0;
	*in_run = 0;
	why[0] = '\0';
	memset(member, 0, sizeof *member);
	if ((rc = store_of(q, &sto)) != GW_OK)
		return rc;
	if ((rc = sto->ops->run_get(sto, c->contract_id, &was)) != GW_OK)
		return rc == GW_ENOTFOUND ? GW_OK : rc;
	const char *run_in = was.msg_id;
	if ((rc = q->ops->get(q, run_in, &rin)) != GW_OK)
		return rc == GW_ENOTFOUND ? GW_OK : rc;
	have_rin = 1;
	/* The run's IN never took effect: no period to change; the record is
	 * decided on its own. */
	if (ended_without_effect(rin.state) || rin.payload == NULL)
		goto out;
	*in_run = 1;
	struct queue_filter f = { .state = -1, .depends_on = run_in, .with_bodies = 1 };
	if ((rc = q->ops->list(q, &f, &d, &nd)) != GW_OK)
		goto out;
	/* The period as last declared: the run's IN or its newest live UPDATE
	 * (a new UPDATE follows that one, so two never race). */
	const struct queue_msg *last = series_last(&rin, d, nd);
	if ((rc = series_read(last->payload, last->record_id, last->revision, &prev, err,
	    errcap)) != GW_OK)
		goto out;
	v = calloc(RUN_MAX, sizeof *v);
	dd = calloc(RUN_MAX, sizeof *dd);
	if (v == NULL || dd == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	size_t nv = 0;
	if ((rc = series_members_of(q, sto, run_in, c->contract_id, v, &nv, err, errcap)) != GW_OK)
		goto out;
	if (nv < RUN_MAX)
		v[nv++] = *c;
	nv = series_active(v, nv);
	if (!series_still_one_run(v, nv)) {
		snprintf(why, whycap, "this revision breaks the Horeca EXT run declared as one OTH"
		    " period by %s (no longer three consecutive EXT days); not changed"
		    " automatically: cancel that period and send the days again", run_in);
		goto out;
	}
	size_t ndd = nv;
	for (size_t i = 0; i < nv; i++)
		if ((rc = dimona_decl_from_contract(&dd[i], &v[i])) != GW_OK)
			goto out;
	size_t runs;
	if ((rc = dimona_merge_ext_series(dd, &ndd, &runs)) != GW_OK)
		goto out;
	if (runs != 1 || ndd != 1) {
		rc = GW_EINTERNAL;
		goto out;
	}
	struct contract *m = &dd[0].c;
	snprintf(m->contract_id, sizeof m->contract_id, "%s", rin.record_id);
	m->revision = c->revision;
	if (period_differs(&prev, m)) {
		if ((rc = contract_to_json(m, &mjson, &mlen)) != GW_OK)
			goto out;
		series_msg(&out[0], c, "dimona-update", channel, expires_ms, last->id);
		out[0].payload = mjson;
		mjson = NULL;
		*n = 1;
	}
	/* The revision's run row: the caller keeps its JSON beside it. */
	snprintf(member->record_id, sizeof member->record_id, "%s", c->contract_id);
	member->revision = c->revision;
	snprintf(member->msg_id, sizeof member->msg_id, "%s", run_in);
	member->head = strcmp(c->contract_id, rin.record_id) == 0;
	snprintf(member->why, sizeof member->why, "revision %u %s the Horeca EXT run of %s (%s)",
	    c->revision, c->status == CONTRACT_CANCELLED ? "leaves" : "stays in", rin.record_id,
	    *n ? "the OTH period is updated" : "the OTH period is unchanged");
out:
	if (rc != GW_OK) {
		for (size_t i = 0; i < *n; i++)
			queue_msg_free(&out[i]);
		*n = 0;
	}
	for (size_t i = 0; i < nd; i++)
		queue_msg_free(&d[i]);
	free(d);
	if (have_rin)
		queue_msg_free(&rin);
	free(v);
	free(dd);
	free(mjson);
	return rc;
}

/*
 * Resolution of the held records. A "day" is a held record, an EXT day an
 * earlier intake declared on its own (early), or a run an earlier intake
 * merged (run, covering its whole period).
 */
enum { D_HELD, D_EARLY, D_RUN };

struct day {
	int what;
	size_t hi;                              /* D_HELD: index in v */
	struct contract c;                      /* the day; D_RUN: the run's period */
	char key[DIMONA_WORKER_KEY_MAX + 16];   /* employer/worker */
	char in_id[QUEUE_ID_MAX + 1];           /* D_EARLY: its IN; D_RUN: the run's IN */
	char last_id[QUEUE_ID_MAX + 1];         /* D_RUN: the message that set its period */
	enum queue_state in_state;              /* D_EARLY */
	char period[QUEUE_REF_MAX + 1];         /* D_EARLY: its period id once accepted */
};

struct days {
	struct day *d;
	size_t n, cap;
};

struct outv {
	struct queue_msg *m;
	size_t n, cap;
};

static struct day *
days_push(struct days *x)
{
	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 64;
		struct day *t = realloc(x->d, nc * sizeof *t);
		if (t == NULL)
			return NULL;
		x->d = t;
		x->cap = nc;
	}
	struct day *d = &x->d[x->n++];
	memset(d, 0, sizeof *d);
	return d;
}

static struct queue_msg *
out_push(struct outv *o)
{
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 64;
		struct queue_msg *t = realloc(o->m, nc * sizeof *t);
		if (t == NULL)
			return NULL;
		o->m = t;
		o->cap = nc;
	}
	struct queue_msg *m = &o->m[o->n++];
	memset(m, 0, sizeof *m);
	return m;
}

static void
day_key(const struct contract *c, char *out, size_t cap)
{
	char w[DIMONA_WORKER_KEY_MAX];
	dimona_worker_key(c, w, sizeof w);
	snprintf(out, cap, "%s/%s", c->employer_noss, w);
}

static int
day_cmp(const void *a, const void *b)
{
	const struct day *x = a, *y = b;
	int k = strcmp(x->key, y->key);
	if (k != 0)
		return k;
	if (x->c.start_date != y->c.start_date)
		return (x->c.start_date > y->c.start_date) - (x->c.start_date < y->c.start_date);
	return (x->what > y->what) - (x->what < y->what);
}

static int
is_answered(enum queue_state s)
{
	return s == QS_ACCEPTED || s == QS_ACCEPTED_WARNINGS;
}

/* A run an earlier intake merged, as one day covering its period (unless
 * it is there already or its IN never took effect). */
static gw_rc
series_classify_run(struct queue *q, const char *run_in, struct days *x, char *err,
                    size_t errcap)
{
	struct queue_msg rin, *f = NULL;
	size_t nf = 0;
	gw_rc rc = q->ops->get(q, run_in, &rin);
	if (rc != GW_OK)
		return rc == GW_ENOTFOUND ? GW_OK : rc;
	for (size_t i = 0; i < x->n; i++)
		if (x->d[i].what == D_RUN && strcmp(x->d[i].in_id, run_in) == 0)
			goto out;            /* that run is already there */
	if (ended_without_effect(rin.state) || rin.payload == NULL)
		goto out;
	struct queue_filter flt = { .state = -1, .depends_on = run_in, .with_bodies = 1 };
	if ((rc = q->ops->list(q, &flt, &f, &nf)) != GW_OK)
		goto out;
	const struct queue_msg *last = series_last(&rin, f, nf);
	struct contract c;
	if ((rc = series_read(last->payload, last->record_id, last->revision, &c, err,
	    errcap)) != GW_OK)
		goto out;
	struct day *d = days_push(x);
	if (d == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	d->what = D_RUN;
	d->c = c;
	day_key(&d->c, d->key, sizeof d->key);
	snprintf(d->in_id, sizeof d->in_id, "%s", run_in);
	snprintf(d->last_id, sizeof d->last_id, "%s", last->id);
out:
	for (size_t i = 0; i < nf; i++)
		queue_msg_free(&f[i]);
	free(f);
	queue_msg_free(&rin);
	return rc;
}

/* What an earlier record R is now: an EXT day standing alone, a day of a
 * merged run (the store's run members say), or nothing that counts
 * (refused, changed since, not EXT). */
static gw_rc
series_classify(struct queue *q, struct store *sto, const char *rid, struct days *x, char *err,
                size_t errcap)
{
	struct queue_msg *l = NULL;
	struct store_run_member mem;
	size_t nl = 0;
	gw_rc rc = sto->ops->run_get(sto, rid, &mem);
	if (rc == GW_OK)
		return series_classify_run(q, mem.msg_id, x, err, errcap);
	if (rc != GW_ENOTFOUND)
		return rc;
	rc = queue_by_record(q, rid, &l, &nl);
	if (rc == GW_ENOTFOUND)
		return GW_OK;                    /* an index row whose commit never came */
	if (rc != GW_OK)
		return rc;
	/* Standing alone: the newest message with a payload is its IN. */
	for (size_t i = 0; i < nl; i++) {
		if (l[i].payload == NULL)
			continue;
		if (strcmp(l[i].kind, "dimona-in") != 0 || ended_without_effect(l[i].state))
			break;
		struct contract c;
		if ((rc = series_read(l[i].payload, rid, l[i].revision, &c, err, errcap)) != GW_OK ||
		    !intake_series_applies(&c))
			break;
		struct day *d = days_push(x);
		if (d == NULL) {
			rc = GW_ENOMEM;
			break;
		}
		d->what = D_EARLY;
		d->c = c;
		day_key(&c, d->key, sizeof d->key);
		snprintf(d->in_id, sizeof d->in_id, "%s", l[i].id);
		snprintf(d->period, sizeof d->period, "%s", l[i].remote_ref2);
		d->in_state = l[i].state;
		break;
	}
	for (size_t i = 0; i < nl; i++)
		queue_msg_free(&l[i]);
	free(l);
	return rc;
}

/* The merged OTH period of contracts c[0..n) (one run). */
static gw_rc
series_merge(const struct contract *const *c, size_t n, struct contract *m)
{
	struct dimona_decl *dd = calloc(n ? n : 1, sizeof *dd);
	size_t nd = n;
	gw_rc rc = GW_OK;
	if (dd == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < n && rc == GW_OK; i++)
		rc = dimona_decl_from_contract(&dd[i], c[i]);
	size_t runs = 0;
	if (rc == GW_OK && (rc = dimona_merge_ext_series(dd, &nd, &runs)) == GW_OK &&
	    (runs != 1 || nd != 1))
		rc = GW_EINTERNAL;
	if (rc == GW_OK)
		*m = dd[0].c;
	free(dd);
	return rc;
}

/* A message carrying a copy of JSON of c (kind, depends_on). */
static struct queue_msg *
series_push_msg(struct outv *o, const struct contract *c, const struct contract *body,
                const char *kind, const char *channel, int64_t expires_ms, const char *dep)
{
	char *json = NULL;
	size_t len = 0;
	if (contract_to_json(body, &json, &len) != GW_OK)
		return NULL;
	struct queue_msg *m = out_push(o);
	if (m == NULL) {
		free(json);
		return NULL;
	}
	series_msg(m, c, kind, channel, expires_ms, dep);
	m->payload = json;
	return m;
}

/* A held record's own IN, its payload moved. */
static struct queue_msg *
series_push_held(struct outv *o, struct intake_held *h)
{
	struct queue_msg *m = out_push(o);
	if (m == NULL)
		return NULL;
	*m = h->in;
	h->in.payload = NULL;
	if (m->id[0] == '\0')
		queue_make_id(m->id, m->record_id, m->revision, m->kind);
	return m;
}

/* A held record's run row, its own payload moved into the kept revision. */
static gw_rc
series_row_held(struct intake_run_rows *r, struct intake_held *h, const char *in_id, int head,
                const char *why)
{
	char *payload = h->in.payload;
	h->in.payload = NULL;
	return intake_run_rows_add(r, &h->c, in_id, head, why, payload);
}

static void
series_refuse(struct intake_held *v, struct day *g, size_t ng, const char *why)
{
	for (size_t i = 0; i < ng; i++)
		if (g[i].what == D_HELD)
			snprintf(v[g[i].hi].why, sizeof v[g[i].hi].why, "%s", why);
}

/* A run of three or more days: cancel the EXT periods declared earlier
 * (a chain, so the OTH IN goes only after all of them), then the OTH IN on
 * the first held record, then every day's run row. */
static gw_rc
series_emit_run(struct intake_held *v, struct day *g, size_t ng, struct outv *o,
                struct intake_run_rows *rows)
{
	const struct contract **cs = calloc(ng, sizeof *cs);
	struct contract m;
	char prev[QUEUE_ID_MAX + 1] = "", why[512], first[11], lastd[11];
	size_t unanswered = 0, head = ng;
	gw_rc rc = GW_OK;
	if (cs == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < ng; i++) {
		cs[i] = &g[i].c;
		if (g[i].what == D_HELD && head == ng)
			head = i;
		if (g[i].what == D_EARLY && !is_answered(g[i].in_state))
			unanswered++;
	}
	/* Only the first cancel of the chain can take its period from its IN
	 * when answered later; the others need theirs now. */
	if (unanswered > 1) {
		series_refuse(v, g, ng, "makes a Horeca EXT run with days already queued as EXT"
		    " that the ONSS has not answered yet; take this file in again once they are");
		goto out;
	}
	if ((rc = series_merge(cs, ng, &m)) != GW_OK)
		goto out;
	struct intake_held *h = &v[g[head].hi];
	snprintf(m.contract_id, sizeof m.contract_id, "%s", h->c.contract_id);
	m.revision = h->c.revision;
	dimona_fmt_date(m.start_date, first);
	dimona_fmt_date(m.end_date, lastd);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ng; i++) {
			struct day *d = &g[i];
			if (d->what != D_EARLY || is_answered(d->in_state) != (pass == 1))
				continue;
			struct queue_msg *c = series_push_msg(o, &d->c, &d->c, "dimona-cancel",
			    h->in.channel, h->in.expires_ms, prev[0] ? prev : d->in_id);
			if (c == NULL) {
				rc = GW_ENOMEM;
				goto out;
			}
			if (prev[0])
				snprintf(c->remote_ref2, sizeof c->remote_ref2, "%s", d->period);
			snprintf(prev, sizeof prev, "%s", c->id);
		}
	}
	/* The IN carries the merged period; the head's own record stays in
	 * its run row's kept revision. */
	char *json = NULL;
	size_t jl = 0;
	if ((rc = contract_to_json(&m, &json, &jl)) != GW_OK)
		goto out;
	char *orig = h->in.payload;
	h->in.payload = json;
	struct queue_msg *in = series_push_held(o, h);
	h->in.payload = orig;
	if (in == NULL) {
		free(json);
		rc = GW_ENOMEM;
		goto out;
	}
	snprintf(in->depends_on, sizeof in->depends_on, "%s", prev);
	char in_id[QUEUE_ID_MAX + 1];
	snprintf(in_id, sizeof in_id, "%s", in->id);
	snprintf(why, sizeof why, "Horeca EXT run of %zu records, %s..%s, declared as one OTH"
	    " period by %s (00910-459)", ng, first, lastd, in_id);
	if ((rc = series_row_held(rows, h, in_id, 1, why)) != GW_OK)
		goto out;
	for (size_t i = 0; i < ng && rc == GW_OK; i++) {
		if (i == head)
			continue;
		snprintf(why, sizeof why, "merged into %s (one OTH period %s..%s, message %s)%s",
		    h->c.contract_id, first, lastd, in_id,
		    g[i].what == D_EARLY ? "; its EXT period is cancelled" : "");
		/* A day declared before keeps its revision in its own IN. */
		rc = g[i].what == D_HELD ? series_row_held(rows, &v[g[i].hi], in_id, 0, why) :
		    intake_run_rows_add(rows, &g[i].c, in_id, 0, why, NULL);
	}
	if (rc == GW_OK)
		log_info(in_id, h->c.contract_id, "Horeca EXT run of %zu days %s..%s declared as one"
		    " OTH period", ng, first, lastd);
out:
	free(cs);
	return rc;
}

/* Held days that extend a run an earlier intake merged: one UPDATE of the
 * run's period (after its last one), then their run rows. */
static gw_rc
series_emit_extend(struct queue *q, struct store *sto, struct intake_held *v, struct day *g,
                   size_t ng, const struct day *run, struct outv *o, struct intake_run_rows *rows,
                   char *err, size_t errcap)
{
	size_t nv = 0, lasth = ng;
	struct contract *cv = calloc(RUN_MAX, sizeof *cv), m;
	const struct contract **cs = calloc(RUN_MAX, sizeof *cs);
	char why[512];
	gw_rc rc = GW_OK;
	if (cv == NULL || cs == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	if ((rc = series_members_of(q, sto, run->in_id, "", cv, &nv, err, errcap)) != GW_OK)
		goto out;
	nv = series_active(cv, nv);
	for (size_t i = 0; i < ng && nv < RUN_MAX; i++)
		if (g[i].what == D_HELD) {
			cv[nv++] = g[i].c;
			lasth = i;
		}
	if (lasth == ng || !series_still_one_run(cv, nv)) {
		series_refuse(v, g, ng, "extends a merged Horeca EXT run in a way that leaves no"
		    " single run; not changed automatically");
		goto out;
	}
	for (size_t i = 0; i < nv; i++)
		cs[i] = &cv[i];
	if ((rc = series_merge(cs, nv, &m)) != GW_OK)
		goto out;
	snprintf(m.contract_id, sizeof m.contract_id, "%s", run->c.contract_id);
	struct intake_held *h = &v[g[lasth].hi];
	m.revision = h->c.revision;
	if (period_differs(&run->c, &m) &&
	    series_push_msg(o, &h->c, &m, "dimona-update", h->in.channel, h->in.expires_ms,
	    run->last_id) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	snprintf(why, sizeof why, "merged into %s (the run's OTH period is updated, message %s)",
	    run->c.contract_id, run->in_id);
	for (size_t i = 0; i < ng && rc == GW_OK; i++)
		if (g[i].what == D_HELD)
			rc = series_row_held(rows, &v[g[i].hi], run->in_id, 0, why);
out:
	free(cv);
	free(cs);
	return rc;
}

/* Is rid one of the held records? */
static int
held_has(const struct intake_held *v, size_t n, const char *rid)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].c.contract_id, rid) == 0)
			return 1;
	return 0;
}

gw_rc
intake_series_resolve(struct queue *q, struct intake_held *v, size_t n, struct queue_msg **out,
                      size_t *nout, struct intake_run_rows *rows, size_t *runs, char *err,
                      size_t errcap)
{
	struct days x = { 0 };
	struct outv o = { 0 };
	struct store *sto = NULL;
	gw_rc rc = store_of(q, &sto);

	*out = NULL;
	*nout = 0;
	*runs = 0;
	if (rc != GW_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct day *d = days_push(&x);
		if (d == NULL) {
			rc = GW_ENOMEM;
			goto out;
		}
		d->what = D_HELD;
		d->hi = i;
		d->c = v[i].c;
		day_key(&v[i].c, d->key, sizeof d->key);
		v[i].why[0] = '\0';
	}
	/* Days of the same workers that earlier intakes took in, up to two
	 * days either side (a run of three can reach that far). */
	for (size_t i = 0; i < n; i++) {
		char w[DIMONA_WORKER_KEY_MAX];
		struct store_day *dr = NULL;
		size_t nr = 0;
		dimona_worker_key(&v[i].c, w, sizeof w);
		rc = sto->ops->days_get(sto, v[i].c.employer_noss, w,
		    (int32_t)ymd_add_days(v[i].c.start_date, -2),
		    (int32_t)ymd_add_days(last_day(&v[i].c), 2), &dr, &nr);
		if (rc != GW_OK)
			goto out;
		for (size_t r = 0; r < nr && rc == GW_OK; r++) {
			int seen = held_has(v, n, dr[r].record_id);
			for (size_t k = n; k < x.n && !seen; k++)
				seen = x.d[k].what == D_EARLY &&
				    strcmp(x.d[k].c.contract_id, dr[r].record_id) == 0;
			if (!seen)
				rc = series_classify(q, sto, dr[r].record_id, &x, err, errcap);
		}
		free(dr);
		if (rc != GW_OK)
			goto out;
	}
	qsort(x.d, x.n, sizeof *x.d, day_cmp);
	for (size_t a = 0; a < x.n;) {
		size_t b = a + 1;
		gw_ymd end = last_day(&x.d[a].c);
		int nh = x.d[a].what == D_HELD, ne = x.d[a].what == D_EARLY, nr = x.d[a].what == D_RUN;
		size_t ri = nr ? a : 0;
		while (b < x.n && strcmp(x.d[b].key, x.d[a].key) == 0 &&
		    x.d[b].c.start_date == ymd_add_days(end, 1)) {
			end = last_day(&x.d[b].c);
			nh += x.d[b].what == D_HELD;
			ne += x.d[b].what == D_EARLY;
			if (x.d[b].what == D_RUN) {
				nr++;
				ri = b;
			}
			b++;
		}
		long days = ymd_to_days(end) - ymd_to_days(x.d[a].c.start_date) + 1;
		struct day *g = &x.d[a];
		size_t ng = b - a;
		if (nh == 0) {
			/* Earlier days only: nothing new here. */
		} else if (days <= 2 && nr == 0) {
			for (size_t i = 0; i < ng; i++)
				if (g[i].what == D_HELD && series_push_held(&o, &v[g[i].hi]) == NULL) {
					rc = GW_ENOMEM;
					goto out;
				}
		} else if (nr == 0) {
			if ((rc = series_emit_run(v, g, ng, &o, rows)) != GW_OK)
				goto out;
			(*runs)++;
		} else if (nr == 1 && ne == 0) {
			if ((rc = series_emit_extend(q, sto, v, g, ng, &x.d[ri], &o, rows, err,
			    errcap)) != GW_OK)
				goto out;
			(*runs)++;
		} else {
			series_refuse(v, g, ng, "joins a merged Horeca EXT run to other EXT days or"
			    " another run; not changed automatically");
		}
		a = b;
	}
out:
	if (rc != GW_OK) {
		for (size_t i = 0; i < o.n; i++)
			queue_msg_free(&o.m[i]);
		free(o.m);
		o.m = NULL;
		o.n = 0;
		intake_run_rows_clear(rows);
	}
	free(x.d);
	*out = o.m;
	*nout = o.n;
	return rc;
}

/* Index rows of the held records taken in: every day they cover. */
gw_rc
intake_series_days(const struct intake_held *v, size_t n, struct store_day **rows,
                   size_t *nrows)
{
	size_t cap = 0, k = 0;
	struct store_day *r = NULL;
	*rows = NULL;
	*nrows = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].why[0] != '\0')
			continue;
		char w[DIMONA_WORKER_KEY_MAX];
		dimona_worker_key(&v[i].c, w, sizeof w);
		long s = ymd_to_days(v[i].c.start_date), e = ymd_to_days(last_day(&v[i].c));
		if (e - s > 62)
			e = s + 62;              /* an EXT contract is a day or two; bound it */
		for (long d = s; d <= e; d++) {
			if (k == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct store_day *t = realloc(r, nc * sizeof *t);
				if (t == NULL) {
					free(r);
					return GW_ENOMEM;
				}
				r = t;
				cap = nc;
			}
			memset(&r[k], 0, sizeof r[k]);
			snprintf(r[k].employer, sizeof r[k].employer, "%s", v[i].c.employer_noss);
			snprintf(r[k].worker, sizeof r[k].worker, "%s", w);
			r[k].day = (int32_t)ymd_from_days(d);
			snprintf(r[k].record_id, sizeof r[k].record_id, "%s", v[i].c.contract_id);
			k++;
		}
	}
	*rows = r;
	*nrows = k;
	return GW_OK;
}
