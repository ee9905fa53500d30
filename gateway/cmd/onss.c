/*
 * onss.c - `gateway onss`: the ONSS batch channel by hand.
 *
 * show-answer prints an answer file as JSON (spec/cli.md; exit 0 read, 2
 * not an answer this program can read); wrap, upload and poll move files
 * between a folder and the SFTP server; apply, send and run act on the
 * queue, each through one service function (batch_apply.h, batch_send.h,
 * run_channels.h). Owns option parsing and what is printed; moves no message
 * itself.
 */
#include "cmd/cmd.h"
#include "core/params.h"
#include "core/err.h"
#include "core/config.h"
#include "crypto/signer.h"
#include "onss/batch/answer.h"
#include "service/batch_apply.h"
#include "service/batch_send.h"
#include "onss/batch/sftp.h"
#include "onss/batch/submission.h"
#include "onss/codelist.h"
#include "service/batch_channel.h"
#include "service/run_channels.h"
#include "core/clock.h"
#include "core/dirs.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
usage(FILE *out)
{
	fprintf(out, "usage: gateway onss show-answer [--no-schema] FILE\n"
	    "       gateway onss wrap --purpose DIMN|DMFA|DMWA --xml FILE --out DIR [--sender N]\n"
	    "                         [--env R|T|S] [--sign-cert PEM --sign-key PEM]\n"
	    "       gateway onss upload --dir DIR FI_NAME...\n"
	    "       gateway onss poll --env R|T|S --dir DIR\n"
	    "       gateway onss apply --dir DIR\n"
	    "       gateway onss send --outbox DIR [--env R|T|S] [--sender N] [--max N]\n"
	    "                         [--no-upload] [--sign-cert PEM --sign-key PEM]\n"
	    "       gateway onss run [--once | --until-idle] [--outbox DIR] [--answers DIR] [--env R|T|S]\n"
	    "                        [--interval-ms N] [--sign-cert PEM --sign-key PEM]\n"
	    "  Prints an ONSS answer file (ACRF, NOTIFICATION, DmfAPID, IDFLUX) as one JSON\n"
	    "  object: kind, file_name, ticket, result_code, errors/anomalies with their\n"
	    "  annex 30 labels, permanent ids (DmfAPID), outdated and valid identifiers (IDFLUX).\n"
	    "  --no-schema  skip the XSD check (the file is still parsed strictly)\n"
	    "  Exit: 0 read, 2 not an ONSS answer it can read.\n"
	    "wrap: an existing declaration XML as one signed submission (FI/FS/GO) in DIR,\n"
	    "  with the next offline sequence number of DIR.\n"
	    "upload: send submissions of DIR over SFTP ([onss_batch] sftp_*): FI, FS, GO last.\n"
	    "poll: download every answer waiting in the environment's OUT folder into DIR,\n"
	    "  durably, removing each from the server once stored.\n"
	    "apply: match every answer in DIR to its queue messages (file name, ticket,\n"
	    "  the declaration's own reference) and apply it: refusals and results move\n"
	    "  the messages with the reason (see gateway show); answers go to DIR/applied,\n"
	    "  or DIR/unmatched when nothing matched (listed on stderr, exit 1).\n"
	    "send: pending onss-batch messages of the queue into one signed Dimona batch\n"
	    "  (sequence number from the queue, FI name recorded on each message first),\n"
	    "  written to DIR and uploaded (--no-upload: left ready; a later send or run\n"
	    "  uploads it).\n"
	    "run: the onss-batch channel alone under the service's runner (as in gateway\n"
	    "  run): build, send, fetch and apply answers every --interval-ms ([onss_batch]\n"
	    "  poll_interval_ms, 60000), retry with back-off, expire, look up before any re-send;\n"
	    "  --until-idle stops when no batch message awaits anything.\n\n"
	    "examples:\n  gateway onss show-answer FO.NOTI.012996.20261125.00001.T.1\n"
	    "  gateway onss poll --env T --dir var/answers && gateway onss apply --dir var/answers\n");
}

