/*
 * cmd/run_cmd.c - `gateway run`: the service loop over the queue.
 *
 * Owns the process side of running: signals (SIGTERM/SIGINT finish the
 * current step and exit cleanly), the choice of channel, start-up
 * recovery, the final summary. The scheduling itself is service/runner.c
 * (Dimona REST) and service/batch_service.c (onss-batch, served in the same
 * loop when [onss_batch] sftp_url is configured).
 */
#include "cmd/cmd.h"
#include "core/params.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "queue/queue.h"
#include "service/batch_service.h"
#include "service/dimona_channel.h"
#include "service/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t run_stop;

static void on_signal(int sig) { (void)sig; run_stop = 1; }

/* Sleep ms, waking early on a signal. */
static void
run_sleep(int64_t ms)
{
	while (ms > 0 && !run_stop) {
		int64_t step = ms > 100 ? 100 : ms;
		struct timespec ts = { (time_t)(step / 1000), (long)(step % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* Whether the Dimona REST channel has nothing to do now nor an answer due
 * within the horizon (the rule of runner_loop's --until-idle). */
static int
rest_idle(struct queue *q, int64_t now, int64_t horizon_ms)
{
	struct queue_stats st;
	if (q->ops->stats(q, dimona_channel_ops.name, &st) != GW_OK)
		return 0;
	uint64_t active = st.count[QS_PENDING] + st.count[QS_BUILDING] + st.count[QS_READY] +
	    st.count[QS_SENDING];
	return active == 0 && (st.count[QS_SENT] == 0 || st.next_attempt_ms - now > horizon_ms);
}

/* Both channels in one loop: a runner step (when r), a batch turn when due. */
static gw_rc
run_both(struct runner *r, struct batch_service *b, struct queue *q, int once, int until_idle,
         const struct runner_config *cfg)
{
	while (!run_stop) {
		size_t did = 0, bdid = 0;
		int64_t now = queue_now_ms();
		gw_rc rc = r ? runner_step(r, now, &did) : GW_OK;
		if (rc != GW_OK && rc != GW_ETEMP)
			return rc;
		gw_rc brc = batch_service_step(b, q, now, &bdid);
		if (brc != GW_OK && brc != GW_ETEMP)
			return brc;
		if (once)
			return rc != GW_OK ? rc : brc;
		if (did || bdid)
			continue;
		if (until_idle && (r == NULL || rest_idle(q, now, cfg->idle_horizon_ms)) &&
		    batch_service_open_count(q) == 0)
			break;
		int64_t wait = batch_service_wait_ms(b, queue_now_ms());
		if (r != NULL && wait > cfg->idle_sleep_ms)
			wait = cfg->idle_sleep_ms;
		run_sleep(wait < 5 ? 5 : wait);
	}
	return GW_OK;
}

/* One runner per queue: start-up recovery moves every "sending" message
 * back to ready, which is only safe when no other runner is sending them.
 * An exclusive lock on a file beside the queue ([run] lock_file); the
 * kernel drops it when the process dies, even by SIGKILL. */
static int
run_lock(char *path, size_t cap)
{
	const char *lf = param_str(P_RUN_LOCK_FILE);
	if (lf != NULL)
		snprintf(path, cap, "%s", lf);
	else
		snprintf(path, cap, "%s.run.lock", param_str(P_QUEUE_DSN));
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -2;
	}
	return fd;
}

int
cmd_run(int argc, char **argv)
{
	int once = 0, until_idle = 0;
	const char *channel = NULL;      /* both: Dimona REST, and onss-batch when configured */
	if (cmd_wants_help(argc, argv)) {
		printf("usage: gateway run [--once | --until-idle] [--channel dimona-rest|onss-batch]\n\n"
		    "Runs the gateway over the queue ([queue] dsn, default var/queue.db): recovers\n"
		    "at start (half-built messages back to pending, sends with an unknown outcome\n"
		    "back to ready, to be looked up at the ONSS before any re-send), then builds,\n"
		    "sends, polls the answers, retries with capped exponential back-off and\n"
		    "jitter, and fails what expires. --once: one pass over what is due.\n"
		    "--until-idle: stop when nothing is left in flight or waiting (held and\n"
		    "final messages aside). SIGTERM or SIGINT: finish the current step, exit 0.\n"
		    "Serves the Dimona REST channel and, when [onss_batch] sftp_url is set, the\n"
		    "onss-batch channel (Dimona batches, DmfA submissions, their answers) in the\n"
		    "same loop; --channel limits it to one.\n");
		return GW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--until-idle") == 0)
			until_idle = 1;
		else if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc)
			channel = argv[++i];
		else {
			fprintf(stderr, "gateway run: unknown or incomplete option %s\n", argv[i]);
			return GW_EXIT_USAGE;
		}
	}
	if (channel != NULL && strcmp(channel, dimona_channel_ops.name) != 0 &&
	    strcmp(channel, "onss-batch") != 0) {
		fprintf(stderr, "gateway run: channel %s is not served by this runner (dimona-rest,"
		    " onss-batch)\n", channel);
		return GW_EXIT_USAGE;
	}
	int serve_rest = channel == NULL || strcmp(channel, dimona_channel_ops.name) == 0;
	int serve_batch = (channel == NULL && batch_service_configured()) ||
	    (channel != NULL && strcmp(channel, "onss-batch") == 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct queue *q = NULL;
	void *ctx = NULL;
	struct runner *r = NULL;
	struct batch_service *bs = NULL;
	char err[512], lockpath[1100];
	int code = GW_EXIT_USAGE;
	gw_rc rc;
	int lockfd = run_lock(lockpath, sizeof lockpath);
	if (lockfd == -2) {
		fprintf(stderr, "gateway run: another gateway run is serving this queue (%s is"
		    " locked)\n", lockpath);
		return GW_EXIT_USAGE;
	}
	if (lockfd < 0) {
		fprintf(stderr, "gateway run: cannot open %s: %s\n", lockpath, strerror(errno));
		return GW_EXIT_USAGE;
	}
	if ((rc = queue_open_configured(&q, err, sizeof err)) != GW_OK) {
		fprintf(stderr, "gateway run: %s\n", err);
		goto out;
	}
	struct runner_config rcfg;
	runner_config_default(&rcfg);
	if (serve_batch && (rc = batch_service_open(&bs, err, sizeof err)) != GW_OK) {
		fprintf(stderr, "gateway run: onss-batch: %s\n", err);
		goto out;
	}
	if (serve_rest) {
		if ((rc = dimona_channel_open(&ctx, err, sizeof err)) != GW_OK) {
			fprintf(stderr, "gateway run: Dimona REST client: %s\n", err);
			goto out;
		}
		if ((rc = runner_new(&r, q, &dimona_channel_ops, ctx, &rcfg)) != GW_OK ||
		    (rc = runner_recover(r, queue_now_ms())) != GW_OK) {
			fprintf(stderr, "gateway run: cannot start: %s\n", gw_rc_name(rc));
			goto out;
		}
	} else {
		/* The queue-wide start-up recovery the runner does otherwise; a
		 * send left unknown waits in ready, and the batch channel asks
		 * the ONSS before uploading it again. */
		size_t nb = 0, ns = 0;
		if ((rc = q->ops->recover(q, "runner", queue_now_ms(), &nb, &ns)) != GW_OK) {
			fprintf(stderr, "gateway run: cannot start: %s\n", gw_rc_name(rc));
			goto out;
		}
	}
	log_info(NULL, NULL, "running %s%s on queue %s%s", serve_rest ? "dimona-rest" : "",
	    serve_batch ? (serve_rest ? " and onss-batch" : "onss-batch") : "",
	    param_str(P_QUEUE_DSN),
	    once ? " (one pass)" : until_idle ? " (until idle)" : "");
	if (bs != NULL) {
		rc = run_both(r, bs, q, once, until_idle, &rcfg);
	} else if (once) {
		size_t did = 0;
		rc = runner_step(r, queue_now_ms(), &did);
	} else {
		rc = runner_loop(r, until_idle, &run_stop);
	}
	if (rc != GW_OK && rc != GW_ETEMP) {
		fprintf(stderr, "gateway run: stopped on %s\n", gw_rc_name(rc));
		goto out;
	}
	if (bs != NULL) {
		const struct batch_service_counts *bn = batch_service_counts(bs);
		printf("onss-batch: %zu cycles, %zu declarations sent, %zu DmfA submissions, %zu answers"
		    " fetched, %zu applied (%zu messages moved), %zu unmatched\n", bn->cycles,
		    bn->declarations, bn->dmfa, bn->fetched, bn->applied, bn->moved, bn->unmatched);
	}
	if (r == NULL) {
		code = GW_EXIT_OK;
		goto out;
	}
	const struct runner_counts *n = runner_counts(r);
	printf("run: %lu built, %lu sent, %lu found by lookup (not re-sent), %lu accepted,"
	    " %lu with warnings, %lu refused, %lu failed (%lu expired), %lu retries;"
	    " recovered %lu half-built, %lu unknown sends%s\n", n->built, n->sent,
	    n->found_by_lookup, n->accepted, n->warnings, n->refused, n->failed, n->expired,
	    n->retried, n->recovered_building, n->recovered_sending,
	    run_stop ? " (stopped by signal)" : "");
	code = GW_EXIT_OK;
out:
	batch_service_close(bs);
	runner_free(r);
	if (ctx != NULL)
		dimona_channel_close(ctx);
	if (q != NULL)
		q->ops->close(q);
	close(lockfd);
	return code;
}
