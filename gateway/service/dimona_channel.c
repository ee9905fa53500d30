/*
 * service/dimona_channel.c - the Dimona REST v2 channel (dimona_channel.h).
 *
 * Owns the mapping between queue messages and the REST client: kind ->
 * Dimona action, the stored payload -> declaration, the ONSS result ->
 * queue outcome with its anomalies. Must never send a declaration the
 * rules block, nor an OUT/UPDATE/CANCEL without the IN's period id.
 */
#include "service/dimona_channel.h"
#include "core/log.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"
#include "onss/rest/client.h"
#include "records/reader.h"
#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The declaration a message stands for (period id from dep or m). */
static gw_rc
dc_decl(const struct queue_msg *m, const struct queue_msg *dep, struct dimona_decl *d,
        char *err, size_t cap)
{
	struct contract c;
	struct record_rejection rej;
	int action = dimona_action_of_kind(m->kind);
	if (action < 0) {
		snprintf(err, cap, "kind %s is not a Dimona declaration", m->kind);
		return GW_EINPUT;
	}
	if (m->payload == NULL) {
		snprintf(err, cap, "no stored record to build from");
		return GW_EINPUT;
	}
	memset(&rej, 0, sizeof rej);
	gw_rc prc = contract_from_json(m->payload, strlen(m->payload), &c, &rej);
	if (prc == GW_ENOMEM) {
		/* Not the record's fault: the runner tries again later. */
		snprintf(err, cap, "out of memory reading the stored record");
		return GW_ENOMEM;
	}
	if (prc != GW_OK) {
		snprintf(err, cap, "stored record no longer valid: field %s: %s", rej.field, rej.reason);
		return GW_EINPUT;
	}
	gw_rc rc = dimona_decl_from_contract(d, &c);
	if (rc != GW_OK) {
		snprintf(err, cap, "cannot make a declaration of record %s", m->record_id);
		return rc;
	}
	d->action = (enum dimona_action)action;
	if (action != DIMONA_IN) {
		/* The message's own period id first: intake sets it when it
		 * chains several CANCELs (the Horeca EXT rule), so a CANCEL's
		 * dependency is then the previous CANCEL, not its IN. */
		const char *pid = m->remote_ref2[0] ? m->remote_ref2 :
		    dep != NULL ? dep->remote_ref2 : "";
		if (pid[0] == '\0') {
			snprintf(err, cap, "%s needs the period id of the IN, which has none",
			    dimona_action_name(d->action));
			return GW_EINPUT;
		}
		size_t pl = strlen(pid);
		if (pl > DIMONA_PERIOD_ID_MAX) {
			snprintf(err, cap, "period id %.64s is too long", pid);
			return GW_EINPUT;
		}
		memcpy(d->period_id, pid, pl + 1);
	}
	return GW_OK;
}

/* Build the REST JSON after the rules pass. */
static gw_rc
dc_build(void *ctx, struct queue_msg *m, const struct queue_msg *dep, char *err, size_t cap)
{
	struct dimona_decl *d = calloc(1, sizeof *d);
	struct dimona_findings f;
	gw_rc rc;
	(void)ctx;
	if (d == NULL)
		return GW_ENOMEM;
	if ((rc = dc_decl(m, dep, d, err, cap)) != GW_OK)
		goto out;
	gw_ymd today;
	int now_min;
	clock_brussels_now(&today, &now_min);
	memset(&f, 0, sizeof f);
	if (dimona_rules_check(d, NULL, today, now_min, &f) > 0) {
		size_t off = (size_t)snprintf(err, cap, "Dimona rules:");
		for (size_t i = 0; i < f.n && off < cap; i++)
			if (f.f[i].severity == 'B')
				off += (size_t)snprintf(err + off, cap - off, " %s %s (%s)", f.f[i].check,
				    f.f[i].code, f.f[i].field);
		rc = GW_EINPUT;
		goto out;
	}
	if (d->action != DIMONA_IN)
		snprintf(m->remote_ref2, sizeof m->remote_ref2, "%s", d->period_id);
	free(m->body);
	m->body = NULL;
	rc = dimona_to_json(d, &m->body, &m->body_len);
	m->content_hash[0] = '\0';
out:
	free(d);
	return rc;
}

