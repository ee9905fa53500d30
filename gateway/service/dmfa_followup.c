/*
 * service/dmfa_followup.c - the quarter's DmfA originals and corrections
 * from the queue's stored contracts (dmfa_followup.h).
 *
 * Owns the per-employer decision (original, correction, nothing, wait) and
 * the filed-set format. Reads contracts through the queue interface (the
 * payloads of the messages) and the record store (revisions kept without
 * a message); the filed sets and DMPIs through service/dmfa_filing.h.
 * Writes each submission into the outbox (sequence number from the queue's
 * batch counter first) and queues it with its filed set in one unit.
 * Never re-sends an original and never computes an amount (onss/dmfa does).
 */
#include "service/dmfa_followup.h"
#include "service/dmfa_filing.h"
#include "store/store.h"
#include "core/log.h"
#include "onss/batch/answer.h"
#include "onss/dmfa/aggregate.h"
#include "onss/dmfa/submit.h"
#include "records/reader.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- filed sets ---- */

void
dmfa_filed_free(struct dmfa_filed *f)
{
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

static int
item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dmfa_filed_item *)a)->id, ((const struct dmfa_filed_item *)b)->id);
}

/* Append (id, rev) unless id is there already (rows of a split student
 * contract share it). Expects f sorted only after dmfa_filed_sort. */
static gw_rc
filed_add(struct dmfa_filed *f, const char *id, uint32_t rev)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct dmfa_filed_item *v = realloc(f->v, cap * sizeof *v);
		if (v == NULL)
			return GW_ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	snprintf(f->v[f->n].id, sizeof f->v[f->n].id, "%s", id);
	f->v[f->n].rev = rev;
	f->n++;
	return GW_OK;
}

/* Sort by id and drop repeated ids. */
static void
filed_sort(struct dmfa_filed *f)
{
	size_t w = 0;
	if (f->n == 0)
		return;
	qsort(f->v, f->n, sizeof *f->v, item_cmp);
	for (size_t i = 1; i < f->n; i++)
		if (strcmp(f->v[i].id, f->v[w].id) != 0)
			f->v[++w] = f->v[i];
	f->n = w + 1;
}

gw_rc
dmfa_filed_from_rows(struct dmfa_filed *f, int quarter, uint32_t noss, const struct dmfa_row *v,
                     size_t n)
{
	memset(f, 0, sizeof *f);
	f->quarter = quarter;
	f->noss = noss;
	for (size_t i = 0; i < n; i++)
		if (v[i].noss == noss && filed_add(f, v[i].contract_id, v[i].revision) != GW_OK) {
			dmfa_filed_free(f);
			return GW_ENOMEM;
		}
	filed_sort(f);
	return GW_OK;
}

gw_rc
dmfa_filed_to_json(const struct dmfa_filed *f, char **out)
{
	char noss[16];
	json_t *o = json_object(), *a = json_array();
	gw_rc rc = GW_ENOMEM;
	*out = NULL;
	if (o == NULL || a == NULL)
		goto out;
	snprintf(noss, sizeof noss, "%09u", f->noss);
	if (json_object_set_new(o, "quarter", json_integer(f->quarter)) != 0 ||
	    json_object_set_new(o, "noss", json_string(noss)) != 0)
		goto out;
	for (size_t i = 0; i < f->n; i++) {
		json_t *p = json_pack("[si]", f->v[i].id, (json_int_t)f->v[i].rev);
		if (p == NULL || json_array_append_new(a, p) != 0)
			goto out;
	}
	if (json_object_set(o, "contracts", a) != 0)
		goto out;
	if ((*out = json_dumps(o, JSON_COMPACT)) != NULL)
		rc = GW_OK;
out:
	json_decref(a);
	json_decref(o);
	return rc;
}

gw_rc
dmfa_filed_from_json(const char *json, struct dmfa_filed *f)
{
	json_error_t e;
	json_t *o = json_loads(json, 0, &e), *a;
	const char *noss;
	json_int_t q;
	gw_rc rc = GW_EINPUT;
	char *end;

	memset(f, 0, sizeof *f);
	if (o == NULL)
		return GW_EINPUT;
	if (json_unpack(o, "{s:I, s:s, s:o}", "quarter", &q, "noss", &noss, "contracts", &a) != 0 ||
	    !json_is_array(a) || q < 19000 || q > 99994)
		goto out;
	f->quarter = (int)q;
	unsigned long nv = strtoul(noss, &end, 10);
	if (*end != '\0' || nv > 999999999UL)
		goto out;
	f->noss = (uint32_t)nv;
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *id;
		json_int_t rev;
		if (json_unpack(json_array_get(a, i), "[sI]", &id, &rev) != 0 || rev < 1 ||
		    rev > UINT32_MAX || strlen(id) > CONTRACT_ID_MAX)
			goto out;
		if ((rc = filed_add(f, id, (uint32_t)rev)) != GW_OK)
			goto out;
		rc = GW_EINPUT;
	}
	filed_sort(f);
	rc = GW_OK;
