/*
 * service/batch_channel.c - the onss-batch channel (batch_channel.h).
 *
 * Owns the mapping between queue messages and the batch protocol of
 * onss/batch/: kind -> Dimona action, stored record -> Form, the
 * submission name (FI.DIMN.<sender>.<date>.<seq>.<env>.1.1, seq from the
 * queue counter onss-batch-DIMN-<env>), the files in the outbox, the
 * upload, the "already there?" lookup and the answers folder. Moves no
 * message itself but through the answers' application (service code).
 * Must never put in a file a declaration the Dimona rules block, nor an
 * OUT, UPDATE or CANCEL without the IN's period id.
 */
#include "service/batch_channel.h"
#include "service/batch_apply.h"
#include "service/batch_send.h"
#include "service/dimona_channel.h"
#include "core/clock.h"
#include "core/params.h"
#include "core/log.h"
#include "crypto/signer.h"
#include "onss/batch/file_read.h"
#include "onss/batch/lookup.h"
#include "onss/batch/sftp.h"
#include "onss/batch/submission.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"
#include "records/reader.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BC_OWN 16                      /* names written by this process, remembered */

struct batch_channel {
	struct batch_send_opts o;
	struct batch_sftp sftp;
	struct gw_signer *signer;
	long interval_ms;
	char counter[40];
	char own[BC_OWN][QUEUE_REF_MAX + 1];
	unsigned n_own;
	struct batch_channel_counts n;
};

int
batch_channel_configured(void)
{
	const char *u = param_str(P_BATCH_SFTP_URL);
	return u != NULL && u[0] != '\0';
}

gw_rc
batch_channel_open(void **ctx, const struct batch_channel_opts *opt, char *errbuf, size_t errcap)
{
	struct batch_channel *b = calloc(1, sizeof *b);
	const char *env = opt->env ? opt->env : param_str(P_BATCH_ENV);
	gw_rc rc;

	*ctx = NULL;
	if (b == NULL)
		return GW_ENOMEM;
	b->o.sender = opt->sender ? opt->sender : param_str(P_ONSS_SENDER);
	b->o.outbox = opt->outbox ? opt->outbox : param_str(P_BATCH_OUTBOX);
	b->o.answers = opt->answers ? opt->answers : param_str(P_BATCH_ANSWERS);
	b->interval_ms = opt->interval_ms ? opt->interval_ms
	    : param_int(P_BATCH_POLL_INTERVAL_MS);
	if (b->o.outbox == NULL || b->o.answers == NULL || strlen(env) != 1 ||
	    strchr("RTS", env[0]) == NULL || b->interval_ms < 10) {
		snprintf(errbuf, errcap, "[onss_batch] outbox, answers, env (R, T or S) and"
		    " poll_interval_ms (>= 10) are needed to serve the onss-batch channel");
		free(b);
		return GW_ECONFIG;
	}
	b->o.env = env[0];
	snprintf(b->counter, sizeof b->counter, "onss-batch-DIMN-%c", b->o.env);
	if (b->o.env != 'S' && (rc = signer_from_config(&b->signer, opt->sign_cert, opt->sign_key,
	    errbuf, errcap)) != GW_OK) {
		free(b);
		return rc;
	}
	b->o.signer = b->signer;
	if ((rc = batch_sftp_from_config(&b->sftp, errbuf, errcap)) != GW_OK) {
		batch_channel_close(b);
		return rc;
	}
	b->o.sftp = &b->sftp;
	*ctx = b;
	return GW_OK;
}

void
batch_channel_close(void *ctx)
{
	struct batch_channel *b = ctx;
	if (b == NULL)
		return;
	signer_free(b->signer);
	free(b);
}

const struct batch_channel_counts *
batch_channel_counts(const void *ctx)
{
	return &((const struct batch_channel *)ctx)->n;
}

/* A queued DmfA is its own submission, signed when it was queued
 * (service/dmfa_followup.c): check its name; take its bytes back from the
 * outbox when start-up recovery discarded them. */
static gw_rc
bc_build_dmfa(struct batch_channel *b, struct queue_msg *m, char *err, size_t cap)
{
	struct batch_name bn;
	char kind, path[PATH_MAX];
	if (m->remote_ref2[0] == '\0' || batch_name_parse(m->remote_ref2, &bn, &kind) != GW_OK ||
	    kind != 'I' || bn.env != b->o.env || strcmp(bn.sender, b->o.sender) != 0) {
		snprintf(err, cap, "DmfA message without a usable submission name for sender %s,"
		    " env %c (%s): queue it again", b->o.sender, b->o.env, m->remote_ref2);
		return GW_EINPUT;
	}
	if (m->body == NULL) {
		snprintf(path, sizeof path, "%s/%s", b->o.outbox, m->remote_ref2);
		if (batch_file_read(path, SIZE_MAX, &m->body, &m->body_len) != GW_OK) {
			snprintf(err, cap, "%s is neither in the outbox %s nor stored: queue the DmfA"
			    " again", m->remote_ref2, b->o.outbox);
			return GW_EINPUT;
		}
		m->content_hash[0] = '\0';
	}
	return GW_OK;
}