/* Ask the ONSS whether it already has this declaration. */
static gw_rc
dc_lookup(void *ctx, struct queue_msg *m, char *err, size_t cap)
{
	struct dimona_decl *d = calloc(1, sizeof *d);
	char id[QUEUE_REF_MAX + 1] = "";
	gw_rc rc;
	if (d == NULL)
		return GW_ENOMEM;
	if (m->body != NULL)
		rc = dimona_from_json(m->body, m->body_len, d, err, cap);
	else
		rc = dc_decl(m, NULL, d, err, cap);
	if (rc != GW_OK) {
		free(d);
		return GW_ETEMP;      /* cannot tell: never guess "not there" */
	}
	rc = dimona_rest_lookup(ctx, d, id, sizeof id, err, cap);
	if (rc == GW_OK)
		snprintf(m->remote_ref, sizeof m->remote_ref, "%s", id);
	else if (rc != GW_ENOTFOUND)
		rc = GW_ETEMP;
	free(d);
	return rc;
}

/* POST the declaration. */
static gw_rc
dc_submit(void *ctx, struct queue_msg *m, long *retry_after_ms, char *err, size_t cap)
{
	char id[QUEUE_REF_MAX + 1] = "";
	if (m->body == NULL) {
		snprintf(err, cap, "nothing built to send");
		return GW_EPERM;
	}
	gw_rc rc = dimona_rest_submit(ctx, m->body, m->body_len, id, sizeof id, retry_after_ms,
	    err, cap);
	if (rc == GW_OK)
		snprintf(m->remote_ref, sizeof m->remote_ref, "%s", id);
	if (rc == GW_ETEMP && *retry_after_ms == DIMONA_REST_NO_ANSWER)
		*retry_after_ms = CHANNEL_MAYBE_LANDED;
	return rc;
}

/* GET the result; 'S' (still waiting) is "not yet". */
static gw_rc
dc_poll(void *ctx, struct queue_msg *m, struct channel_answer *a, char *err, size_t cap)
{
	struct dimona_result r;
	memset(&r, 0, sizeof r);
	gw_rc rc = dimona_rest_poll(ctx, m->remote_ref, &r, err, cap);
	if (rc != GW_OK)
		return rc;
	switch (r.status) {
	case 'A': a->outcome = QS_ACCEPTED; break;
	case 'W': a->outcome = QS_ACCEPTED_WARNINGS; break;
	case 'B': a->outcome = QS_REFUSED; break;
	case 'S': return GW_ENOTFOUND;
	default:
		snprintf(err, cap, "unknown result status '%c'", r.status ? r.status : '?');
		return GW_ETEMP;
	}
	snprintf(a->ref2, sizeof a->ref2, "%s", r.period_id[0] ? r.period_id : m->remote_ref2);
	size_t off = 0;
	for (size_t i = 0; i < r.n_anomalies && off < sizeof a->detail; i++)
		off += (size_t)snprintf(a->detail + off, sizeof a->detail - off, "%s%s%s%s%s",
		    i ? ", " : "", r.anomalies[i].code, r.anomalies[i].field[0] ? " (" : "",
		    r.anomalies[i].field, r.anomalies[i].field[0] ? ")" : "");
	/* Informations are not anomalies; shown apart so an operator sees
	 * them (e.g. the student contingent) without reading a warning. */
	for (size_t i = 0; i < r.n_informations && off < sizeof a->detail; i++)
		off += (size_t)snprintf(a->detail + off, sizeof a->detail - off, "%s%s",
		    i ? ", " : off ? "; information " : "information ", r.informations[i].code);
	return GW_OK;
}

static long dc_poll_delay(void *ctx, long elapsed) { (void)ctx; return dimona_rest_poll_delay(elapsed); }

/* A CANCEL of a declaration that never took effect has nothing left to
 * undo: it ends cancelled; any other follow-up cannot be made (failed). */
enum queue_state
dimona_channel_dep_void(void *ctx, const struct queue_msg *m)
{
	(void)ctx;
	return dimona_action_of_kind(m->kind) == DIMONA_CANCEL ? QS_CANCELLED : QS_FAILED;
}

const struct channel_ops dimona_channel_ops = {
	.name = "dimona-rest",
	.build = dc_build,
	.lookup = dc_lookup,
	.submit = dc_submit,
	.poll = dc_poll,
	.poll_delay = dc_poll_delay,
	.dep_void = dimona_channel_dep_void,
};

/* One REST client per runner. */
gw_rc
dimona_channel_open(void **ctx, char *errbuf, size_t errcap)
{
	struct dimona_rest *c = NULL;
	gw_rc rc = dimona_rest_open(&c, errbuf, errcap);
	*ctx = c;
	return rc;
}

void dimona_channel_close(void *ctx) { dimona_rest_close(ctx); }
