/*
 * service/peppol_report.c - gathers a month's Peppol exchanges for the
 * TSR and EUSR (peppol/report) and writes them (peppol_report.h).
 *
 * Sent: queue messages of channel peppol-as4 accepted (receipt verified)
 * in the month, the moment taken from their history; their document gives
 * the document type, process, end user (the supplier, C1) and countries;
 * the other AP is the configured receiving AP's certificate CN. Received:
 * the record store's rows of the month; the envelope kept with each
 * (sending AP, document type, process, C1 country) and its document (the
 * buyer, C4, and its country). Never writes a report that fails its
 * rules, and never reads the clock but through core/clock.
 */
#include "service/peppol_report.h"
#include "core/atomicfile.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/dirs.h"
#include "core/params.h"
#include "peppol/report/report.h"
#include "peppol/rules/validate.h"
#include "store/store.h"

#include <jansson.h>
#include <libxml/tree.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PR_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define PR_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"

struct gather {
	struct report_tx *v;
	size_t n, cap;
	char *err;
	size_t errcap;
};

/* The CN of the certificate in a PEM file; 0 when unreadable. */
static int
cert_cn(const char *path, char *cn, size_t cap)
{
	FILE *f = path[0] ? fopen(path, "r") : NULL;
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f != NULL)
		fclose(f);
	int n = x ? X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, (int)cap) : -1;
	X509_free(x);
	return n > 0;
}

static const xmlNode *
child(const xmlNode *n, const char *ns, const char *name)
{
	for (const xmlNode *k = n ? n->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && k->ns && strcmp((const char *)k->ns->href, ns) == 0 &&
		    strcmp((const char *)k->name, name) == 0)
			return k;
	return NULL;
}

static void
text(const xmlNode *n, char *buf, size_t cap)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	snprintf(buf, cap, "%s", t ? (const char *)t : "");
	xmlFree(t);
}

/* A party's country and "scheme:id" endpoint (role: AccountingSupplierParty ...). */
static void
party(const xmlNode *root, const char *role, char *id, size_t idcap, char *cc, size_t cccap)
{
	const xmlNode *p = child(child(root, PR_CAC, role), PR_CAC, "Party");
	const xmlNode *e = child(p, PR_CBC, "EndpointID");
	char v[100] = "";
	text(e, v, sizeof v);
	xmlChar *s = e ? xmlGetProp(e, BAD_CAST "schemeID") : NULL;
	snprintf(id, idcap, "%s:%s", s ? (const char *)s : "", v);
	xmlFree(s);
	text(child(child(child(p, PR_CAC, "PostalAddress"), PR_CAC, "Country"), PR_CBC,
	    "IdentificationCode"), cc, cccap);
}

/* What a UBL invoice or credit note says of itself for the reports. */
static gw_rc
doc_facts(const char *doc, size_t len, const char *name, struct report_tx *t, char *c1, size_t c1cap,
          char *err, size_t cap)
{
	char why[256] = "", cust[300] = "";
	xmlDocPtr d = invoice_parse(doc, len, name, why, sizeof why);
	if (d == NULL) {
		snprintf(err, cap, "%s: document unreadable: %s", name, why);
		return GW_EINPUT;
	}
	const xmlNode *root = xmlDocGetRootElement(d);
	text(child(root, PR_CBC, "CustomizationID"), cust, sizeof cust);
	text(child(root, PR_CBC, "ProfileID"), t->process, sizeof t->process);
	snprintf(t->doctype, sizeof t->doctype, "%s::%s##%s::2.1",
	    root && root->ns ? (const char *)root->ns->href : "", root ? (const char *)root->name : "",
	    cust);
	char buyer[128];
	party(root, "AccountingSupplierParty", t->end_user, sizeof t->end_user, c1, c1cap);
	party(root, "AccountingCustomerParty", buyer, sizeof buyer, t->receiver_country,
	    sizeof t->receiver_country);
	xmlFreeDoc(d);
	return GW_OK;
}

static struct report_tx *
add(struct gather *g)
{
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 64;
		struct report_tx *v = realloc(g->v, nc * sizeof *v);
		if (v == NULL)
			return NULL;
		g->v = v;
		g->cap = nc;
	}
	memset(&g->v[g->n], 0, sizeof *g->v);
	return &g->v[g->n++];
}

