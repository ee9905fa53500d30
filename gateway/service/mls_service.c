/*
 * service/mls_service.c - Message Level Status between the AS4 endpoint
 * and the queue (mls_service.h).
 *
 * As a receiver: the MLS for a validated document, queued as an outgoing
 * peppol-as4 message from our AP (SPIS id of our certificate) to the AP
 * that asked (SBDH MLS_TO), referring to the document's SBDH instance id.
 * As a sender: an MLS received is matched to the message whose SBDH
 * instance id it names (as4_channel_instance_id) and recorded in its
 * history; never moves a final message (accepted stays accepted: the
 * refusal is then in its history and error). Reads the clock only through
 * core/clock.
 */
#include "service/mls_service.h"
#include "core/clock.h"
#include "core/log.h"
#include "peppol/mls/mls.h"
#include "peppol/rules/messages.h"
#include "service/as4_channel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MLS_ACTOR "mls"

int
mls_wanted(const struct as4_sbdh *h, int rejected)
{
	if (h->mls_to[0] == '\0' || strcmp(h->doctype, MLS_DOCTYPE) == 0)
		return 0;
	return rejected || strcmp(h->mls_type, "ALWAYS_SEND") == 0;
}

/* One issue of an RE. */
static void
issue(struct mls *m, const char *line, const char *reason, const char *text)
{
	if (m->nissues >= MLS_MAX_ISSUES)
		return;
	struct mls_issue *s = &m->issue[m->nissues++];
	snprintf(s->line_id, sizeof s->line_id, "%s", line && line[0] ? line : "NA");
	snprintf(s->reason, sizeof s->reason, "%s", reason);
	snprintf(s->description, sizeof s->description, "%s", text);
}

gw_rc
mls_answer(const struct as4_inbound *in, X509 *me, const struct invoice_report *rep,
           const char *why, struct queue_msg *out, char *err, size_t cap)
{
	struct mls m;
	char spis[80], key[300], hex[65];
	memset(&m, 0, sizeof m);
	memset(out, 0, sizeof *out);
	const char *to = strchr(in->sbdh.mls_to, ':');
	if (!as4_channel_spis_of(me, spis, sizeof spis) || to == NULL ||
	    strncmp(in->sbdh.mls_to, MLS_SPIS_SCHEME ":", 5) != 0) {
		snprintf(err, cap, "MLS for %s: MLS_TO \"%s\" or our certificate's CN is not an SPIS id",
		    in->sbdh.instance_id, in->sbdh.mls_to);
		return GW_EINPUT;
	}
	snprintf(m.sender, sizeof m.sender, "%.63s", spis + 5);
	snprintf(m.receiver, sizeof m.receiver, "%.63s", to + 1);
	snprintf(m.ref_id, sizeof m.ref_id, "%s", in->sbdh.instance_id);
	int n = snprintf(key, sizeof key, "%s\n%s", in->sbdh.sender, in->sbdh.instance_id);
	queue_sha256_hex(key, (size_t)n, hex);
	snprintf(m.id, sizeof m.id, "mls-%.32s", hex);
	struct clock_wall w;
	clock_utc(clock_now_ms(), &w);
	snprintf(m.issue_date, sizeof m.issue_date, "%04d-%02d-%02d", w.day / 10000 % 10000,
	    w.day / 100 % 100, w.day % 100);
	snprintf(m.issue_time, sizeof m.issue_time, "%02d:%02d:%02dZ", w.minutes / 60 % 100,
	    w.minutes % 60, w.second % 100);
	char text[512];
	if (why != NULL && why[0] != '\0') {
		snprintf(text, sizeof text, "The document could not be read: %s", why);
		issue(&m, "NA", "SV", text);
	}
	for (size_t i = 0; rep != NULL && i < rep->rules.n; i++)
		if (rep->rules.v[i].flag == RULE_FATAL) {
			const char *msg = rule_message(rep->rules.v[i].rule_id);
			snprintf(text, sizeof text, "[%s] %s", rep->rules.v[i].rule_id,
			    msg ? msg : "rule violated");
			issue(&m, rep->rules.v[i].location, "BV", text);
		}
	for (size_t i = 0; rep != NULL && i < rep->nxsd; i++) {
		snprintf(text, sizeof text, "UBL schema: %s", rep->xsd[i]);
		issue(&m, "NA", "SV", text);
	}
	if (m.nissues == 0 && rep != NULL && invoice_report_errors(rep) > 0)
		issue(&m, "NA", "SV", "the document breaks the UBL schema");
	snprintf(m.code, sizeof m.code, m.nissues > 0 ? "RE" : "AP");
	if (m.nissues > 0)
		snprintf(m.description, sizeof m.description, "Rejected: %d validation error%s", m.nissues,
		    m.nissues > 1 ? "s" : "");
	char *xml = NULL;
	size_t len = 0;
	gw_rc rc = mls_build(&m, &xml, &len, err, cap);
	if (rc != GW_OK)
		return rc;
	snprintf(out->record_id, sizeof out->record_id, "%.40s", m.id);
	out->revision = 1;
	snprintf(out->kind, sizeof out->kind, "mls");
	snprintf(out->channel, sizeof out->channel, "peppol-as4");
	queue_make_id(out->id, out->record_id, out->revision, out->kind);
	out->state = QS_PENDING;
	out->body = xml;
	out->body_len = len;
	queue_sha256_hex(xml, len, out->content_hash);
	return GW_OK;
}

