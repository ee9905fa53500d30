/*
 * service/invoice_intake.c - invoice record files into the durable queue
 * (invoice_intake.h, docs/invoices.md).
 *
 * Owns the per-record decision for invoices (new, replay, conflict, new
 * revision -> cancelling document + new document), building and validating
 * the documents at intake, and the moves of the new messages to ready (or
 * failed when the buyer is outside Peppol). Uses the queue only through its
 * interface. Must never queue a document that fails validation, never queue
 * a second document with an id already issued, never acknowledge a record
 * before its commit, never let one bad record stop the file.
 */
#include "service/invoice_intake.h"
#include "core/params.h"
#include "core/config.h"
#include "core/log.h"
#include "peppol/rules/validate.h"
#include "records/invoice_reader.h"
#include "records/reader.h"
#include "store/store.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define II_ACTOR "intake"
#define II_WAIVED_RULE "PEPPOL-EN16931-R010"     /* buyer electronic address */
#define II_WHY_READY "waiting for the Peppol AS4 transport (gateway run's peppol-as4 channel)"

/* Read the configuration the way `gateway invoice export` does. */
gw_rc
invoice_intake_opts_default(struct invoice_intake_opts *o, char *errbuf, size_t errcap)
{
	o->channel = param_str(P_PEPPOL_CHANNEL);
	o->build.payment_id = UBL_PAYMENT_ID_STRUCTURED;
	const char *form = param_str(P_PEPPOL_UBL_PAYMENT_ID);
	if (strcmp(form, "digits") == 0)
		o->build.payment_id = UBL_PAYMENT_ID_DIGITS;
	else if (strcmp(form, "structured") != 0) {
		snprintf(errbuf, errcap, "peppol_ubl.payment_id: '%s' is not structured or digits",
		    form);
		return GW_ECONFIG;
	}
	return GW_OK;
}

/* The records-table key of an invoice id (never equal to a contract id). */
void
invoice_record_key(char out[QUEUE_ID_MAX + 1], const char *invoice_id)
{
	size_t n = strlen(invoice_id);
	if (n + 4 <= QUEUE_ID_MAX) {
		snprintf(out, QUEUE_ID_MAX + 1, "inv:%s", invoice_id);
		return;
	}
	char hex[65];
	queue_sha256_hex(invoice_id, n, hex);
	snprintf(out, QUEUE_ID_MAX + 1, "inv:%.23s~%.12s", invoice_id, hex);
}

/* A document id derived from the record id, stable across replays. */
void
invoice_derived_id(char out[INVOICE_ID_MAX + 1], const char *invoice_id, const char *tag,
                   uint32_t revision)
{
	char suffix[32];
	snprintf(suffix, sizeof suffix, "-%s%u", tag, revision);
	size_t il = strlen(invoice_id), sl = strlen(suffix);
	if (il + sl <= INVOICE_ID_MAX) {
		memcpy(out, invoice_id, il);
		memcpy(out + il, suffix, sl + 1);
		return;
	}
	char hex[65];
	queue_sha256_hex(invoice_id, il, hex);
	int keep = (int)(INVOICE_ID_MAX - sl - 9);
	snprintf(out, INVOICE_ID_MAX + 1, "%.*s.%.8s%s", keep, invoice_id, hex, suffix);
}

/* Queue kind of a document type. */
static const char *
ii_kind(enum invoice_type t)
{
	return t == INVOICE_CREDIT_NOTE ? "credit-note" : "invoice";
}

/* Compact JSON with sorted keys: the same record written with other spacing
 * or key order is the same content (payload and hash). */
static gw_rc
ii_canonical(const char *text, size_t len, char **out)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return GW_EINPUT;
	*out = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	return *out != NULL ? GW_OK : GW_ENOMEM;
}

/* One document to queue: what it is built from and what it became. */
struct ii_doc {
	struct invoice inv;        /* shallow view: lines etc. belong to its source */
	char *payload;             /* the record JSON it comes from (owned until queued) */
	char *xml;
	size_t len;
	bool deliverable;          /* the buyer has a Peppol id */
	bool waived;               /* II_WAIVED_RULE fired and was let pass */
};

