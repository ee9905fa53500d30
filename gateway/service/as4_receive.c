/*
 * service/as4_receive.c - the Peppol AS4 endpoint (as4_receive.h).
 *
 * Owns the order receive -> verify -> validate -> store (record store,
 * then inbox folder) -> answer, and the duplicate rule of
 * docs/peppol-as4.md: a message is looked up only after it verified; one
 * already stored (same MessageId, or same sender + SBDH instance id) is
 * never stored again and is answered with a receipt again (the very bytes
 * kept, when they acknowledge this delivery's references); a refusal
 * stores nothing, so a corrected re-delivery is processed anew. Must never
 * answer a receipt before both copies are durable.
 *
 * Throughput: the server answers on several threads, and a sender with
 * several POSTs in flight keeps them busy. Decrypting, verifying,
 * validating and building the receipt run side by side; the record store
 * is written by group commit (ar_store: whichever thread finds no commit
 * running commits every row waiting, in one transaction, and wakes the
 * others once it is durable); each thread then writes its own inbox pair.
 */
#include "service/as4_receive.h"
#include "service/as4_tune.h"
#include "service/as4_trust.h"
#include "core/atomicfile.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/params.h"
#include "crypto/signer.h"
#include "peppol/as4/as4.h"
#include "peppol/mls/mls.h"
#include "peppol/rules/validate.h"
#include "service/as4_channel.h"
#include "service/mls_service.h"
#include "store/store.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Counters are bumped from the server's threads. */
#define AR_COUNT(c) __atomic_add_fetch(&(c), 1, __ATOMIC_RELAXED)
#define AR_PROCESS "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

/* A new message waiting for the group commit of the record store. */
struct ar_wait {
	const struct store_inbound *row;
	struct queue_msg *msg;          /* a message committed with the row (an MLS AP), or NULL */
	gw_rc rc;
	int dup, done;
	struct ar_wait *next;
};

struct as4_receiver {
	struct queue *q;
	/* The record store has one connection: every look-up and commit holds mu. */
	pthread_mutex_t mu;
	/* Group commit: rows waiting, and whether a thread is committing. */
	pthread_mutex_t gmu;
	pthread_cond_t gcv;
	struct ar_wait *waiting;
	int committing;
	struct gw_signer *me;
	struct as4_trust_keeper *trust; /* root, AP CA, CRL: re-read when the CRL changes */
	char inbox[512];
	char participants[1024];        /* ",a,b," for a whole-item search; "" = any */
	char spis[80];                  /* our AP's SPIS id ("0242:000102"): MLS come to it */
	struct as4_receive_counts n;
};

const struct as4_receive_counts *as4_receiver_counts(const struct as4_receiver *r) { return &r->n; }

/* Whether we service receiver for this document type and process. */
static int
ar_serviced(void *arg, const char *receiver, const char *doctype, const char *process)
{
	struct as4_receiver *r = arg;
	/* A Message Level Status answering what we sent, addressed to our AP. */
	if (strcmp(process, MLS_PROCESS) == 0 && strcmp(doctype, MLS_DOCTYPE) == 0)
		return r->spis[0] != '\0' && strcmp(receiver, r->spis) == 0;
	if (strcmp(process, AR_PROCESS) != 0)
		return 0;
	if (strstr(doctype, "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##") != doctype &&
	    strstr(doctype, "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##") != doctype)
		return 0;
	if (r->participants[0] == '\0')
		return 1;
	char item[160];
	if (snprintf(item, sizeof item, ",%s,", receiver) >= (int)sizeof item)
		return 0;
	return strstr(r->participants, item) != NULL;
}

