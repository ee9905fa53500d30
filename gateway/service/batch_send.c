/*
 * service/batch_send.c - pending onss-batch messages of the queue into one
 * Dimona batch submission (and each queued DmfA as its own submission),
 * then over SFTP (batch_send.h): the manual `gateway onss send`.
 *
 * Owns the order of the durable steps: nothing is written before the
 * sequence number is allocated in the queue and the FI name is recorded on
 * every message it carries; nothing is uploaded before FI, FS and GO are on
 * disk. Never sends a declaration the Dimona rules block, nor an OUT,
 * UPDATE or CANCEL whose IN has no period id yet.
 */
#include "service/batch_send.h"
#include "service/batch_apply.h"
#include "onss/batch/file_read.h"
#include "onss/batch/lookup.h"
#include "onss/batch/submission.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"
#include "core/log.h"
#include "records/reader.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Move a claimed message on, recording why; logs a refusal by the queue. */
static void
move(struct queue *q, struct queue_msg *m, enum queue_state to, const char *why, int64_t next_ms)
{
	if (to == QS_FAILED)
		snprintf(m->last_error, sizeof m->last_error, "%s", why);
	if (next_ms)
		m->next_attempt_ms = next_ms;
	gw_rc rc = queue_update_transition(q, m, m->state, to, "batch", why);
	if (rc != GW_OK)
		log_error(m->id, m->record_id, "cannot move to %s: %s", queue_state_name(to), gw_rc_name(rc));
	else
		m->state = to;
}

/* Move every message of v in state `from` (and, when fi is not NULL,
 * carried by that FI) to `to` with its fields, in ONE transaction (queue
 * move_many): a batch of 10,000 paid one commit per message and step. A
 * message the queue refuses is logged and keeps its state; a storage
 * failure leaves every one where it was and is returned. */
static gw_rc
move_all(struct queue *q, struct queue_msg *v, size_t n, enum queue_state from,
         enum queue_state to, const char *why, const char *fi)
{
	struct queue_move *mv = n ? calloc(n, sizeof *mv) : NULL;
	size_t k = 0, *at = n ? calloc(n, sizeof *at) : NULL;
	gw_rc rc = GW_OK;
	if (n && (mv == NULL || at == NULL)) {
		rc = GW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].state != from || (fi != NULL && strcmp(v[i].remote_ref2, fi) != 0))
			continue;
		if (to == QS_FAILED)
			snprintf(v[i].last_error, sizeof v[i].last_error, "%s", why);
		mv[k].id = v[i].id;
		mv[k].fields = &v[i];
		mv[k].from = from;
		mv[k].to = to;
		mv[k].why = why;
		at[k++] = i;
	}
	if ((rc = queue_move_many(q, mv, k, "batch", NULL)) != GW_OK) {
		log_error(NULL, fi, "cannot move %zu message(s) to %s: %s", k, queue_state_name(to),
		    gw_rc_name(rc));
		goto out;
	}
	for (size_t j = 0; j < k; j++) {
		struct queue_msg *m = &v[at[j]];
		if (mv[j].rc == GW_OK)
			m->state = to;
		else
			log_error(m->id, m->record_id, "cannot move to %s: %s", queue_state_name(to),
			    gw_rc_name(mv[j].rc));
	}
out:
	free(mv);
	free(at);
	return rc;
}

/* Build one message's Form into m->body; 0 when it goes in the file,
 * otherwise the message has been moved (failed or back to pending). */
