/*
 * service/as4_channel.c - the Peppol AS4 channel of the runner
 * (as4_channel.h).
 *
 * Owns the mapping between a queued UBL document and its AS4 message: the
 * SBDH read from the document (its instance id a UUID derived from the
 * queue message id, so a rebuild names the same business document), the
 * MessageId - derived from the queue message id too, so it is fixed by the
 * queue row committed before any POST, and kept on the message
 * (remote_ref) - and the built MIME with its signed references kept in the
 * outbox folder, so that every retry - and the re-send that resolves an
 * unknown outcome after a crash - sends the same MessageId
 * (docs/peppol-as4.md, rule 6). A message is answered only by a receipt
 * that verifies against what was sent; an error signal is a refusal.
 *
 * Throughput: submit() builds the message and hands the POST to one of
 * [run] send_batch sender threads (each with its own keep-alive
 * connection), so the runner's batch is on the wire at once; poll() waits
 * for that POST's verified receipt. A POST that ends without a receipt
 * leaves the outcome unknown: poll() says so, and the next one sends the
 * same message again. Never sends without TLS verification, never makes a
 * new MessageId for a message that has one.
 *
 * The receiving AP is the configured one, or with [peppol_as4] discovery
 * = on the one discovery finds for the document's SBDH receiver (smp_lookup.h;
 * for an MLS that is the MLS_TO that asked, under the MLS document type),
 * kept in the outbox file with the message so that a re-send goes where
 * the first send went; a receiver not on Peppol fails the message.
 */
#include "service/as4_channel.h"
#include "service/as4_tune.h"
#include "core/membuf.h"
#include "core/atomicfile.h"
#include "core/log.h"
#include "core/params.h"
#include "core/workers.h"
#include "crypto/signer.h"
#include "peppol/smp/smp.h"
#include "service/smp_lookup.h"
#include "peppol/as4/as4.h"
#include "peppol/mls/mls.h"
#include "peppol/rules/validate.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libxml/tree.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AC_MAX_ANSWER (4u << 20)
#define AC_MAX_SENDERS 64
/* Counters are bumped from the sender threads. */
#define AC_COUNT(c) __atomic_add_fetch(&(c), 1, __ATOMIC_RELAXED)
#define AC_NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define AC_NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"

/* An answer read at send time, until the runner polls for it. */
struct ac_answer {
	char id[QUEUE_ID_MAX + 1];
	enum queue_state outcome;
	char detail[512];
};

/* Where one message goes: its URL and the AP certificate it is encrypted
 * to (a reference of its own). */
struct ac_peer {
	char url[512];
	X509 *cert;
};

/* One message handed to a sender thread (built there, then POSTed), until
 * poll() takes its outcome. */
struct ac_job {
	char id[QUEUE_ID_MAX + 1];
	struct queue_msg m;             /* a copy: its own body */
	struct as4_message am;          /* built: the bytes and the references to verify */
	struct ac_peer peer;            /* where it goes */
	int taken, done;
	gw_rc rc;                       /* GW_OK: outcome; GW_ETEMP: no receipt (err) */
	enum queue_state outcome;
	char detail[512], err[512];
	struct ac_job *next;
};

struct ac_ctx {
	struct queue *q;
	struct gw_signer *me;
	X509 *peer;                     /* the receiving AP: encrypted to, signs the receipt */
	struct smp_lookup *disc;        /* discovery = on: the AP per receiver instead */
	char url[512], tls_ca[512], outbox[512];
	long timeout_ms;
	CURL *curl;                     /* the runner thread's own (look-ups, re-sends) */
	struct ac_answer *ans;
	size_t nans, capans;
	struct as4_channel_counts n;
	/* Sender threads and the POSTs handed to them (newest first). */
	struct workers pool;
	struct ac_job *jobs;
};

static void *ac_sender(void *arg);
static void ac_job_free(struct ac_job *j);

int as4_channel_configured(void)
{
	return param_str(P_AS4_ENDPOINT_URL)[0] != '\0' || strcmp(param_str(P_AS4_DISCOVERY), "on") == 0;
}
const struct as4_channel_counts *as4_channel_counts(const void *ctx)
{
	return &((const struct ac_ctx *)ctx)->n;
}