gw_rc
as4_receiver_open(struct as4_receiver **out, struct queue *q, char *err, size_t errcap)
{
	struct as4_receiver *r = calloc(1, sizeof *r);
	gw_rc rc;
	*out = NULL;
	if (r == NULL)
		return GW_ENOMEM;
	r->q = q;
	as4_keep_heap();
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->gmu, NULL);
	pthread_cond_init(&r->gcv, NULL);
	if ((rc = signer_load(&r->me, param_str(P_AS4_CERT), param_str(P_AS4_KEY), err,
	    errcap)) != GW_OK)
		goto fail;
	as4_channel_spis_of(r->me->cert, r->spis, sizeof r->spis);
	const char *crl = param_str(P_AS4_CRL);
	if ((rc = as4_trust_keeper_open(&r->trust, param_str(P_AS4_CA), crl, err, errcap)) !=
	    GW_OK) {
		rc = GW_ECONFIG;
		goto fail;
	}
	const char *inbox = param_str(P_AS4_INBOX);
	if (snprintf(r->inbox, sizeof r->inbox, "%s", inbox) >= (int)sizeof r->inbox ||
	    (mkdir(inbox, 0750) != 0 && errno != EEXIST)) {
		snprintf(err, errcap, "peppol_as4.inbox: cannot create %s: %s", inbox, strerror(errno));
		rc = GW_ECONFIG;
		goto fail;
	}
	const char *p = param_str(P_AS4_PARTICIPANTS);
	if (p[0] != '\0') {
		size_t o = 0;
		r->participants[o++] = ',';
		for (; *p && o + 2 < sizeof r->participants; p++)
			if (*p != ' ')
				r->participants[o++] = *p;
		r->participants[o++] = ',';
		r->participants[o] = '\0';
	}
	struct store *st;
	if ((rc = store_of(q, &st)) != GW_OK) {
		snprintf(err, errcap, "the queue's backend has no record store for received messages");
		goto fail;
	}
	*out = r;
	return GW_OK;
fail:
	as4_receiver_close(r);
	return rc;
}

void
as4_receiver_close(struct as4_receiver *r)
{
	if (r == NULL)
		return;
	signer_free(r->me);
	as4_trust_keeper_close(r->trust);
	pthread_mutex_destroy(&r->mu);
	pthread_mutex_destroy(&r->gmu);
	pthread_cond_destroy(&r->gcv);
	free(r);
}

/* The inbox name of a business document: stable for sender + instance id,
 * whatever MessageId carried it, and safe as a file name. */
static void
ar_file_name(const struct as4_sbdh *h, char out[65])
{
	char key[300];
	int n = snprintf(key, sizeof key, "%s\n%s", h->sender, h->instance_id);
	queue_sha256_hex(key, (size_t)n, out);
}

/* The JSON sidecar an accounting system reads beside the document. */
static char *
ar_sidecar(const struct as4_inbound *in, const char *file, const char *hash, int64_t at_ms)
{
	char when[40];
	clock_format_utc(at_ms, when, sizeof when);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "document", file, "sha256", hash, "received", when,
	    "message_id", in->info.message_id, "conversation_id", in->info.conversation_id,
	    "from_ap", in->info.from_party, "to_ap", in->info.to_party,
	    "sender", in->sbdh.sender, "receiver", in->sbdh.receiver,
	    "document_type", in->sbdh.doctype, "process", in->sbdh.process,
	    "instance_id", in->sbdh.instance_id, "country_c1", in->sbdh.country_c1);
	if (o == NULL)
		return NULL;
	char *s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* Both inbox files, document first: the sidecar's presence says the pair
 * is complete. An existing file (a re-delivery after a crash) is kept.
 * One folder fsync, after the sidecar, makes both names durable (the
 * document's link is journalled before the sidecar's). */
