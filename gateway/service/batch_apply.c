/*
 * service/batch_apply.c - applies ONSS batch answers to the queue
 * (batch_apply.h): ACRF refusals and NOTIFICATION results move messages to
 * their final state with the reason; ACRF receipts, DmfAPID and IDFLUX are
 * recorded on the messages they concern. Every change goes through the
 * queue interface (any backend) with its event; the ACRF and NOTI outcomes
 * of one answer file are gathered and applied in ONE transaction (queue
 * move_many: a 10,000-message batch paid 1-2 commits per message).
 *
 * The protocol side (what a form means, which submission a file names) is
 * onss/batch/match.c; this file only finds the messages and moves them.
 * Owns nothing durable itself: the answer files stay in the folder they
 * were downloaded to (moved to applied/, or unmatched/ when any of their
 * forms found no message). A DmfAPID answering a queued DmfA is kept in the
 * record store (service/dmfa_filing.h). Never drops an answer, never moves a
 * message the state machine does not allow.
 */
#include "service/batch_apply.h"
#include "service/dmfa_filing.h"
#include "onss/batch/answer.h"
#include "onss/batch/match.h"
#include "onss/batch/submission.h"
#include "core/atomicfile.h"
#include "core/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
batch_is_dmfa_kind(const char *kind)
{
	return strcmp(kind, "dmfa") == 0 || strcmp(kind, "dmfa-update") == 0;
}

/* The queue state an answer's result moves a message to. */
static enum queue_state
state_of(enum batch_result r)
{
	return r == BATCH_ACCEPTED ? QS_ACCEPTED : r == BATCH_ACCEPTED_WARNINGS ? QS_ACCEPTED_WARNINGS
	    : QS_REFUSED;
}

/* Report a NOTI form that names no queued message of its file. */
static void
form_unmatched(const struct onss_answer *a, const struct onss_answer_form *f, size_t i,
               const char *fi, struct batch_apply_counts *c)
{
	const char *ref = "(none)";
	for (size_t k = 0; k < f->n_refs; k++)
		if (f->refs[k].origin == 1)
			ref = f->refs[k].nbr;
	log_error(NULL, a->name, "NOTI form %zu, reference %s, names no message of %s; the answer"
	    " is kept in unmatched/", i + 1, ref, fi);
	if (c != NULL)
		c->unmatched_forms++;
}

/* ---- the messages of the channel, loaded once per answer file ---- */

struct msgset {
	struct queue_msg *v;
	size_t n;
};

static gw_rc
msgset_load(struct queue *q, int with_bodies, struct msgset *s)
{
	struct queue_filter f;
	memset(&f, 0, sizeof f);
	f.state = -1;
	f.channel = "onss-batch";
	f.with_bodies = with_bodies;
	s->v = NULL;
	s->n = 0;
	return q->ops->list(q, &f, &s->v, &s->n);
}

static void
msgset_free(struct msgset *s)
{
	for (size_t i = 0; i < s->n; i++)
		queue_msg_free(&s->v[i]);
	free(s->v);
}

/* Record an informational event on m. */
static gw_rc
note(struct queue *q, const struct queue_msg *m, const char *why)
{
	struct queue_event ev;
	memset(&ev, 0, sizeof ev);
	ev.at_ms = queue_now_ms();
	snprintf(ev.actor, sizeof ev.actor, "onss");
	ev.from = ev.to = m->state;
	snprintf(ev.what, sizeof ev.what, "answer");
	snprintf(ev.why, sizeof ev.why, "%s", why);
	return queue_add_event(q, m->id, &ev);
}

/* The changes one answer file makes, applied together by plan_flush(). */
enum plan_count { PC_NONE, PC_NOTE, PC_MOVED };
struct plan {
	struct queue_move *mv;
	struct queue_msg **msg;         /* the message of each step (in the msgset) */
	unsigned char *count;           /* enum plan_count of each step */
	char (*why)[512];
	size_t n, cap;
};

/* Add a step: m's fields written, moved from -> to (from == to: event
 * `what` only). */