gw_rc
as4_channel_open(void **out, struct queue *q, char *err, size_t cap)
{
	struct ac_ctx *c = calloc(1, sizeof *c);
	gw_rc rc = GW_ECONFIG;
	*out = NULL;
	if (c == NULL)
		return GW_ENOMEM;
	as4_keep_heap();
	workers_init(&c->pool);
	c->q = q;
	c->timeout_ms = (long)param_int(P_AS4_TIMEOUT_MS);
	snprintf(c->url, sizeof c->url, "%s", param_str(P_AS4_ENDPOINT_URL));
	snprintf(c->tls_ca, sizeof c->tls_ca, "%s", param_str(P_AS4_TLS_CA));
	snprintf(c->outbox, sizeof c->outbox, "%s", param_str(P_AS4_OUTBOX));
	int disc = strcmp(param_str(P_AS4_DISCOVERY), "on") == 0;
	if (disc && (rc = smp_lookup_open(&c->disc, err, cap)) != GW_OK)
		goto fail;
	if (!disc && strncmp(c->url, "https://", 8) != 0) {
		snprintf(err, cap, "peppol_as4.endpoint_url: '%s' is not an https:// URL", c->url);
		goto fail;
	}
	if ((rc = signer_load(&c->me, param_str(P_AS4_CERT), param_str(P_AS4_KEY), err, cap)) != GW_OK)
		goto fail;
	const char *pc = param_str(P_AS4_ENDPOINT_CERT);
	FILE *f = pc[0] && !disc ? fopen(pc, "r") : NULL;
	if (f != NULL) {
		c->peer = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (c->peer == NULL && !disc) {
		snprintf(err, cap, "peppol_as4.endpoint_cert: cannot read a PEM certificate from '%s'", pc);
		rc = GW_ECONFIG;
		goto fail;
	}
	if (mkdir(c->outbox, 0750) != 0 && errno != EEXIST) {
		snprintf(err, cap, "peppol_as4.outbox: cannot create %s: %s", c->outbox, strerror(errno));
		rc = GW_ECONFIG;
		goto fail;
	}
	if ((c->curl = curl_easy_init()) == NULL) {
		rc = GW_ENOMEM;
		goto fail;
	}
	/* As many POSTs in flight as the runner claims into sending at once. */
	long want = param_int(P_RUN_SEND_BATCH);
	want = want < 1 ? 1 : want > AC_MAX_SENDERS ? AC_MAX_SENDERS : want;
	while (c->pool.n < (size_t)want && workers_add(&c->pool, ac_sender, c) == 0)
		continue;
	*out = c;
	return GW_OK;
fail:
	as4_channel_close(c);
	return rc;
}

void
as4_channel_close(void *ctx)
{
	struct ac_ctx *c = ctx;
	if (c == NULL)
		return;
	/* A POST on the wire finishes (or times out); one not started is
	 * dropped: its message stays sent, and its poll sends it again. */
	workers_close(&c->pool);
	while (c->jobs != NULL) {
		struct ac_job *j = c->jobs;
		c->jobs = j->next;
		ac_job_free(j);
	}
	smp_lookup_close(c->disc);
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	signer_free(c->me);
	X509_free(c->peer);
	free(c->ans);
	free(c);
}

/* The text of the first descendant path a/b/... of n (namespaced), or NULL. */
static const xmlNode *
ac_child(const xmlNode *n, const char *ns, const char *name)
{
	for (const xmlNode *k = n ? n->children : NULL; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE && k->ns != NULL &&
		    strcmp((const char *)k->ns->href, ns) == 0 && strcmp((const char *)k->name, name) == 0)
			return k;
	return NULL;
}

static int
ac_text(const xmlNode *n, char *buf, size_t cap)
{
	if (n == NULL)
		return 0;
	xmlChar *t = xmlNodeGetContent(n);
	int ok = t != NULL && t[0] != '\0' && snprintf(buf, cap, "%s", (const char *)t) < (int)cap;
	xmlFree(t);
	return ok;
}

/* "scheme:id" of a party's cbc:EndpointID. */
static int
ac_endpoint(const xmlNode *root, const char *role, char *buf, size_t cap)
{
	const xmlNode *e = ac_child(ac_child(ac_child(root, AC_NS_CAC, role), AC_NS_CAC, "Party"),
	    AC_NS_CBC, "EndpointID");
	char id[100], scheme[16];
	if (!ac_text(e, id, sizeof id))
		return 0;
	xmlChar *s = xmlGetProp(e, (const xmlChar *)"schemeID");
	int ok = s != NULL && snprintf(scheme, sizeof scheme, "%s", (const char *)s) < (int)sizeof scheme;
	xmlFree(s);
	return ok && snprintf(buf, cap, "%s:%s", scheme, id) < (int)cap;
}

/* A name-based UUID (version 5 layout, SHA-256 of "key") into out (37 bytes). */
static void
ac_uuid(const char *key, char *out, size_t cap)
{
	unsigned char d[16];
	char hex[65];
	queue_sha256_hex(key, strlen(key), hex);
	for (int i = 0; i < 16; i++)
		d[i] = (unsigned char)((hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10) << 4 |
		    (hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10));
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);     /* name-based */
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
	snprintf(out, cap,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0], d[1], d[2],
	    d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
}