/* channel_ops.build: one Dimona Form (the runner waited for the IN). */
static gw_rc
bc_build(void *ctx, struct queue_msg *m, const struct queue_msg *dep, char *err, size_t cap)
{
	struct batch_channel *b = ctx;
	struct dimona_findings f;
	struct contract c;
	struct record_rejection rej;
	struct clock_wall w;
	int action = dimona_action_of_kind(m->kind);
	gw_rc rc = GW_EINPUT;

	if (batch_is_dmfa_kind(m->kind))
		return bc_build_dmfa(b, m, err, cap);
	if (action < 0) {
		snprintf(err, cap, "kind %s is not sent on onss-batch", m->kind);
		return GW_EINPUT;
	}
	struct dimona_decl *d = calloc(1, sizeof *d);
	if (d == NULL)
		return GW_ENOMEM;
	memset(&rej, 0, sizeof rej);
	if (m->payload == NULL || contract_from_json(m->payload, strlen(m->payload), &c, &rej) != GW_OK) {
		snprintf(err, cap, "stored record not usable: field %s: %s", rej.field, rej.reason);
		goto out;
	}
	if (dimona_decl_from_contract(d, &c) != GW_OK) {
		snprintf(err, cap, "no Dimona declaration can be made of this record");
		goto out;
	}
	d->action = (enum dimona_action)action;
	if (action != DIMONA_IN) {
		if (dep == NULL || dep->remote_ref2[0] == '\0' ||
		    strlen(dep->remote_ref2) > DIMONA_PERIOD_ID_MAX) {
			snprintf(err, cap, "%s needs the period id of the IN, which has none",
			    dimona_action_name(d->action));
			goto out;
		}
		snprintf(d->period_id, sizeof d->period_id, "%s", dep->remote_ref2);
	}
	clock_brussels(queue_now_ms(), &w);
	memset(&f, 0, sizeof f);
	if (dimona_rules_check(d, NULL, w.day, w.minutes, &f) > 0) {
		size_t off = (size_t)snprintf(err, cap, "Dimona rules:");
		for (size_t i = 0; i < f.n && off < cap; i++)
			if (f.f[i].severity == 'B')
				off += (size_t)snprintf(err + off, cap - off, " %s %s (%s)", f.f[i].check,
				    f.f[i].code, f.f[i].field);
		goto out;
	}
	free(m->body);
	m->body = NULL;
	if (dimona_form_to_xml(d, &m->body, &m->body_len) != GW_OK) {
		snprintf(err, cap, "the declaration does not fit the Dimona schema");
		goto out;
	}
	m->content_hash[0] = '\0';
	m->remote_ref2[0] = '\0';             /* joins the next submission */
	rc = GW_OK;
out:
	free(d);
	return rc;
}

/* channel_ops.group_name: FI.DIMN.<sender>.<today>.<seq>.<env>.1.1. */
static gw_rc
bc_group_name(void *ctx, uint64_t seq, const char **counter, char *name, size_t cap)
{
	struct batch_channel *b = ctx;
	struct batch_name bn;
	*counter = b->counter;
	if (seq == 0)
		return GW_OK;
	if (seq > 99999) {
		log_error(NULL, b->counter, "batch sequence numbers exhausted (five digits)");
		return GW_ESTATE;
	}
	memset(&bn, 0, sizeof bn);
	memcpy(bn.purpose, "DIMN", 5);
	snprintf(bn.sender, sizeof bn.sender, "%s", b->o.sender);
	bn.date = clock_brussels_today();
	bn.env = b->o.env;
	bn.seq = (unsigned)seq;
	return batch_name_format(&bn, 'I', name, cap);
}

static void
bc_remember(struct batch_channel *b, const char *name)
{
	snprintf(b->own[b->n_own++ % BC_OWN], sizeof b->own[0], "%s", name);
}