/* Build doc->inv and check it with the native validator; GW_EINPUT with
 * why naming the document and the first error when it is not valid. */
static gw_rc
ii_build(struct ii_doc *d, const struct invoice_intake_opts *o, char *why, size_t whycap)
{
	struct ubl_build_info info;
	char berr[256] = "";
	memset(&info, 0, sizeof info);
	gw_rc rc = ubl_build(&d->inv, &o->build, &d->xml, &d->len, &info, berr, sizeof berr);
	if (rc == GW_EINPUT) {
		snprintf(why, whycap, "document %s cannot be built: %s%s%s", d->inv.invoice_id, berr,
		    info.field[0] ? " (field " : "", info.field[0] ? info.field : "");
		if (info.field[0])
			snprintf(why + strlen(why), whycap - strlen(why), ")");
		return GW_EINPUT;
	}
	if (rc != GW_OK) {
		snprintf(why, whycap, "document %s: builder failed: %s", d->inv.invoice_id, berr);
		return rc;
	}
	d->deliverable = info.buyer_endpoint == UBL_ENDPOINT_PEPPOL_ID;
	struct invoice_report rep = { 0 };
	rc = invoice_validate_mem(d->xml, d->len, d->inv.invoice_id, RULES_ALL, true, &rep);
	size_t errors = rc == GW_OK ? invoice_report_errors(&rep) : 0;
	/* A buyer with no electronic address at all (a private person) breaks
	 * only the Peppol rule asking for one: the document will never travel
	 * over Peppol (records.md), so that one rule is waived, no other. */
	for (size_t i = 0; info.buyer_endpoint == UBL_ENDPOINT_NONE && i < rep.rules.n; i++)
		if (rep.rules.v[i].flag == RULE_FATAL &&
		    strcmp(rep.rules.v[i].rule_id, II_WAIVED_RULE) == 0 && errors > 0) {
			errors--;
			d->waived = true;
		}
	if (rc == GW_OK && errors > 0) {
		const char *first = NULL, *loc = "";
		char xsd[200];
		if (rep.nxsd > 0) {
			snprintf(xsd, sizeof xsd, "XSD %s", rep.xsd[0]);
			first = xsd;
		}
		for (size_t i = 0; first == NULL && i < rep.rules.n; i++)
			if (rep.rules.v[i].flag == RULE_FATAL && (!d->waived ||
			    strcmp(rep.rules.v[i].rule_id, II_WAIVED_RULE) != 0)) {
				first = rep.rules.v[i].rule_id;
				loc = rep.rules.v[i].location;
			}
		snprintf(why, whycap, "document %s fails validation (%zu error(s)), first: %.100s %.200s",
		    d->inv.invoice_id, errors, first ? first : "?", loc);
		rc = GW_EINPUT;
	} else if (rc != GW_OK) {
		snprintf(why, whycap, "document %s cannot be validated: %.300s", d->inv.invoice_id,
		    rep.why[0] ? rep.why : gw_rc_name(rc));
		if (rc == GW_EINPUT)
			rc = GW_EINTERNAL;     /* our own output not well-formed: not the record's fault */
	}
	invoice_report_free(&rep);
	return rc;
}

enum ii_verdict { II_QUEUE, II_REPLAY, II_UNCHANGED, II_NOTHING, II_REJECT };

/* Whether two canonical records differ in anything but their revision. */
static bool
ii_same_but_revision(const char *a, const char *b)
{
	json_error_t jerr;
	json_t *x = json_loads(a, 0, &jerr), *y = json_loads(b, 0, &jerr);
	bool same = false;
	if (x != NULL && y != NULL) {
		json_object_del(x, "revision");
		json_object_del(y, "revision");
		same = json_equal(x, y) != 0;
	}
	json_decref(x);
	json_decref(y);
	return same;
}

