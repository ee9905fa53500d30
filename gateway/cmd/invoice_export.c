/*
 * invoice_export.c - `gateway invoice export --invoices FILE --out DIR`.
 *
 * Parses the options and the PaymentID form, then runs the export
 * pipeline (service/invoice_export.c). Exit 0: all written; 1: something
 * rejected; 2: usage or I/O error.
 */
#include "cmd/cmd.h"
#include "core/params.h"
#include "core/config.h"
#include "core/err.h"
#include "service/invoice_export.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gateway invoice export --invoices FILE --out DIR\n"
	    "  Writes one Peppol BIS Billing 3.0 UBL document per invoice record of FILE\n"
	    "  (JSON Lines) as DIR/<invoice_id>.xml. Rejected records are listed on stderr.\n"
	    "  Exit 0 all written, 1 some records rejected, 2 usage or I/O error.\n"
	    "  Config: peppol_ubl.payment_id = structured|digits (PaymentID form).\n\n"
	    "examples:\n  gateway invoice export --invoices fixtures/invoices/sample.jsonl --out out/ubl\n"
	    "  gateway invoice validate out/ubl/*.xml\n");
}

int
invoice_export_main(int argc, char **argv)
{
	const char *in = NULL, *outdir = NULL;
	struct ubl_build_opts opts = { UBL_PAYMENT_ID_STRUCTURED };
	struct invoice_export_counts n;
	char err[PATH_MAX + 200];

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--invoices") == 0 && i + 1 < argc)
			in = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			outdir = argv[++i];
		else {
			fprintf(stderr, "gateway invoice export: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (in == NULL || outdir == NULL) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	const char *form = param_str(P_PEPPOL_UBL_PAYMENT_ID);
	if (strcmp(form, "digits") == 0)
		opts.payment_id = UBL_PAYMENT_ID_DIGITS;
	else if (strcmp(form, "structured") != 0) {
		fprintf(stderr, "gateway invoice export: peppol_ubl.payment_id: '%s' is not "
		    "structured or digits\n", form);
		return GW_EXIT_USAGE;
	}
	if (invoice_export(in, outdir, &opts, &n, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway invoice export: %s\n", err);
		return GW_EXIT_USAGE;
	}
	printf("invoice export: %lu written (%lu not deliverable over Peppol), %lu rejected\n",
	    n.written, n.undeliverable, n.rejected);
	return n.rejected ? GW_EXIT_REJECTED : GW_EXIT_OK;
}
