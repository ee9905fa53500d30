/*
 * as4.c - `gateway as4 verify [--at MOMENT] FILE` (spec/cli.md): the
 * checkable parts of a captured AS4 message or receipt, one line each.
 * Reads the file, calls peppol/as4's as4_verify_file(), prints.
 */
#include "cmd/cmd.h"
#include "core/clock.h"
#include "core/err.h"
#include "peppol/as4/as4.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out, "usage: gateway as4 verify [--at YYYY-MM-DDTHH:MM:SSZ] FILE\n"
	    "  Verifies the WS-Security signature of a captured AS4 message or receipt (HTTP\n"
	    "  capture, MIME multipart or bare SOAP): each reference's digest, the signature\n"
	    "  value, the certificate's validity at --at (default: now), its issuer.\n"
	    "  Exit: 0 verifies, 1 a reference or the signature does not, 2 not AS4.\n\n"
	    "examples:\n  gateway as4 verify receipt.as4in\n"
	    "  gateway as4 verify --at 2026-06-01T12:00:00Z captured-message.as4out\n");
}

static void
print_line(void *arg, const char *text)
{
	fprintf(arg, "%s\n", text);
}

static int
verify_main(int argc, char **argv)
{
	const char *file;
	int64_t at_s;
	int bad = cmd_verify_args("gateway as4 verify", argc, argv, usage, &file, &at_s);
	if (bad >= 0)
		return bad;
	size_t len = 0;
	unsigned char *bytes = cmd_read_file(file, 64u << 20, &len);
	if (bytes == NULL) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno ? errno : EIO));
		return GW_EXIT_USAGE;
	}
	printf("file: %s\n", file);
	int rc = as4_verify_file(bytes, len, at_s, NULL, print_line, stdout);
	free(bytes);
	return fflush(stdout) == 0 ? rc : GW_EXIT_USAGE;
}

int
cmd_as4(int argc, char **argv)
{
	if (argc < 2 || cmd_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? GW_EXIT_USAGE : GW_EXIT_OK;
	}
	if (strcmp(argv[1], "verify") == 0)
		return verify_main(argc - 1, argv + 1);
	fprintf(stderr, "gateway as4: unknown subcommand %s\n", argv[1]);
	usage(stderr);
	return GW_EXIT_USAGE;
}
