/*
 * cmd/run_cmd.c - `gateway run`: the service loop over the queue.
 *
 * Owns the process side of running: signals (SIGTERM/SIGINT finish the
 * current step and exit cleanly), the choice of channel, start-up
 * recovery, the final summary. The scheduling itself is service/runner.c,
 * one runner per channel stepped in one loop: Dimona REST
 * (service/dimona_channel.c) and onss-batch (service/batch_channel.c, when
 * [onss_batch] sftp_url is configured).
 */
#include "cmd/cmd.h"
#include "core/params.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "queue/queue.h"
#include "service/batch_channel.h"
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
	int serve_batch = (channel == NULL && batch_channel_configured()) ||
	    (channel != NULL && strcmp(channel, "onss-batch") == 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct queue *q = NULL;
	void *ctx = NULL, *bctx = NULL;
	struct runner *r = NULL, *rb = NULL, *rs[2];
	size_t nr = 0;
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
	if (serve_batch) {
		struct batch_channel_opts bo;
		memset(&bo, 0, sizeof bo);
		if ((rc = batch_channel_open(&bctx, &bo, err, sizeof err)) != GW_OK) {
			fprintf(stderr, "gateway run: onss-batch: %s\n", err);
			goto out;
		}
		if ((rc = runner_new(&rb, q, &batch_channel_ops, bctx, &rcfg)) != GW_OK) {
			fprintf(stderr, "gateway run: cannot start: %s\n", gw_rc_name(rc));
			goto out;
		}
	}
	if (serve_rest) {
		if ((rc = dimona_channel_open(&ctx, err, sizeof err)) != GW_OK) {
			fprintf(stderr, "gateway run: Dimona REST client: %s\n", err);
			goto out;
		}
		if ((rc = runner_new(&r, q, &dimona_channel_ops, ctx, &rcfg)) != GW_OK) {
			fprintf(stderr, "gateway run: cannot start: %s\n", gw_rc_name(rc));
			goto out;
		}
		rs[nr++] = r;
	}
	if (rb != NULL)
		rs[nr++] = rb;
	/* The queue-wide start-up recovery, once: a send left unknown waits
	 * in ready and is looked up before any re-send, on every channel. */
	if ((rc = runner_recover(rs[0], queue_now_ms())) != GW_OK) {
		fprintf(stderr, "gateway run: cannot start: %s\n", gw_rc_name(rc));
		goto out;
	}
	log_info(NULL, NULL, "running %s%s on queue %s%s", serve_rest ? "dimona-rest" : "",
	    serve_batch ? (serve_rest ? " and onss-batch" : "onss-batch") : "",
	    param_str(P_QUEUE_DSN),
	    once ? " (one pass)" : until_idle ? " (until idle)" : "");
	if (once) {
		rc = GW_OK;
		for (size_t i = 0; i < nr && (rc == GW_OK || rc == GW_ETEMP); i++) {
			size_t did = 0;
			rc = runner_step(rs[i], queue_now_ms(), &did);
		}
	} else {
		rc = runner_loop_all(rs, nr, until_idle, &run_stop);
	}
	if (rc != GW_OK && rc != GW_ETEMP) {
		fprintf(stderr, "gateway run: stopped on %s\n", gw_rc_name(rc));
		goto out;
	}
	if (rb != NULL) {
		const struct batch_channel_counts *bn = batch_channel_counts(bctx);
		const struct runner_counts *c = runner_counts(rb);
		printf("onss-batch: %zu answer polls, %zu declarations sent, %zu DmfA submissions, %zu"
		    " answers fetched, %zu applied (%zu messages moved), %zu unmatched; %lu found by"
		    " lookup (not re-sent), %lu failed (%lu expired), %lu retries\n", bn->polls,
		    bn->declarations, bn->dmfa, bn->fetched, bn->applied, bn->moved, bn->unmatched,
		    c->found_by_lookup, c->failed, c->expired, c->retried);
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
	runner_free(rb);
	batch_channel_close(bctx);
	runner_free(r);
	if (ctx != NULL)
		dimona_channel_close(ctx);
	if (q != NULL)
		q->ops->close(q);
	close(lockfd);
	return code;
}