/* "0242:<six digits>" of an AP certificate's CN; 0 when it has none. */
int
as4_channel_spis_of(X509 *cert, char *out, size_t cap)
{
	char cn[64], spid[16];
	if (cert == NULL || X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName,
	    cn, (int)sizeof cn) <= 0 || !mls_spid_of_cn(cn, spid, sizeof spid))
		return 0;
	return snprintf(out, cap, MLS_SPIS_SCHEME ":%s", spid) < (int)cap;
}

/* The SBDH of an MLS we answer with: from our AP to the MLS_TO asked for
 * (the document's parties are both SPIS ids), its own document type and
 * process. */
static int
ac_sbdh_mls(const xmlNode *root, struct as4_sbdh *h)
{
	char s[64], r[64];
	if (!ac_text(ac_child(ac_child(root, AC_NS_CAC, "SenderParty"), AC_NS_CBC, "EndpointID"), s,
	    sizeof s) || !ac_text(ac_child(ac_child(root, AC_NS_CAC, "ReceiverParty"), AC_NS_CBC,
	    "EndpointID"), r, sizeof r))
		return 0;
	snprintf(h->sender, sizeof h->sender, MLS_SPIS_SCHEME ":%s", s);
	snprintf(h->receiver, sizeof h->receiver, MLS_SPIS_SCHEME ":%s", r);
	snprintf(h->doctype, sizeof h->doctype, "%s", MLS_DOCTYPE);
	snprintf(h->process, sizeof h->process, "%s", MLS_PROCESS);
	/* C1 of an MLS is the AP answering: this gateway, in Belgium. */
	snprintf(h->country_c1, sizeof h->country_c1, "BE");
	return 1;
}

/* The SBDH of a monthly report (TSR or EUSR) to OpenPeppol's reporting
 * receiver ([peppol_as4] report_receiver), sent by our AP (its SPIS id). */
static int
ac_sbdh_report(const struct ac_ctx *c, const char *name, struct as4_sbdh *h)
{
	if (strcmp(name, "TransactionStatisticsReport") == 0)
		snprintf(h->doctype, sizeof h->doctype, "urn:fdc:peppol:transaction-statistics-report:1.0::"
		    "TransactionStatisticsReport##urn:fdc:peppol.eu:edec:trns:transaction-statistics-"
		    "reporting:1.0::1.0");
	else
		snprintf(h->doctype, sizeof h->doctype, "urn:fdc:peppol:end-user-statistics-report:1.1::"
		    "EndUserStatisticsReport##urn:fdc:peppol.eu:edec:trns:end-user-statistics-report:"
		    "1.1::1.1");
	snprintf(h->process, sizeof h->process, "urn:fdc:peppol.eu:edec:bis:reporting:1.0");
	snprintf(h->receiver, sizeof h->receiver, "%s", param_str(P_REPORT_RECEIVER));
	snprintf(h->country_c1, sizeof h->country_c1, "BE");
	return h->receiver[0] != '\0' && as4_channel_spis_of(c->me->cert, h->sender, sizeof h->sender);
}