/* show-answer: parse, validate, print. */
static int
show_answer(int argc, char **argv)
{
	const char *file = NULL;
	int flags = 0;
	char err[512];
	struct onss_answer *a = NULL;
	char *json = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-schema") == 0)
			flags |= ONSS_ANSWER_NO_XSD;
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "gateway onss show-answer: unknown option %s\n", argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		} else if (file == NULL)
			file = argv[i];
		else {
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (file == NULL) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	gw_rc rc = onss_answer_parse_file(file, flags | ONSS_ANSWER_INSPECT, &a, err, sizeof err);
	if (rc != GW_OK) {
		/* An I/O error already names the file. */
		if (rc == GW_EIO)
			fprintf(stderr, "gateway onss show-answer: %s\n", err);
		else
			fprintf(stderr, "%s: %s\n", file, err);
		return GW_EXIT_USAGE;
	}
	if (onss_answer_to_json(a, &json) != GW_OK) {
		onss_answer_free(a);
		fprintf(stderr, "%s: out of memory\n", file);
		return GW_EXIT_USAGE;
	}
	printf("%s\n", json);
	free(json);
	onss_answer_free(a);
	onss_codelist_free();
	return fflush(stdout) == 0 ? GW_EXIT_OK : GW_EXIT_USAGE;
}