static gw_rc
plan_add(struct plan *p, struct queue_msg *m, enum queue_state from, enum queue_state to,
         const char *what, const char *why, enum plan_count count)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		struct queue_move *mv = realloc(p->mv, nc * sizeof *mv);
		if (mv != NULL)
			p->mv = mv;
		struct queue_msg **msg = realloc(p->msg, nc * sizeof *msg);
		if (msg != NULL)
			p->msg = msg;
		unsigned char *cnt = realloc(p->count, nc);
		if (cnt != NULL)
			p->count = cnt;
		char (*w)[512] = realloc(p->why, nc * sizeof *w);
		if (w != NULL)
			p->why = w;
		if (mv == NULL || msg == NULL || cnt == NULL || w == NULL)
			return GW_ENOMEM;
		p->cap = nc;
	}
	struct queue_move *x = &p->mv[p->n];
	memset(x, 0, sizeof *x);
	snprintf(p->why[p->n], sizeof p->why[p->n], "%s", why);
	x->id = m->id;
	x->fields = m;
	x->from = from;
	x->to = to;
	x->what = what;
	p->msg[p->n] = m;
	p->count[p->n] = (unsigned char)count;
	p->n++;
	return GW_OK;
}

/* Apply the plan in one transaction; counts and logs what took. A step the
 * queue refused (the message moved meanwhile) is returned after the
 * others are applied, so the file is kept and applied again next run
 * (applying an answer twice changes nothing). */
static gw_rc
plan_flush(struct queue *q, struct plan *p, const char *answer_name, struct batch_apply_counts *c)
{
	gw_rc rc, first = GW_OK;
	for (size_t i = 0; i < p->n; i++)
		p->mv[i].why = p->why[i];
	if ((rc = queue_move_many(q, p->mv, p->n, "onss", NULL)) != GW_OK)
		return rc;
	for (size_t i = 0; i < p->n; i++) {
		struct queue_move *x = &p->mv[i];
		if (x->rc != GW_OK) {
			log_warn(x->id, p->msg[i]->record_id, "%s not applied: %s", answer_name,
			    gw_rc_name(x->rc));
			if (first == GW_OK)
				first = x->rc;
			continue;
		}
		if (p->count[i] == PC_NOTE && c)
			c->notes++;
		if (p->count[i] == PC_MOVED) {
			if (c)
				c->messages_moved++;
			log_info(x->id, p->msg[i]->record_id, "%s -> %s", answer_name,
			    queue_state_name(x->to));
		}
	}
	return first;
}

static void
plan_free(struct plan *p)
{
	free(p->mv);
	free(p->msg);
	free(p->count);
	free(p->why);
}

/* Plan one outcome for one message (m->state follows, in memory). */
static gw_rc
apply_outcome(struct plan *p, struct queue_msg *m, const struct batch_outcome *o,
              const char *answer_name)
{
	char why[512];
	char first_ticket[QUEUE_REF_MAX + 1];
	snprintf(first_ticket, sizeof first_ticket, "%s", m->remote_ref);
	if (!o->final) {
		if (o->ticket[0])
			snprintf(m->remote_ref, sizeof m->remote_ref, "%s", o->ticket);
		snprintf(why, sizeof why, "%s: %s", answer_name, o->detail);
		return plan_add(p, m, m->state, m->state, "answer", why, PC_NOTE);
	}
	enum queue_state to = state_of(o->result);
	if (m->state == to)
		return GW_OK;               /* the same answer applied twice */
	if (o->result == BATCH_REFUSED && strncmp(o->detail, "ACRF-133", 8) == 0 && strchr(o->detail, ';') == NULL &&
	    first_ticket[0] && strcmp(first_ticket, o->ticket) != 0) {
		/* "Name already received" after this message's file was received
		 * once (it has that receipt's ticket): the repeat of an upload
		 * whose outcome was unknown, not a refusal of the declaration. */
		snprintf(why, sizeof why, "%.200s: %.200s (a repeated upload; the first one was received)",
		    answer_name, o->detail);
		return plan_add(p, m, m->state, m->state, "answer", why, PC_NONE);
	}
	if (!queue_transition_allowed(m->state, to)) {
		snprintf(why, sizeof why, "%s: %s (not applied: message is %s)", answer_name, o->detail,
		    queue_state_name(m->state));
		log_warn(m->id, m->record_id, "%s", why);
		return plan_add(p, m, m->state, m->state, "answer", why, PC_NONE);
	}
	if (o->period_id[0])
		snprintf(m->remote_ref2, sizeof m->remote_ref2, "%s", o->period_id);
	if (o->ticket[0])
		snprintf(m->remote_ref, sizeof m->remote_ref, "%s", o->ticket);
	snprintf(why, sizeof why, "%s: %s", answer_name, o->detail);
	snprintf(m->last_error, sizeof m->last_error, "%s", to == QS_REFUSED ? why : "");
	gw_rc rc = plan_add(p, m, m->state, to, NULL, why, PC_MOVED);
	if (rc == GW_OK)
		m->state = to;
	return rc;
}