static gw_rc
ar_inbox_write(struct as4_receiver *r, const struct as4_inbound *in, const char *file,
               const char *hash, int64_t at_ms, char *err, size_t cap)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s.xml", r->inbox, file);
	gw_rc rc = atomic_write_file(path, in->document, in->document_len, 0640,
	    ATOMIC_NO_REPLACE | ATOMIC_NO_DIR_SYNC, err, cap);
	if (rc != GW_OK && rc != GW_EDUP)
		return rc;
	int doc_new = rc == GW_OK;
	char *side = ar_sidecar(in, file, hash, at_ms);
	if (side == NULL)
		return GW_ENOMEM;
	snprintf(path, sizeof path, "%s/%s.json", r->inbox, file);
	rc = atomic_write_file(path, side, strlen(side), 0640, ATOMIC_NO_REPLACE, err, cap);
	free(side);
	if (rc == GW_EDUP && doc_new && atomic_fsync_dir(r->inbox) != GW_OK) {
		snprintf(err, cap, "peppol_as4.inbox: cannot fsync the folder %.400s", r->inbox);
		return GW_EIO;
	}
	return rc == GW_EDUP ? GW_OK : rc;
}

/* Whether a stored document goes to the accounting system's inbox: an MLS
 * is for the gateway (recorded on the message it answers), not for it. */
static int
ar_for_inbox(const struct as4_sbdh *h)
{
	return strcmp(h->doctype, MLS_DOCTYPE) != 0;
}

/* Whether a kept receipt acknowledges exactly the references at hand. */
static int
ar_receipt_fits(const unsigned char *rcpt, size_t len, const struct as4_inbound *in)
{
	struct as4_signal sig;
	char why[256];
	if (as4_parse_signal(rcpt, len, &sig, why, sizeof why) != GW_OK || !sig.is_receipt ||
	    strcmp(sig.ref_to, in->info.message_id) != 0 || sig.nri.n != in->refs.n)
		return 0;
	for (int i = 0; i < in->refs.n; i++)
		if (strcmp(sig.nri.ref[i].uri, in->refs.ref[i].uri) != 0 ||
		    strcmp(sig.nri.ref[i].digest, in->refs.ref[i].digest) != 0)
			return 0;
	return 1;
}

/* Whether two new rows are one business document (or one message). */
static int
ar_same(const struct store_inbound *a, const struct store_inbound *b)
{
	return strcmp(a->message_id, b->message_id) == 0 ||
	    (strcmp(a->sender, b->sender) == 0 && strcmp(a->instance_id, b->instance_id) == 0);
}

/* Commit the rows of the waiting list w (n of them) in one transaction;
 * sets each one's rc and dup. Holds mu (the store's one connection). */
