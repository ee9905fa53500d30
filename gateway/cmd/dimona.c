/*
 * cmd/dimona.c - `gateway dimona export`: contract records to one signed
 * Dimona batch submission (FI/FS/GO) for the ONSS batch channel.
 *
 * Parses the options, loads the signer, runs the export pipeline
 * (service/dimona_export.c: dedupe revisions, merge Horeca runs, the Dimona
 * checks, the schema check, FI/FS/GO) and prints the FI name. An offline
 * export has no period ids, so it declares INs only: cancellations and
 * amendments of declared periods go through the queue (`gateway intake` /
 * `gateway run`).
 */
#include "cmd/cmd.h"
#include "core/params.h"
#include "core/config.h"
#include "core/err.h"
#include "crypto/signer.h"
#include "service/dimona_export.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

struct opts {
	const char *contracts, *out, *sender, *cert, *key;
	char env;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gateway dimona export --contracts FILE --out DIR [--sender N] [--env R|T|S]\n"
	    "                             [--sign-cert PEM --sign-key PEM]\n\n"
	    "Writes one Dimona batch submission into DIR: FI.DIMN.<sender>.<date>.<seq>.<env>.1.1\n"
	    "(one Form per declaration), FS. (detached CMS signature; none for --env S) and GO;\n"
	    "several, each with its own sequence number, when there are more forms than\n"
	    "[onss_batch] max_forms (10000). Prints each FI name. Nothing is placed unless\n"
	    "every submission was written, checked against the schema and signed.\n"
	    "Every active contract becomes a Dimona IN after the Dimona checks; a record that\n"
	    "fails one is rejected on stderr (exit 1) and the others are still written.\n"
	    "Defaults: --sender from [onss] sender, --env T.\n\n"
	    "examples:\n  gateway dimona export --contracts today.csv --out out/batch\n"
	    "  gateway dimona export --contracts today.csv --out out/batch --env R --sender 012996\n");
}

static int
parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->env = 'T';
	if (argc < 2 || strcmp(argv[1], "export") != 0) {
		usage(stderr);
		return -1;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL) {
			fprintf(stderr, "gateway dimona: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (strcmp(a, "--contracts") == 0)
			o->contracts = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else if (strcmp(a, "--sender") == 0)
			o->sender = v;
		else if (strcmp(a, "--sign-cert") == 0)
			o->cert = v;
		else if (strcmp(a, "--sign-key") == 0)
			o->key = v;
		else if (strcmp(a, "--env") == 0) {
			if (strlen(v) != 1 || strchr("RTS", v[0]) == NULL) {
				fprintf(stderr, "gateway dimona: --env must be R, T or S\n");
				return -1;
			}
			o->env = v[0];
		} else {
			fprintf(stderr, "gateway dimona: unknown option %s\n", a);
			return -1;
		}
	}
	if (o->contracts == NULL || o->out == NULL) {
		fprintf(stderr, "gateway dimona: --contracts and --out are required\n");
		return -1;
	}
	if ((o->cert == NULL) != (o->key == NULL)) {
		fprintf(stderr, "gateway dimona: --sign-cert and --sign-key go together\n");
		return -1;
	}
	if (o->sender == NULL)
		o->sender = param_str(P_ONSS_SENDER);
	if (o->sender[0] == '\0' || strlen(o->sender) > 15 ||
	    strspn(o->sender, "0123456789") != strlen(o->sender)) {
		fprintf(stderr, "gateway dimona: --sender must be digits\n");
		return -1;
	}
	return 0;
}

int
cmd_dimona(int argc, char **argv)
{
	struct opts o;
	struct gw_signer *signer = NULL;
	struct dimona_export_result res;
	char err[PATH_MAX + 200];
	int ret = GW_EXIT_USAGE;

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	if (parse(argc, argv, &o) != 0)
		return GW_EXIT_USAGE;
	if (o.env != 'S' && signer_from_config(&signer, o.cert, o.key, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dimona: %s\n", err);
		goto out;
	}
	struct dimona_export_opts eo = {
		.contracts = o.contracts, .out = o.out, .sender = o.sender, .env = o.env,
		.signer = signer, .prog = "gateway dimona",
		.schema = param_int(P_DIMONA_VALIDATE)
		    ? param_str(P_DIMONA_SCHEMA) : NULL,
		.max_forms = (size_t)param_int(P_BATCH_MAX_FORMS),
		.threads = (unsigned)param_int(P_BATCH_EXPORT_THREADS),
	};
	struct progress pg;
	progress_start(&pg, "dimona export", 0);     /* on a terminal only */
	eo.progress = &pg;
	gw_rc rc = dimona_export(&eo, &res, err, sizeof err);
	progress_end(&pg);
	for (size_t i = 0; i < res.nfiles; i++)
		printf("%s\n", res.fis[i]);
	if (rc != GW_OK) {
		if (err[0] != '\0')
			fprintf(stderr, "gateway dimona: %s\n", err);
		ret = rc == GW_ENOTFOUND ? GW_EXIT_REJECTED : GW_EXIT_USAGE;
	} else {
		ret = res.rejected ? GW_EXIT_REJECTED : GW_EXIT_OK;
	}
	dimona_export_result_free(&res);
out:
	signer_free(signer);
	return ret;
}