/* The plan for one record. */
struct ii_plan {
	enum ii_verdict v;
	struct ii_doc doc[2];      /* [0] cancelling document (revisions only), [1] the record's */
	size_t first;              /* index of the first document to queue */
	struct invoice prev;       /* the revision being cancelled (owns its lines) */
	char why[512];
};

static void
ii_plan_free(struct ii_plan *p)
{
	for (size_t i = 0; i < 2; i++) {
		free(p->doc[i].xml);
		free(p->doc[i].payload);
	}
	invoice_clear(&p->prev);
}

/* Find, among the record's messages (newest revision first), the newest
 * document that carried the record itself (not a cancelling one), parse
 * its payload into prev, and say which id it was issued under. */
static gw_rc
ii_previous(const struct queue_msg *l, size_t n, const char *invoice_id, struct invoice *prev,
            char **prev_payload, char prev_id[INVOICE_ID_MAX + 1])
{
	uint32_t first_rev = UINT32_MAX;
	for (size_t i = 0; i < n; i++)
		if (l[i].revision < first_rev)
			first_rev = l[i].revision;
	for (size_t i = 0; i < n; i++) {
		struct record_rejection rej;
		if (l[i].payload == NULL)
			continue;
		if (invoice_parse_json(l[i].payload, strlen(l[i].payload), prev, &rej) != GW_OK)
			continue;
		if (strcmp(l[i].kind, ii_kind(prev->type)) != 0) {
			invoice_clear(prev);   /* a cancelling document: its payload is older */
			continue;
		}
		/* The first revision taken in was issued under the record's own id. */
		if (l[i].revision == first_rev)
			snprintf(prev_id, INVOICE_ID_MAX + 1, "%s", invoice_id);
		else
			invoice_derived_id(prev_id, invoice_id, "R", l[i].revision);
		*prev_payload = strdup(l[i].payload);
		if (*prev_payload == NULL) {
			invoice_clear(prev);
			return GW_ENOMEM;
		}
		return GW_OK;
	}
	return GW_ENOTFOUND;
}

/* Decide what inv (whose canonical JSON is canon, ownership taken) produces. */
static gw_rc
ii_decide(struct queue *q, const struct invoice *inv, char *canon, const char *key,
          const struct invoice_intake_opts *o, struct ii_plan *p)
{
	char hash[65], have_hash[65];
	uint32_t have_rev = 0;
	struct queue_msg *l = NULL;
	size_t nl = 0;
	gw_rc rc;

	memset(p, 0, sizeof *p);
	p->v = II_QUEUE;
	p->first = 1;
	p->doc[1].inv = *inv;
	p->doc[1].payload = canon;
	queue_sha256_hex(canon, strlen(canon), hash);
	rc = store_record_get(q, key, &have_rev, have_hash);
	if (rc != GW_OK && rc != GW_ENOTFOUND)
		return rc;
	if (rc == GW_OK) {
		if (have_rev > inv->revision) {
			p->v = II_REPLAY;
			return GW_OK;
		}
		if (have_rev == inv->revision) {
			if (strcmp(have_hash, hash) == 0) {
				p->v = II_UNCHANGED;
			} else {
				p->v = II_REJECT;
				snprintf(p->why, sizeof p->why, "revision %u was already taken in with"
				    " other content; send a higher revision", inv->revision);
			}
			return GW_OK;
		}
		/* A higher revision: cancel what was issued last, in full. */
		if ((rc = queue_by_record(q, key, &l, &nl)) != GW_OK)
			goto out;
		char prev_id[INVOICE_ID_MAX + 1];
		rc = ii_previous(l, nl, inv->invoice_id, &p->prev, &p->doc[0].payload, prev_id);
		if (rc == GW_ENOTFOUND) {
			rc = GW_OK;
			p->v = II_REJECT;
			snprintf(p->why, sizeof p->why, "revision %u of a record whose earlier document"
			    " cannot be read back from the queue; ask the operator", inv->revision);
			goto out;
		}
		if (rc != GW_OK)
			goto out;
		if (p->prev.type != inv->type) {
			p->v = II_REJECT;
			snprintf(p->why, sizeof p->why, "type changed from %s to %s between revisions;"
			    " a new document type is a new record", ii_kind(p->prev.type),
			    ii_kind(inv->type));
			goto out;
		}
		/* A new revision that changes nothing else: nothing to issue; the
		 * records table still learns the revision (records_note). */
		if (ii_same_but_revision(p->doc[0].payload, canon)) {
			p->v = II_NOTHING;
			goto out;
		}
		/* The cancelling document mirrors the previous one line for line,
		 * so every total equals it; it is issued with the new revision's
		 * date (deterministic: a replay builds the same bytes). */
		struct invoice *c = &p->doc[0].inv;
		*c = p->prev;
		c->type = p->prev.type == INVOICE_INVOICE ? INVOICE_CREDIT_NOTE : INVOICE_INVOICE;
		invoice_derived_id(c->invoice_id, inv->invoice_id,
		    c->type == INVOICE_CREDIT_NOTE ? "CN" : "DN", inv->revision);
		snprintf(c->preceding_invoice_id, sizeof c->preceding_invoice_id, "%s", prev_id);
		snprintf(c->issue_date, sizeof c->issue_date, "%s", inv->issue_date);
		invoice_derived_id(p->doc[1].inv.invoice_id, inv->invoice_id, "R", inv->revision);
		p->first = 0;
	}
	for (size_t i = p->first; i < 2; i++) {
		rc = ii_build(&p->doc[i], o, p->why, sizeof p->why);
		if (rc == GW_EINPUT) {
			p->v = II_REJECT;
			rc = GW_OK;
			goto out;
		}
		if (rc != GW_OK)
			goto out;
	}
	rc = GW_OK;
out:
	for (size_t i = 0; i < nl; i++)
		queue_msg_free(&l[i]);
	free(l);
	return rc;
}