/* Value of option i, or NULL (and a message) when it is missing. */
static const char *
optval(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "gateway onss: %s needs a value\n", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

/* wrap: stream an XML file into a new submission. */
static int
wrap(int argc, char **argv)
{
	const char *purpose = NULL, *xml = NULL, *out = NULL, *cert = NULL, *key = NULL;
	const char *sender = param_str(P_ONSS_SENDER);
	const char *env = param_str(P_BATCH_ENV);
	char err[512], fi[128];
	struct gw_signer *signer = NULL;
	struct batch_writer *w = NULL;
	struct batch_name n;
	int rc = GW_EXIT_USAGE;
	FILE *in = NULL;

	for (int i = 1; i < argc; i++) {
		const char **slot = strcmp(argv[i], "--purpose") == 0 ? &purpose
		    : strcmp(argv[i], "--xml") == 0 ? &xml : strcmp(argv[i], "--out") == 0 ? &out
		    : strcmp(argv[i], "--sender") == 0 ? &sender : strcmp(argv[i], "--env") == 0 ? &env
		    : strcmp(argv[i], "--sign-cert") == 0 ? &cert : strcmp(argv[i], "--sign-key") == 0 ? &key
		    : NULL;
		if (slot == NULL || (*slot = optval(argc, argv, &i)) == NULL) {
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (purpose == NULL || xml == NULL || out == NULL || strlen(env) != 1 || strlen(purpose) != 4 ||
	    strlen(sender) >= sizeof n.sender) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	memset(&n, 0, sizeof n);
	memcpy(n.purpose, purpose, 5);
	snprintf(n.sender, sizeof n.sender, "%s", sender);
	n.env = env[0];
	n.date = clock_brussels_today();
	if (n.env != 'S' && signer_from_config(&signer, cert, key, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway onss wrap: %s\n", err);
		return GW_EXIT_USAGE;
	}
	if ((in = fopen(xml, "rb")) == NULL) {
		fprintf(stderr, "gateway onss wrap: %s: %s\n", xml, strerror(errno));
		goto out;
	}
	if (dir_ensure(out, 0750, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway onss wrap: --out %s\n", err);
		goto out;
	}
	if (batch_seq_next_offline(out, &n.seq) != GW_OK ||
	    batch_writer_open(&w, out, &n) != GW_OK) {
		fprintf(stderr, "gateway onss wrap: cannot write a submission into %s\n", out);
		goto out;
	}
	char buf[65536];
	size_t r;
	while ((r = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, r, batch_writer_file(w)) != r)
			break;
	if (ferror(in) || r > 0) {
		batch_writer_abort(w);
		fprintf(stderr, "gateway onss wrap: copying %s failed\n", xml);
		goto out;
	}
	gw_rc wrc = batch_writer_commit(w, signer, fi, sizeof fi);
	if (wrc != GW_OK) {
		fprintf(stderr, "gateway onss wrap: %s\n", gw_rc_name(wrc));
		goto out;
	}
	printf("%s\n", fi);
	rc = GW_EXIT_OK;
out:
	if (in)
		fclose(in);
	signer_free(signer);
	return rc;
}

/* upload: FI, FS, GO of each named submission. */
static int
upload(int argc, char **argv)
{
	const char *dir = NULL;
	struct batch_sftp s;
	char err[512];
	int rc = GW_EXIT_OK, any = 0;

	if (batch_sftp_from_config(&s, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway onss upload: %s\n", err);
		return GW_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0) {
			if ((dir = optval(argc, argv, &i)) == NULL)
				return GW_EXIT_USAGE;
			continue;
		}
		if (dir == NULL) {
			usage(stderr);
			return GW_EXIT_USAGE;
		}
		any = 1;
		if (batch_sftp_upload(&s, dir, argv[i], err, sizeof err) != GW_OK) {
			fprintf(stderr, "%s: %s\n", argv[i], err);
			rc = GW_EXIT_USAGE;
		}
	}
	if (!any) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	return rc;
}

/* poll: download the waiting answers of one environment. */
static int
poll_answers(int argc, char **argv)
{
	const char *dir = NULL, *env = NULL;
	struct batch_sftp s;
	char err[512];
	size_t got = 0;

	for (int i = 1; i < argc; i++) {
		const char **slot = strcmp(argv[i], "--dir") == 0 ? &dir : strcmp(argv[i], "--env") == 0 ? &env : NULL;
		if (slot == NULL || (*slot = optval(argc, argv, &i)) == NULL) {
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (dir == NULL || env == NULL || strlen(env) != 1 || strchr("RTS", env[0]) == NULL) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	if (batch_sftp_from_config(&s, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway onss poll: %s\n", err);
		return GW_EXIT_USAGE;
	}
	size_t skipped = 0;
	gw_rc rc = batch_sftp_poll_counted(&s, env[0], dir, &got, &skipped, err, sizeof err);
	printf("%zu answers stored in %s, %zu skipped (left on the server, see the log)\n", got, dir, skipped);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway onss poll: %s\n", err);
		return GW_EXIT_USAGE;
	}
	return skipped ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

/* apply: answers in a folder onto the queue. */
static int
apply_answers(int argc, char **argv)
{
	const char *dir = NULL;
	struct batch_apply_counts c;
	char err[512];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") != 0 || (dir = optval(argc, argv, &i)) == NULL) {
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (dir == NULL) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	gw_rc rc = batch_answers_apply_configured(dir, &c, err, sizeof err);
	if (rc != GW_OK && err[0] != '\0') {
		fprintf(stderr, "gateway onss apply: %s\n", err);     /* the queue did not open */
		return GW_EXIT_USAGE;
	}
	printf("%zu answers: %zu matched, %zu unmatched; %zu messages moved, %zu notes\n",
	    c.files, c.matched_files, c.unmatched_files, c.messages_moved, c.notes);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway onss apply: %s\n", gw_rc_name(rc));
		return GW_EXIT_USAGE;
	}
	if (c.unmatched_files > 0)
		fprintf(stderr, "gateway onss apply: %zu answers matched no message, in whole or in %zu"
		    " form(s); kept in %s/unmatched\n", c.unmatched_files, c.unmatched_forms, dir);
	return c.unmatched_files ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

/* send: the queue's pending batch messages into one submission. */
static int
send_pending(int argc, char **argv)
{
	struct batch_send_opts o;
	struct batch_send_result r;
	const char *env = param_str(P_BATCH_ENV), *cert = NULL, *key = NULL, *max = NULL;
	int no_upload = 0;
	char err[512], *end;

	memset(&o, 0, sizeof o);
	o.sender = param_str(P_ONSS_SENDER);
	o.outbox = param_str(P_BATCH_OUTBOX);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-upload") == 0) {
			no_upload = 1;
			continue;
		}
		const char **slot = strcmp(argv[i], "--outbox") == 0 ? &o.outbox
		    : strcmp(argv[i], "--env") == 0 ? &env : strcmp(argv[i], "--sender") == 0 ? &o.sender
		    : strcmp(argv[i], "--max") == 0 ? &max
		    : strcmp(argv[i], "--sign-cert") == 0 ? &cert : strcmp(argv[i], "--sign-key") == 0 ? &key : NULL;
		if (slot == NULL || (*slot = optval(argc, argv, &i)) == NULL) {
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	long m = max ? strtol(max, &end, 10) : 0;
	if (o.outbox == NULL || strlen(env) != 1 || strchr("RTS", env[0]) == NULL ||
	    (max && (*end || m < 1 || m > 100000))) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	o.env = env[0];
	o.max = (size_t)m;
	clock_brussels_now(&o.today, &o.now_min);
	gw_rc rc = batch_send_configured(&o, cert, key, no_upload, &r, err, sizeof err);
	if (rc != GW_OK && err[0] != '\0') {
		fprintf(stderr, "gateway onss send: %s\n", err);        /* could not start */
		return GW_EXIT_USAGE;
	}
	printf("%zu claimed, %zu in %s, %zu failed, %zu waiting\n", r.claimed, r.in_file,
	    r.fi_name[0] ? r.fi_name : "(no file)", r.failed, r.waiting);
	if (rc != GW_OK)
		fprintf(stderr, "gateway onss send: %s\n", gw_rc_name(rc));
	return rc != GW_OK ? GW_EXIT_USAGE : r.failed ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

static volatile sig_atomic_t run_stop;

static void
run_signal(int sig)
{
	(void)sig;
	run_stop = 1;
}

/* run: the onss-batch channel alone under the runner (service/run_channels.h):
 * build, send, poll, retry, expire; until a signal, once, or idle. */
static int
run_channel(int argc, char **argv)
{
	struct batch_channel_opts bo;
	struct run_channels_opts so;
	struct run_channels_result r;
	const char *interval_s = NULL;
	char *end;

	memset(&bo, 0, sizeof bo);
	memset(&so, 0, sizeof so);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0) { so.once = 1; continue; }
		if (strcmp(argv[i], "--until-idle") == 0) { so.until_idle = 1; continue; }
		const char **slot = strcmp(argv[i], "--outbox") == 0 ? &bo.outbox
		    : strcmp(argv[i], "--answers") == 0 ? &bo.answers : strcmp(argv[i], "--env") == 0 ? &bo.env
		    : strcmp(argv[i], "--interval-ms") == 0 ? &interval_s
		    : strcmp(argv[i], "--sign-cert") == 0 ? &bo.sign_cert
		    : strcmp(argv[i], "--sign-key") == 0 ? &bo.sign_key : NULL;
		if (slot == NULL || (*slot = optval(argc, argv, &i)) == NULL) {
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (interval_s && ((bo.interval_ms = strtol(interval_s, &end, 10)) < 10 || *end)) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	so.batch = 1;
	so.batch_opts = &bo;
	so.stop = &run_stop;
	signal(SIGTERM, run_signal);
	signal(SIGINT, run_signal);
	if (run_channels(&so, &r) != GW_OK) {
		fprintf(stderr, "gateway onss run: %s\n", r.err);
		return GW_EXIT_USAGE;
	}
	printf("sent %zu declarations and %zu DmfA submissions, fetched %zu answers, applied %zu (%zu"
	    " messages moved), unmatched %zu; %lu found by lookup, %lu failed, %lu retries\n",
	    r.bn.declarations, r.bn.dmfa, r.bn.fetched, r.bn.applied, r.bn.moved, r.bn.unmatched,
	    r.batch.found_by_lookup, r.batch.failed, r.batch.retried);
	return GW_EXIT_OK;
}

int
cmd_onss(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(int, char **); } subs[] = {
		{ "wrap", wrap }, { "upload", upload }, { "poll", poll_answers }, { "apply", apply_answers },
		{ "send", send_pending }, { "run", run_channel },
	};
	for (size_t k = 0; argc >= 2 && k < sizeof subs / sizeof *subs; k++)
		if (strcmp(argv[1], subs[k].name) == 0) {
			if (cmd_wants_help(argc - 1, argv + 1)) {
				usage(stdout);
				return GW_EXIT_OK;
			}
			return subs[k].fn(argc - 1, argv + 1);
		}
	if (argc >= 2 && strcmp(argv[1], "show-answer") == 0) {
		if (cmd_wants_help(argc - 1, argv + 1)) {
			usage(stdout);
			return GW_EXIT_OK;
		}
		return show_answer(argc - 1, argv + 1);
	}
	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	usage(stderr);
	return GW_EXIT_USAGE;
}
