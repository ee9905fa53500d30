/*
 * peppol.c - `gateway peppol report --month YYYY-MM --out DIR`
 * (spec/cli.md): the month's Transaction Statistics Report and End User
 * Statistics Report, TSR-YYYY-MM.xml and EUSR-YYYY-MM.xml, from what the
 * gateway sent and received (service/peppol_report.c).
 */
#include "cmd/cmd.h"
#include "cmd/qc.h"
#include "core/err.h"
#include "service/peppol_report.h"

#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out, "usage: gateway peppol report --month YYYY-MM --out DIR\n"
	    "  Writes the OpenPeppol Transaction Statistics Report TSR-YYYY-MM.xml and End\n"
	    "  User Statistics Report EUSR-YYYY-MM.xml for that month (UTC) into DIR (created\n"
	    "  when missing), from the AS4 messages the gateway sent (receipt verified in the\n"
	    "  month) and received (stored in the month). A month without traffic still gets\n"
	    "  both. Exit 0 when both are written, 2 on an error.\n\n"
	    "example:\n  gateway peppol report --month 2026-11 --out /var/lib/gateway/reports\n");
}

static int
report_main(int argc, char **argv)
{
	const char *month = NULL, *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--month") == 0 && i + 1 < argc)
			month = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else {
			fprintf(stderr, "gateway peppol report: unexpected argument %s\n", argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (month == NULL || out == NULL) {
		fprintf(stderr, "gateway peppol report: --month and --out are required\n");
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	struct queue *q = qc_open("peppol report");
	if (q == NULL)
		return GW_EXIT_USAGE;
	struct peppol_report_counts n;
	char err[768] = "";
	gw_rc rc = peppol_report_write(q, month, out, &n, err, sizeof err);
	q->ops->close(q);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway peppol report: %s\n", err[0] ? err : gw_rc_name(rc));
		return GW_EXIT_USAGE;
	}
	printf("%s/TSR-%s.xml %s/EUSR-%s.xml: sent=%zu received=%zu\n", out, month, out, month,
	    n.sent, n.received);
	return GW_EXIT_OK;
}

int
cmd_peppol(int argc, char **argv)
{
	if (argc < 2 || cmd_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? GW_EXIT_USAGE : GW_EXIT_OK;
	}
	if (strcmp(argv[1], "report") == 0)
		return report_main(argc - 1, argv + 1);
	fprintf(stderr, "gateway peppol: unknown subcommand %s\n", argv[1]);
	usage(stderr);
	return GW_EXIT_USAGE;
}