/* Move a message taken in (pending, body stored) on to ready, or to failed
 * when its buyer cannot be reached over Peppol. Each move is its own commit:
 * a crash in between leaves it pending or building with its body, and a
 * replay of the record finishes the move (ii_finish_replay). */
static gw_rc
ii_advance(struct queue *q, struct queue_msg *m, bool deliverable, bool waived,
           const char *doc_id)
{
	char why[300];
	gw_rc rc = GW_OK;
	if (m->state == QS_PENDING) {
		snprintf(why, sizeof why, "UBL %s built and validated at intake (UBL 2.1 schema,"
		    " EN 16931, Peppol BIS 3.0)%s", doc_id, waived ? "; " II_WAIVED_RULE " waived:"
		    " the buyer has no electronic address" : "");
		rc = queue_transition(q, m->id, QS_PENDING, QS_BUILDING, II_ACTOR, why);
		if (rc != GW_OK)
			return rc;
		m->state = QS_BUILDING;
	}
	if (m->state != QS_BUILDING)
		return GW_OK;
	if (deliverable) {
		rc = queue_transition(q, m->id, QS_BUILDING, QS_READY, II_ACTOR, II_WHY_READY);
		if (rc == GW_OK)
			m->state = QS_READY;
		return rc;
	}
	snprintf(m->last_error, sizeof m->last_error, "%s", INVOICE_REASON_NO_PEPPOL);
	rc = queue_update_transition(q, m, QS_BUILDING, QS_FAILED, II_ACTOR,
	    INVOICE_REASON_NO_PEPPOL);
	if (rc == GW_OK)
		m->state = QS_FAILED;
	return rc;
}

/* A replayed revision: finish any move a crash interrupted; nothing else. */
static gw_rc
ii_finish_replay(struct queue *q, const char *key, uint32_t revision)
{
	struct queue_msg *l = NULL;
	size_t n = 0;
	gw_rc rc = queue_by_record(q, key, &l, &n);
	for (size_t i = 0; rc == GW_OK && i < n; i++) {
		if (l[i].revision != revision || l[i].body == NULL || l[i].payload == NULL ||
		    (l[i].state != QS_PENDING && l[i].state != QS_BUILDING))
			continue;
		struct invoice pi;
		struct record_rejection rej;
		if (invoice_parse_json(l[i].payload, strlen(l[i].payload), &pi, &rej) != GW_OK)
			continue;
		rc = ii_advance(q, &l[i], pi.buyer.peppol_scheme[0] != '\0', false,
		    l[i].remote_ref2[0] ? l[i].remote_ref2 : l[i].id);
		invoice_clear(&pi);
	}
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);
	return rc;
}

