/*
 * cmd/run_cmd.c - `gateway run`: the service loop over the queue.
 *
 * Owns the process side of running: options, signals (SIGTERM/SIGINT
 * finish the current step and exit cleanly), the choice of channel, the
 * final summary. The rest is service/run_channels.h: the run lock, start-up
 * recovery, one runner per channel stepped in one loop (Dimona REST, and
 * onss-batch when [onss_batch] sftp_url is configured, peppol-as4 when
 * [peppol_as4] endpoint_url is).
 */
#include "cmd/cmd.h"
#include "core/config.h"
#include "core/err.h"
#include "service/as4_channel.h"
#include "service/batch_channel.h"
#include "service/dimona_channel.h"
#include "service/needs.h"
#include "service/run_channels.h"
#include "core/log.h"
#include "queue/queue.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t run_stop, run_timed_out;

static void on_signal(int sig) { (void)sig; run_stop = 1; }
/* --max-time: the alarm stops the loop as a signal would, and says why. */
static void on_alarm(int sig) { (void)sig; run_timed_out = 1; run_stop = 1; }

/* "90s", "30m", "2h", "1d" (a bare number is seconds) into seconds; 0 when bad. */
static unsigned
parse_duration(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	unsigned long unit = *end == '\0' || strcmp(end, "s") == 0 ? 1 : strcmp(end, "m") == 0 ? 60
	    : strcmp(end, "h") == 0 ? 3600 : strcmp(end, "d") == 0 ? 86400 : 0;
	if (end == s || unit == 0 || v == 0 || v > 30UL * 86400 / unit)
		return 0;
	return (unsigned)(v * unit);
}

static void
run_usage(void)
{
	printf("usage: gateway run [--once | --until-idle] [--max-time DURATION]\n"
	    "                   [--channel dimona-rest|onss-batch|peppol-as4] [--worker NAME]\n\n"
	    "Runs the gateway over the queue ([queue] dsn, default var/queue.db): recovers\n"
	    "at start (half-built messages back to pending, sends with an unknown outcome\n"
	    "back to ready, to be looked up at the ONSS before any re-send), then builds,\n"
	    "sends, polls the answers, retries with capped exponential back-off and\n"
	    "jitter, and fails what expires. --once: one pass over what is due.\n"
	    "--until-idle: stop when nothing is left in flight or waiting (held and\n"
	    "final messages aside). SIGTERM or SIGINT: finish the current step, exit 0.\n"
	    "Serves the Dimona REST channel and, when [onss_batch] sftp_url is set, the\n"
	    "onss-batch channel (Dimona batches, DmfA submissions, their answers) in the\n"
	    "same loop, and, when [peppol_as4] endpoint_url is set, the peppol-as4\n"
	    "channel (invoices and credit notes, delivered on a verified receipt);\n"
	    "--channel limits it to one. --max-time (90s, 30m, 2h, 1d) stops it\n"
	    "after that long, at the end of a step (with --until-idle, a run that would\n"
	    "otherwise wait out the back-off while the ONSS is unreachable).\n"
	    "Several runs may serve one queue at once (processes, machines): each claims\n"
	    "under a lease ([queue] lease_ms) in its worker name (--worker, [queue] worker,\n"
	    "default host:pid; unique per queue), renews it, and takes over what a dead\n"
	    "worker leaves once its lease has expired (at once for a dead process of the\n"
	    "same host or a restart under the same name).\n"
	    "Exit: 0 done, nothing refused or failed; 1 something was refused or failed in\n"
	    "this run, or --max-time stopped it before it was idle (gateway list says what);\n"
	    "2 usage, configuration or queue error.\n\n"
	    "examples:\n  gateway run\n  gateway run --until-idle --max-time 30m || gateway list\n");
}

/* Options into o (the channels: both by default, onss-batch when
 * configured); -1 on a usage error (said). */
static int
run_opts(int argc, char **argv, struct run_channels_opts *o, unsigned *max_s)
{
	const char *channel = NULL;
	memset(o, 0, sizeof *o);
	*max_s = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--max-time") == 0 && i + 1 < argc) {
			if ((*max_s = parse_duration(argv[++i])) == 0) {
				fprintf(stderr, "gateway run: --max-time takes a duration such as 90s, 30m,"
				    " 2h or 1d (at most 30 days), not %s\n", argv[i]);
				return -1;
			}
		} else if (strcmp(argv[i], "--once") == 0)
			o->once = 1;
		else if (strcmp(argv[i], "--until-idle") == 0)
			o->until_idle = 1;
		else if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc)
			channel = argv[++i];
		else if (strcmp(argv[i], "--worker") == 0 && i + 1 < argc) {
			const char *w = argv[++i];
			if (w[0] == '\0' || strlen(w) > QUEUE_OWNER_MAX ||
			    config_set(gw_cfg, "queue.worker", w) != GW_OK) {
				fprintf(stderr, "gateway run: --worker takes a name of 1 to %d characters,"
				    " not \"%s\"\n", QUEUE_OWNER_MAX, w);
				return -1;
			}
		}
		else {
			fprintf(stderr, "gateway run: unknown or incomplete option %s\n", argv[i]);
			return -1;
		}
	}
	if (channel != NULL && strcmp(channel, dimona_channel_ops.name) != 0 &&
	    strcmp(channel, "onss-batch") != 0 && strcmp(channel, as4_channel_ops.name) != 0) {
		fprintf(stderr, "gateway run: channel %s is not served by this runner (dimona-rest,"
		    " onss-batch, peppol-as4)\n", channel);
		return -1;
	}
	o->rest = channel == NULL || strcmp(channel, dimona_channel_ops.name) == 0;
	o->batch = (channel == NULL && batch_channel_configured()) ||
	    (channel != NULL && strcmp(channel, "onss-batch") == 0);
	o->as4 = (channel == NULL && as4_channel_configured()) ||
	    (channel != NULL && strcmp(channel, as4_channel_ops.name) == 0);
	o->exclusive = 1;
	o->stop = &run_stop;
	return 0;
}

