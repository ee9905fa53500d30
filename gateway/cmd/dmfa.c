/*
 * cmd/dmfa.c - `gateway dmfa export` (the quarterly original, DMFA) and
 * `gateway dmfa update` (a correction, DMWA): options in, one call to
 * service/dmfa_export.h, the submission's name or the errors out.
 *
 * Owns option parsing, the rejection lines on stderr ("FILE: record ID:
 * field F: reason") and the exit code. Does no DmfA work itself: the
 * pipeline, the folder's filing record and the amounts are the service's
 * and onss/dmfa's.
 */
#include "cmd/cmd.h"
#include "core/params.h"
#include "core/err.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"
#include "service/dmfa_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST DMFA_EXPORT_MAX_LIST

int cmd_dmfa_queue(int argc, char **argv);     /* cmd/dmfa_queue.c */
int cmd_dmfa_check(int argc, char **argv);     /* cmd/dmfa_check.c */

struct rejects {
	const char *file;
	size_t n;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gateway dmfa export --contracts FILE --quarter YYYYQ --out DIR [--sender N]\n"
	    "                           [--env R|T|S] [--sign-cert PEM --sign-key PEM]\n"
	    "                           [--idflux FILE]... [--params FILE]\n"
	    "       gateway dmfa update --filed FILE --contracts FILE --quarter YYYYQ --dmpi FILE...\n"
	    "                           --out DIR [--sender N] [--env R|T|S] [--sign-cert PEM --sign-key PEM]\n"
	    "                           [--idflux FILE]... [--params FILE] [--justification TEXT]\n"
	    "       gateway dmfa queue --quarter YYYYQ [--params FILE] [--accept-mismatch INSS]...\n"
	    "                          (from the contracts taken in; gateway run sends it)\n"
	    "       gateway dmfa check --quarter YYYYQ [--params FILE] [--accept-mismatch INSS]...\n"
	    "                          (DmfA occupations against accepted Dimona periods and invoices)\n\n"
	    "export writes the DmfA original (DMFA) of every contract in FILE that starts in the\n"
	    "quarter, one EmployerDeclaration per employer, as FI/FS/GO files in DIR.\n"
	    "update compares the contracts as filed (--filed) with their current revisions\n"
	    "(--contracts) and writes a DmfAUpdate (DMWA) with the permanent ids of the DMPI\n"
	    "answers; it writes nothing when nothing changed.\n"
	    "--idflux applies the INSS changes of ONSS IDFLUX files (e.g. a BIS number for a\n"
	    "worker declared without INSS) before aggregating. Rates and worker-code rules come\n"
	    "from the parameter table ([dmfa] params, default schemas/dmfa/params.txt).\n"
	    "Exit: 0 written, 1 written but some contracts rejected (stderr), 2 usage or I/O error.\n\n"
	    "examples:\n  gateway dmfa export --contracts q4.csv --quarter 20264 --out out/dmfa\n"
	    "  gateway dmfa queue --quarter 20264 && gateway run --until-idle --max-time 2h\n");
}

static void
on_reject(void *arg, const struct dmfa_row *row, const char *field, const char *reason)
{
	struct rejects *r = arg;
	r->n++;
	fprintf(stderr, "%s: record %s: field %s: %s\n", r->file, row->contract_id,
	        field && *field ? field : "-", reason);
}

/* What parse_opts needs once every option is read: the required ones,
 * the sender, the parameter table. */
static int
opts_check(struct dmfa_export_opts *o, const char *sub)
{
	if (!o->contracts || !o->quarter || !o->out || (o->update && (!o->filed || o->ndmpi == 0))) {
		fprintf(stderr, "gateway dmfa %s: missing %s\n", sub,
		        !o->contracts ? "--contracts" : !o->quarter ? "--quarter" : !o->out ? "--out" :
		        !o->filed ? "--filed" : "--dmpi");
		return -1;
	}
	if (!o->sender)
		o->sender = param_str(P_ONSS_SENDER);
	if (strlen(o->sender) == 0 || strlen(o->sender) > 15 || strspn(o->sender, "0123456789") != strlen(o->sender)) {
		fprintf(stderr, "gateway dmfa: --sender must be digits\n");
		return -1;
	}
	if (!o->params)
		o->params = param_str(P_DMFA_PARAMS);
	return 0;
}