/* Queue the plan's documents in one transaction, then move them on. */
static gw_rc
ii_commit(struct queue *q, const struct invoice *inv, const char *key,
          const struct invoice_intake_opts *o, struct ii_plan *p, struct invoice_intake_stats *st)
{
	struct queue_msg m[2];
	unsigned char dup[2] = { 0, 0 };
	size_t n = 0;
	gw_rc rc;
	memset(m, 0, sizeof m);
	for (size_t i = p->first; i < 2; i++, n++) {
		struct ii_doc *d = &p->doc[i];
		struct queue_msg *x = &m[n];
		snprintf(x->record_id, sizeof x->record_id, "%s", key);
		x->revision = inv->revision;
		snprintf(x->kind, sizeof x->kind, "%s", ii_kind(d->inv.type));
		snprintf(x->channel, sizeof x->channel, "%s", o->channel);
		x->state = QS_PENDING;
		x->expires_ms = 0;     /* the AS4 transport will set its own delivery deadline */
		x->body = d->xml;
		x->body_len = d->len;
		queue_sha256_hex(d->xml, d->len, x->content_hash);
		x->payload = d->payload;
		snprintf(x->remote_ref2, sizeof x->remote_ref2, "%s", d->inv.invoice_id);
		queue_make_id(x->id, x->record_id, x->revision, x->kind);
	}
	/* The record's own document last: its payload is the one the records
	 * table keeps (the hash a replay is compared with). */
	rc = store_enqueue(q, m, n, dup);
	if (rc != GW_OK)
		return rc;
	st->taken++;
	if (p->first == 0)
		st->revised++;
	for (size_t i = 0; i < n; i++) {
		struct ii_doc *d = &p->doc[p->first + i];
		if (dup[i])
			continue;
		st->messages++;
		rc = ii_advance(q, &m[i], d->deliverable, d->waived, d->inv.invoice_id);
		if (rc != GW_OK)
			return rc;
		if (m[i].state == QS_READY)
			st->ready++;
		else
			st->failed++;
		log_info(m[i].id, key, "%s %s (revision %u) taken in: %s", m[i].kind,
		    d->inv.invoice_id, inv->revision, queue_state_name(m[i].state));
	}
	return GW_OK;
}

/* One line of the file into *buf (bounded by INVOICE_LINE_MAX). 1 a line,
 * 0 end of file, -1 read error, -2 too long (consumed). */
static int
ii_read_line(FILE *f, char **buf, size_t *cap, size_t *len)
{
	size_t n = 0;
	bool too_long = false;
	int c;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (too_long)
			continue;
		if (n + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 4096;
			if (ncap > INVOICE_LINE_MAX + 1)
				ncap = INVOICE_LINE_MAX + 1;
			if (n + 1 >= ncap) {
				too_long = true;
				continue;
			}
			char *nb = realloc(*buf, ncap);
			if (nb == NULL)
				return -1;
			*buf = nb;
			*cap = ncap;
		}
		(*buf)[n++] = (char)c;
	}
	if (ferror(f))
		return -1;
	if (c == EOF && n == 0 && !too_long)
		return 0;
	if (too_long)
		return -2;
	if (n > 0 && (*buf)[n - 1] == '\r')
		n--;
	(*buf)[n] = '\0';
	*len = n;
	return 1;
}