/* Batch messages that this run will not send because no SFTP is
 * configured: said at the start (and logged), never skipped silently. */
static void
run_say_unsendable(void)
{
	struct queue *q = NULL;
	char err[512], line[256];
	uint64_t n = 0;
	if (queue_open_configured(&q, err, sizeof err) != GW_OK)
		return;                 /* run_channels says why */
	if (needs_batch_unsendable(q, &n) == GW_OK && needs_batch_unsendable_line(n, line, sizeof line)) {
		printf("%s\n", line);
		fflush(stdout);
		log_warn(NULL, "onss-batch", "%s", line);
	}
	q->ops->close(q);
}

/* The summary lines of what ran. */
static void
run_summary(const struct run_channels_result *r)
{
	if (r->have_batch) {
		const struct batch_channel_counts *bn = &r->bn;
		const struct runner_counts *c = &r->batch;
		printf("onss-batch: %zu answer polls, %zu declarations sent, %zu DmfA submissions, %zu"
		    " answers fetched, %zu applied (%zu messages moved), %zu unmatched; %lu found by"
		    " lookup (not re-sent), %lu failed (%lu expired), %lu retries\n", bn->polls,
		    bn->declarations, bn->dmfa, bn->fetched, bn->applied, bn->moved, bn->unmatched,
		    c->found_by_lookup, c->failed, c->expired, c->retried);
	}
	if (r->have_as4) {
		const struct as4_channel_counts *an = &r->an;
		const struct runner_counts *c = &r->as4;
		printf("peppol-as4: %lu sent, %lu delivered (receipt verified), %lu refused by the"
		    " receiver, %lu failed (%lu expired), %lu retries, %lu found by re-send; %lu"
		    " POSTs, %lu receipts verified, %lu error signals, %lu invalid answers, %lu"
		    " unreachable\n", c->sent, c->accepted, c->refused, c->failed, c->expired,
		    c->retried, c->found_by_lookup, an->posts, an->receipts_verified,
		    an->error_signals, an->bad_receipts, an->unreachable);
	}
	if (!r->have_rest)
		return;
	const struct runner_counts *n = &r->rest;
	printf("run: %lu built, %lu sent, %lu found by lookup (not re-sent), %lu accepted,"
	    " %lu with warnings, %lu refused, %lu failed (%lu expired), %lu retries;"
	    " recovered %lu half-built, %lu unknown sends%s\n", n->built, n->sent,
	    n->found_by_lookup, n->accepted, n->warnings, n->refused, n->failed, n->expired,
	    n->retried, n->recovered_building, n->recovered_sending,
	    run_timed_out ? " (stopped: --max-time reached)" : run_stop ? " (stopped by signal)" : "");
}

/* 1 when something was refused or failed in this run, or the time limit
 * stopped it: the operator has something to look at. */
static int
run_exit_code(const struct run_channels_result *r, int until_idle)
{
	unsigned long bad = (r->have_rest ? r->rest.refused + r->rest.failed : 0) +
	    (r->have_batch ? r->batch.failed : 0) +
	    (r->have_as4 ? r->as4.refused + r->as4.failed : 0);
	return bad > 0 || (run_timed_out && until_idle) ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

int
cmd_run(int argc, char **argv)
{
	struct run_channels_opts o;
	struct run_channels_result r;
	struct sigaction sa;
	unsigned max_s;

	if (cmd_wants_help(argc, argv)) {
		run_usage();
		return GW_EXIT_OK;
	}
	if (run_opts(argc, argv, &o, &max_s) != 0)
		return GW_EXIT_USAGE;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (max_s > 0) {
		sa.sa_handler = on_alarm;
		sigaction(SIGALRM, &sa, NULL);
		alarm(max_s);
	}
	if (!o.batch)
		run_say_unsendable();
	if (run_channels(&o, &r) != GW_OK) {
		fprintf(stderr, "gateway run: %s\n", r.err);
		return GW_EXIT_USAGE;
	}
	alarm(0);
	run_summary(&r);
	return run_exit_code(&r, o.until_idle);
}
