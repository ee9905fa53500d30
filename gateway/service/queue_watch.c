/*
 * queue_watch.c - the cause of the queue's temporary failures, logged
 * (queue_watch.h).
 *
 * Owns a copy of the watched backend's operations table whose write
 * operations call the backend's and look at the result; everything else
 * passes through untouched (an operation added to the table later is
 * simply not watched). Never retries or changes a result: the runner's
 * back-off does the waiting.
 */
#include "service/queue_watch.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/params.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#define WATCH_REPEAT_MS 60000   /* one line a minute while it lasts */
#define WATCH_FULL_KB   1024    /* below this much free space, the disk is full */
#define WATCH_STRANDED  1024    /* sends whose outcome could not be stored, kept */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static const struct queue_ops *orig;
static struct queue_ops watched;
static char dsn[1024];
static int64_t since_ms, said_ms;      /* the episode's start and last line; 0: none */
static unsigned long refused;
/* Messages this process took into sending whose next move (sent, ready,
 * failed) the queue refused: they would stay "sending" until the next
 * start-up recovery. Released to ready (looked up before any re-send) as
 * soon as the queue takes writes again. */
static char stranded[WATCH_STRANDED][QUEUE_ID_MAX + 1];
static size_t nstranded;
static char stranded_cause[1400];

void
queue_watch_cause(const char *path, char *out, size_t cap)
{
	struct statvfs sv;
	char dir[1024];
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof dir, "%.*s", slash == NULL ? 1 : slash == path ? 1 : (int)(slash - path),
	    slash == NULL ? "." : path);
	int64_t min_mb = param_int(P_QUEUE_MIN_FREE_MB);
	unsigned long long need_kb = min_mb > 1 ? (unsigned long long)min_mb * 1024ull : WATCH_FULL_KB;
	if (statvfs(dir, &sv) == 0) {
		unsigned long long kb = (unsigned long long)sv.f_bavail * sv.f_frsize / 1024ull;
		if (kb < need_kb) {
			snprintf(out, cap, "disk full: %llu kB free in %s (the queue needs room to"
			    " write; free some)", kb, dir);
			return;
		}
	}
	snprintf(out, cap, "database is locked: another process held the write lock of %s longer"
	    " than [queue] busy_timeout_ms (%lld ms)", path,
	    (long long)param_int(P_QUEUE_BUSY_TIMEOUT_MS));
}

/* Sends stranded in "sending" back to ready, now that the queue writes
 * again: the runner looks each up at the other side before any re-send
 * (its attempt count says one may have landed). Called with mu held. */
static void
release_stranded(struct queue *q)
{
	char why[1600];
	snprintf(why, sizeof why, "the outcome of its send could not be stored (%s); back to"
	    " ready, looked up before any re-send", stranded_cause);
	for (size_t i = 0; i < nstranded; i++) {
		struct queue_move mv = { .id = stranded[i], .from = QS_SENDING, .to = QS_READY,
		    .why = why };
		gw_rc rc = orig->move_many(q, &mv, 1, "runner", NULL);
		if (rc == GW_OK && mv.rc == GW_OK)
			log_warn(stranded[i], NULL, "%s", why);
	}
	nstranded = 0;
}

/* Look at one write's result: start, repeat or end an episode. */
static gw_rc
seen(gw_rc rc)
{
	char cause[1400];
	int64_t now = clock_now_ms();
	pthread_mutex_lock(&mu);
	if (rc == GW_ETEMP) {
		refused++;
		if (since_ms == 0 || now - said_ms >= WATCH_REPEAT_MS) {
			queue_watch_cause(dsn, cause, sizeof cause);
			log_warn(NULL, "queue", "%s %s; messages wait and are tried again (%lu write%s"
			    " refused)", since_ms == 0 ? "the queue refuses writes:" : "still:", cause,
			    refused, refused == 1 ? "" : "s");
			if (since_ms == 0)
				since_ms = now;
			said_ms = now;
		}
	} else if (rc == GW_OK && since_ms != 0) {
		log_info(NULL, "queue", "the queue takes writes again after %lld s (%lu write%s"
		    " refused meanwhile)", (long long)((now - since_ms) / 1000), refused,
		    refused == 1 ? "" : "s");
		since_ms = said_ms = 0;
		refused = 0;
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

/* The same for a move_many, noting the moves out of sending it lost. */
static gw_rc
seen_moves(struct queue *q, const struct queue_move *mv, size_t n, gw_rc rc)
{
	pthread_mutex_lock(&mu);
	if (rc == GW_ETEMP) {
		for (size_t i = 0; i < n; i++) {
			int known = 0;
			if (mv[i].from != QS_SENDING || mv[i].to == QS_SENDING)
				continue;
			for (size_t k = 0; k < nstranded && !known; k++)
				known = strcmp(stranded[k], mv[i].id) == 0;
			if (!known && nstranded < WATCH_STRANDED)
				snprintf(stranded[nstranded++], sizeof stranded[0], "%s", mv[i].id);
		}
		queue_watch_cause(dsn, stranded_cause, sizeof stranded_cause);
	} else if (rc == GW_OK && nstranded > 0) {
		release_stranded(q);
	}
	pthread_mutex_unlock(&mu);
	return seen(rc);
}

static gw_rc
w_enqueue_each(struct queue *q, struct queue_msg *msgs, size_t n, unsigned char *dup)
{
	return seen(orig->enqueue_each(q, msgs, n, dup));
}

static gw_rc
w_claim(struct queue *q, const char *channel, enum queue_state from, enum queue_state to,
        const char *owner, int64_t lease_ms, int64_t now_ms, size_t max, struct queue_msg *out,
        size_t *n)
{
	gw_rc rc = orig->claim(q, channel, from, to, owner, lease_ms, now_ms, max, out, n);
	/* from == to only reads (under the write lock, though): its failure
	 * is one, its success says nothing of whether the queue can write. */
	return from == to && rc == GW_OK ? rc : seen(rc);
}

static gw_rc
w_move_many(struct queue *q, struct queue_move *mv, size_t n, const char *actor, size_t *n_done)
{
	return seen_moves(q, mv, n, orig->move_many(q, mv, n, actor, n_done));
}

static gw_rc
w_recover(struct queue *q, const char *actor, const char *dead_owner, int64_t now_ms,
          size_t *n_building, size_t *n_sending)
{
	return seen(orig->recover(q, actor, dead_owner, now_ms, n_building, n_sending));
}

static gw_rc
w_next_seq(struct queue *q, const char *name, uint64_t *out)
{
	return seen(orig->next_seq(q, name, out));
}

gw_rc
queue_watch(struct queue *q, const char *path)
{
	/* The record store finds its backend's connection by the queue's
	 * operations table: attached first, while that is still the
	 * backend's own (it stays attached until q is closed). */
	struct store *st;
	gw_rc rc = store_of(q, &st);
	if (rc != GW_OK && rc != GW_ECONFIG)
		return rc;
	pthread_mutex_lock(&mu);
	if (orig != NULL && orig != q->ops && q->ops != &watched) {
		pthread_mutex_unlock(&mu);
		return GW_ESTATE;
	}
	if (orig == NULL) {
		orig = q->ops;
		watched = *orig;
		watched.enqueue_each = w_enqueue_each;
		watched.claim = w_claim;
		watched.move_many = w_move_many;
		watched.recover = w_recover;
		watched.next_seq = w_next_seq;
	}
	snprintf(dsn, sizeof dsn, "%s", path);
	q->ops = &watched;
	pthread_mutex_unlock(&mu);
	return GW_OK;
}
