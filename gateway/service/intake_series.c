/*
 * service/intake_series.c - Horeca EXT runs into one OTH period at intake
 * (intake_series.h).
 *
 * Owns the grouping of held-back EXT days into runs and the messages a run
 * becomes. The merged period itself is what dimona_merge_ext_series()
 * makes, so intake and `gateway dimona export` declare the same period.
 * Must never queue a dimona-in for a later day of a run, never lose a
 * held record (every one leaves as a message or a marker), never let a
 * marker be sent.
 */
#include "service/intake_series.h"
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

int
intake_series_is_marker(const char *kind)
{
	return strcmp(kind, INTAKE_KIND_RUN) == 0 || strcmp(kind, INTAKE_KIND_MERGED) == 0;
}

static gw_ymd
last_day(const struct contract *c)
{
	return c->end_date ? c->end_date : c->start_date;
}

/* A series marker (settle pick). */
static int
is_marker_msg(const struct queue_msg *m)
{
	return intake_series_is_marker(m->kind);
}

/* Held messages become cancelled once their commit returned: all of them
 * in one transaction (queue move_many), not one commit each. One already
 * settled (an earlier run of the same intake, or an operator) is refused
 * and skipped. */
gw_rc
intake_series_settle_picked(struct queue *q, const struct queue_msg *msgs, size_t n,
                            const unsigned char *dup, intake_settle_pick pick)
{
	struct queue_move *mv = n ? calloc(n, sizeof *mv) : NULL;
	size_t k = 0;
	gw_rc rc;
	if (n && mv == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if ((dup != NULL && dup[i]) || !pick(&msgs[i]))
			continue;
		mv[k].id = msgs[i].id;
		mv[k].from = QS_HELD;
		mv[k].to = QS_CANCELLED;
		mv[k].why = msgs[i].last_error;
		k++;
	}
	rc = queue_move_many(q, mv, k, "intake", NULL);
	free(mv);
	return rc;
}

gw_rc
intake_series_settle(struct queue *q, const struct queue_msg *msgs, size_t n,
                     const unsigned char *dup)
{
	return intake_series_settle_picked(q, msgs, n, dup, is_marker_msg);
}

gw_rc
intake_series_settle_listed(struct queue *q, const struct queue_filter *f,
                            intake_settle_pick pick)
{
	struct queue_msg *l = NULL;
	size_t n = 0;
	gw_rc rc = q->ops->list(q, f, &l, &n);
	if (rc != GW_OK)
		return rc;
	rc = intake_series_settle_picked(q, l, n, NULL, pick);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);
	return rc;
}

/* Markers a crash left held (between their commit and settle): settle
 * them now, so none stays held whatever the crash. */
gw_rc
intake_series_settle_left(struct queue *q)
{
	struct queue_filter f = { .state = QS_HELD };
	return intake_series_settle_listed(q, &f, is_marker_msg);
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
	m->state = intake_series_is_marker(kind) ? QS_HELD : QS_PENDING;
	m->expires_ms = intake_series_is_marker(kind) ? 0 : expires_ms;
	snprintf(m->depends_on, sizeof m->depends_on, "%s", depends_on);
	queue_make_id(m->id, m->record_id, m->revision, m->kind);
}

#define RUN_MAX 64