static int
parse_opts(int argc, char **argv, struct dmfa_export_opts *o)
{
	memset(o, 0, sizeof *o);
	o->env = 'T';
	if (argc < 2 || (strcmp(argv[1], "export") != 0 && strcmp(argv[1], "update") != 0)) {
		usage(stderr);
		return -1;
	}
	o->update = strcmp(argv[1], "update") == 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "gateway dmfa: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (strcmp(a, "--contracts") == 0)
			o->contracts = v;
		else if (strcmp(a, "--filed") == 0)
			o->filed = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else if (strcmp(a, "--sender") == 0)
			o->sender = v;
		else if (strcmp(a, "--sign-cert") == 0)
			o->cert = v;
		else if (strcmp(a, "--sign-key") == 0)
			o->key = v;
		else if (strcmp(a, "--params") == 0)
			o->params = v;
		else if (strcmp(a, "--justification") == 0)
			o->justification = v;
		else if (strcmp(a, "--idflux") == 0 && o->nidflux < MAX_LIST)
			o->idflux[o->nidflux++] = v;
		else if (strcmp(a, "--dmpi") == 0 && o->ndmpi < MAX_LIST)
			o->dmpi[o->ndmpi++] = v;
		else if (strcmp(a, "--quarter") == 0) {
			if (dmfa_quarter_parse(v, &o->quarter) != GW_OK) {
				fprintf(stderr, "gateway dmfa: --quarter %s: expected YYYYQ (e.g. 20262)\n", v);
				return -1;
			}
		} else if (strcmp(a, "--env") == 0) {
			if (strlen(v) != 1 || !strchr("RTS", v[0])) {
				fprintf(stderr, "gateway dmfa: --env must be R, T or S\n");
				return -1;
			}
			o->env = v[0];
		} else {
			fprintf(stderr, "gateway dmfa: unknown option %s\n", a);
			return -1;
		}
	}
	return opts_check(o, argv[1]);
}

/* Print the outcome of the pipeline; the exit code. */
static int
report(const char *sub, gw_rc rc, const struct dmfa_export_result *r, const struct rejects *rj)
{
	int rejected = rj->n + r->rejected > 0;
	if (r->left_out[0])                /* owe nothing, but never dropped silently */
		fprintf(stderr, "gateway dmfa %s: not in the DmfA (worker type without DmfA): %s\n", sub,
		    r->left_out);
	if (rc == GW_OK) {
		printf("%s\n", r->fi);
		return rejected ? GW_EXIT_REJECTED : GW_EXIT_OK;
	}
	if (rc == GW_ENOTFOUND) {
		fprintf(stderr, "gateway dmfa update: nothing changed since filing; nothing written\n");
		return rejected ? GW_EXIT_REJECTED : GW_EXIT_OK;
	}
	if (r->err_writer)
		fprintf(stderr, "gateway dmfa %s: %s%s\n", sub, r->err,
		    rc == GW_EINPUT ? " (see the rejections above)" : "");
	else if (r->err[0])
		fprintf(stderr, "gateway dmfa: %s\n", r->err);
	return rc == GW_EINPUT ? GW_EXIT_REJECTED : GW_EXIT_USAGE;
}

int
cmd_dmfa(int argc, char **argv)
{
	struct dmfa_export_opts o;
	struct dmfa_export_result r;

	if (argc >= 2 && strcmp(argv[1], "queue") == 0)
		return cmd_dmfa_queue(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return cmd_dmfa_check(argc, argv);
	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	if (parse_opts(argc, argv, &o) != 0)
		return GW_EXIT_USAGE;
	struct rejects rj = { o.contracts, 0 };
	o.reject = on_reject;
	o.reject_arg = &rj;
	gw_rc rc = dmfa_export_run(&o, &r);
	return report(argv[1], rc, &r, &rj);
}