static int
cmp_by_record(const void *a, const void *b)
{
	return strcmp((*(struct queue_msg *const *)a)->record_id, (*(struct queue_msg *const *)b)->record_id);
}

/* Is m (still) carried by the submission fi or its ticket? An outcome
 * planned earlier in the same file may have replaced its refs. */
static int
is_carried(const struct queue_msg *m, const char *fi, const char *ticket)
{
	return strcmp(m->remote_ref2, fi) == 0 || (ticket && ticket[0] && strcmp(m->remote_ref, ticket) == 0);
}

/* Messages carried by the submission fi, sorted by record id; *out malloc'd. */
static size_t
carried_by(const struct msgset *s, const char *fi, const char *ticket, struct queue_msg ***out)
{
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; i < s->n; i++)
		n += is_carried(&s->v[i], fi, ticket);
	if (n == 0 || (*out = malloc(n * sizeof **out)) == NULL)
		return 0;
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].remote_ref2, fi) == 0 || (ticket && ticket[0] && strcmp(s->v[i].remote_ref, ticket) == 0))
			(*out)[k++] = &s->v[i];
	qsort(*out, n, sizeof **out, cmp_by_record);
	return n;
}

/* The message among cand (sorted; those still carried by fi / ticket) that
 * a NOTI form's own reference names. */