out:
	if (rc != GW_OK)
		dmfa_filed_free(f);
	json_decref(o);
	return rc;
}

uint32_t
dmfa_filed_rev(const struct dmfa_filed *f, const char *id)
{
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(f->v[mid].id, id);
		if (c == 0)
			return f->v[mid].rev;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
dmfa_filed_same(const struct dmfa_filed *a, const struct dmfa_filed *b)
{
	if (a->n != b->n || a->noss != b->noss || a->quarter != b->quarter)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].rev != b->v[i].rev || strcmp(a->v[i].id, b->v[i].id) != 0)
			return 0;
	return 1;
}

/* ---- rows as filed / as they are now ---- */

gw_rc
dmfa_followup_rows(const struct dmfa_rev *v, size_t n, const struct dmfa_filed *filed, int quarter,
                   struct dmfa_rows *rows, const char **missing)
{
	struct record_rejection rej;
	*missing = NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t want = filed ? dmfa_filed_rev(filed, v[i].id) : 0;
		if (want != 0 && v[i].rev != want)
			continue;                  /* filed: exactly the revision filed */
		if (want == 0) {
			/* The highest stored revision of the contract (v may hold
			 * several; dmfa_rows_prepare would keep the highest anyway,
			 * but skipping here keeps the rows small). */
			int higher = 0;
			for (size_t k = 0; k < n && !higher; k++)
				higher = k != i && v[k].rev > v[i].rev && strcmp(v[k].id, v[i].id) == 0;
			if (higher)
				continue;
		}
		memset(&rej, 0, sizeof rej);
		gw_rc rc = dmfa_rows_add_json(rows, v[i].json, strlen(v[i].json), quarter, &rej);
		if (rc == GW_EINPUT) {
			log_warn(NULL, v[i].id, "stored revision %u does not validate any more: field %s: %s",
			    v[i].rev, rej.field, rej.reason);
			continue;
		}
		if (rc != GW_OK)
			return rc;
	}
	for (size_t k = 0; filed && k < filed->n; k++) {
		int found = 0;
		for (size_t i = 0; i < n && !found; i++)
			found = v[i].rev == filed->v[k].rev && strcmp(v[i].id, filed->v[k].id) == 0;
		if (!found) {
			*missing = filed->v[k].id;
			return GW_ENOTFOUND;
		}
	}
	return GW_OK;
}

size_t
dmfa_followup_contingent(const struct queue_msg *msgs, size_t n, struct dmfa_rows *rows)
{
	size_t marked = 0;
	for (size_t i = 0; i < n; i++) {
		const struct queue_msg *m = &msgs[i];
		const char *at;
		if ((strcmp(m->kind, "dimona-in") != 0 && strcmp(m->kind, "dimona-update") != 0) ||
		    (m->state != QS_ACCEPTED && m->state != QS_ACCEPTED_WARNINGS))
			continue;
		/* As an anomaly (the glossary, FB 90017) or as an information
		 * (where the REST answer puts the contingent): either way the
		 * ONSS says the year's hours are used up. */
		at = strstr(m->last_error, "90017-369");
		if (at == NULL)
			continue;
		if (dmfa_rows_set_contingent(rows, m->record_id, 0) > 0)
			marked++;
	}
	return marked;
}

void
dmfa_followup_keep(struct dmfa_rows *rows, uint32_t noss, const struct dmfa_filed *filed)
{
	size_t w = 0;
	for (size_t i = 0; i < rows->n; i++) {
		const struct dmfa_row *r = &rows->v[i];
		if (r->noss != noss)
			continue;
		if (filed && dmfa_filed_rev(filed, r->contract_id) != r->revision)
			continue;
		rows->v[w++] = *r;
	}
	rows->n = w;
}

