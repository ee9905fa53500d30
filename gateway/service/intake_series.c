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