gw_rc
mls_ready(struct queue *q, struct queue_msg *m)
{
	gw_rc rc = queue_transition(q, m->id, QS_PENDING, QS_BUILDING, MLS_ACTOR, "MLS built");
	if (rc == GW_OK)
		rc = queue_update_transition(q, m, QS_BUILDING, QS_READY, MLS_ACTOR,
		    "MLS ready to send to the sender's access point");
	return rc;
}

/* The message we sent as SBDH instance id; GW_ENOTFOUND when none. */
static gw_rc
find_sent(struct queue *q, const char *instance_id, struct queue_msg *out)
{
	struct queue_filter f = { .state = -1, .channel = "peppol-as4" };
	struct queue_msg *v = NULL;
	size_t n = 0;
	gw_rc rc = q->ops->list(q, &f, &v, &n);
	if (rc != GW_OK)
		return rc;
	rc = GW_ENOTFOUND;
	for (size_t i = 0; i < n; i++) {
		char id[64];
		if (rc == GW_ENOTFOUND && strcmp(v[i].kind, "mls") != 0) {
			as4_channel_instance_id(v[i].id, id, sizeof id);
			if (strcmp(id, instance_id) == 0) {
				*out = v[i];
				memset(&v[i], 0, sizeof v[i]);
				rc = GW_OK;
			}
		}
		queue_msg_free(&v[i]);
	}
	free(v);
	return rc;
}

gw_rc
mls_record(struct queue *q, const struct as4_inbound *in, char *err, size_t cap)
{
	struct mls m;
	struct queue_msg sent;
	char why[512];
	gw_rc rc = mls_parse((const char *)in->document, in->document_len, &m, err, cap);
	if (rc != GW_OK)
		return rc;
	memset(&sent, 0, sizeof sent);
	if ((rc = find_sent(q, m.ref_id, &sent)) != GW_OK) {
		snprintf(err, cap, "MLS %s (%s) answers document %s, which we did not send", m.id, m.code,
		    m.ref_id);
		return rc;
	}
	size_t off = (size_t)snprintf(why, sizeof why, "MLS %s from AP %s: %s%s%s", m.code, m.sender,
	    m.code[0] == 'A' && m.code[1] == 'P' ? "accepted by the receiver" :
	    m.code[1] == 'B' ? "delivered to the receiver" : m.description, m.nissues ? ";" : "", "");
	for (int i = 0; i < m.nissues && off < sizeof why; i++)
		off += (size_t)snprintf(why + off, sizeof why - off, " %s", m.issue[i].description);
	int re = strcmp(m.code, "RE") == 0;
	if (re && sent.state == QS_SENT) {
		snprintf(sent.last_error, sizeof sent.last_error, "%s", why);
		rc = queue_update_transition(q, &sent, QS_SENT, QS_REFUSED, MLS_ACTOR, why);
	} else {
		if (re)
			snprintf(sent.last_error, sizeof sent.last_error, "%s", why);
		struct queue_move mv = { .id = sent.id, .fields = re ? &sent : NULL, .from = QUEUE_ANY_STATE,
		                         .to = QUEUE_ANY_STATE, .what = "answer", .why = why };
		rc = queue_move_many(q, &mv, 1, MLS_ACTOR, NULL);
		if (rc == GW_OK)
			rc = mv.rc;
	}
	if (rc == GW_OK && re)
		log_warn(sent.id, sent.record_id, "%s", why);
	else if (rc == GW_OK)
		log_info(sent.id, sent.record_id, "%s", why);
	else
		snprintf(err, cap, "cannot record MLS %s on %s: %s", m.id, sent.id, gw_rc_name(rc));
	queue_msg_free(&sent);
	return rc;
}