static void
ar_commit_group(struct as4_receiver *r, struct ar_wait *w, size_t n)
{
	struct store_inbound *rows = calloc(n, sizeof *rows);
	struct ar_wait **own = calloc(n, sizeof *own);
	size_t k = 0;
	gw_rc rc = rows && own ? GW_OK : GW_ENOMEM;
	/* Two deliveries of one document in one group: the first is stored,
	 * the second is its duplicate (INSERT OR IGNORE would say so only
	 * for the transaction as a whole). */
	for (struct ar_wait *x = w; x != NULL && rc == GW_OK; x = x->next) {
		x->dup = 0;
		for (size_t i = 0; i < k && !x->dup; i++)
			x->dup = ar_same(x->row, own[i]->row);
		if (!x->dup) {
			rows[k] = *x->row;
			own[k++] = x;
		}
	}
	if (rc == GW_OK) {
		struct store *st = NULL;
		struct store_unit u;
		memset(&u, 0, sizeof u);
		pthread_mutex_lock(&r->mu);
		rc = store_of(r->q, &st) == GW_OK ? GW_OK : GW_ECONFIG;
		/* Stored since its look-up (a re-delivery committed by an earlier
		 * group): a duplicate, left out, so each row's fate is known. */
		size_t keep = 0;
		for (size_t i = 0; i < k && rc == GW_OK; i++) {
			struct store_inbound have;
			memset(&have, 0, sizeof have);
			gw_rc g = st->ops->inbound_get(st, rows[i].message_id, rows[i].sender,
			    rows[i].instance_id, &have);
			store_inbound_free(&have);
			if (g == GW_OK)
				own[i]->dup = 1;
			else if (g != GW_ENOTFOUND)
				rc = g;
			else {
				rows[keep] = rows[i];
				own[keep++] = own[i];
			}
		}
		u.inbound = rows;
		u.ninbound = keep;
		/* The messages that go with the rows kept (MLS APs). */
		struct queue_msg *msgs = calloc(keep ? keep : 1, sizeof *msgs);
		if (msgs == NULL && rc == GW_OK)
			rc = GW_ENOMEM;
		for (size_t i = 0; i < keep && msgs != NULL; i++)
			if (own[i]->msg != NULL)
				msgs[u.nmsgs++] = *own[i]->msg;
		u.msgs = msgs;
		if (rc == GW_OK && keep > 0)
			rc = store_commit(r->q, &u);
		free(msgs);         /* shallow copies: the bodies are the callers' */
		pthread_mutex_unlock(&r->mu);
		/* The look-ups above saw every earlier row: never a second one. */
		if (rc == GW_OK && u.dup_inbound && keep == 1)
			own[0]->dup = 1;
		else if (rc == GW_OK && u.dup_inbound)
			log_warn(NULL, NULL, "AS4: of %zu messages committed together, one or more"
			    " were stored already; none is stored twice", keep);
	}
	for (struct ar_wait *x = w; x != NULL; x = x->next)
		x->rc = rc;
	free(rows);
	free(own);
	(void)n;
}

/* Store one new message durably, in the same transaction as whatever other
 * threads are storing meanwhile: returns once its row is committed. */
static gw_rc
ar_store(struct as4_receiver *r, const struct store_inbound *row, struct queue_msg *msg,
         int *dup)
{
	struct ar_wait me = { .row = row, .msg = msg };
	pthread_mutex_lock(&r->gmu);
	me.next = r->waiting;
	r->waiting = &me;
	while (!me.done && r->committing)
		pthread_cond_wait(&r->gcv, &r->gmu);
	if (!me.done) {
		/* No commit running: this thread commits everyone waiting. */
		struct ar_wait *w = r->waiting;
		size_t n = 0;
		for (struct ar_wait *x = w; x != NULL; x = x->next)
			n++;
		r->waiting = NULL;
		r->committing = 1;
		pthread_mutex_unlock(&r->gmu);
		ar_commit_group(r, w, n);
		pthread_mutex_lock(&r->gmu);
		r->n.commits++;
		for (struct ar_wait *x = w; x != NULL; x = x->next)
			x->done = 1;
		r->committing = 0;
		pthread_cond_broadcast(&r->gcv);
	}
	pthread_mutex_unlock(&r->gmu);
	*dup = me.dup;
	return me.rc;
}

/* A signed ebMS error as the answer. */
static void
ar_refuse(struct as4_receiver *r, as4_ebms e, const char *ref_id, const char *why, int *status,
          unsigned char **answer, size_t *alen)
{
	char err[256];
	AR_COUNT(r->n.refused);
	log_warn(NULL, NULL, "AS4 message %s refused: %s %s", ref_id[0] ? ref_id : "(no id)",
	    as4_ebms_code(e), why);
	if (as4_build_error(r->me, e, ref_id, why, answer, alen, err, sizeof err) != GW_OK) {
		*status = 500;
		*answer = (unsigned char *)strdup("cannot build the error signal\n");
		*alen = *answer ? strlen((char *)*answer) : 0;
		return;
	}
	*status = 200;
}

/* Not now (store busy, disk full): no answer but a 503; the sender retries. */
static void
ar_later(struct as4_receiver *r, const char *what, int *status, unsigned char **answer,
         size_t *alen)
{
	AR_COUNT(r->n.temporary);
	log_error(NULL, NULL, "AS4: %s; answered 503 (the sender retries)", what);
	*status = 503;
	char text[600];
	int n = snprintf(text, sizeof text, "temporary failure: %s\n", what);
	*answer = (unsigned char *)strndup(text, (size_t)n);
	*alen = *answer ? strlen((char *)*answer) : 0;
}