static struct queue_msg *
pick(struct queue_msg **cand, size_t n, const struct onss_answer_form *f, const char *fi,
     const char *ticket)
{
	const char *ref = NULL;
	size_t live = 0, last = 0;
	for (size_t i = 0; i < f->n_refs; i++)
		if (f->refs[i].origin == 1)
			ref = f->refs[i].nbr;
	if (ref == NULL) {
		for (size_t i = 0; i < n; i++)
			if (is_carried(cand[i], fi, ticket)) {
				live++;
				last = i;
			}
		return live == 1 ? cand[last] : NULL;
	}
	size_t lo = 0, hi = n;
	while (lo < hi) {                       /* the first with record_id >= ref */
		size_t mid = (lo + hi) / 2;
		if (strcmp(cand[mid]->record_id, ref) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < n && strcmp(cand[i]->record_id, ref) == 0; i++)
		if (is_carried(cand[i], fi, ticket))
			return cand[i];
	for (size_t i = 0; i < n; i++)         /* shortened long ids */
		if (batch_ref_matches(ref, cand[i]->record_id) && is_carried(cand[i], fi, ticket))
			return cand[i];
	return NULL;
}

static const char *const purposes[] = { "DIMN", "DMFA", "DMWA" };

/* Messages a DMPI or IDFLUX file concerns, by its FO name or ticket. */
static size_t
concerned(const struct msgset *s, const struct onss_answer *a, struct queue_msg ***out)
{
	const char *ticket = NULL;
	for (size_t i = 0; a->n_forms && i < a->forms[0].n_refs; i++)
		if (a->forms[0].refs[i].type == 3 && a->forms[0].refs[i].origin == 2)
			ticket = a->forms[0].refs[i].nbr;
	for (size_t p = 0; p < 3; p++) {
		char fi[128];
		if (batch_fi_of(a->name, purposes[p], fi, sizeof fi) != GW_OK)
			continue;
		size_t n = carried_by(s, fi, ticket, out);
		if (n)
			return n;
		free(*out);
	}
	/* No FI of that name: by ticket alone ("\x01" is no file name). */
	*out = NULL;
	return ticket ? carried_by(s, "\x01", ticket, out) : 0;
}

gw_rc
batch_answer_apply_file(struct queue *q, const char *path, int *matched,
                        struct batch_apply_counts *c, char *errbuf, size_t errcap)
{
	struct onss_answer *a = NULL;
	struct msgset s = { NULL, 0 };
	gw_rc rc;

	*matched = 0;
	if ((rc = onss_answer_parse_file(path, 0, &a, errbuf, errcap)) != GW_OK)
		return rc;
	if ((rc = msgset_load(q, a->kind == ANSWER_IDFLUX, &s)) != GW_OK) {
		snprintf(errbuf, errcap, "cannot list the queue: %s", gw_rc_name(rc));
		goto out;
	}
	if (a->kind == ANSWER_ACRF || a->kind == ANSWER_NOTI) {
		struct plan p;
		/* The forms of one file mostly name the same FI and ticket: their
		 * candidates are looked up (scan + sort of the channel) once, not
		 * once per form (10,000 forms x 10,000 messages). */
		char last_fi[128] = "", last_ticket[80] = "";
		struct queue_msg **cand = NULL;
		size_t n = 0;
		int have = 0;
		memset(&p, 0, sizeof p);
		for (size_t i = 0; i < a->n_forms && rc == GW_OK; i++) {
			const struct onss_answer_form *f = &a->forms[i];
			char fi[128];
			struct batch_outcome o;
			const char *ticket = a->kind == ANSWER_NOTI ? f->ticket : NULL;
			if (batch_fi_of(f->file_name, NULL, fi, sizeof fi) != GW_OK)
				continue;
			if (!have || strcmp(fi, last_fi) != 0 ||
			    strcmp(ticket != NULL ? ticket : "", last_ticket) != 0) {
				free(cand);
				n = carried_by(&s, fi, ticket, &cand);
				snprintf(last_fi, sizeof last_fi, "%s", fi);
				snprintf(last_ticket, sizeof last_ticket, "%s", ticket != NULL ? ticket : "");
				have = 1;
			}
			if (a->kind == ANSWER_ACRF) {
				batch_outcome_from_acrf(f, &o);
				size_t live = 0;
				for (size_t k = 0; k < n && rc == GW_OK; k++)
					if (is_carried(cand[k], fi, ticket)) {
						live++;
						rc = apply_outcome(&p, cand[k], &o, a->name);
					}
				*matched |= live > 0;
			} else {
				struct queue_msg *m = pick(cand, n, f, fi, ticket);
				if (m != NULL) {
					batch_outcome_from_noti(f, &o);
					rc = apply_outcome(&p, m, &o, a->name);
					*matched = 1;
				} else {
					/* A result nobody receives: the file is kept for an
					 * operator even when its other forms applied. */
					form_unmatched(a, f, i, fi, c);
				}
			}
		}
		free(cand);
		/* What was planned is applied even when planning stopped on an
		 * error: the same as the steps committed one by one before it. */
		gw_rc frc = plan_flush(q, &p, a->name, c);
		if (rc == GW_OK)
			rc = frc;
		if (rc != GW_OK)
			snprintf(errbuf, errcap, "applying the outcomes: %s", gw_rc_name(rc));
		plan_free(&p);
	} else {
		struct queue_msg **cand = NULL;
		size_t n = concerned(&s, a, &cand);
		char why[480];
		const struct onss_answer_form *f = &a->forms[0];
		if (a->kind == ANSWER_DMPI)
			snprintf(why, sizeof why, "%s: DmfA permanent ids, employer declaration %lld, %zu natural "
			    "persons (file kept with the answers)", a->name, f->dmpi.employer_decl_pid, f->dmpi.n_persons);
		else
			snprintf(why, sizeof why, "%s: INSS %s is now %s from %s (IDFLUX, justification %d)",
			    a->name, f->idflux.outdated.inss[0] ? f->idflux.outdated.inss : "(same)",
			    f->idflux.valid.inss[0] ? f->idflux.valid.inss : "(same)", f->idflux.effective_date,
			    f->idflux.justification);
		for (size_t k = 0; k < n && rc == GW_OK; k++) {
			if ((rc = note(q, cand[k], why)) == GW_OK && c)
				c->notes++;
			/* A queued DmfA's permanent ids: its corrections need them. */
			if (rc == GW_OK && a->kind == ANSWER_DMPI && batch_is_dmfa_kind(cand[k]->kind))
				rc = dmfa_filing_keep_dmpi(q, cand[k], path, a->name, NULL);
		}
		*matched = n > 0;
		/* IDFLUX also concerns every stored record of that worker. */
		if (a->kind == ANSWER_IDFLUX && f->idflux.outdated.inss[0]) {
			for (size_t i = 0; i < s.n && rc == GW_OK; i++) {
				int listed = 0;
				for (size_t k = 0; k < n; k++)
					listed |= cand[k] == &s.v[i];
				if (!listed && s.v[i].payload && strstr(s.v[i].payload, f->idflux.outdated.inss)) {
					if ((rc = note(q, &s.v[i], why)) == GW_OK && c)
						c->notes++;
					*matched = 1;
				}
			}
		}
		free(cand);
	}
out:
	msgset_free(&s);
	onss_answer_free(a);
	return rc;
}

/* Move dir/name into dir/sub/ (created), durably: both folders fsynced. */
static gw_rc
file_away(const char *dir, const char *name, const char *sub)
{
	char err[PATH_MAX + 100];
	gw_rc rc = atomic_move_into(dir, name, sub, err, sizeof err);
	if (rc != GW_OK)
		log_error(NULL, name, "%s", err);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

gw_rc
batch_answers_apply_dir(struct queue *q, const char *dir, struct batch_apply_counts *c)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	gw_rc rc = GW_OK;

	memset(c, 0, sizeof *c);
	if (d == NULL)
		return GW_EIO;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "FO.", 3) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof *nn);
			if (nn == NULL) {
				rc = GW_ENOMEM;
				break;
			}
			names = nn;
		}
		if ((names[n] = strdup(e->d_name)) == NULL) {
			rc = GW_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	/* Receipts before results: ACRF < DMPI < IDFL < NOTI would put the
	 * NOTI last anyway, and sorting keeps runs reproducible. */
	if (n > 1)                         /* qsort(NULL, 0) is undefined */
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n && rc == GW_OK; i++) {
		char path[PATH_MAX], err[512];
		int matched = 0;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		c->files++;
		size_t lost_before = c->unmatched_forms;
		gw_rc arc = batch_answer_apply_file(q, path, &matched, c, err, sizeof err);
		if (arc == GW_EINPUT) {
			log_warn(NULL, names[i], "answer kept in unmatched/: %s", err);
			matched = 0;
		} else if (arc != GW_OK) {
			log_error(NULL, names[i], "answer not applied: %s (%s); kept for the next run", err,
			    gw_rc_name(arc));
			rc = arc;
			break;
		} else if (!matched) {
			log_warn(NULL, names[i], "answer matches no queue message; kept in unmatched/");
		} else if (c->unmatched_forms > lost_before) {
			/* What matched is applied (applying it again changes nothing);
			 * the file waits in unmatched/ for the forms that did not. */
			log_warn(NULL, names[i], "%zu form(s) of the answer match no queue message; kept"
			    " in unmatched/", c->unmatched_forms - lost_before);
			matched = 0;
		}
		if (matched)
			c->matched_files++;
		else
			c->unmatched_files++;
		if (file_away(dir, names[i], matched ? "applied" : "unmatched") != GW_OK) {
			log_error_errno(NULL, names[i], "cannot move the answer");
			rc = GW_EIO;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

gw_rc
batch_answers_apply_configured(const char *dir, struct batch_apply_counts *c, char *errbuf,
                               size_t errcap)
{
	struct queue *q = NULL;
	gw_rc rc;
	memset(c, 0, sizeof *c);
	errbuf[0] = '\0';
	if ((rc = queue_open_configured(&q, errbuf, errcap)) != GW_OK)
		return rc;
	rc = batch_answers_apply_dir(q, dir, c);
	q->ops->close(q);
	return rc;
}
