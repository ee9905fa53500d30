/*
 * cmd/dmfa_queue.c - `gateway dmfa queue --quarter YYYYQ`: the quarter's
 * DmfA from the contracts stored in the queue, one submission per employer,
 * queued on the onss-batch channel (service/dmfa_followup.h).
 *
 * Owns option parsing and the [onss_batch] / [dmfa] settings it needs;
 * prints one line per employer on stdout. Never sends anything itself
 * (`gateway run` or `gateway onss run|send` do) and never re-files an
 * original: run again, it queues the correction of what changed.
 */
#include "cmd/cmd.h"
#include "core/dirs.h"
#include "core/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/err.h"
#include "crypto/signer.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"
#include "queue/queue.h"
#include "service/dmfa_followup.h"
#include "core/clock.h"

int cmd_dmfa_queue(int argc, char **argv);
int cmd_dmfa_accept_opt(const char *v, uint64_t *list, size_t *n, size_t cap);   /* cmd/dmfa_check.c */

#define ACCEPT_MAX 256

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gateway dmfa queue --quarter YYYYQ [--params FILE] [--justification TEXT]\n"
	    "                          [--sign-cert PEM --sign-key PEM] [--accept-mismatch INSS]...\n\n"
	    "Builds the DmfA of the quarter from the contracts stored in the queue ([queue] dsn),\n"
	    "one submission per employer (FI/FS/GO written to [onss_batch] outbox, sequence\n"
	    "number from the queue), and queues each on the onss-batch channel: the original\n"
	    "(kind dmfa) the first time; once that is accepted and its permanent ids (DMPI)\n"
	    "are in, a correction (kind dmfa-update) of what changed since, or nothing when\n"
	    "nothing changed. An employer whose filing awaits its answer is left alone.\n"
	    "An employer with a blocking mismatch between its DmfA occupations and the accepted\n"
	    "Dimona periods (gateway dmfa check) is held, unless --accept-mismatch names each\n"
	    "worker concerned (INSS, repeatable, this run only).\n"
	    "Exit: 0 done, 1 some contracts or employers could not be declared (stderr),\n"
	    "2 usage, configuration or I/O error.\n");
}

struct ctx {
	size_t rejected;
};

static void
on_reject(void *arg, const struct dmfa_row *row, const char *field, const char *reason)
{
	struct ctx *c = arg;
	c->rejected++;
	fprintf(stderr, "queue: record %s: field %s: %s\n", row->contract_id,
	    field && *field ? field : "-", reason);
}

static void
on_say(void *arg, const char *record_id, const char *what)
{
	(void)arg;
	printf("%s: %s\n", record_id, what);
}

int
cmd_dmfa_queue(int argc, char **argv)
{
	const char *params = param_str(P_DMFA_PARAMS);
	const char *cert = NULL, *key = NULL, *justification = NULL, *qs = NULL;
	const char *env = param_str(P_BATCH_ENV);
	struct dmfa_followup_opts o;
	struct dmfa_followup_result r;
	struct dmfa_params *p = NULL;
	struct gw_signer *signer = NULL;
	struct queue *q = NULL;
	struct ctx c = { 0 };
	static uint64_t accept[ACCEPT_MAX];
	size_t naccept = 0;
	char err[1024];
	int ret = GW_EXIT_USAGE;

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	memset(&o, 0, sizeof o);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--accept-mismatch") == 0 && i + 1 < argc) {
			if (cmd_dmfa_accept_opt(argv[++i], accept, &naccept, ACCEPT_MAX) != 0)
				return GW_EXIT_USAGE;
			continue;
		}
		const char **slot = strcmp(argv[i], "--quarter") == 0 ? &qs
		    : strcmp(argv[i], "--params") == 0 ? &params
		    : strcmp(argv[i], "--justification") == 0 ? &justification
		    : strcmp(argv[i], "--sign-cert") == 0 ? &cert
		    : strcmp(argv[i], "--sign-key") == 0 ? &key : NULL;
		if (slot == NULL || i + 1 >= argc) {
			fprintf(stderr, "gateway dmfa queue: unknown or incomplete option %s\n", argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		}
		*slot = argv[++i];
	}
	if (qs == NULL || dmfa_quarter_parse(qs, &o.quarter) != GW_OK) {
		fprintf(stderr, "gateway dmfa queue: --quarter YYYYQ is needed (e.g. 20264)\n");
		return GW_EXIT_USAGE;
	}
	o.sender = param_str(P_ONSS_SENDER);
	o.outbox = param_str(P_BATCH_OUTBOX);
	if (o.outbox == NULL || strlen(env) != 1 || strchr("RTS", env[0]) == NULL) {
		fprintf(stderr, "gateway dmfa queue: [onss_batch] outbox and env (R, T or S) are needed\n");
		return GW_EXIT_USAGE;
	}
	o.env = env[0];
	/* The outbox first: a missing folder found after a sequence number
	 * was drawn would spend the number on nothing. */
	char derr[512];
	if (dir_ensure(o.outbox, 0750, derr, sizeof derr) != GW_OK) {
		fprintf(stderr, "gateway dmfa queue: %s\n", derr);
		return GW_EXIT_USAGE;
	}
	int64_t eclass = param_int(P_DMFA_EMPLOYER_CLASS);
	if (eclass < 0 || eclass > 999) {
		fprintf(stderr, "gateway dmfa queue: [dmfa] employer_class must be 0..999\n");
		return GW_EXIT_USAGE;
	}
	o.employer_class = (int)eclass;
	o.validate = param_int(P_DMFA_VALIDATE) != 0;
	o.justification = justification;
	struct clock_wall now;
	clock_brussels(clock_now_ms(), &now);
	o.today = now.day;
	o.created_ms = (now.minutes * 60 + now.second) * 1000;
	o.reject = on_reject;
	o.reject_arg = &c;
	o.say = on_say;
	o.accept = accept;
	o.naccept = naccept;

	if ((p = malloc(sizeof *p)) == NULL)
		goto out;
	if (dmfa_params_load(params, o.quarter, p, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dmfa queue: %s\n", err);
		goto out;
	}
	o.p = p;
	if (o.env != 'S' && signer_from_config(&signer, cert, key, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dmfa queue: %s\n", err);
		goto out;
	}
	o.signer = signer;
	if (queue_open_configured(&q, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dmfa queue: %s\n", err);
		goto out;
	}
	gw_rc rc = dmfa_followup_queue(q, &o, &r);
	printf("quarter %d: %zu employer(s): %zu original(s), %zu correction(s) queued, %zu unchanged,"
	    " %zu waiting, %zu not declarable, %zu held by a Dimona mismatch\n", o.quarter, r.employers,
	    r.originals, r.updates, r.unchanged, r.waiting, r.failed, r.held);
	if (r.left_out[0])
		printf("quarter %d: not in the DmfA (worker type without DmfA): %s\n", o.quarter, r.left_out);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway dmfa queue: %s\n", gw_rc_name(rc));
		goto out;
	}
	ret = c.rejected || r.failed || r.unstored || r.held ? GW_EXIT_REJECTED : GW_EXIT_OK;
out:
	if (q)
		q->ops->close(q);
	signer_free(signer);
	free(p);
	return ret;
}