static int
build_one(struct queue *q, struct queue_msg *m, const struct batch_send_opts *o, int64_t now)
{
	char why[512];
	struct dimona_decl *d = calloc(1, sizeof *d);
	struct dimona_findings f;
	struct contract c;
	struct record_rejection rej;
	int action = dimona_action_of_kind(m->kind);
	int in_file = 0;

	if (d == NULL)
		return 0;
	if (action < 0) {
		snprintf(why, sizeof why, "kind %s is not sent on onss-batch", m->kind);
		move(q, m, QS_FAILED, why, 0);
		goto out;
	}
	memset(&rej, 0, sizeof rej);
	if (m->payload == NULL || contract_from_json(m->payload, strlen(m->payload), &c, &rej) != GW_OK) {
		snprintf(why, sizeof why, "stored record not usable: field %s: %s", rej.field, rej.reason);
		move(q, m, QS_FAILED, why, 0);
		goto out;
	}
	if (dimona_decl_from_contract(d, &c) != GW_OK) {
		move(q, m, QS_FAILED, "no Dimona declaration can be made of this record", 0);
		goto out;
	}
	d->action = (enum dimona_action)action;
	if (action != DIMONA_IN) {
		struct queue_msg dep;
		memset(&dep, 0, sizeof dep);
		int ready = m->depends_on[0] && q->ops->get(q, m->depends_on, &dep) == GW_OK &&
		    (dep.state == QS_ACCEPTED || dep.state == QS_ACCEPTED_WARNINGS) && dep.remote_ref2[0] &&
		    strlen(dep.remote_ref2) <= DIMONA_PERIOD_ID_MAX;
		if (ready)
			snprintf(d->period_id, sizeof d->period_id, "%s", dep.remote_ref2);
		queue_msg_free(&dep);
		if (!ready) {
			/* The IN's answer (and period id) is not there yet. */
			move(q, m, QS_PENDING, "waits for the period id of the IN", now + 5000);
			goto out;
		}
	}
	memset(&f, 0, sizeof f);
	if (dimona_rules_check(d, NULL, o->today, o->now_min, &f) > 0) {
		size_t off = (size_t)snprintf(why, sizeof why, "Dimona rules:");
		for (size_t i = 0; i < f.n && off < sizeof why; i++)
			if (f.f[i].severity == 'B')
				off += (size_t)snprintf(why + off, sizeof why - off, " %s %s (%s)", f.f[i].check,
				    f.f[i].code, f.f[i].field);
		move(q, m, QS_FAILED, why, 0);
		goto out;
	}
	free(m->body);
	m->body = NULL;
	if (dimona_form_to_xml(d, &m->body, &m->body_len) != GW_OK) {
		move(q, m, QS_FAILED, "the declaration does not fit the Dimona schema", 0);
		goto out;
	}
	queue_sha256_hex(m->body, m->body_len, m->content_hash);
	in_file = 1;
out:
	free(d);
	return in_file;
}

/* Messages left ready by an upload that failed or whose outcome is unknown
 * (a crash while sending): ask first whether the ONSS has the file; if not,
 * upload it again under the same name (no GO was seen, so the name is still
 * free there). */
static gw_rc
resend_ready(struct queue *q, const struct batch_send_opts *o)
{
	struct queue_filter f;
	struct queue_msg *v = NULL;
	size_t n = 0;
	char err[512], why[600];
	gw_rc rc;

	memset(&f, 0, sizeof f);
	f.state = QS_READY;
	f.channel = "onss-batch";
	if ((rc = q->ops->list(q, &f, &v, &n)) != GW_OK)
		return rc;
	for (size_t i = 0; i < n && rc == GW_OK; i++) {
		if (v[i].state != QS_READY || v[i].remote_ref2[0] == '\0')
			continue;
		char fi[QUEUE_REF_MAX + 1];
		snprintf(fi, sizeof fi, "%s", v[i].remote_ref2);
		char local[PATH_MAX + QUEUE_REF_MAX + 2];
		snprintf(local, sizeof local, "%s/%s", o->outbox, fi);
		if (access(local, R_OK) != 0) {
			snprintf(why, sizeof why, "%s is not in the outbox %s any more: cannot upload it; "
			    "requeue to send it under a new name", fi, o->outbox);
			if ((rc = move_all(q, v + i, n - i, QS_READY, QS_FAILED, why, fi)) != GW_OK)
				break;
			continue;
		}
		gw_rc there = batch_already_there(o->sftp, o->answers, fi);
		if (there == GW_ETEMP) {
			rc = GW_ETEMP;
			break;
		}
		if (there == GW_OK) {
			rc = GW_OK;
			snprintf(why, sizeof why, "%s was already received by the ONSS: not uploaded again", fi);
		} else {
			rc = batch_sftp_upload(o->sftp, o->outbox, fi, err, sizeof err);
			if (rc == GW_OK)
				snprintf(why, sizeof why, "uploaded %s over SFTP (again)", fi);
		}
		if (rc != GW_OK)
			log_error(NULL, fi, "upload again failed: %s", err);
		else if ((rc = move_all(q, v + i, n - i, QS_READY, QS_SENDING, "uploading again", fi)) == GW_OK)
			rc = move_all(q, v + i, n - i, QS_SENDING, QS_SENT, why, fi);
	}
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&v[i]);
	free(v);
	return rc;
}