void
dmfa_followup_record_id(char out[QUEUE_ID_MAX + 1], int quarter, uint32_t noss)
{
	/* ':' is not allowed in contract ids: no record can collide. */
	snprintf(out, QUEUE_ID_MAX + 1, "DMFA:%d:%09u", quarter, noss);
}

/* ---- the queue side ---- */

struct revset {
	struct queue_msg *msgs;           /* every message with its payload */
	size_t nmsgs;
	struct store_revision *kept;      /* revisions the record store keeps */
	size_t nkept;
	struct dmfa_rev *v;               /* distinct (id, revision) of contracts */
	size_t n;
	const char **json;                /* v[i].json, for the reconciliation */
};

static int
is_filing(const char *kind)
{
	return strcmp(kind, DMFA_KIND_ORIGINAL) == 0 || strcmp(kind, DMFA_KIND_UPDATE) == 0;
}

static int
rev_cmp(const void *a, const void *b)
{
	const struct dmfa_rev *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->rev < y->rev ? -1 : x->rev > y->rev);
}

static void
store_free(struct revset *s)
{
	for (size_t i = 0; i < s->nmsgs; i++)
		queue_msg_free(&s->msgs[i]);
	free(s->msgs);
	store_revisions_free(s->kept, s->nkept);
	free(s->v);
	free(s->json);
	memset(s, 0, sizeof *s);
}

/* Every stored contract revision: the payloads of all messages but the
 * DmfA's own (Dimona messages, intake's markers, and the kept-revision
 * messages of queue files older than the store), and the revisions the
 * record store keeps (those that declared nothing to Dimona). */
static gw_rc
store_load(struct queue *q, struct revset *s)
{
	struct queue_filter f;
	struct store *sto;
	gw_rc rc;
	memset(s, 0, sizeof *s);
	memset(&f, 0, sizeof f);
	f.state = -1;
	f.with_bodies = 1;
	if ((rc = q->ops->list(q, &f, &s->msgs, &s->nmsgs)) != GW_OK ||
	    (rc = store_of(q, &sto)) != GW_OK ||
	    (rc = sto->ops->revisions_list(sto, "", &s->kept, &s->nkept)) != GW_OK)
		return rc;
	if (s->nmsgs + s->nkept && (s->v = calloc(s->nmsgs + s->nkept, sizeof *s->v)) == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < s->nmsgs + s->nkept; i++) {
		const struct queue_msg *m = i < s->nmsgs ? &s->msgs[i] : NULL;
		const char *payload = m != NULL ? m->payload : s->kept[i - s->nmsgs].payload;
		if (payload == NULL ||
		    (m != NULL && (is_filing(m->kind) || strcmp(m->kind, DMFA_FILING_ANSWER_KIND) == 0)))
			continue;
		json_error_t e;
		json_t *o = json_loads(payload, 0, &e);
		const char *id = NULL, *rev = NULL;
		if (o != NULL && json_unpack(o, "{s:s, s:s}", "contract_id", &id, "revision", &rev) == 0 &&
		    strlen(id) <= CONTRACT_ID_MAX) {
			char *end;
			unsigned long r = strtoul(rev, &end, 10);
			if (*end == '\0' && r >= 1 && r <= UINT32_MAX) {
				snprintf(s->v[s->n].id, sizeof s->v[s->n].id, "%s", id);
				s->v[s->n].rev = (uint32_t)r;
				s->v[s->n].json = payload;
				s->n++;
			}
		}
		json_decref(o);
	}
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, rev_cmp);
	size_t w = 0;                      /* one entry per (id, revision) */
	for (size_t i = 0; i < s->n; i++)
		if (w == 0 || rev_cmp(&s->v[w - 1], &s->v[i]) != 0)
			s->v[w++] = s->v[i];
	s->n = w;
	if (s->n && (s->json = malloc(s->n * sizeof *s->json)) == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		s->json[i] = s->v[i].json;
	return GW_OK;
}

/* Contracts whose highest revision taken in is not stored (it produced no
 * message): the DmfA would silently declare an older one. Reported. */
static size_t
store_check_unstored(struct queue *q, const struct revset *s, const struct dmfa_followup_opts *o)
{
	size_t bad = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (i + 1 < s->n && strcmp(s->v[i + 1].id, s->v[i].id) == 0)
			continue;                  /* only the highest stored one */
		uint32_t have = 0;
		char hash[65];
		if (store_record_get(q, s->v[i].id, &have, hash) == GW_OK && have > s->v[i].rev) {
			char why[200];
			snprintf(why, sizeof why, "revision %u was taken in without its content being kept"
			    " (intake stores no message for it); the DmfA uses revision %u", have, s->v[i].rev);
			log_warn(NULL, s->v[i].id, "%s", why);
			if (o->say)
				o->say(o->say_arg, s->v[i].id, why);
			bad++;
		}
	}
	return bad;
}