/* One received message: its envelope (kept as JSON) and its document. */
static gw_rc
received(void *arg, const struct store_inbound *row)
{
	struct gather *g = arg;
	char name[300], c1[8];
	snprintf(name, sizeof name, "received AS4 message %s", row->message_id);
	if (row->meta == NULL) {
		snprintf(g->err, g->errcap, "%s: stored without its envelope (before reports were"
		    " built): cannot be reported", name);
		return GW_EINPUT;
	}
	json_error_t je;
	json_t *m = json_loads(row->meta, 0, &je);
	const char *ap = json_string_value(json_object_get(m, "from_ap"));
	const char *rcv = json_string_value(json_object_get(m, "receiver"));
	const char *dt = json_string_value(json_object_get(m, "document_type"));
	const char *pr = json_string_value(json_object_get(m, "process"));
	const char *cc = json_string_value(json_object_get(m, "country_c1"));
	if (ap == NULL || rcv == NULL || dt == NULL || pr == NULL || cc == NULL) {
		snprintf(g->err, g->errcap, "%s: envelope lacks %s", name, ap == NULL ? "from_ap" :
		    rcv == NULL ? "receiver" : dt == NULL ? "document_type" : pr == NULL ? "process" :
		    "country_c1");
		json_decref(m);
		return GW_EINPUT;
	}
	struct report_tx *t = add(g);
	if (t == NULL) {
		json_decref(m);
		return GW_ENOMEM;
	}
	gw_rc rc = doc_facts(row->document, row->document_len, name, t, c1, sizeof c1, g->err, g->errcap);
	/* The envelope says how it travelled; the document only where C4 lives. */
	t->incoming = 1;
	snprintf(t->sp, sizeof t->sp, "%s", ap);
	snprintf(t->doctype, sizeof t->doctype, "%s", dt);
	snprintf(t->process, sizeof t->process, "%s", pr);
	snprintf(t->end_user, sizeof t->end_user, "%s", rcv);
	snprintf(t->sender_country, sizeof t->sender_country, "%s", cc);
	snprintf(t->end_user_country, sizeof t->end_user_country, "%s", t->receiver_country);
	json_decref(m);
	return rc;
}

/* The moment m became accepted (its last such transition), or 0. */
static int64_t
accepted_at(struct queue *q, const struct queue_msg *m)
{
	struct queue_event *ev = NULL;
	size_t n = 0;
	int64_t at = 0;
	if (q->ops->history(q, m->id, &ev, &n) != GW_OK)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (ev[i].to == QS_ACCEPTED && ev[i].from != QS_ACCEPTED)
			at = ev[i].at_ms;
	free(ev);
	return at;
}

/* The sent messages of [from, to). */
static gw_rc
sent(struct queue *q, struct gather *g, int64_t from, int64_t to, const char *peer_cn)
{
	struct queue_filter f = { .state = QS_ACCEPTED, .channel = "peppol-as4",
	                          .updated_since_ms = from, .with_bodies = 1 };
	struct queue_msg *v = NULL;
	size_t n = 0;
	gw_rc rc = q->ops->list(q, &f, &v, &n);
	if (rc != GW_OK) {
		snprintf(g->err, g->errcap, "the queue cannot be listed: %s", gw_rc_name(rc));
		return rc;
	}
	for (size_t i = 0; i < n && rc == GW_OK; i++) {
		int64_t at = accepted_at(q, &v[i]);
		if (at < from || at >= to)
			continue;
		if (strcmp(v[i].kind, "invoice") != 0 && strcmp(v[i].kind, "credit-note") != 0)
			continue;       /* what the billing documents are not: see docs/peppol-mls.md */
		char name[200], c1[8] = "";
		snprintf(name, sizeof name, "message %s (record %s)", v[i].id, v[i].record_id);
		if (peer_cn[0] == '\0') {
			snprintf(g->err, g->errcap, "%s: peppol_as4.endpoint_cert gives no CN for the"
			    " receiving AP", name);
			rc = GW_ECONFIG;
			break;
		}
		struct report_tx *t = add(g);
		if (t == NULL) {
			rc = GW_ENOMEM;
			break;
		}
		if (v[i].body == NULL) {
			snprintf(g->err, g->errcap, "%s: its document is no longer kept", name);
			rc = GW_EINPUT;
			break;
		}
		rc = doc_facts(v[i].body, v[i].body_len, name, t, c1, sizeof c1, g->err, g->errcap);
		snprintf(t->sp, sizeof t->sp, "%s", peer_cn);
		snprintf(t->sender_country, sizeof t->sender_country, "%s", c1);
		snprintf(t->end_user_country, sizeof t->end_user_country, "%s", c1);
	}
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&v[i]);
	free(v);
	return rc;
}