/* A DmfA (original or correction) travels as its own submission, built
 * and signed when it was queued (service/dmfa_followup.c); its FI name is
 * in remote_ref2 and its FI bytes in the body. */

/* Put the FI/FS/GO of a claimed DmfA message in the outbox (rewritten from
 * the stored bytes under the same name when they left it: the name was
 * never uploaded, since the message was still pending), then upload. */
static void
send_dmfa(struct queue *q, struct queue_msg *m, const struct batch_send_opts *o,
          struct batch_send_result *r)
{
	char path[PATH_MAX], go[128], why[600], err[512];
	struct batch_name bn;
	char kind;

	if (m->remote_ref2[0] == '\0' ||
	    batch_name_parse(m->remote_ref2, &bn, &kind) != GW_OK || kind != 'I' ||
	    bn.env != o->env || strcmp(bn.sender, o->sender) != 0) {
		snprintf(why, sizeof why, "DmfA message without a usable submission name for sender %s,"
		    " env %c (%s): queue it again", o->sender, o->env, m->remote_ref2);
		move(q, m, QS_FAILED, why, 0);
		r->failed++;
		return;
	}
	batch_name_format(&bn, 'G', go, sizeof go);
	snprintf(path, sizeof path, "%s/%s", o->outbox, go);
	if (access(path, R_OK) == 0 && m->body == NULL) {
		/* Start-up recovery discards the bytes of a message caught in
		 * building; the committed submission still holds them. */
		snprintf(path, sizeof path, "%s/%s", o->outbox, m->remote_ref2);
		if (batch_file_read(path, SIZE_MAX, &m->body, &m->body_len) == GW_OK)
			queue_sha256_hex(m->body, m->body_len, m->content_hash);
	} else if (access(path, R_OK) != 0 && m->body == NULL) {
		snprintf(why, sizeof why, "%s is neither in the outbox %s nor stored: queue the DmfA again",
		    m->remote_ref2, o->outbox);
		move(q, m, QS_FAILED, why, 0);
		r->failed++;
		return;
	} else if (access(path, R_OK) != 0) {
		struct batch_writer *w = NULL;
		gw_rc rc = batch_writer_open(&w, o->outbox, &bn);
		if (rc == GW_OK) {
			FILE *f = batch_writer_file(w);
			if (fwrite(m->body, 1, m->body_len, f) != m->body_len) {
				batch_writer_abort(w);
				rc = GW_EIO;
			} else {
				rc = batch_writer_commit(w, o->signer, NULL, 0);
			}
		}
		if (rc != GW_OK) {
			snprintf(why, sizeof why, "%s could not be written again into %s (%s)", m->remote_ref2,
			    o->outbox, gw_rc_name(rc));
			move(q, m, QS_FAILED, why, 0);
			r->failed++;
			return;
		}
	}
	snprintf(why, sizeof why, "own batch submission %s", m->remote_ref2);
	move(q, m, QS_READY, why, 0);
	r->dmfa++;
	if (o->sftp == NULL || m->state != QS_READY)
		return;
	move(q, m, QS_SENDING, "uploading", 0);
	gw_rc rc = batch_sftp_upload(o->sftp, o->outbox, m->remote_ref2, err, sizeof err);
	if (rc == GW_OK)
		snprintf(why, sizeof why, "uploaded %s over SFTP", m->remote_ref2);
	else {
		snprintf(why, sizeof why, "upload of %s failed: %.300s", m->remote_ref2, err);
		snprintf(m->last_error, sizeof m->last_error, "%.500s", why);
		log_error(m->id, m->record_id, "%s", why);
	}
	move(q, m, rc == GW_OK ? QS_SENT : QS_READY, why, 0);
}