/* Where an employer's filings stand. */
struct standing {
	int waiting;                       /* a filing is in flight */
	char waiting_id[QUEUE_ID_MAX + 1];
	uint32_t max_rev;                  /* highest revision of any filing */
	int have_base;                     /* an accepted filing exists */
	struct dmfa_filed base;            /* what it filed */
	char base_id[QUEUE_ID_MAX + 1];
	struct onss_answer *dmpi[16];      /* kept DMPIs, oldest first */
	size_t ndmpi;
};

/* The kept DMPI of filing message m, parsed, appended to st (at most 16). */
static void
standing_dmpi(struct queue *q, const struct queue_msg *m, struct standing *st)
{
	struct store_perm_ids p;
	struct onss_answer *a = NULL;
	char err[256];
	if (st->ndmpi >= 16 || dmfa_filing_dmpi(q, m->id, &p) != GW_OK)
		return;
	if (onss_answer_parse(p.body, p.body_len, p.name, 0, &a, err, sizeof err) == GW_OK &&
	    a->kind == ANSWER_DMPI) {
		st->dmpi[st->ndmpi++] = a;
	} else {
		log_warn(m->id, m->record_id, "kept DMPI %s unreadable: %s", p.name,
		    a ? "not a DMPI" : err);
		onss_answer_free(a);
	}
	free(p.body);
}

/* The accepted filing m's set becomes st's base. */
static gw_rc
standing_base(struct queue *q, const struct queue_msg *m, struct standing *st)
{
	struct dmfa_filed f;
	char *json = NULL;
	gw_rc rc = dmfa_filing_filed(q, m, &json);
	if (rc == GW_OK && dmfa_filed_from_json(json, &f) != GW_OK)
		rc = GW_EINTERNAL;
	free(json);
	if (rc != GW_OK) {
		log_error(m->id, m->record_id, "filed set %s: %s", rc == GW_EINTERNAL ? "unreadable"
		    : "not in the record store", gw_rc_name(rc));
		return rc == GW_ENOTFOUND ? GW_EINTERNAL : rc;
	}
	dmfa_filed_free(&st->base);
	st->base = f;
	st->have_base = 1;
	snprintf(st->base_id, sizeof st->base_id, "%s", m->id);
	return GW_OK;
}

static gw_rc
standing_load(struct queue *q, const char *record_id, struct standing *st)
{
	struct queue_msg *l = NULL;
	size_t n = 0;
	uint32_t base_rev = 0;
	gw_rc rc;

	memset(st, 0, sizeof *st);
	if ((rc = queue_by_record(q, record_id, &l, &n)) != GW_OK)
		return rc;
	/* A DMPI of an older queue file is an "answer" message: into the
	 * store first, so that the filings below find it there. */
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].kind, DMFA_FILING_ANSWER_KIND) == 0 &&
		    dmfa_filing_migrate_answer(q, &l[i]) != GW_OK)
			log_warn(l[i].id, record_id, "kept DMPI not readable into the record store");
	for (size_t i = 0; i < n && rc == GW_OK; i++) {
		const struct queue_msg *m = &l[i];
		if (!is_filing(m->kind))
			continue;
		/* Newest first here; the newest 16 are plenty (one per filing
		 * of the quarter that got new ids). */
		standing_dmpi(q, m, st);
		if (m->revision > st->max_rev)
			st->max_rev = m->revision;
		switch (m->state) {
		case QS_ACCEPTED:
		case QS_ACCEPTED_WARNINGS:
			if (m->revision > base_rev && (rc = standing_base(q, m, st)) == GW_OK)
				base_rev = m->revision;
			break;
		case QS_REFUSED:
		case QS_FAILED:
		case QS_CANCELLED:
			break;                     /* filed nothing */
		default:
			st->waiting = 1;           /* pending .. sent, held */
			snprintf(st->waiting_id, sizeof st->waiting_id, "%s", m->id);
		}
	}
	for (size_t i = 0; i < st->ndmpi / 2; i++) {   /* oldest first */
		struct onss_answer *t = st->dmpi[i];
		st->dmpi[i] = st->dmpi[st->ndmpi - 1 - i];
		st->dmpi[st->ndmpi - 1 - i] = t;
	}
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);
	return rc;
}

