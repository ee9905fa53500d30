/*
 * service/dmfa_check.c - the quarter's reconciliation: DmfA occupations
 * against accepted Dimona periods, and 3in1 contracts against their
 * invoices (dmfa_check.h).
 *
 * Owns the reading of a Dimona period out of the queue's messages and the
 * matching rules. Never writes anything and never decides what is filed:
 * the caller holds an employer back on a blocking result.
 */
#include "service/dmfa_check.h"
#include "core/checkdigit.h"
#include "core/date.h"
#include "records/worker_regime.h"
#include "service/invoice_intake.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPEN_END 99991231              /* a Dimona period without an end */

/* One accepted Dimona period. */
struct period {
	uint32_t noss;
	uint64_t inss;
	gw_ymd start, end;
	int has_dmfa;                      /* its worker type is declared in the DmfA */
	const struct queue_msg *m;         /* the message that set it */
};

static int
is_dimona(const char *kind)
{
	return strcmp(kind, "dimona-in") == 0 || strcmp(kind, "dimona-update") == 0 ||
	    strcmp(kind, "dimona-out") == 0 || strcmp(kind, "dimona-cancel") == 0;
}

static int
is_accepted(enum queue_state s)
{
	return s == QS_ACCEPTED || s == QS_ACCEPTED_WARNINGS;
}

/* Whether a is a later word on its record than b: higher revision, then
 * (a cancel and its new IN share a revision) the IN after the cancel,
 * then the later written. */
static int
later(const struct queue_msg *a, const struct queue_msg *b)
{
	if (a->revision != b->revision)
		return a->revision > b->revision;
	int ca = strcmp(a->kind, "dimona-cancel") == 0, cb = strcmp(b->kind, "dimona-cancel") == 0;
	if (ca != cb)
		return cb;
	return a->created_ms > b->created_ms;
}

static uint64_t
digits(const char *s)
{
	char *end;
	if (s == NULL || *s == '\0')
		return 0;
	unsigned long long v = strtoull(s, &end, 10);
	return *end == '\0' ? (uint64_t)v : 0;
}

static gw_ymd
ymd(const char *s)
{
	gw_ymd d = 0;
	char why[80];
	if (s == NULL || *s == '\0' || date_parse(s, strlen(s), &d, why, sizeof why) != GW_OK)
		return 0;
	return d;
}

/* The period m's payload declares; 0 when it names no worker or start. */
static int
period_of(const struct queue_msg *m, struct period *p)
{
	json_error_t e;
	json_t *o = m->payload ? json_loads(m->payload, 0, &e) : NULL;
	int ok = 0;
	if (o == NULL)
		return 0;
	const char *noss = json_string_value(json_object_get(o, "employer_noss"));
	const char *inss = json_string_value(json_object_get(o, "worker_inss"));
	const char *type = json_string_value(json_object_get(o, "worker_type"));
	memset(p, 0, sizeof *p);
	p->noss = (uint32_t)digits(noss);
	p->inss = digits(inss);
	p->start = ymd(json_string_value(json_object_get(o, "start_date")));
	p->end = ymd(json_string_value(json_object_get(o, "end_date")));
	if (p->end == 0)
		p->end = OPEN_END;
	p->has_dmfa = type != NULL && worker_type_has_dmfa(type);
	p->m = m;
	/* A worker without INSS cannot be matched (the DmfA holds such a
	 * contract back on its own, naming it). */
	ok = p->noss != 0 && p->inss != 0 && p->start != 0;
	json_decref(o);
	return ok;
}