/* Each claimed DmfA out as its own submission (freed from v); every
 * Dimona message of v built (those that fail or wait are moved and
 * counted). *n shrinks to the Dimona messages; returns how many go in the
 * shared file. */
static size_t
bs_build_all(struct queue *q, struct queue_msg *v, size_t *n, const struct batch_send_opts *o,
             int64_t now, struct batch_send_result *r)
{
	size_t keep = 0, good = 0;
	for (size_t i = 0; i < *n; i++) {
		if (batch_is_dmfa_kind(v[i].kind)) {
			send_dmfa(q, &v[i], o, r);
			queue_msg_free(&v[i]);
		} else {
			if (keep != i)
				v[keep] = v[i];
			keep++;
		}
	}
	*n = keep;
	for (size_t i = 0; i < keep; i++) {
		if (build_one(q, &v[i], o, now))
			good++;
		else if (v[i].state == QS_PENDING)
			r->waiting++;
		else
			r->failed++;
	}
	return good;
}

/* The submission's name (its sequence number comes from the queue and is
 * used once, whatever happens next), recorded on every built message in
 * one transaction before anything is written: a storage failure here
 * writes and uploads nothing (the messages stay building; start-up
 * recovery makes them pending). */
static gw_rc
bs_name(struct queue *q, struct queue_msg *v, size_t n, const struct batch_send_opts *o,
        struct batch_name *name, struct batch_send_result *r)
{
	char counter[64], why[512];
	uint64_t seq;
	gw_rc rc;
	memset(name, 0, sizeof *name);
	memcpy(name->purpose, "DIMN", 5);
	snprintf(name->sender, sizeof name->sender, "%s", o->sender);
	name->date = o->today;
	name->env = o->env;
	snprintf(counter, sizeof counter, "onss-batch-DIMN-%c", o->env);
	if ((rc = q->ops->next_seq(q, counter, &seq)) != GW_OK)
		return rc;
	if (seq > 99999) {
		log_error(NULL, counter, "batch sequence numbers exhausted (five digits)");
		return GW_ESTATE;
	}
	name->seq = (unsigned)seq;
	batch_name_format(name, 'I', r->fi_name, sizeof r->fi_name);
	snprintf(why, sizeof why, "in batch submission %s", r->fi_name);
	for (size_t i = 0; i < n; i++)
		if (v[i].state == QS_BUILDING)
			snprintf(v[i].remote_ref2, sizeof v[i].remote_ref2, "%.64s", r->fi_name);
	return move_all(q, v, n, QS_BUILDING, QS_READY, why, NULL);
}

/* FI, FS, GO of the ready messages on disk (atomic, signed). */
static gw_rc
bs_write(const struct queue_msg *v, size_t n, const struct batch_send_opts *o,
         const struct batch_name *name, struct batch_send_result *r)
{
	struct batch_writer *w = NULL;
	gw_rc rc;
	if ((rc = batch_writer_open(&w, o->outbox, name)) != GW_OK)
		return rc;
	FILE *f = batch_writer_file(w);
	rc = dimona_document_begin(f);
	for (size_t i = 0; rc == GW_OK && i < n; i++)
		if (v[i].state == QS_READY) {
			if (fwrite(v[i].body, 1, v[i].body_len, f) != v[i].body_len || fputc('\n', f) == EOF)
				rc = GW_EIO;
			r->in_file++;
		}
	if (rc == GW_OK)
		rc = dimona_document_end(f);
	if (rc != GW_OK) {
		batch_writer_abort(w);
		return rc;
	}
	return batch_writer_commit(w, o->signer, NULL, 0);
}

/* The upload. Nothing is uploaded unless the messages it carries are
 * durably sending (outcome unknown after a crash); then sent, or back to
 * ready with the reason. */