/* The document passes the project's own validator; else why names the rules. */
static as4_ebms
ar_validate(const struct as4_inbound *in, char *why, size_t cap, int *temporary)
{
	struct invoice_report rep;
	memset(&rep, 0, sizeof rep);
	*temporary = 0;
	if (strcmp(in->sbdh.doctype, MLS_DOCTYPE) == 0) {
		int bad = mls_check((const char *)in->document, in->document_len, NULL, NULL);
		if (bad == 0)
			return AS4_OK;
		snprintf(why, cap, "MLS invalid: %d of its rules fail", bad < 0 ? 1 : bad);
		return AS4_E0004;
	}
	gw_rc rc = invoice_validate_mem((const char *)in->document, in->document_len,
	    in->info.message_id, RULES_ALL, true, &rep);
	*temporary = 0;
	as4_ebms e = AS4_OK;
	if (rc == GW_ECONFIG || rc == GW_ENOMEM) {
		snprintf(why, cap, "validator unavailable (%s)", gw_rc_name(rc));
		*temporary = 1;
		e = AS4_E0004;
	} else if (rc != GW_OK) {
		snprintf(why, cap, "document not well-formed: %s", rep.why);
		e = AS4_E0004;
	} else if (invoice_report_errors(&rep) > 0) {
		size_t off = (size_t)snprintf(why, cap, "document invalid:");
		for (size_t i = 0; i < rep.rules.n && off < cap; i++)
			if (rep.rules.v[i].flag == RULE_FATAL)
				off += (size_t)snprintf(why + off, cap - off, " %s", rep.rules.v[i].rule_id);
		if (rep.xsd_errors > 0 && off < cap)
			snprintf(why + off, cap - off, " (%zu schema errors%s%s)", rep.xsd_errors,
			    rep.nxsd ? ": " : "", rep.nxsd ? rep.xsd[0] : "");
		e = AS4_E0004;
	}
	invoice_report_free(&rep);
	return e;
}

/* An RE back to the sender of a document our validator refused (it asked,
 * MLS_TO): queued once per document (its record id is stable), sent by the
 * runner. Nothing else of the document is kept. */
static void
ar_mls_refusal(struct as4_receiver *r, const struct as4_inbound *in)
{
	struct invoice_report rep;
	struct queue_msg m;
	char err[512];
	size_t dups = 0;
	memset(&rep, 0, sizeof rep);
	gw_rc rc = invoice_validate_mem((const char *)in->document, in->document_len,
	    in->info.message_id, RULES_ALL, true, &rep);
	if (rc != GW_OK && rc != GW_EINPUT) {
		invoice_report_free(&rep);
		return;         /* the validator is unavailable: the sender retries anyway */
	}
	rc = mls_answer(in, r->me->cert, &rep, rc == GW_EINPUT ? rep.why : NULL, &m, err, sizeof err);
	invoice_report_free(&rep);
	if (rc == GW_OK) {
		pthread_mutex_lock(&r->mu);
		rc = queue_enqueue(r->q, &m, 1, &dups);
		if (rc == GW_OK && dups == 0)
			rc = mls_ready(r->q, &m);
		pthread_mutex_unlock(&r->mu);
	}
	if (rc != GW_OK)
		log_error(NULL, NULL, "MLS RE for %s (%s) not queued: %s", in->sbdh.instance_id,
		    in->sbdh.sender, rc == GW_EINPUT ? err : gw_rc_name(rc));
	else if (dups == 0)
		log_info(m.id, m.record_id, "MLS RE queued to %s for %s", in->sbdh.mls_to,
		    in->sbdh.instance_id);
	queue_msg_free(&m);
}