/* Both reports of month, built and checked by their rules (malloc'd). */
static gw_rc
build_both(struct queue *q, const char *month, char **tsr, size_t *tlen, char **eusr, size_t *elen,
           struct peppol_report_counts *counts, char *err, size_t cap)
{
	char first[11], last[11], me[64] = "", peer[64] = "";
	struct gather g = { .err = err, .errcap = cap };
	struct store *st;
	gw_rc rc;
	*tsr = *eusr = NULL;
	memset(counts, 0, sizeof *counts);
	if (!report_month_bounds(month, first, last)) {
		snprintf(err, cap, "--month \"%s\" is not YYYY-MM", month);
		return GW_ECONFIG;
	}
	if (!cert_cn(param_str(P_AS4_CERT), me, sizeof me)) {
		snprintf(err, cap, "peppol_as4.cert: cannot read our AP certificate's CN from '%s'",
		    param_str(P_AS4_CERT));
		return GW_ECONFIG;
	}
	cert_cn(param_str(P_AS4_ENDPOINT_CERT), peer, sizeof peer);
	gw_ymd d0;
	char why[128];
	if (date_parse(first, 10, &d0, why, sizeof why) != GW_OK)
		return GW_EINTERNAL;
	int64_t from = date_to_days(d0) * 86400000LL;
	int64_t to = from + (int64_t)date_days_in_month(d0 / 10000, d0 / 100 % 100) * 86400000LL;
	if ((rc = store_of(q, &st)) != GW_OK || st->ops->inbound_list == NULL) {
		snprintf(err, cap, "the queue's backend (%s) cannot list received messages",
		    rc == GW_OK ? st->ops->name : "no record store");
		return GW_ECONFIG;
	}
	if ((rc = st->ops->inbound_list(st, from, to, received, &g)) != GW_OK)
		goto out;
	counts->received = g.n;
	if ((rc = sent(q, &g, from, to, peer)) != GW_OK)
		goto out;
	counts->sent = g.n - counts->received;
	if ((rc = report_tsr_build(month, me, g.v, g.n, tsr, tlen, err, cap)) != GW_OK ||
	    (rc = report_eusr_build(month, me, g.v, g.n, eusr, elen, err, cap)) != GW_OK)
		goto out;
	int bad = report_tsr_check(*tsr, *tlen, NULL, NULL) + report_eusr_check(*eusr, *elen, NULL, NULL);
	if (bad != 0) {
		snprintf(err, cap, "the reports of %s break %d of their rules (a bug)", month, bad);
		rc = GW_EINTERNAL;
	}
out:
	if (rc != GW_OK) {
		free(*tsr);
		free(*eusr);
		*tsr = *eusr = NULL;
	}
	free(g.v);
	return rc;
}

/* A report written atomically into dir. */
static gw_rc
put(const char *dir, const char *file, const char *xml, size_t len, char *err, size_t cap)
{
	char path[1024];
	if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
		snprintf(err, cap, "%s: path too long", dir);
		return GW_ECONFIG;
	}
	return atomic_write_file(path, xml, len, 0640, 0, err, cap);
}

gw_rc
peppol_report_write(struct queue *q, const char *month, const char *dir,
                    struct peppol_report_counts *counts, char *err, size_t cap)
{
	char *tsr, *eusr, file[64];
	size_t tl, el;
	gw_rc rc = build_both(q, month, &tsr, &tl, &eusr, &el, counts, err, cap);
	if (rc != GW_OK)
		return rc;
	if ((rc = dir_ensure(dir, 0750, err, cap)) == GW_OK) {
		snprintf(file, sizeof file, "TSR-%s.xml", month);
		rc = put(dir, file, tsr, tl, err, cap);
	}
	if (rc == GW_OK) {
		snprintf(file, sizeof file, "EUSR-%s.xml", month);
		rc = put(dir, file, eusr, el, err, cap);
	}
	free(tsr);
	free(eusr);
	return rc;
}

gw_rc
peppol_report_queue(struct queue *q, int64_t now_ms, char month[8], char *err, size_t cap)
{
	const char *kinds[2] = { "tsr", "eusr" };
	char *body[2];
	size_t len[2];
	struct peppol_report_counts n;
	month[0] = '\0';
	if (param_str(P_REPORT_RECEIVER)[0] == '\0' || !peppol_report_due(now_ms, month))
		return GW_ENOTFOUND;
	gw_rc rc = build_both(q, month, &body[0], &len[0], &body[1], &len[1], &n, err, cap);
	if (rc != GW_OK)
		return rc;
	for (int i = 0; i < 2 && rc == GW_OK; i++) {
		struct queue_msg m;
		size_t dups = 0;
		memset(&m, 0, sizeof m);
		/* One record per report and month: queued once, whatever runs. */
		snprintf(m.record_id, sizeof m.record_id, "report:%s-%s", kinds[i], month);
		m.revision = 1;
		snprintf(m.kind, sizeof m.kind, "%s", kinds[i]);
		snprintf(m.channel, sizeof m.channel, "peppol-as4");
		queue_make_id(m.id, m.record_id, m.revision, m.kind);
		m.body = body[i];
		m.body_len = len[i];
		queue_sha256_hex(body[i], len[i], m.content_hash);
		rc = queue_enqueue(q, &m, 1, &dups);
		if (rc == GW_OK && dups == 0)
			rc = queue_transition(q, m.id, QS_PENDING, QS_BUILDING, "report", "report built");
		if (rc == GW_OK && dups == 0)
			rc = queue_update_transition(q, &m, QS_BUILDING, QS_READY, "report",
			    "monthly report ready to send to OpenPeppol");
		if (rc != GW_OK)
			snprintf(err, cap, "cannot queue %s: %s", m.record_id, gw_rc_name(rc));
	}
	free(body[0]);
	free(body[1]);
	return rc;
}

int
peppol_report_due(int64_t now_ms, char month[8])
{
	struct clock_wall w;
	clock_utc(now_ms, &w);
	int y = w.day / 10000, m = w.day / 100 % 100, d = w.day % 100;
	month[0] = '\0';
	if (d > 15)
		return 0;
	if (--m == 0) {
		m = 12;
		y--;
	}
	snprintf(month, 8, "%04d-%02d", (y % 10000 + 10000) % 10000, (m % 100 + 100) % 100);
	return 1;
}
