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

struct sref {
	size_t i;
	char key[DIMONA_WORKER_KEY_MAX + 16];
	gw_ymd start;
};

/* Employer, worker, then first day: a run is adjacent after sorting. */
static int
sref_cmp(const void *a, const void *b)
{
	const struct sref *x = a, *y = b;
	int k = strcmp(x->key, y->key);
	if (k != 0)
		return k;
	if (x->start != y->start)
		return (x->start > y->start) - (x->start < y->start);
	return (x->i > y->i) - (x->i < y->i);
}

static gw_ymd
last_day(const struct contract *c)
{
	return c->end_date ? c->end_date : c->start_date;
}

/* A never-sent marker for held record h, pointing at the run's IN. */
static void
series_marker(struct queue_msg *m, struct intake_held *h, const char *kind, const char *in_id,
              const char *why)
{
	*m = h->in;                    /* record id, revision, channel; payload moves */
	h->in.payload = NULL;
	m->id[0] = '\0';
	snprintf(m->kind, sizeof m->kind, "%s", kind);
	m->state = QS_HELD;
	m->expires_ms = 0;
	snprintf(m->depends_on, sizeof m->depends_on, "%s", in_id);
	snprintf(m->last_error, sizeof m->last_error, "%s", why);
	queue_make_id(m->id, m->record_id, m->revision, m->kind);
}

/* One run v[r[a..b)] of three or more days: the head's IN carries the
 * merged period, then the markers. */
static gw_rc
series_emit_run(struct intake_held *v, const struct sref *r, size_t a, size_t b,
                struct queue_msg *out, size_t *k)
{
	size_t len = b - a, nd = len;
	struct dimona_decl *d = calloc(len, sizeof *d);
	char *json = NULL, why[512];
	size_t jl = 0;
	gw_rc rc = GW_OK;
	if (d == NULL)
		return GW_ENOMEM;
	for (size_t j = 0; j < len; j++)
		if ((rc = dimona_decl_from_contract(&d[j], &v[r[a + j].i].c)) != GW_OK)
			goto out;
	/* The run as the export merges it; d[0] is the earliest day. */
	if (dimona_merge_ext_series(d, &nd) != 1 || nd != 1) {
		rc = GW_EINTERNAL;
		goto out;
	}
	if ((rc = contract_to_json(&d[0].c, &json, &jl)) != GW_OK)
		goto out;
	struct intake_held *head = &v[r[a].i];
	struct queue_msg *in = &out[(*k)++];
	char *orig = head->in.payload;     /* the head as taken in: its marker keeps it */
	*in = head->in;
	in->payload = json;
	json = NULL;
	if (in->id[0] == '\0')
		queue_make_id(in->id, in->record_id, in->revision, in->kind);
	char first[11], last[11];
	dimona_fmt_date(d[0].c.start_date, first);
	dimona_fmt_date(d[0].c.end_date, last);
	/* The marker comes after the IN: the records table then keeps the hash
	 * of the record as taken in, not of the merged period. */
	snprintf(why, sizeof why, "Horeca EXT run of %zu records, %s..%s, declared as one OTH"
	    " period by %s (00910-459)", len, first, last, in->id);
	head->in.payload = orig;
	series_marker(&out[(*k)++], head, INTAKE_KIND_RUN, in->id, why);
	for (size_t j = a + 1; j < b; j++) {
		snprintf(why, sizeof why, "merged into %s (one OTH period %s..%s, message %s)",
		    head->c.contract_id, first, last, in->id);
		series_marker(&out[(*k)++], &v[r[j].i], INTAKE_KIND_MERGED, in->id, why);
	}
	log_info(in->id, in->record_id, "Horeca EXT run of %zu days %s..%s declared as one OTH period",
	    len, first, last);
out:
	free(json);
	free(d);
	return rc;
}

/* Group v into runs and emit their messages. */
gw_rc
intake_series_resolve(struct intake_held *v, size_t n, struct queue_msg *out, size_t *nout,
                      size_t *runs)
{
	struct sref *r = calloc(n ? n : 1, sizeof *r);
	char w[DIMONA_WORKER_KEY_MAX];
	size_t k = 0;
	gw_rc rc = GW_OK;

	*nout = 0;
	*runs = 0;
	if (r == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		dimona_worker_key(&v[i].c, w, sizeof w);
		r[i].i = i;
		r[i].start = v[i].c.start_date;
		snprintf(r[i].key, sizeof r[i].key, "%s/%s", v[i].c.employer_noss, w);
	}
	qsort(r, n, sizeof *r, sref_cmp);
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		gw_ymd end = last_day(&v[r[a].i].c);
		while (b < n && strcmp(r[b].key, r[a].key) == 0 &&
		    v[r[b].i].c.start_date == ymd_add_days(end, 1)) {
			end = last_day(&v[r[b].i].c);
			b++;
		}
		long days = ymd_to_days(end) - ymd_to_days(v[r[a].i].c.start_date) + 1;
		if (days > 2) {
			if ((rc = series_emit_run(v, r, a, b, out, &k)) != GW_OK)
				goto out;
			(*runs)++;
		} else {
			for (size_t j = a; j < b; j++) {
				out[k++] = v[r[j].i].in;
				v[r[j].i].in.payload = NULL;
			}
		}
		a = b;
	}
out:
	*nout = k;
	free(r);
	return rc;
}

/* Held markers become cancelled once their commit returned. */
gw_rc
intake_series_settle(struct queue *q, const struct queue_msg *msgs, size_t n,
                     const unsigned char *dup)
{
	gw_rc rc = GW_OK;
	for (size_t i = 0; i < n; i++) {
		if ((dup != NULL && dup[i]) || !intake_series_is_marker(msgs[i].kind))
			continue;
		gw_rc r = q->ops->transition(q, msgs[i].id, QS_HELD, QS_CANCELLED, "intake",
		    msgs[i].last_error);
		/* Already settled by an earlier run of the same intake: fine. */
		if (r != GW_OK && r != GW_ESTATE && rc == GW_OK)
			rc = r;
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

/* The run's days as last taken in, c in place of its own older revision;
 * cancelled days left out. */
static size_t
series_members(const struct queue_msg *d, size_t nd, const struct contract *c,
               struct contract *v, uint32_t *rev)
{
	size_t n = 0;
	for (size_t i = 0; i < nd; i++) {
		if (!intake_series_is_marker(d[i].kind) || d[i].payload == NULL ||
		    strcmp(d[i].record_id, c->contract_id) == 0)
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
	if (n < RUN_MAX)
		v[n++] = *c;
	/* Cancelled days are not in the run any more. */
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
	const struct queue_msg *last = &rin;
	for (size_t i = 0; i < nd; i++)
		if (strcmp(d[i].kind, "dimona-update") == 0 && d[i].payload != NULL &&
		    !ended_without_effect(d[i].state) && d[i].created_ms >= last->created_ms)
			last = &d[i];
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
	size_t nv = series_members(d, nd, c, v, rev);
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
	if (dimona_merge_ext_series(dd, &ndd) != 1 || ndd != 1) {
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