void
as4_receiver_handle(struct as4_receiver *r, const char *content_type, const unsigned char *body,
                    size_t len, int *status, unsigned char **answer, size_t *alen)
{
	int64_t now_s = clock_now_s();
	struct as4_trust t = { as4_trust_keeper_get(r->trust, now_s), now_s };
	struct as4_recv_params p = { .me = r->me, .trust = &t, .serviced = ar_serviced,
	                             .serviced_arg = r };
	struct as4_inbound in;
	struct store_inbound row, have;
	struct store *st = NULL;
	struct queue_msg mls;
	char why[1024] = "", err[512] = "";
	int temporary = 0, dup = 0, invalid = 0;
	memset(&mls, 0, sizeof mls);
	*answer = NULL;
	*alen = 0;
	memset(&in, 0, sizeof in);
	memset(&row, 0, sizeof row);
	memset(&have, 0, sizeof have);
	AR_COUNT(r->n.received);

	as4_ebms e = as4_receive(&p, content_type, body, len, &in, why, sizeof why);
	if (e == AS4_OK) {
		e = ar_validate(&in, why, sizeof why, &temporary);
		invalid = e != AS4_OK;
	}
	if (temporary) {
		ar_later(r, why, status, answer, alen);
		goto out;
	}
	if (e != AS4_OK) {
		if (invalid && mls_wanted(&in.sbdh, 1))
			ar_mls_refusal(r, &in);
		ar_refuse(r, e, in.info.message_id, why, status, answer, alen);
		goto out;
	}
	/* Verified: only now may its ids be looked up (rule 2). */
	pthread_mutex_lock(&r->mu);
	gw_rc rc = store_of(r->q, &st);
	if (rc == GW_OK)
		rc = st->ops->inbound_get(st, in.info.message_id, in.sbdh.sender, in.sbdh.instance_id,
		    &have);
	pthread_mutex_unlock(&r->mu);
	if (rc != GW_OK && rc != GW_ENOTFOUND) {
		ar_later(r, "record store unreadable", status, answer, alen);
		goto out;
	}
	if (rc == GW_OK) {
		/* Rule 4: never a second record; the inbox copy is made again
		 * if a crash came between the commit and the files. */
		AR_COUNT(r->n.duplicates);
		log_info(NULL, NULL, "AS4 message %s is a duplicate of %s (sender %s, instance %s):"
		    " not stored again, receipt answered again", in.info.message_id, have.message_id,
		    in.sbdh.sender, in.sbdh.instance_id);
		struct as4_inbound kept = in;
		kept.document = (unsigned char *)have.document;
		kept.document_len = have.document_len;
		if (ar_for_inbox(&in.sbdh) &&
		    ar_inbox_write(r, &kept, have.file, have.hash, have.received_ms, err,
		    sizeof err) != GW_OK) {
			ar_later(r, err, status, answer, alen);
			goto out;
		}
		if (ar_receipt_fits((unsigned char *)have.receipt, have.receipt_len, &in)) {
			*answer = (unsigned char *)have.receipt;
			*alen = have.receipt_len;
			have.receipt = NULL;
		} else if (as4_build_receipt(r->me, &in, answer, alen, err, sizeof err) != GW_OK) {
			ar_later(r, err, status, answer, alen);
			goto out;
		}
		*status = 200;
		goto out;
	}
	/* New: the receipt first (its bytes are kept with the document), then
	 * the transaction (a group's), then the inbox, then the answer (rule 3). */
	if (as4_build_receipt(r->me, &in, (unsigned char **)&row.receipt, &row.receipt_len, err,
	    sizeof err) != GW_OK) {
		ar_later(r, err, status, answer, alen);
		goto out;
	}
	snprintf(row.message_id, sizeof row.message_id, "%s", in.info.message_id);
	snprintf(row.sender, sizeof row.sender, "%s", in.sbdh.sender);
	snprintf(row.instance_id, sizeof row.instance_id, "%s", in.sbdh.instance_id);
	ar_file_name(&in.sbdh, row.file);
	queue_sha256_hex(in.document, in.document_len, row.hash);
	row.document = (char *)in.document;
	row.document_len = in.document_len;
	row.received_ms = clock_now_ms();
	/* The envelope beside the document, for the monthly reports. */
	if ((row.meta = ar_sidecar(&in, row.file, row.hash, row.received_ms)) == NULL) {
		ar_later(r, "out of memory", status, answer, alen);
		goto out;
	}
	/* An AP asked for (ALWAYS_SEND) is queued with the document it answers
	 * (in the same group transaction). */
	struct queue_msg *ap = NULL;
	if (mls_wanted(&in.sbdh, 0)) {
		if ((rc = mls_answer(&in, r->me->cert, NULL, NULL, &mls, err, sizeof err)) != GW_OK)
			log_error(NULL, NULL, "MLS AP for %s not built: %s", in.sbdh.instance_id, err);
		else
			ap = &mls;
	}
	if ((rc = ar_store(r, &row, ap, &dup)) != GW_OK) {
		row.document = NULL;
		snprintf(err, sizeof err, "cannot store message %s: %s", row.message_id, gw_rc_name(rc));
		ar_later(r, err, status, answer, alen);
		goto out;
	}
	row.document = NULL;        /* in's */
	if (ar_for_inbox(&in.sbdh) &&
	    ar_inbox_write(r, &in, row.file, row.hash, row.received_ms, err, sizeof err) != GW_OK) {
		ar_later(r, err, status, answer, alen);
		goto out;
	}
	if (ap != NULL && !dup) {
		pthread_mutex_lock(&r->mu);
		if ((rc = mls_ready(r->q, ap)) != GW_OK)
			log_error(ap->id, ap->record_id, "MLS AP stays pending: %s", gw_rc_name(rc));
		pthread_mutex_unlock(&r->mu);
	}
	/* An MLS for what we sent: recorded on that message's history. */
	if (!dup && strcmp(in.sbdh.doctype, MLS_DOCTYPE) == 0) {
		pthread_mutex_lock(&r->mu);
		if (mls_record(r->q, &in, err, sizeof err) != GW_OK)
			log_warn(NULL, NULL, "AS4 message %s: %s", in.info.message_id, err);
		pthread_mutex_unlock(&r->mu);
	}
	if (dup) {
		AR_COUNT(r->n.duplicates);
	} else {
		AR_COUNT(r->n.stored);
		log_info(NULL, NULL, "AS4 message %s stored: %s from %s, inbox %s", in.info.message_id,
		    in.sbdh.instance_id, in.sbdh.sender, row.file);
	}
	if (getenv(AS4_TEST_EXIT_AFTER_STORE) != NULL) {
		fprintf(stderr, "test hook %s: exiting after the durable store of %s\n",
		    AS4_TEST_EXIT_AFTER_STORE, in.info.message_id);
		_exit(70);
	}
	*answer = (unsigned char *)row.receipt;
	*alen = row.receipt_len;
	row.receipt = NULL;
	*status = 200;
out:
	free(row.receipt);
	free(row.meta);
	queue_msg_free(&mls);
	store_inbound_free(&have);
	as4_inbound_free(&in);
	X509_STORE_free(t.store);
}

void
as4_receive_route(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	unsigned char *a = NULL;
	size_t alen = 0;
	int status = 500;
	as4_receiver_handle(ctx, http_header(rq, "Content-Type"), (const unsigned char *)rq->body,
	    rq->body_len, &status, &a, &alen);
	rs->status = status;
	rs->content_type = status == 200 ? "application/soap+xml; charset=utf-8" : "text/plain";
	rs->body = (char *)a;
	rs->len = alen;
}
