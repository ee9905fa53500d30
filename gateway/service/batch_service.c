/*
 * service/batch_service.c - the onss-batch channel in the daemon
 * (batch_service.h).
 *
 * Owns the pacing: a cycle runs when the poll interval has passed, or at
 * once while the channel has pending work; a cycle that moved something is
 * followed by another without waiting (answers often follow a send within
 * a second). Never sends outside batch_cycle.
 */
#include "service/batch_service.h"
#include "core/params.h"
#include "core/config.h"
#include "core/log.h"
#include "crypto/signer.h"
#include "onss/batch/send.h"
#include "onss/batch/sftp.h"
#include "core/clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct batch_service {
	struct batch_send_opts o;
	struct batch_sftp sftp;
	struct gw_signer *signer;
	int64_t interval_ms, next_ms;
	struct batch_service_counts n;
};

int
batch_service_configured(void)
{
	const char *u = param_str(P_BATCH_SFTP_URL);
	return u != NULL && u[0] != '\0';
}

gw_rc
batch_service_open(struct batch_service **out, char *errbuf, size_t errcap)
{
	struct batch_service *b = calloc(1, sizeof *b);
	const char *env = param_str(P_BATCH_ENV);
	gw_rc rc;

	*out = NULL;
	if (b == NULL)
		return GW_ENOMEM;
	b->o.sender = param_str(P_BATCH_SENDER);
	b->o.outbox = param_str(P_BATCH_OUTBOX);
	b->o.answers = param_str(P_BATCH_ANSWERS);
	b->interval_ms = param_int(P_BATCH_POLL_INTERVAL_MS);
	if (b->o.outbox == NULL || b->o.answers == NULL || strlen(env) != 1 ||
	    strchr("RTS", env[0]) == NULL || b->interval_ms < 10) {
		snprintf(errbuf, errcap, "[onss_batch] outbox, answers, env (R, T or S) and"
		    " poll_interval_ms (>= 10) are needed to serve the onss-batch channel");
		free(b);
		return GW_ECONFIG;
	}
	b->o.env = env[0];
	if (b->o.env != 'S' && (rc = signer_from_config(&b->signer, NULL, NULL, errbuf, errcap)) != GW_OK) {
		free(b);
		return rc;
	}
	b->o.signer = b->signer;
	if ((rc = batch_sftp_from_config(&b->sftp, errbuf, errcap)) != GW_OK) {
		batch_service_close(b);
		return rc;
	}
	b->o.sftp = &b->sftp;
	*out = b;
	return GW_OK;
}

void
batch_service_close(struct batch_service *b)
{
	if (b == NULL)
		return;
	signer_free(b->signer);
	free(b);
}

size_t
batch_service_open_count(struct queue *q)
{
	struct queue_stats st;
	if (q->ops->stats(q, "onss-batch", &st) != GW_OK)
		return 1;
	return (size_t)(st.count[QS_PENDING] + st.count[QS_BUILDING] + st.count[QS_READY] +
	    st.count[QS_SENDING] + st.count[QS_SENT]);
}

/* Whether pending or ready messages of the channel are due. */
static int
work_waiting(struct queue *q, int64_t now_ms)
{
	struct queue_stats st;
	if (q->ops->stats(q, "onss-batch", &st) != GW_OK)
		return 0;
	return (st.count[QS_PENDING] && st.next_attempt_ms <= now_ms) || st.count[QS_READY];
}

gw_rc
batch_service_step(struct batch_service *b, struct queue *q, int64_t now_ms, size_t *did)
{
	struct batch_cycle_result r;
	*did = 0;
	if (now_ms < b->next_ms && !work_waiting(q, now_ms))
		return GW_OK;
	struct clock_wall w;
	clock_brussels(now_ms, &w);
	b->o.today = w.day;
	b->o.now_min = w.minutes;
	gw_rc rc = batch_cycle(q, &b->o, &r);
	b->n.cycles++;
	b->n.declarations += r.send.in_file;
	b->n.dmfa += r.send.dmfa;
	b->n.fetched += r.fetched;
	b->n.applied += r.applied;
	b->n.unmatched += r.unmatched;
	b->n.moved += r.moved;
	*did = r.send.in_file + r.send.dmfa + r.send.failed + r.fetched + r.moved;
	if (*did)
		log_info(NULL, r.send.fi_name[0] ? r.send.fi_name : NULL, "onss-batch: %zu declaration(s)"
		    " sent, %zu DmfA, %zu answer(s) fetched, %zu applied (%zu messages moved)",
		    r.send.in_file, r.send.dmfa, r.fetched, r.applied, r.moved);
	b->next_ms = now_ms + b->interval_ms;
	return rc;
}

int64_t
batch_service_wait_ms(const struct batch_service *b, int64_t now_ms)
{
	return b->next_ms > now_ms ? b->next_ms - now_ms : 0;
}

const struct batch_service_counts *
batch_service_counts(const struct batch_service *b)
{
	return &b->n;
}