static int
period_cmp(const void *a, const void *b)
{
	const struct period *x = a, *y = b;
	if (x->noss != y->noss)
		return x->noss < y->noss ? -1 : 1;
	if (x->inss != y->inss)
		return x->inss < y->inss ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int
msg_record_cmp(const void *a, const void *b)
{
	const struct queue_msg *x = *(const struct queue_msg *const *)a;
	const struct queue_msg *y = *(const struct queue_msg *const *)b;
	return strcmp(x->record_id, y->record_id);
}

/* The live accepted period of each Dimona record; *out malloc'd. */
static gw_rc
periods_load(const struct queue_msg *msgs, size_t n, struct period **out, size_t *nout)
{
	const struct queue_msg **acc = NULL;
	struct period *v = NULL;
	size_t na = 0, w = 0;
	*out = NULL;
	*nout = 0;
	if (n == 0)
		return GW_OK;
	if ((acc = malloc(n * sizeof *acc)) == NULL || (v = malloc(n * sizeof *v)) == NULL) {
		free(acc);
		return GW_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (is_dimona(msgs[i].kind) && is_accepted(msgs[i].state))
			acc[na++] = &msgs[i];
	qsort(acc, na, sizeof *acc, msg_record_cmp);
	for (size_t i = 0; i < na;) {
		const struct queue_msg *last = acc[i];
		size_t j = i + 1;
		for (; j < na && strcmp(acc[j]->record_id, acc[i]->record_id) == 0; j++)
			if (later(acc[j], last))
				last = acc[j];
		if (strcmp(last->kind, "dimona-cancel") != 0 && period_of(last, &v[w]))
			w++;
		i = j;
	}
	free(acc);
	if (w > 1)
		qsort(v, w, sizeof *v, period_cmp);
	*out = v;
	*nout = w;
	return GW_OK;
}

/* First period of (noss, inss) in the sorted v, or n. */
static size_t
periods_find(const struct period *v, size_t n, uint32_t noss, uint64_t inss)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid].noss < noss || (v[mid].noss == noss && v[mid].inss < inss))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First row of (noss, inss) in rows (sorted by employer, then INSS). */
static size_t
rows_find(const struct dmfa_rows *rows, uint32_t noss, uint64_t inss)
{
	size_t lo = 0, hi = rows->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct dmfa_row *x = &rows->v[mid];
		if (x->noss < noss || (x->noss == noss && x->inss < inss))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The part of row in the quarter [first, last]. */
static void
row_span(const struct dmfa_row *row, gw_ymd first, gw_ymd last, gw_ymd *a, gw_ymd *b)
{
	*a = row->start > first ? row->start : first;
	*b = row->open_ended || row->end > last ? last : row->end;
}

/* Whether the periods of (noss, inss) cover [a, b] day for day. */
static int
covered(const struct period *v, size_t n, uint32_t noss, uint64_t inss, gw_ymd a, gw_ymd b)
{
	gw_ymd cur = a;
	for (size_t i = periods_find(v, n, noss, inss); i < n && v[i].noss == noss &&
	    v[i].inss == inss; i++) {
		if (v[i].start > cur)
			break;                     /* sorted by start: a day nobody covers */
		if (v[i].end >= cur) {
			if (v[i].end >= b)
				return 1;
			cur = date_add_days(v[i].end, 1);
		}
	}
	return 0;
}

static int
accepted_inss(const struct dmfa_check_opts *o, uint64_t inss)
{
	for (size_t i = 0; i < o->naccept; i++)
		if (o->accept[i] == inss)
			return 1;
	return 0;
}

static void
found(const struct dmfa_check_opts *o, struct dmfa_check_result *r, struct dmfa_mismatch *m)
{
	m->accepted = m->blocking && accepted_inss(o, m->inss);
	if (m->kind == DMFA_MM_NO_DIMONA)
		r->no_dimona++;
	else if (m->kind == DMFA_MM_NO_DMFA)
		r->no_dmfa++;
	else
		r->no_invoice++;
	if (m->accepted)
		r->accepted++;
	else if (m->blocking)
		r->blocking++;
	if (o->found)
		o->found(o->found_arg, m);
}

/* The invoice id of (id, rev) among the stored revisions, "" when none. */
static void
invoice_of(const char *const *rev, size_t n, const char *id, uint32_t revision, char *out,
           size_t cap)
{
	char want[16];
	snprintf(want, sizeof want, "%u", revision);
	out[0] = '\0';
	for (size_t i = 0; i < n && out[0] == '\0'; i++) {
		/* Cheap filter before parsing: the id must be in the text. */
		if (rev[i] == NULL || strstr(rev[i], id) == NULL)
			continue;
		json_error_t e;
		json_t *o = json_loads(rev[i], 0, &e);
		const char *cid = json_string_value(json_object_get(o, "contract_id"));
		const char *r = json_string_value(json_object_get(o, "revision"));
		const char *inv = json_string_value(json_object_get(o, "invoice_id"));
		if (cid && r && inv && strcmp(cid, id) == 0 && strcmp(r, want) == 0)
			snprintf(out, cap, "%s", inv);
		json_decref(o);
	}
}

/* Whether the queue holds an invoice of that id (under intake's record
 * key, "inv:<id>") that was not cancelled. */
static int
invoice_taken_in(const struct queue_msg *msgs, size_t n, const char *invoice_id)
{
	char key[QUEUE_ID_MAX + 1];
	invoice_record_key(key, invoice_id);
	for (size_t i = 0; i < n; i++)
		if (strcmp(msgs[i].kind, "invoice") == 0 && msgs[i].state != QS_CANCELLED &&
		    strcmp(msgs[i].record_id, key) == 0)
			return 1;
	return 0;
}

/* The over-quota part of a student contract whose in-quota part is a row
 * too: one occupation, compared once. */
static int
twin_of_split(const struct dmfa_rows *rows, size_t i)
{
	const struct dmfa_row *x = &rows->v[i];
	if (!x->split)
		return 0;
	for (size_t k = rows_find(rows, x->noss, x->inss); k < rows->n && rows->v[k].noss == x->noss &&
	    rows->v[k].inss == x->inss; k++)
		if (k != i && !rows->v[k].split && strcmp(rows->v[k].contract_id, x->contract_id) == 0)
			return 1;
	return 0;
}

gw_rc
dmfa_check_rows(const struct dmfa_rows *rows, const struct queue_msg *msgs, size_t nmsgs,
                const char *const *revisions, size_t nrev, const struct dmfa_check_opts *o,
                struct dmfa_check_result *r)
{
	struct period *pv = NULL;
	size_t np = 0;
	gw_ymd first, last;
	gw_rc rc;

	memset(r, 0, sizeof *r);
	if ((rc = dmfa_quarter_bounds(o->quarter, &first, &last)) != GW_OK)
		return rc;
	if ((rc = periods_load(msgs, nmsgs, &pv, &np)) != GW_OK)
		return rc;
	/* Rows and periods both in (employer, INSS) order; the findings of
	 * one worker come together: occupations and their invoices, then the
	 * periods. */
	for (size_t i = 0; i < rows->n; i++) {
		const struct dmfa_row *x = &rows->v[i];
		struct dmfa_mismatch m;
		char inv[CONTRACT_ID_MAX + 1];
		if ((o->noss && x->noss != o->noss) || twin_of_split(rows, i))
			continue;
		r->occupations++;
		memset(&m, 0, sizeof m);
		m.noss = x->noss;
		m.inss = x->inss;
		snprintf(m.contract_id, sizeof m.contract_id, "%s", x->contract_id);
		row_span(x, first, last, &m.start, &m.end);
		if (!covered(pv, np, x->noss, x->inss, m.start, m.end)) {
			m.kind = DMFA_MM_NO_DIMONA;
			m.blocking = 1;
			found(o, r, &m);
		}
		invoice_of(revisions, nrev, x->contract_id, x->revision, inv, sizeof inv);
		if (inv[0] != '\0') {
			r->contracts_3in1++;
			if (!invoice_taken_in(msgs, nmsgs, inv)) {
				m.kind = DMFA_MM_NO_INVOICE;
				m.blocking = 0;
				snprintf(m.ref, sizeof m.ref, "%s", inv);
				found(o, r, &m);
			}
		}
	}
	for (size_t i = 0; i < np; i++) {
		const struct period *p = &pv[i];
		gw_ymd a = p->start > first ? p->start : first, b = p->end < last ? p->end : last;
		int seen = 0;
		if ((o->noss && p->noss != o->noss) || !p->has_dmfa || a > b)
			continue;
		r->periods++;
		for (size_t k = rows_find(rows, p->noss, p->inss); k < rows->n && !seen &&
		    rows->v[k].noss == p->noss && rows->v[k].inss == p->inss; k++) {
			gw_ymd ra, rb;
			row_span(&rows->v[k], first, last, &ra, &rb);
			seen = ra <= b && rb >= a;
		}
		if (!seen) {
			struct dmfa_mismatch m;
			memset(&m, 0, sizeof m);
			m.kind = DMFA_MM_NO_DMFA;
			m.noss = p->noss;
			m.inss = p->inss;
			m.start = a;
			m.end = b;
			m.blocking = 1;
			snprintf(m.contract_id, sizeof m.contract_id, "%s", p->m->record_id);
			snprintf(m.ref, sizeof m.ref, "%s", p->m->id);
			found(o, r, &m);
		}
	}
	free(pv);
	return GW_OK;
}

void
dmfa_check_line(const struct dmfa_mismatch *m, char *buf, size_t cap)
{
	char a[11], b[11];
	const char *tail = m->accepted ? " (blocking; accepted by the operator)"
	    : m->blocking ? " (blocking)" : " (not blocking)";
	date_format(m->start, a, sizeof a);
	date_format(m->end, b, sizeof b);
	switch (m->kind) {
	case DMFA_MM_NO_DIMONA:
		snprintf(buf, cap, "%09u %011llu %s: DmfA occupation %s..%s has no accepted Dimona period%s",
		    m->noss, (unsigned long long)m->inss, m->contract_id, a, b, tail);
		break;
	case DMFA_MM_NO_DMFA:
		snprintf(buf, cap, "%09u %011llu %s: accepted Dimona period %s..%s (%s) has no DmfA occupation%s",
		    m->noss, (unsigned long long)m->inss, m->contract_id, a, b, m->ref, tail);
		break;
	default:
		snprintf(buf, cap, "%09u %011llu %s: 3in1 contract's invoice %s is not taken in%s",
		    m->noss, (unsigned long long)m->inss, m->contract_id, m->ref, tail);
	}
}

gw_rc
dmfa_check_parse_inss(const char *s, uint64_t *out)
{
	char why[120];
	if (s == NULL || strlen(s) != 11 || strspn(s, "0123456789") != 11 || !check_inss(s, why, sizeof why))
		return GW_EINPUT;
	*out = digits(s);
	return GW_OK;
}
