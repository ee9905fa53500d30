/*
 * onss.c - `gateway onss show-answer FILE`: an ONSS answer file as JSON.
 *
 * Reads ACRF, NOTIFICATION, DmfAPID or IDFLUX, checks it against its XSD,
 * prints one JSON object on stdout (spec/cli.md). Exit 0 when read, 2 when
 * the file is not an ONSS answer this program can read. Touches nothing.
 */
#include "cmd/cmd.h"
#include "core/err.h"
#include "onss/batch/answer.h"
#include "onss/codelist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out, "usage: gateway onss show-answer [--no-schema] FILE\n"
	    "  Prints an ONSS answer file (ACRF, NOTIFICATION, DmfAPID, IDFLUX) as one JSON\n"
	    "  object: kind, file_name, ticket, result_code, errors/anomalies with their\n"
	    "  annex 30 labels, permanent ids (DmfAPID), outdated and valid identifiers (IDFLUX).\n"
	    "  --no-schema  skip the XSD check (the file is still parsed strictly)\n"
	    "Exit: 0 read, 2 not an ONSS answer it can read.\n");
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
	gw_rc rc = onss_answer_parse_file(file, flags, &a, err, sizeof err);
	if (rc != GW_OK) {
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

int
cmd_onss(int argc, char **argv)
{
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