static void
standing_free(struct standing *st)
{
	dmfa_filed_free(&st->base);
	for (size_t i = 0; i < st->ndmpi; i++)
		onss_answer_free(st->dmpi[i]);
	st->ndmpi = 0;
}

/* Free what dmpi_merge made (the persons' records stay the answers'). */
static void
dmpi_merged_free(struct dmpi_declaration *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].persons);
	free(d);
}

/* The permanent ids as they stand: the kept DMPIs oldest first, a newer
 * one's employer id and persons replacing the older ones' (the ONSS sends
 * new version numbers for what a filing changed), persons it does not
 * name kept. Shallow: the answers own the worker records. */
static gw_rc
dmpi_merge(struct onss_answer *const *a, size_t na, struct dmpi_declaration **out, size_t *nout)
{
	struct dmpi_declaration *d = NULL;
	size_t n = 0, cap = 0;
	*out = NULL;
	*nout = 0;
	for (size_t k = 0; k < na; k++)
		for (size_t f = 0; f < a[k]->n_forms; f++) {
			const struct dmpi_declaration *src = &a[k]->forms[f].dmpi;
			struct dmpi_declaration *m = NULL;
			for (size_t i = 0; i < n && m == NULL; i++)
				if (d[i].quarter == src->quarter && strcmp(d[i].noss, src->noss) == 0)
					m = &d[i];
			if (m == NULL) {
				if (n == cap) {
					cap = cap ? cap * 2 : 4;
					struct dmpi_declaration *nd = realloc(d, cap * sizeof *nd);
					if (nd == NULL)
						goto nomem;
					d = nd;
				}
				m = &d[n++];
				*m = *src;
				m->n_persons = 0;
				m->persons = NULL;
			}
			m->employer_decl_pid = src->employer_decl_pid;
			size_t have = m->n_persons;
			struct dmpi_person *np = realloc(m->persons, (have + src->n_persons + 1) * sizeof *np);
			if (np == NULL)
				goto nomem;
			m->persons = np;
			for (size_t p = 0; p < src->n_persons; p++) {
				size_t i = 0;
				while (i < have && strcmp(np[i].inss, src->persons[p].inss) != 0)
					i++;
				if (i < have)
					np[i] = src->persons[p];
				else
					np[m->n_persons++] = src->persons[p];
			}
		}
	*out = d;
	*nout = n;
	return GW_OK;
nomem:
	dmpi_merged_free(d, n);
	return GW_ENOMEM;
}