static bool
ii_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* One record line: parse, decide, commit; rejections printed. */
static gw_rc
ii_line(struct queue *q, const char *text, size_t len, const struct invoice_intake_opts *o,
        struct invoice_intake_stats *st, FILE *rej_out, struct record_rejection *rej,
        char *errbuf, size_t errcap)
{
	struct invoice inv;
	struct ii_plan plan;
	char *canon = NULL, key[QUEUE_ID_MAX + 1];
	gw_rc rc = invoice_parse_json(text, len, &inv, rej);
	st->read++;
	if (rc == GW_EINPUT) {
		st->rejected++;
		record_rejection_print(rej, rej_out);
		return GW_OK;
	}
	if (rc != GW_OK)
		return rc;
	if ((rc = ii_canonical(text, len, &canon)) != GW_OK) {
		invoice_clear(&inv);
		return rc;
	}
	invoice_record_key(key, inv.invoice_id);
	rc = ii_decide(q, &inv, canon, key, o, &plan);
	if (rc != GW_OK) {
		snprintf(errbuf, errcap, "record %s: %s%s%s", inv.invoice_id, gw_rc_name(rc),
		    plan.why[0] ? ": " : "", plan.why);
		goto out;
	}
	switch (plan.v) {
	case II_REPLAY:
		st->replayed++;
		break;
	case II_UNCHANGED:
		st->unchanged++;
		rc = ii_finish_replay(q, key, inv.revision);
		break;
	case II_NOTHING: {
		struct store_revision rec;
		memset(&rec, 0, sizeof rec);
		snprintf(rec.record_id, sizeof rec.record_id, "%s", key);
		rec.revision = inv.revision;
		queue_sha256_hex(canon, strlen(canon), rec.hash);
		struct store_unit u = { .revs = &rec, .nrevs = 1 };
		rc = store_commit(q, &u);
		if (rc == GW_OK)
			st->no_change++;
		break;
	}
	case II_REJECT:
		st->rejected++;
		snprintf(rej->record_id, sizeof rej->record_id, "%s", inv.invoice_id);
		snprintf(rej->field, sizeof rej->field, "%s",
		    strncmp(plan.why, "document", 8) == 0 ? "" : "revision");
		snprintf(rej->reason, sizeof rej->reason, "%s", plan.why);
		record_rejection_print(rej, rej_out);
		break;
	case II_QUEUE:
		/* The plan keeps ownership of bodies and payloads. */
		rc = ii_commit(q, &inv, key, o, &plan, st);
		break;
	}
	if (rc != GW_OK)
		snprintf(errbuf, errcap, "record %s: the queue refused it (%s)%s", inv.invoice_id,
		    gw_rc_name(rc), rc == GW_ETEMP ? ": disk nearly full or queue busy; try again"
		    " later" : "");
out:
	ii_plan_free(&plan);
	invoice_clear(&inv);
	return rc;
}

/* The whole file. */
gw_rc
invoice_intake_file(struct queue *q, const char *path, const struct invoice_intake_opts *o,
                    struct invoice_intake_stats *st, FILE *rej_out, char *errbuf, size_t errcap)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0;
	unsigned long line = 0;
	gw_rc rc = GW_OK;

	memset(st, 0, sizeof *st);
	if (f == NULL) {
		snprintf(errbuf, errcap, "%s: %s", path, strerror(errno));
		return GW_EIO;
	}
	for (;;) {
		struct record_rejection rej;
		int k = ii_read_line(f, &buf, &cap, &len);
		if (k == 0)
			break;
		if (k == -1) {
			snprintf(errbuf, errcap, "%s: read error after line %lu", path, line);
			rc = GW_EIO;
			break;
		}
		line++;
		memset(&rej, 0, sizeof rej);
		snprintf(rej.file, sizeof rej.file, "%s", path);
		rej.line = line;
		if (k == -2) {
			st->read++;
			st->rejected++;
			snprintf(rej.reason, sizeof rej.reason, "line longer than %u bytes",
			    INVOICE_LINE_MAX);
			record_rejection_print(&rej, rej_out);
			continue;
		}
		const char *text = buf;
		if (line == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
			text += 3;
			len -= 3;
		}
		if (ii_blank(text, len))
			continue;
		if ((rc = ii_line(q, text, len, o, st, rej_out, &rej, errbuf, errcap)) != GW_OK)
			break;
	}
	if (f != stdin)
		fclose(f);
	free(buf);
	return rc;
}