/* The SBDH of a UBL invoice or credit note; err names the missing field. */
static gw_rc
ac_sbdh(const struct ac_ctx *c, const struct queue_msg *m, struct as4_sbdh *h, char *err, size_t cap)
{
	char why[256] = "", cust[300];
	memset(h, 0, sizeof *h);
	xmlDocPtr doc = invoice_parse(m->body, m->body_len, m->record_id, why, sizeof why);
	if (doc == NULL) {
		snprintf(err, cap, "record %s: stored document unreadable: %s", m->record_id, why);
		return GW_EINPUT;
	}
	const xmlNode *root = xmlDocGetRootElement(doc);
	const char *field = NULL;
	const char *name = root ? (const char *)root->name : "";
	const char *ns = root && root->ns ? (const char *)root->ns->href : "";
	if (strcmp(name, "ApplicationResponse") == 0) {
		if (!ac_sbdh_mls(root, h))
			field = "SenderParty or ReceiverParty EndpointID of the MLS";
	} else if (strcmp(name, "TransactionStatisticsReport") == 0 ||
	    strcmp(name, "EndUserStatisticsReport") == 0) {
		if (!ac_sbdh_report(c, name, h))
			field = "[peppol_as4] report_receiver, or our certificate's SPIS id";
	} else if (strcmp(name, "Invoice") != 0 && strcmp(name, "CreditNote") != 0)
		field = "root element (Invoice or CreditNote)";
	else if (!ac_text(ac_child(root, AC_NS_CBC, "CustomizationID"), cust, sizeof cust))
		field = "cbc:CustomizationID";
	else if (!ac_text(ac_child(root, AC_NS_CBC, "ProfileID"), h->process, sizeof h->process))
		field = "cbc:ProfileID";
	else if (!ac_endpoint(root, "AccountingSupplierParty", h->sender, sizeof h->sender))
		field = "AccountingSupplierParty/Party/cbc:EndpointID";
	else if (!ac_endpoint(root, "AccountingCustomerParty", h->receiver, sizeof h->receiver))
		field = "AccountingCustomerParty/Party/cbc:EndpointID";
	else if (!ac_text(ac_child(ac_child(ac_child(ac_child(ac_child(root, AC_NS_CAC,
	    "AccountingSupplierParty"), AC_NS_CAC, "Party"), AC_NS_CAC, "PostalAddress"), AC_NS_CAC,
	    "Country"), AC_NS_CBC, "IdentificationCode"), h->country_c1, sizeof h->country_c1))
		field = "AccountingSupplierParty/Party/PostalAddress/Country/cbc:IdentificationCode";
	else if (snprintf(h->doctype, sizeof h->doctype, "%s::%s##%s::2.1", ns, name, cust) >=
	    (int)sizeof h->doctype)
		field = "cbc:CustomizationID (too long)";
	/* Ask for an MLS on what we send (not on an MLS: it is never answered). */
	else if (snprintf(h->mls_to, sizeof h->mls_to, "%s", param_str(P_AS4_MLS_TO)) > 0 ||
	    as4_channel_spis_of(c->me->cert, h->mls_to, sizeof h->mls_to))
		snprintf(h->mls_type, sizeof h->mls_type, "%s", param_str(P_AS4_MLS_TYPE));
	xmlFreeDoc(doc);
	if (field != NULL) {
		snprintf(err, cap, "record %s: cannot address it over Peppol: %s missing", m->record_id,
		    field);
		return GW_EINPUT;
	}
	as4_channel_instance_id(m->id, h->instance_id, sizeof h->instance_id);
	return GW_OK;
}

void
as4_channel_instance_id(const char *msg_id, char *out, size_t cap)
{
	/* Stable per queue message (remote_ref2 is intake's document id). */
	char key[QUEUE_ID_MAX + 32];
	snprintf(key, sizeof key, "as4-instance:%s", msg_id);
	ac_uuid(key, out, cap);
}

/* The outbox file of a queue message. */
static void
ac_path(const struct ac_ctx *c, const struct queue_msg *m, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s.as4", c->outbox, m->id);
}

/* Write a built message: our header lines (MessageId, Content-Type, the
 * body's SHA-256, one line per signed reference), a blank line, the MIME
 * body. Not fsynced: the file only spares a rebuild, and one a crash left
 * short fails its checksum and is rebuilt under the same MessageId. */