static void say(const struct dmfa_followup_opts *o, const char *record_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Tell the caller (and the log) what happened to one employer. */
static void
say(const struct dmfa_followup_opts *o, const char *record_id, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	log_info(NULL, record_id, "%s", line);
	if (o->say)
		o->say(o->say_arg, record_id, line);
}

/* Read a whole file; *out malloc'd. */
static gw_rc
slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n = 0;
	*out = NULL;
	if (f == NULL)
		return GW_EIO;
	for (;;) {
		if (n + 65536 > cap) {
			char *nb = realloc(b, cap = cap ? cap * 2 : 131072);
			if (nb == NULL) {
				free(b);
				fclose(f);
				return GW_ENOMEM;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(b);
		return GW_EIO;
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return GW_OK;
}

/* Where a submission draws its sequence number (dmfa_submission.draw_seq). */
struct seq_draw {
	struct queue *q;
	const char *counter;
};

/* Next number of the counter, at most five digits. */
static gw_rc
draw_seq(void *arg, unsigned *out)
{
	const struct seq_draw *d = arg;
	uint64_t seq;
	gw_rc rc = d->q->ops->next_seq(d->q, d->counter, &seq);
	if (rc != GW_OK)
		return rc;
	if (seq > 99999) {
		log_error(NULL, d->counter, "batch sequence numbers exhausted (five digits)");
		return GW_ESTATE;
	}
	*out = (unsigned)seq;
	return GW_OK;
}

/* Build one submission (original when filed == NULL) into the outbox and
 * queue it. GW_ENOTFOUND: a correction with nothing to say. */
static gw_rc
file_one(struct queue *q, const struct dmfa_followup_opts *o, const char *record_id,
         uint32_t revision, const struct dmfa_rows *now, const struct dmfa_rows *filed,
         const struct standing *st, const struct dmfa_filed *set)
{
	struct dmfa_submission sub;
	struct dmfa_submit_result res;
	struct queue_msg m;
	char counter[64], path[PATH_MAX], *json = NULL;
	unsigned char dup = 0;
	gw_rc rc;

	memset(&sub, 0, sizeof sub);
	memset(&m, 0, sizeof m);
	sub.dir = o->outbox;
	snprintf(sub.name.sender, sizeof sub.name.sender, "%s", o->sender);
	sub.name.date = o->today;
	sub.name.env = o->env;
	sub.signer = o->signer;
	sub.validate = o->validate;
	sub.employer_class = o->employer_class;
	sub.created_ms = o->created_ms;
	/* The Dimona batches' counter: the ONSS answers (FO.ACRF.<sender>.
	 * <date>.<seq>) do not name the purpose, so a DMFA must never share a
	 * number with a DIMN of the same day. Drawn (durably) only once the
	 * file is written and checked, just before it is placed: a build that
	 * fails or has nothing to say spends none; a crash or a failed commit
	 * after the draw wastes a number, never reuses one. */
	struct seq_draw draw = { q, counter };
	snprintf(counter, sizeof counter, "onss-batch-DIMN-%c", o->env);
	sub.draw_seq = draw_seq;
	sub.draw_arg = &draw;
	if (filed == NULL) {
		rc = dmfa_submit_original(&sub, now, o->p, o->reject, o->reject_arg, &res);
	} else {
		struct dmpi_declaration *d = NULL;
		size_t nd = 0;
		if ((rc = dmpi_merge(st->dmpi, st->ndmpi, &d, &nd)) != GW_OK)
			return rc;
		rc = dmfa_submit_update(&sub, filed, now, o->p, d, nd, o->justification, o->reject,
		    o->reject_arg, &res);
		dmpi_merged_free(d, nd);
	}
	if (rc != GW_OK) {
		if (rc != GW_ENOTFOUND)
			say(o, record_id, "not queued: %s", res.err);
		return rc;
	}
	snprintf(path, sizeof path, "%s/%s", o->outbox, res.fi);
	snprintf(m.record_id, sizeof m.record_id, "%s", record_id);
	m.revision = revision;
	snprintf(m.kind, sizeof m.kind, "%s", filed ? DMFA_KIND_UPDATE : DMFA_KIND_ORIGINAL);
	snprintf(m.channel, sizeof m.channel, "onss-batch");
	m.state = QS_PENDING;
	snprintf(m.remote_ref2, sizeof m.remote_ref2, "%.64s", res.fi);
	if (filed != NULL)
		snprintf(m.depends_on, sizeof m.depends_on, "%s", st->base_id);
	if ((rc = slurp(path, &m.body, &m.body_len)) != GW_OK)
		goto out;
	queue_sha256_hex(m.body, m.body_len, m.content_hash);
	/* The filed set goes to the record store with the message, in one
	 * transaction: no payload, so the message is bytes and state only. */
	if ((rc = dmfa_filed_to_json(set, &json)) != GW_OK)
		goto out;
	if ((rc = dmfa_filing_commit(q, &m, json, &dup)) != GW_OK)
		goto out;
	if (dup)
		/* Another run queued the same revision meanwhile: this file
		 * stays unsent in the outbox (its number is spent). */
		say(o, record_id, "already queued by another run; %s left unsent", res.fi);
	else if (filed)
		say(o, record_id, "queued dmfa-update %s (%s)", m.id, res.fi);
	else            /* what the employer owes, as written in the file */
		say(o, record_id, "queued dmfa %s (%s), net owed %s%lld.%02lld EUR", m.id, res.fi,
		    res.orig.net_owed < 0 ? "-" : "", (long long)(llabs(res.orig.net_owed) / 100),
		    (long long)(llabs(res.orig.net_owed) % 100));
	rc = dup ? GW_EDUP : GW_OK;
out:
	free(json);
	queue_msg_free(&m);
	return rc;
}

struct hold_ctx {
	const struct dmfa_followup_opts *o;
	const char *record_id;
};

static void
hold_say(void *arg, const struct dmfa_mismatch *m)
{
	struct hold_ctx *h = arg;
	char line[400];
	if (!m->blocking)
		return;                        /* invoices: dmfa check reports them */
	dmfa_check_line(m, line, sizeof line);
	say(h->o, h->record_id, "%s", line);
}

/* Whether the employer's filing must wait for its Dimona to match
 * (dmfa_check.h): 1 held (said), 0 go on, -1 error in *rc. */
static int
held(const struct dmfa_followup_opts *o, const struct revset *s, const struct dmfa_rows *all,
     uint32_t noss, const char *rid, gw_rc *rc)
{
	struct hold_ctx h = { o, rid };
	struct dmfa_check_opts co;
	struct dmfa_check_result cr;
	memset(&co, 0, sizeof co);
	co.quarter = o->quarter;
	co.noss = noss;
	co.accept = o->accept;
	co.naccept = o->naccept;
	co.found = hold_say;
	co.found_arg = &h;
	if ((*rc = dmfa_check_rows(all, s->msgs, s->nmsgs, s->json, s->n, &co, &cr)) != GW_OK)
		return -1;
	if (cr.blocking == 0)
		return 0;
	say(o, rid, "held: %zu blocking mismatch(es) with the accepted Dimona periods; nothing queued"
	    " (gateway dmfa check --quarter %d; --accept-mismatch INSS to file anyway)",
	    cr.blocking, o->quarter);
	return 1;
}

/* Original or correction of one employer; counts into r. */
static gw_rc
employer(struct queue *q, const struct dmfa_followup_opts *o, const struct revset *s,
         const struct dmfa_rows *all, uint32_t noss, struct dmfa_followup_result *r)
{
	char rid[QUEUE_ID_MAX + 1];
	struct standing st;
	struct dmfa_filed now_set, *base = NULL;
	struct dmfa_rows now, filed;
	size_t nrej = 0;
	const char *missing = NULL;
	gw_rc rc;

	dmfa_rows_init(&filed);
	memset(&now_set, 0, sizeof now_set);
	now.v = NULL;
	now.n = now.cap = 0;
	dmfa_followup_record_id(rid, o->quarter, noss);
	r->employers++;
	if ((rc = standing_load(q, rid, &st)) != GW_OK)
		goto out;
	if (st.waiting) {
		say(o, rid, "waits: %s is not answered yet; nothing queued", st.waiting_id);
		r->waiting++;
		goto out;
	}
	/* The employer's rows of the current state (a view into all). */
	size_t b = 0;
	while (b < all->n && all->v[b].noss != noss)
		b++;
	now.v = b < all->n ? all->v + b : NULL;
	now.n = b < all->n ? dmfa_group_end(all->v, all->n, b, 0) - b : 0;
	if ((rc = dmfa_filed_from_rows(&now_set, o->quarter, noss, now.v, now.n)) != GW_OK)
		goto out;
	if (!st.have_base && now.n == 0) {
		say(o, rid, "no contract left to declare and nothing filed; nothing queued");
		r->unchanged++;
		goto out;
	}
	int hold = 0;
	if (!st.have_base || !dmfa_filed_same(&st.base, &now_set))
		hold = held(o, s, all, noss, rid, &rc);
	if (hold < 0)
		goto out;
	if (hold) {
		r->held++;
		goto out;
	}
	if (!st.have_base) {
		if (st.max_rev > 0)
			say(o, rid, "an earlier filing ended without effect; filing the original again");
		rc = file_one(q, o, rid, st.max_rev + 1, &now, NULL, &st, &now_set);
		if (rc == GW_OK)
			r->originals++;
		goto counted;
	}
	base = &st.base;
	if (dmfa_filed_same(base, &now_set)) {
		say(o, rid, "unchanged since %s; nothing queued", st.base_id);
		r->unchanged++;
		goto out;
	}
	if (st.ndmpi == 0) {
		say(o, rid, "waits: %s was accepted but its permanent ids (DMPI) are not in yet",
		    st.base_id);
		r->waiting++;
		goto out;
	}
	if ((rc = dmfa_followup_rows(s->v, s->n, base, o->quarter, &filed, &missing)) != GW_OK) {
		if (rc == GW_ENOTFOUND)
			say(o, rid, "cannot rebuild the filing: revision of %s as filed is not stored",
			    missing);
		goto counted;
	}
	dmfa_followup_contingent(s->msgs, s->nmsgs, &filed);
	if ((rc = dmfa_rows_prepare(&filed, o->p, NULL, NULL, &nrej)) != GW_OK)
		goto out;
	dmfa_followup_keep(&filed, noss, base);
	rc = file_one(q, o, rid, st.max_rev + 1, &now, &filed, &st, &now_set);
	if (rc == GW_OK)
		r->updates++;
	else if (rc == GW_ENOTFOUND) {
		say(o, rid, "contracts changed since %s but nothing the DmfA carries; nothing queued",
		    st.base_id);
		r->unchanged++;
		rc = GW_OK;
	}
counted:
	if (rc == GW_EDUP || rc == GW_EINPUT || rc == GW_EINTERNAL || rc == GW_ENOTFOUND) {
		r->failed += rc != GW_EDUP;
		rc = GW_OK;                    /* said; the other employers go on */
	}
out:
	standing_free(&st);
	dmfa_filed_free(&now_set);
	dmfa_rows_free(&filed);
	return rc;
}

gw_rc
dmfa_followup_queue(struct queue *q, const struct dmfa_followup_opts *o, struct dmfa_followup_result *r)
{
	struct revset s;
	struct dmfa_rows all;
	size_t nrej = 0;
	const char *missing = NULL;
	gw_rc rc;

	memset(r, 0, sizeof *r);
	dmfa_rows_init(&all);
	if ((rc = store_load(q, &s)) != GW_OK)
		goto out;
	r->unstored = store_check_unstored(q, &s, o);
	if ((rc = dmfa_followup_rows(s.v, s.n, NULL, o->quarter, &all, &missing)) != GW_OK)
		goto out;
	dmfa_followup_contingent(s.msgs, s.nmsgs, &all);
	if ((rc = dmfa_rows_prepare(&all, o->p, o->reject, o->reject_arg, &nrej)) != GW_OK)
		goto out;
	dmfa_rows_left_out_text(&all.left_out, r->left_out, sizeof r->left_out);
	/* Employers of the quarter: prepared rows are sorted by employer. */
	for (size_t i = 0; i < all.n && rc == GW_OK; i = dmfa_group_end(all.v, all.n, i, 0))
		rc = employer(q, o, &s, &all, all.v[i].noss, r);
	/* An employer filed before whose every contract of the quarter was
	 * cancelled since has no row left: its filing still needs the
	 * correction that removes them. Found through the queue. */
	char prefix[24];
	int plen = snprintf(prefix, sizeof prefix, "DMFA:%d:", o->quarter);
	for (size_t i = 0; i < s.nmsgs && rc == GW_OK; i++) {
		const struct queue_msg *m = &s.msgs[i];
		char *end;
		if (strcmp(m->kind, DMFA_KIND_ORIGINAL) != 0 || strncmp(m->record_id, prefix, (size_t)plen) != 0)
			continue;
		unsigned long noss = strtoul(m->record_id + plen, &end, 10);
		if (*end != '\0' || noss > 999999999UL)
			continue;
		int seen = 0;
		for (size_t k = 0; k < all.n && !seen; k = dmfa_group_end(all.v, all.n, k, 0))
			seen = all.v[k].noss == (uint32_t)noss;
		for (size_t k = 0; k < i && !seen; k++)      /* an earlier original of the same */
			seen = strcmp(s.msgs[k].kind, DMFA_KIND_ORIGINAL) == 0 &&
			    strcmp(s.msgs[k].record_id, m->record_id) == 0;
		if (!seen)
			rc = employer(q, o, &s, &all, (uint32_t)noss, r);
	}
out:
	dmfa_rows_free(&all);
	store_free(&s);
	return rc;
}

gw_rc
dmfa_followup_check(struct queue *q, const struct dmfa_followup_opts *o,
                    const struct dmfa_check_opts *co, struct dmfa_check_result *r)
{
	struct revset s;
	struct dmfa_rows all;
	size_t nrej = 0;
	const char *missing = NULL;
	gw_rc rc;

	memset(r, 0, sizeof *r);
	dmfa_rows_init(&all);
	if ((rc = store_load(q, &s)) != GW_OK ||
	    (rc = dmfa_followup_rows(s.v, s.n, NULL, o->quarter, &all, &missing)) != GW_OK)
		goto out;
	dmfa_followup_contingent(s.msgs, s.nmsgs, &all);
	if ((rc = dmfa_rows_prepare(&all, o->p, o->reject, o->reject_arg, &nrej)) != GW_OK)
		goto out;
	rc = dmfa_check_rows(&all, s.msgs, s.nmsgs, s.json, s.n, co, r);
out:
	dmfa_rows_free(&all);
	store_free(&s);
	return rc;
}
