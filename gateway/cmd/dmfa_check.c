/*
 * cmd/dmfa_check.c - `gateway dmfa check --quarter YYYYQ`: the quarter's
 * reconciliation (service/dmfa_check.h) over the contracts, Dimona answers
 * and invoices the queue holds, printed per employer and worker.
 *
 * Owns option parsing (including --accept-mismatch, shared with `dmfa
 * queue`) and the report's layout; reads only, never queues or sends.
 */
#include "cmd/cmd.h"
#include "core/params.h"
#include "core/err.h"
#include "onss/dmfa/params.h"
#include "queue/queue.h"
#include "service/dmfa_followup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_dmfa_check(int argc, char **argv);
int cmd_dmfa_accept_opt(const char *v, uint64_t *list, size_t *n, size_t cap);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gateway dmfa check --quarter YYYYQ [--params FILE] [--accept-mismatch INSS]...\n\n"
	    "Reconciles the quarter before it is filed, from the queue ([queue] dsn): every DmfA\n"
	    "occupation (the contracts `dmfa queue` would declare) against the accepted Dimona\n"
	    "periods of the same employer and worker, every accepted Dimona period against the\n"
	    "occupations, and every 3in1 contract (with invoice_id) against the invoices taken in.\n"
	    "Prints one line per mismatch (employer, INSS, contract) and a summary. The first two\n"
	    "kinds block `dmfa queue` for that employer; --accept-mismatch INSS (repeatable) accepts\n"
	    "a worker's mismatches for this run, and must be given to `dmfa queue` too.\n"
	    "Exit: 0 nothing blocks, 1 a blocking mismatch remains or a contract was rejected,\n"
	    "2 usage, configuration or I/O error.\n");
}

/* One --accept-mismatch value into list; -1 (said) when it is no INSS. */
int
cmd_dmfa_accept_opt(const char *v, uint64_t *list, size_t *n, size_t cap)
{
	uint64_t inss;
	if (dmfa_check_parse_inss(v, &inss) != GW_OK) {
		fprintf(stderr, "gateway dmfa: --accept-mismatch %s: expected a worker's INSS "
		    "(11 digits, valid check digits)\n", v);
		return -1;
	}
	if (*n >= cap) {
		fprintf(stderr, "gateway dmfa: at most %zu --accept-mismatch\n", cap);
		return -1;
	}
	list[(*n)++] = inss;
	return 0;
}

struct report {
	size_t rejected;
};

static void
on_reject(void *arg, const struct dmfa_row *row, const char *field, const char *reason)
{
	struct report *rp = arg;
	rp->rejected++;
	fprintf(stderr, "queue: record %s: field %s: %s\n", row->contract_id,
	    field && *field ? field : "-", reason);
}

static void
on_found(void *arg, const struct dmfa_mismatch *m)
{
	char line[400];
	(void)arg;
	dmfa_check_line(m, line, sizeof line);
	printf("%s\n", line);
}

#define ACCEPT_MAX 256

int
cmd_dmfa_check(int argc, char **argv)
{
	const char *params = param_str(P_DMFA_PARAMS), *qs = NULL;
	static uint64_t accept[ACCEPT_MAX];
	size_t naccept = 0;
	struct dmfa_followup_opts o;
	struct dmfa_check_opts co;
	struct dmfa_check_result r;
	struct dmfa_params *p = NULL;
	struct queue *q = NULL;
	struct report rp = { 0 };
	char err[1024];
	int ret = GW_EXIT_USAGE;

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	memset(&o, 0, sizeof o);
	/* Every option takes a value: step over both at once. */
	for (int i = 2; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL) {
			fprintf(stderr, "gateway dmfa check: %s needs a value\n", argv[i]);
			return GW_EXIT_USAGE;
		}
		if (strcmp(argv[i], "--quarter") == 0)
			qs = v;
		else if (strcmp(argv[i], "--params") == 0)
			params = v;
		else if (strcmp(argv[i], "--accept-mismatch") == 0) {
			if (cmd_dmfa_accept_opt(v, accept, &naccept, ACCEPT_MAX) != 0)
				return GW_EXIT_USAGE;
		} else {
			fprintf(stderr, "gateway dmfa check: unknown option %s\n", argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (qs == NULL || dmfa_quarter_parse(qs, &o.quarter) != GW_OK) {
		fprintf(stderr, "gateway dmfa check: --quarter YYYYQ is needed (e.g. 20264)\n");
		return GW_EXIT_USAGE;
	}
	if ((p = malloc(sizeof *p)) == NULL)
		goto out;
	if (dmfa_params_load(params, o.quarter, p, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dmfa check: %s\n", err);
		goto out;
	}
	o.p = p;
	o.reject = on_reject;
	o.reject_arg = &rp;
	memset(&co, 0, sizeof co);
	co.quarter = o.quarter;
	co.accept = accept;
	co.naccept = naccept;
	co.found = on_found;
	if (queue_open_configured(&q, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dmfa check: %s\n", err);
		goto out;
	}
	gw_rc rc = dmfa_followup_check(q, &o, &co, &r);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway dmfa check: %s\n", gw_rc_name(rc));
		goto out;
	}
	printf("quarter %d: %zu occupation(s), %zu accepted Dimona period(s), %zu 3in1 contract(s):"
	    " %zu occupation(s) without Dimona, %zu Dimona period(s) without DmfA, %zu invoice(s)"
	    " missing; %zu blocking, %zu accepted by the operator\n", o.quarter, r.occupations,
	    r.periods, r.contracts_3in1, r.no_dimona, r.no_dmfa, r.no_invoice, r.blocking, r.accepted);
	ret = r.blocking || rp.rejected ? GW_EXIT_REJECTED : GW_EXIT_OK;
out:
	if (q)
		q->ops->close(q);
	free(p);
	return ret;
}