/* The run's days as last taken in (its markers d[]), but record skip. */
static size_t
series_members_of(const struct queue_msg *d, size_t nd, const char *skip, struct contract *v,
                  uint32_t *rev)
{
	size_t n = 0;
	for (size_t i = 0; i < nd; i++) {
		if (!intake_series_is_marker(d[i].kind) || d[i].payload == NULL ||
		    strcmp(d[i].record_id, skip) == 0)
			continue;
		struct contract x;
		struct record_rejection rej;
		if (contract_from_json(d[i].payload, strlen(d[i].payload), &x, &rej) != GW_OK)
			continue;
		size_t j = 0;
		while (j < n && strcmp(v[j].contract_id, x.contract_id) != 0)
			j++;
		if (j < n && rev[j] >= d[i].revision)
			continue;
		if (j == n) {
			if (n == RUN_MAX)
				continue;
			n++;
		}
		v[j] = x;
		rev[j] = d[i].revision;
	}
	return n;
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
intake_series_followup(struct queue *q, const struct contract *c, const char *json,
                       const struct queue_msg *list, size_t nl, const char *channel,
                       int64_t expires_ms, struct queue_msg out[2], size_t *n, int *in_run,
                       char *why, size_t whycap)
{
	const char *run_in = NULL;
	struct queue_msg rin;
	struct queue_msg *d = NULL;
	size_t nd = 0;
	struct contract *v = NULL, prev;
	uint32_t rev[RUN_MAX];
	struct dimona_decl *dd = NULL;
	char *mjson = NULL;
	size_t mlen = 0;
	int have_rin = 0;
	gw_rc rc = GW_OK;

	*n = 0;
	*in_run = 0;
	why[0] = '\0';
	for (size_t i = 0; i < nl && run_in == NULL; i++)
		if (intake_series_is_marker(list[i].kind) && list[i].depends_on[0] != '\0')
			run_in = list[i].depends_on;
	if (run_in == NULL)
		return GW_OK;
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
	struct record_rejection rej;
	if (contract_from_json(last->payload, strlen(last->payload), &prev, &rej) != GW_OK) {
		rc = GW_EINTERNAL;
		goto out;
	}
	v = calloc(RUN_MAX, sizeof *v);
	dd = calloc(RUN_MAX, sizeof *dd);
	if (v == NULL || dd == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	size_t nv = series_members_of(d, nd, c->contract_id, v, rev);
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
	int is_head = strcmp(c->contract_id, rin.record_id) == 0;
	if (period_differs(&prev, m)) {
		if ((rc = contract_to_json(m, &mjson, &mlen)) != GW_OK)
			goto out;
		series_msg(&out[*n], c, "dimona-update", channel, expires_ms, last->id);
		out[(*n)++].payload = mjson;
		mjson = NULL;
	}
	/* The marker last: the records table keeps the hash of c. */
	struct queue_msg *mk = &out[*n];
	series_msg(mk, c, is_head ? INTAKE_KIND_RUN : INTAKE_KIND_MERGED, channel, 0, run_in);
	snprintf(mk->last_error, sizeof mk->last_error, "revision %u %s the Horeca EXT run of %s"
	    " (%s)", c->revision, c->status == CONTRACT_CANCELLED ? "leaves" : "stays in",
	    rin.record_id, *n ? "the OTH period is updated" : "the OTH period is unchanged");
	mk->payload = strdup(json);
	if (mk->payload == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	(*n)++;
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

/* What an earlier record R is now: an EXT day standing alone, a day of a
 * merged run, or nothing that counts (refused, changed since, not EXT). */
static gw_rc
series_classify(struct queue *q, const char *rid, struct days *x)
{
	struct queue_msg *l = NULL, rin;
	size_t nl = 0;
	int have_rin = 0;
	gw_rc rc = q->ops->by_record(q, rid, &l, &nl);
	if (rc == GW_ENOTFOUND)
		return GW_OK;                    /* an index row whose commit never came */
	if (rc != GW_OK)
		return rc;
	const char *run_in = NULL;
	for (size_t i = 0; i < nl && run_in == NULL; i++)
		if (intake_series_is_marker(l[i].kind) && l[i].depends_on[0] != '\0')
			run_in = l[i].depends_on;
	struct record_rejection rej;
	if (run_in != NULL) {
		struct queue_msg *f = NULL;
		size_t nf = 0;
		if (q->ops->get(q, run_in, &rin) != GW_OK)
			goto out;
		have_rin = 1;
		if (ended_without_effect(rin.state) || rin.payload == NULL)
			goto out;
		for (size_t i = 0; i < x->n; i++)
			if (x->d[i].what == D_RUN && strcmp(x->d[i].in_id, run_in) == 0)
				goto out;            /* that run is already there */
		struct queue_filter flt = { .state = -1, .depends_on = run_in, .with_bodies = 1 };
		if ((rc = q->ops->list(q, &flt, &f, &nf)) != GW_OK)
			goto out;
		const struct queue_msg *last = series_last(&rin, f, nf);
		struct day *d = days_push(x);
		if (d == NULL) {
			rc = GW_ENOMEM;
		} else {
			d->what = D_RUN;
			snprintf(d->in_id, sizeof d->in_id, "%s", run_in);
			snprintf(d->last_id, sizeof d->last_id, "%s", last->id);
			if (contract_from_json(last->payload, strlen(last->payload), &d->c, &rej) != GW_OK)
				x->n--;
			else
				day_key(&d->c, d->key, sizeof d->key);
		}
		for (size_t i = 0; i < nf; i++)
			queue_msg_free(&f[i]);
		free(f);
		goto out;
	}
	/* Standing alone: the newest message with a payload is its IN. */
	for (size_t i = 0; i < nl; i++) {
		if (l[i].payload == NULL)
			continue;
		if (strcmp(l[i].kind, "dimona-in") != 0 || ended_without_effect(l[i].state))
			break;
		struct contract c;
		if (contract_from_json(l[i].payload, strlen(l[i].payload), &c, &rej) != GW_OK ||
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
out:
	for (size_t i = 0; i < nl; i++)
		queue_msg_free(&l[i]);
	free(l);
	if (have_rin)
		queue_msg_free(&rin);
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

/* A held record's own message (its IN or a marker), its payload moved. */
static struct queue_msg *
series_push_held(struct outv *o, struct intake_held *h, const char *kind, const char *dep,
                 const char *why)
{
	struct queue_msg *m = out_push(o);
	if (m == NULL)
		return NULL;
	*m = h->in;
	h->in.payload = NULL;
	if (strcmp(kind, "dimona-in") != 0) {
		m->id[0] = '\0';
		snprintf(m->kind, sizeof m->kind, "%s", kind);
		m->state = QS_HELD;
		m->expires_ms = 0;
		snprintf(m->depends_on, sizeof m->depends_on, "%s", dep);
		snprintf(m->last_error, sizeof m->last_error, "%s", why);
	}
	if (m->id[0] == '\0')
		queue_make_id(m->id, m->record_id, m->revision, m->kind);
	return m;
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
 * the first held record, then the markers. */
static gw_rc
series_emit_run(struct intake_held *v, struct day *g, size_t ng, struct outv *o)
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
	char *json = NULL;
	size_t jl = 0;
	if ((rc = contract_to_json(&m, &json, &jl)) != GW_OK)
		goto out;
	char *orig = h->in.payload;
	h->in.payload = json;
	struct queue_msg *in = series_push_held(o, h, "dimona-in", "", "");
	if (in == NULL) {
		h->in.payload = orig;
		free(json);
		rc = GW_ENOMEM;
		goto out;
	}
	snprintf(in->depends_on, sizeof in->depends_on, "%s", prev);
	char in_id[QUEUE_ID_MAX + 1];
	snprintf(in_id, sizeof in_id, "%s", in->id);
	h->in.payload = orig;
	snprintf(why, sizeof why, "Horeca EXT run of %zu records, %s..%s, declared as one OTH"
	    " period by %s (00910-459)", ng, first, lastd, in_id);
	if (series_push_held(o, h, INTAKE_KIND_RUN, in_id, why) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ng; i++) {
		if (i == head)
			continue;
		snprintf(why, sizeof why, "merged into %s (one OTH period %s..%s, message %s)%s",
		    h->c.contract_id, first, lastd, in_id,
		    g[i].what == D_EARLY ? "; its EXT period is cancelled" : "");
		struct queue_msg *mk = g[i].what == D_HELD ?
		    series_push_held(o, &v[g[i].hi], INTAKE_KIND_MERGED, in_id, why) :
		    series_push_msg(o, &g[i].c, &g[i].c, INTAKE_KIND_MERGED, h->in.channel, 0, in_id);
		if (mk == NULL) {
			rc = GW_ENOMEM;
			goto out;
		}
		snprintf(mk->last_error, sizeof mk->last_error, "%s", why);
	}
	log_info(in_id, h->c.contract_id, "Horeca EXT run of %zu days %s..%s declared as one OTH"
	    " period", ng, first, lastd);
out:
	free(cs);
	return rc;
}

/* Held days that extend a run an earlier intake merged: one UPDATE of the
 * run's period (after its last one), then the markers. */
static gw_rc
series_emit_extend(struct queue *q, struct intake_held *v, struct day *g, size_t ng,
                   const struct day *run, struct outv *o)
{
	struct queue_msg *f = NULL;
	size_t nf = 0, nv = 0, lasth = ng;
	struct contract *cv = calloc(RUN_MAX, sizeof *cv), m;
	const struct contract **cs = calloc(RUN_MAX, sizeof *cs);
	uint32_t rev[RUN_MAX];
	char why[512];
	gw_rc rc = GW_OK;
	if (cv == NULL || cs == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	struct queue_filter flt = { .state = -1, .depends_on = run->in_id, .with_bodies = 1 };
	if ((rc = q->ops->list(q, &flt, &f, &nf)) != GW_OK)
		goto out;
	nv = series_active(cv, series_members_of(f, nf, "", cv, rev));
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
	for (size_t i = 0; i < ng; i++) {
		if (g[i].what != D_HELD)
			continue;
		snprintf(why, sizeof why, "merged into %s (the run's OTH period is updated, message"
		    " %s)", run->c.contract_id, run->in_id);
		if (series_push_held(o, &v[g[i].hi], INTAKE_KIND_MERGED, run->in_id, why) == NULL) {
			rc = GW_ENOMEM;
			goto out;
		}
	}
out:
	for (size_t i = 0; i < nf; i++)
		queue_msg_free(&f[i]);
	free(f);
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
                      size_t *nout, size_t *runs)
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
		struct store_day *rows = NULL;
		size_t nr = 0;
		dimona_worker_key(&v[i].c, w, sizeof w);
		rc = sto->ops->days_get(sto, v[i].c.employer_noss, w,
		    (int32_t)ymd_add_days(v[i].c.start_date, -2),
		    (int32_t)ymd_add_days(last_day(&v[i].c), 2), &rows, &nr);
		if (rc != GW_OK)
			goto out;
		for (size_t r = 0; r < nr && rc == GW_OK; r++) {
			int seen = held_has(v, n, rows[r].record_id);
			for (size_t k = n; k < x.n && !seen; k++)
				seen = x.d[k].what == D_EARLY &&
				    strcmp(x.d[k].c.contract_id, rows[r].record_id) == 0;
			if (!seen)
				rc = series_classify(q, rows[r].record_id, &x);
		}
		free(rows);
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
				if (g[i].what == D_HELD &&
				    series_push_held(&o, &v[g[i].hi], "dimona-in", "", "") == NULL) {
					rc = GW_ENOMEM;
					goto out;
				}
		} else if (nr == 0) {
			if ((rc = series_emit_run(v, g, ng, &o)) != GW_OK)
				goto out;
			(*runs)++;
		} else if (nr == 1 && ne == 0) {
			if ((rc = series_emit_extend(q, v, g, ng, &x.d[ri], &o)) != GW_OK)
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