static gw_rc
ac_spool_write(const struct ac_ctx *c, const struct queue_msg *m, const struct as4_message *am,
               const struct ac_peer *peer, char *err, size_t cap)
{
	char *b64 = c->disc ? smp_cert_b64(peer->cert) : NULL;
	if (c->disc && b64 == NULL)
		return GW_ENOMEM;
	size_t hcap = 1024 + (size_t)am->refs.n * 400 + (b64 ? strlen(b64) + 600 : 0), off = 0;
	char *buf = malloc(hcap + am->body_len);
	char sum[65];
	if (buf == NULL) {
		free(b64);
		return GW_ENOMEM;
	}
	queue_sha256_hex(am->body, am->body_len, sum);
	off += (size_t)snprintf(buf + off, hcap - off, "Message-Id: %s\nInstance-Id: %s\n"
	    "Content-Type: %s\nBody-SHA256: %s\n", am->message_id, am->instance_id, am->content_type,
	    sum);
	if (b64 != NULL)        /* discovered: a re-send goes where this one goes */
		off += (size_t)snprintf(buf + off, hcap - off, "Endpoint-Url: %s\nEndpoint-Cert: %s\n",
		    peer->url, b64);
	free(b64);
	for (int i = 0; i < am->refs.n; i++)
		off += (size_t)snprintf(buf + off, hcap - off, "Ref: %d %s %s\n",
		    am->refs.ref[i].attachment, am->refs.ref[i].digest, am->refs.ref[i].uri);
	off += (size_t)snprintf(buf + off, hcap - off, "\n");
	memcpy(buf + off, am->body, am->body_len);
	char path[700], tmp[720];
	ac_path(c, m, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	gw_rc rc = GW_OK;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	size_t len = off + am->body_len, done = 0;
	while (fd >= 0 && done < len) {
		ssize_t k = write(fd, buf + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		done += (size_t)k;
	}
	if (fd < 0 || done < len || close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, cap, "peppol_as4.outbox: cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		rc = GW_EIO;
	}
	free(buf);
	return rc;
}

/* Read a built message back; GW_ENOTFOUND when there is none. */
static gw_rc
ac_spool_read(const struct ac_ctx *c, const struct queue_msg *m, struct as4_message *am,
              struct ac_peer *peer)
{
	char path[700];
	ac_path(c, m, path, sizeof path);
	memset(am, 0, sizeof *am);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return GW_ENOTFOUND;
	struct stat sb;
	char *buf = NULL;
	gw_rc rc = GW_EIO;
	if (fstat(fileno(f), &sb) != 0 || (buf = malloc((size_t)sb.st_size + 1)) == NULL ||
	    fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size)
		goto out;
	buf[sb.st_size] = '\0';
	char *p = buf, *end = buf + sb.st_size, sum[65] = "", have[65];
	while (p < end && *p != '\n') {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			goto out;
		*nl = '\0';
		int att;
		char dig[64], uri[256];
		if (strncmp(p, "Message-Id: ", 12) == 0)
			snprintf(am->message_id, sizeof am->message_id, "%s", p + 12);
		else if (strncmp(p, "Instance-Id: ", 13) == 0)
			snprintf(am->instance_id, sizeof am->instance_id, "%s", p + 13);
		else if (strncmp(p, "Content-Type: ", 14) == 0)
			snprintf(am->content_type, sizeof am->content_type, "%s", p + 14);
		else if (strncmp(p, "Body-SHA256: ", 13) == 0)
			snprintf(sum, sizeof sum, "%s", p + 13);
		else if (c->disc != NULL && strncmp(p, "Endpoint-Url: ", 14) == 0)
			snprintf(peer->url, sizeof peer->url, "%s", p + 14);
		else if (c->disc != NULL && strncmp(p, "Endpoint-Cert: ", 15) == 0 && peer->cert == NULL)
			peer->cert = smp_cert_from_b64(p + 15);
		else if (sscanf(p, "Ref: %d %63s %255s", &att, dig, uri) == 3 && am->refs.n < AS4_MAX_REFS) {
			struct as4_ref *r = &am->refs.ref[am->refs.n++];
			r->attachment = att;
			snprintf(r->digest, sizeof r->digest, "%s", dig);
			snprintf(r->uri, sizeof r->uri, "%s", uri);
		}
		p = nl + 1;
	}
	if (p >= end || strcmp(am->message_id, m->remote_ref) != 0 || am->refs.n == 0 ||
	    (c->disc != NULL && (peer->cert == NULL || peer->url[0] == '\0')))
		goto out;       /* not ours or cut: rebuilt under the same MessageId */
	p++;
	am->body_len = (size_t)(end - p);
	queue_sha256_hex(p, am->body_len, have);
	if (strcmp(sum, have) != 0)
		goto out;       /* cut short by a crash: rebuilt under the same MessageId */
	if ((am->body = malloc(am->body_len ? am->body_len : 1)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	memcpy(am->body, p, am->body_len);
	rc = GW_OK;
out:
	free(buf);
	fclose(f);
	return rc;
}

/* m's MessageId in remote_ref: the one it has, or the one derived from its
 * queue id. */
static void
ac_message_id(struct queue_msg *m)
{
	if (m->remote_ref[0] != '\0')
		return;
	char key[QUEUE_ID_MAX + 32], u[40];
	snprintf(key, sizeof key, "as4-message:%s", m->id);
	ac_uuid(key, u, sizeof u);
	snprintf(m->remote_ref, sizeof m->remote_ref, "%s@gateway", u);
}

/* The message to send: the kept one, or built now. A message without a
 * MessageId gets the one derived from its queue id (a function of the row
 * committed before any POST: every attempt, in any process, names the same
 * one); one that has a MessageId (an older, random one) keeps it. */
static gw_rc
ac_prepare(struct ac_ctx *c, struct queue_msg *m, struct as4_message *am, struct ac_peer *peer,
           char *err, size_t cap)
{
	ac_message_id(m);
	X509_free(peer->cert);
	memset(peer, 0, sizeof *peer);
	if (c->disc == NULL) {
		snprintf(peer->url, sizeof peer->url, "%s", c->url);
		X509_up_ref(c->peer);
		peer->cert = c->peer;
	}
	if (ac_spool_read(c, m, am, peer) == GW_OK)
		return GW_OK;
	as4_message_free(am);
	memset(am, 0, sizeof *am);
	struct as4_sbdh h;
	gw_rc rc = ac_sbdh(c, m, &h, err, cap);
	if (rc != GW_OK)
		return rc;
	char why[512] = "";
	if (c->disc != NULL) {
		X509_free(peer->cert);
		peer->cert = NULL;
		rc = smp_lookup_endpoint(c->disc, h.receiver, h.doctype, h.process, peer->url,
		    sizeof peer->url, &peer->cert, why, sizeof why);
		if (rc != GW_OK) {
			/* Not on Peppol: final for this invoice; else tried again later. */
			snprintf(err, cap, "record %s: %s", m->record_id, why);
			return rc == GW_ENOTFOUND ? GW_EPERM : GW_ETEMP;
		}
	}
	struct as4_send_params p = {
		.message_id = m->remote_ref, .sbdh = &h,
		.document = (const unsigned char *)m->body, .document_len = m->body_len,
		.signer = c->me, .receiver_cert = peer->cert };
	if ((rc = as4_build_message(&p, am, why, sizeof why)) != GW_OK) {
		snprintf(err, cap, "record %s: AS4 build: %s", m->record_id, why);
		return rc == GW_ENOMEM ? GW_ETEMP : GW_EPERM;
	}
	AC_COUNT(c->n.built);
	if ((rc = ac_spool_write(c, m, am, peer, err, cap)) != GW_OK)
		log_warn(m->id, m->record_id, "%s (sent from memory; a retry rebuilds it)", err);
	return GW_OK;
}

/* Keep the outcome for the runner's poll. */
static void
ac_remember(struct ac_ctx *c, const struct queue_msg *m, enum queue_state s, const char *detail)
{
	struct ac_answer *a = NULL;
	for (size_t i = 0; i < c->nans && a == NULL; i++)
		if (strcmp(c->ans[i].id, m->id) == 0)
			a = &c->ans[i];
	if (a == NULL) {
		if (c->nans == c->capans) {
			size_t nc = c->capans ? c->capans * 2 : 64;
			struct ac_answer *v = realloc(c->ans, nc * sizeof *v);
			if (v == NULL)
				return;     /* the poll then sends the same message again */
			c->ans = v;
			c->capans = nc;
		}
		a = &c->ans[c->nans++];
	}
	snprintf(a->id, sizeof a->id, "%s", m->id);
	a->outcome = s;
	snprintf(a->detail, sizeof a->detail, "%s", detail);
}

/* POST a built message on h (the same bytes every time) and read the
 * signal that answers it. GW_OK: *outcome is accepted (a receipt that
 * verified) or refused (an error signal, detail says which); GW_ETEMP: no
 * trustworthy answer (err), the outcome is unknown. Any thread, its own h. */
static gw_rc
ac_post(struct ac_ctx *c, CURL *h, const struct as4_message *am, const struct ac_peer *peer,
        enum queue_state *outcome, char *detail, size_t dcap, long *retry_after_ms, char *err,
        size_t cap)
{
	struct membuf b = { .max = AC_MAX_ANSWER };
	char hdr[300], why[512] = "";
	struct curl_slist *hl = NULL;
	gw_rc rc;
	snprintf(hdr, sizeof hdr, "Content-Type: %s", am->content_type);
	hl = curl_slist_append(hl, hdr);
	hl = curl_slist_append(hl, "Expect:");
	/* Reset keeps the connection: keep-alive to the same endpoint. */
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, peer->url);
	if (c->tls_ca[0] != '\0')
		curl_easy_setopt(h, CURLOPT_CAINFO, c->tls_ca);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, am->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)am->body_len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, membuf_append);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	AC_COUNT(c->n.posts);
	CURLcode cr = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (cr != CURLE_OK || status >= 500 || status == 429 || status == 408) {
		AC_COUNT(c->n.unreachable);
		snprintf(err, cap, "POST %s: %s (HTTP %ld)%s%.200s", peer->url,
		    cr != CURLE_OK ? curl_easy_strerror(cr) : "no receipt", status,
		    b.n ? ": " : "", b.p ? b.p : "");
		curl_off_t ra = 0;
		if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
			*retry_after_ms = (long)ra * 1000;
		rc = GW_ETEMP;
		goto out;
	}
	rc = as4_verify_receipt((const unsigned char *)b.p, b.n, am, peer->cert, why, sizeof why);
	if (rc == GW_OK) {
		AC_COUNT(c->n.receipts_verified);
		*outcome = QS_ACCEPTED;
		detail[0] = '\0';
	} else if (rc == GW_EPERM) {
		/* An error signal: the receiving AP refused this message. */
		AC_COUNT(c->n.error_signals);
		*outcome = QS_REFUSED;
		snprintf(detail, dcap, "%s", why);
		rc = GW_OK;
	} else {
		/* Not a receipt we can trust: the outcome stays unknown, and the
		 * next attempt sends the same message again. */
		AC_COUNT(c->n.bad_receipts);
		snprintf(err, cap, "HTTP %ld answer is not a valid receipt for %s: %s", status,
		    am->message_id, why);
		rc = GW_ETEMP;
	}
out:
	curl_slist_free_all(hl);
	free(b.p);
	return rc;
}

/* Build (or read back) m and POST it now, on the runner's own connection.
 * GW_OK: the outcome is remembered for poll(). */
static gw_rc
ac_send(struct ac_ctx *c, struct queue_msg *m, long *retry_after_ms, char *err, size_t cap)
{
	struct as4_message am;
	struct ac_peer peer = { .cert = NULL };
	enum queue_state outcome = QS_FAILED;
	char detail[512];
	memset(&am, 0, sizeof am);
	if (m->body == NULL) {
		snprintf(err, cap, "nothing built to send");
		return GW_EPERM;
	}
	gw_rc rc = ac_prepare(c, m, &am, &peer, err, cap);
	if (rc == GW_OK)
		rc = ac_post(c, c->curl, &am, &peer, &outcome, detail, sizeof detail, retry_after_ms, err,
		    cap);
	if (rc == GW_OK)
		ac_remember(c, m, outcome, detail);
	as4_message_free(&am);
	X509_free(peer.cert);
	return rc;
}

static void
ac_job_free(struct ac_job *j)
{
	as4_message_free(&j->am);
	X509_free(j->peer.cert);
	free(j->m.body);
	free(j);
}

/* A sender thread: takes the oldest message not taken, builds it (or reads
 * it back) and sends it on its own connection, leaves the outcome on the
 * job for poll(). Building here spreads signing and encryption over the
 * cores while the runner commits. */
static void *
ac_sender(void *arg)
{
	struct ac_ctx *c = arg;
	CURL *h = curl_easy_init();
	pthread_mutex_lock(&c->pool.mu);
	for (;;) {
		struct ac_job *j = NULL;
		for (struct ac_job *x = c->jobs; x != NULL; x = x->next)
			if (!x->taken)
				j = x;  /* newest first: the last one found is the oldest */
		if (j == NULL) {
			if (c->pool.stopping)
				break;
			pthread_cond_wait(&c->pool.work, &c->pool.mu);
			continue;
		}
		j->taken = 1;
		pthread_mutex_unlock(&c->pool.mu);
		long ra = 0;
		if (h == NULL) {
			j->rc = GW_ETEMP;
			snprintf(j->err, sizeof j->err, "out of memory for a connection");
		} else if ((j->rc = ac_prepare(c, &j->m, &j->am, &j->peer, j->err, sizeof j->err)) ==
		    GW_OK)
			j->rc = ac_post(c, h, &j->am, &j->peer, &j->outcome, j->detail, sizeof j->detail,
			    &ra, j->err, sizeof j->err);
		pthread_mutex_lock(&c->pool.mu);
		j->done = 1;
		pthread_cond_broadcast(&c->pool.done);
	}
	pthread_mutex_unlock(&c->pool.mu);
	if (h != NULL)
		curl_easy_cleanup(h);
	return NULL;
}

/* Hand m to a sender thread: GW_OK once it is on its way (m->remote_ref
 * is its MessageId); poll() reads the outcome, a build refusal included. */
static gw_rc
ac_submit(void *ctx, struct queue_msg *m, long *retry_after_ms, char *err, size_t cap)
{
	struct ac_ctx *c = ctx;
	if (c->pool.n == 0)
		return ac_send(c, m, retry_after_ms, err, cap);
	if (m->body == NULL) {
		snprintf(err, cap, "nothing built to send");
		return GW_EPERM;
	}
	struct ac_job *j = calloc(1, sizeof *j);
	if (j == NULL)
		return GW_ETEMP;
	ac_message_id(m);
	j->m = *m;
	if ((j->m.body = malloc(m->body_len ? m->body_len : 1)) == NULL) {
		free(j);
		return GW_ETEMP;
	}
	memcpy(j->m.body, m->body, m->body_len);
	snprintf(j->id, sizeof j->id, "%s", m->id);
	pthread_mutex_lock(&c->pool.mu);
	j->next = c->jobs;
	c->jobs = j;
	pthread_cond_signal(&c->pool.work);
	pthread_mutex_unlock(&c->pool.mu);
	return GW_OK;
}

/* An earlier attempt may have landed: asking is sending the same
 * MessageId again, and the receiver's duplicate rule answers its receipt.
 * What cannot be sent at all (not on Peppol: SMP 404, NXDOMAIN; a document
 * that cannot be built) stays final, as for a first send; the rest is
 * "cannot tell". */
static gw_rc
ac_lookup(void *ctx, struct queue_msg *m, char *err, size_t cap)
{
	long ra = 0;
	gw_rc rc = ac_send(ctx, m, &ra, err, cap);
	return rc == GW_OK ? GW_OK : rc == GW_EPERM || rc == GW_EINPUT ? GW_EPERM : GW_ETEMP;
}

/* The outcome of m's POST handed to a sender thread, waited for: 1 and
 * *rc when there was one, 0 when m has none in flight. */
static int
ac_job_outcome(struct ac_ctx *c, const struct queue_msg *m, struct channel_answer *a, gw_rc *rc,
               char *err, size_t cap)
{
	pthread_mutex_lock(&c->pool.mu);
	struct ac_job **pp = &c->jobs, *j = NULL;
	for (; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->id, m->id) == 0) {
			j = *pp;
			break;
		}
	if (j == NULL) {
		pthread_mutex_unlock(&c->pool.mu);
		return 0;
	}
	while (!j->done)
		pthread_cond_wait(&c->pool.done, &c->pool.mu);
	/* pp may have moved while waiting: find j again to unlink it. */
	for (pp = &c->jobs; *pp != j; pp = &(*pp)->next)
		;
	*pp = j->next;
	pthread_mutex_unlock(&c->pool.mu);
	*rc = j->rc;
	if (j->rc == GW_OK) {
		a->outcome = j->outcome;
		snprintf(a->detail, sizeof a->detail, "%s", j->detail);
	} else
		snprintf(err, cap, "%s", j->err);
	ac_job_free(j);
	return 1;
}