static gw_rc
bs_upload(struct queue *q, struct queue_msg *v, size_t n, const struct batch_send_opts *o,
          const struct batch_send_result *r)
{
	char err[512], why[512];
	gw_rc rc;
	if ((rc = move_all(q, v, n, QS_READY, QS_SENDING, "uploading", NULL)) != GW_OK)
		return rc;
	rc = batch_sftp_upload(o->sftp, o->outbox, r->fi_name, err, sizeof err);
	if (rc == GW_OK)
		snprintf(why, sizeof why, "uploaded %s over SFTP", r->fi_name);
	else
		snprintf(why, sizeof why, "upload of %s failed: %.300s", r->fi_name, err);
	for (size_t i = 0; rc != GW_OK && i < n; i++)
		if (v[i].state == QS_SENDING)
			snprintf(v[i].last_error, sizeof v[i].last_error, "%s", why);
	gw_rc mrc = move_all(q, v, n, QS_SENDING, rc == GW_OK ? QS_SENT : QS_READY, why, NULL);
	if (rc != GW_OK)
		log_error(NULL, r->fi_name, "%s", why);
	return rc != GW_OK ? rc : mrc;
}

gw_rc
batch_send(struct queue *q, const struct batch_send_opts *o, struct batch_send_result *r)
{
	size_t max = o->max ? o->max : 10000, n = 0;
	struct queue_msg *v = calloc(max, sizeof *v);
	struct batch_name name;
	char why[512];
	int64_t now = queue_now_ms();
	gw_rc rc;

	memset(r, 0, sizeof *r);
	if (v == NULL)
		return GW_ENOMEM;
	if (o->sftp != NULL && (rc = resend_ready(q, o)) != GW_OK)
		goto out;
	if ((rc = q->ops->claim(q, "onss-batch", QS_PENDING, QS_BUILDING, NULL, 0, now, max, v, &n)) != GW_OK)
		goto out;
	r->claimed = n;
	/* DmfA messages first, each its own submission; the rest (Dimona)
	 * goes in one shared file. */
	if (bs_build_all(q, v, &n, o, now, r) == 0 ||
	    (rc = bs_name(q, v, n, o, &name, r)) != GW_OK)
		goto out;
	if ((rc = bs_write(v, n, o, &name, r)) != GW_OK) {
		/* The name is spent but no file carries it: the messages cannot
		 * wait in ready for an upload that has nothing to send. They fail
		 * with the reason; `gateway requeue` sends them again under a new
		 * name. */
		snprintf(why, sizeof why, "submission %s could not be written (%s); requeue to send it"
		    " under a new name", r->fi_name, gw_rc_name(rc));
		move_all(q, v, n, QS_READY, QS_FAILED, why, NULL);   /* its own failure is logged */
		log_error(NULL, r->fi_name, "%s", why);
		r->in_file = 0;
	} else if (o->sftp != NULL) {
		rc = bs_upload(q, v, n, o, r);
	}
out:
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&v[i]);
	free(v);
	return rc;
}

gw_rc
batch_send_configured(struct batch_send_opts *o, const char *cert, const char *key, int no_upload,
                      struct batch_send_result *r, char *errbuf, size_t errcap)
{
	struct gw_signer *signer = NULL;
	struct batch_sftp sftp;
	struct queue *q = NULL;
	gw_rc rc;

	memset(r, 0, sizeof *r);
	errbuf[0] = '\0';
	if (o->env != 'S' && (rc = signer_from_config(&signer, cert, key, errbuf, errcap)) != GW_OK)
		return rc;
	o->signer = signer;
	o->sftp = NULL;
	if (!no_upload) {
		if ((rc = batch_sftp_from_config(&sftp, errbuf, errcap)) != GW_OK)
			goto out;
		o->sftp = &sftp;
	}
	if ((rc = queue_open_configured(&q, errbuf, errcap)) != GW_OK)
		goto out;
	rc = batch_send(q, o, r);
out:
	if (q != NULL)
		q->ops->close(q);
	signer_free(signer);
	o->signer = NULL;
	o->sftp = NULL;
	return rc;
}