/* channel_ops.group_write: FI/FS/GO in the outbox (atomic, signed). */
static gw_rc
bc_group_write(void *ctx, const char *name, struct queue_msg *const *v, size_t n, char *err,
               size_t cap)
{
	struct batch_channel *b = ctx;
	struct batch_writer *w = NULL;
	struct batch_name bn;
	char kind, path[PATH_MAX], go[128];
	gw_rc rc;

	if (batch_name_parse(name, &bn, &kind) != GW_OK || kind != 'I') {
		snprintf(err, cap, "%s is not a submission name", name);
		return GW_EINPUT;
	}
	batch_name_format(&bn, 'G', go, sizeof go);
	snprintf(path, sizeof path, "%s/%s", b->o.outbox, go);
	int dmfa = n == 1 && batch_is_dmfa_kind(v[0]->kind);
	if (dmfa && access(path, R_OK) == 0) {
		b->n.dmfa++;
		return GW_OK;                   /* written when it was queued */
	}
	if ((rc = batch_writer_open(&w, b->o.outbox, &bn)) != GW_OK)
		return rc;
	FILE *f = batch_writer_file(w);
	rc = dmfa ? GW_OK : dimona_document_begin(f);
	for (size_t i = 0; rc == GW_OK && i < n; i++)
		if (fwrite(v[i]->body, 1, v[i]->body_len, f) != v[i]->body_len ||
		    (!dmfa && fputc('\n', f) == EOF))
			rc = GW_EIO;
	if (rc == GW_OK && !dmfa)
		rc = dimona_document_end(f);
	if (rc != GW_OK) {
		batch_writer_abort(w);
		return rc;
	}
	if ((rc = batch_writer_commit(w, b->o.signer, NULL, 0)) != GW_OK)
		return rc;
	bc_remember(b, name);
	if (dmfa)
		b->n.dmfa++;
	else
		b->n.declarations += n;
	return GW_OK;
}

/* channel_ops.group_foreign: a name this process did not write may have
 * been uploaded already (gateway onss send / upload, an earlier run). */
static int
bc_group_foreign(void *ctx, const char *name)
{
	struct batch_channel *b = ctx;
	for (unsigned i = 0; i < BC_OWN && i < b->n_own; i++)
		if (strcmp(b->own[i], name) == 0)
			return 0;
	return 1;
}

/* channel_ops.lookup: is the GO still waiting in IN, or a receipt of that
 * name on the server or in the answers folder? */
static gw_rc
bc_lookup(void *ctx, struct queue_msg *m, char *err, size_t cap)
{
	struct batch_channel *b = ctx;
	gw_rc rc = batch_already_there(b->o.sftp, b->o.answers, m->remote_ref2);
	if (rc == GW_OK)
		snprintf(err, cap, "%s was already received by the ONSS: not uploaded again",
		    m->remote_ref2);
	else if (rc == GW_ETEMP)
		snprintf(err, cap, "cannot tell whether the ONSS has %s", m->remote_ref2);
	return rc;
}

/* channel_ops.group_submit: FI, FS, then GO over SFTP. */
static gw_rc
bc_group_submit(void *ctx, const char *name, long *retry_after_ms, char *err, size_t cap)
{
	struct batch_channel *b = ctx;
	char local[PATH_MAX], e[400] = "";
	(void)retry_after_ms;
	snprintf(local, sizeof local, "%s/%s", b->o.outbox, name);
	if (access(local, R_OK) != 0) {
		snprintf(err, cap, "%s is not in the outbox %s any more: cannot upload it; requeue to"
		    " send it under a new name", name, b->o.outbox);
		return GW_EPERM;
	}
	int again = bc_group_foreign(b, name);
	if (batch_sftp_upload(&b->sftp, b->o.outbox, name, e, sizeof e) != GW_OK) {
		snprintf(err, cap, "upload of %s failed: %.300s", name, e);
		return GW_ETEMP;
	}
	snprintf(err, cap, "uploaded %s over SFTP%s", name, again ? " (again)" : "");
	return GW_OK;
}

/* channel_ops.poll_many: fetch the answers waiting on the server into the
 * answers folder, then apply every stored one. */
static gw_rc
bc_poll_many(void *ctx, struct queue *q, size_t *moved, char *err, size_t cap)
{
	struct batch_channel *b = ctx;
	struct batch_apply_counts c;
	size_t got = 0;
	/* The three environments' answers can share one folder: the names
	 * carry the environment. */
	gw_rc prc = batch_sftp_poll(&b->sftp, b->o.env, b->o.answers, &got, err, cap);
	b->n.polls++;
	b->n.fetched += got;
	gw_rc arc = batch_answers_apply_dir(q, b->o.answers, &c);
	b->n.applied += c.matched_files;
	b->n.unmatched += c.unmatched_files;
	b->n.moved += c.messages_moved;
	*moved = c.messages_moved + got;
	if (arc != GW_OK) {
		snprintf(err, cap, "applying the answers in %s: %s", b->o.answers, gw_rc_name(arc));
		return arc;
	}
	return prc == GW_OK ? GW_OK : GW_ETEMP;
}

static long
bc_poll_delay(void *ctx, long elapsed)
{
	(void)elapsed;
	return ((struct batch_channel *)ctx)->interval_ms;
}

const struct channel_ops batch_channel_ops = {
	.name = "onss-batch",
	.build = bc_build,
	.lookup = bc_lookup,
	.poll_delay = bc_poll_delay,
	.dep_void = dimona_channel_dep_void,
	.group_max = 10000,
	.group_name = bc_group_name,
	.group_write = bc_group_write,
	.group_foreign = bc_group_foreign,
	.group_submit = bc_group_submit,
	.poll_many = bc_poll_many,
};