static gw_rc
ac_poll(void *ctx, struct queue_msg *m, struct channel_answer *a, char *err, size_t cap)
{
	struct ac_ctx *c = ctx;
	gw_rc jrc;
	/* No receipt for the POST in flight: unknown, the next poll re-sends.
	 * A message that cannot be built (no Peppol address) never will be. */
	if (ac_job_outcome(c, m, a, &jrc, err, cap))
		return jrc == GW_OK ? GW_OK : jrc == GW_EINPUT || jrc == GW_EPERM ? GW_EPERM : GW_ETEMP;
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < c->nans; i++) {
			if (strcmp(c->ans[i].id, m->id) != 0)
				continue;
			a->outcome = c->ans[i].outcome;
			snprintf(a->detail, sizeof a->detail, "%s", c->ans[i].detail);
			c->ans[i] = c->ans[--c->nans];
			return GW_OK;
		}
		/* Sent by an earlier process: read its receipt by sending again. */
		long ra = 0;
		gw_rc rc = ac_send(c, m, &ra, err, cap);
		if (rc != GW_OK)
			return rc == GW_EPERM ? GW_EPERM : GW_ETEMP;
	}
	return GW_ETEMP;
}

static long ac_poll_delay(void *ctx, long elapsed) { (void)ctx; (void)elapsed; return 0; }

const struct channel_ops as4_channel_ops = {
	.name = "peppol-as4",
	.lookup = ac_lookup,
	.submit = ac_submit,
	.poll = ac_poll,
	.poll_delay = ac_poll_delay,
};
