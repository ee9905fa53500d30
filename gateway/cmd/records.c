/*
 * cmd/records.c - `gateway records validate`: check contract record files
 * and say, record by record, what is wrong.
 *
 * Owns the command line of record validation only: reading and checking
 * are records/reader.h's (contracts) and records/invoice_reader.h's
 * (invoices, --kind invoice). Rejections go to stderr (one line each, the
 * record_rejection_print format), the per-file summary to stdout, or to
 * stderr with --json so that stdout carries nothing but the canonical
 * JSON lines of the valid records.
 */
#include "cmd/cmd.h"
#include "core/err.h"
#include "records/invoice_reader.h"
#include "records/reader.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gateway records validate [--kind contract|invoice] [--json] FILE...\n\n"
	    "Checks record files (shared/spec/records.md): contract records (CSV with a\n"
	    "header row, or JSON Lines; the default) or invoice records (JSON Lines).\n"
	    "Each rejected record prints one line on stderr:\n"
	    "  FILE:LINE: record ID: field FIELD: REASON\n"
	    "and each file a summary on stdout:\n"
	    "  FILE: N records, N valid, N rejected\n"
	    "  --json   print every valid contract as one canonical JSON line on stdout\n"
	    "           (the summaries then go to stderr)\n"
	    "FILE \"-\" is standard input (contracts only).\n"
	    "Exit: 0 all valid, 1 something rejected, 2 usage or I/O error.\n\n"
	    "examples:\n  gateway records validate fixtures/contracts/sample.csv\n"
	    "  gateway records validate --kind invoice invoices.jsonl\n"
	    "  export-from-member-tool | gateway records validate --json - > canonical.jsonl\n");
}

/* What one file's records came to, and the exit status it deserves. */
struct tally {
	unsigned long total, valid, rejected;
	int status;
};

/* The status of a file its reader could not open (err says why). */
static int
open_failed(gw_rc rc, const char *err)
{
	fprintf(stderr, "%s\n", err);
	return rc == GW_EINPUT ? GW_EXIT_REJECTED : GW_EXIT_USAGE;
}

/* Count one answer of a reader's next(); false when the file cannot be
 * read further (GW_ENOTFOUND is the caller's end of file). */
static bool
tally_add(struct tally *t, gw_rc rc, const struct record_rejection *rej)
{
	if (rc != GW_OK && rc != GW_EINPUT) {        /* read error, out of memory */
		record_rejection_print(rej, stderr);
		t->status = GW_EXIT_USAGE;
		return false;
	}
	t->total++;
	if (rc == GW_OK)
		t->valid++;
	else {
		t->rejected++;
		record_rejection_print(rej, stderr);
	}
	return true;
}

/* Print a file's summary line on out; returns its exit status. */
static int
tally_finish(const struct tally *t, const char *path, FILE *out)
{
	fprintf(out, "%s: %lu records, %lu valid, %lu rejected\n", path,
	    t->total, t->valid, t->rejected);
	if (t->status == GW_EXIT_OK && t->rejected > 0)
		return GW_EXIT_REJECTED;
	return t->status;
}

/* Validate one contract file; returns the exit status it alone deserves. */
static int
validate_file(const char *path, int json)
{
	struct contract_reader *r;
	struct contract c;
	struct record_rejection rej;
	char err[512];
	struct tally t = { 0, 0, 0, GW_EXIT_OK };
	gw_rc rc = contract_reader_open(&r, path, err, sizeof err);

	if (rc != GW_OK)
		return open_failed(rc, err);
	for (;;) {
		rc = contract_reader_next(r, &c, &rej);
		if (rc == GW_ENOTFOUND || !tally_add(&t, rc, &rej))
			break;
		if (rc == GW_OK && json) {
			char *text;
			size_t len;
			if (contract_to_json(&c, &text, &len) != GW_OK) {
				fprintf(stderr, "%s: out of memory\n", path);
				t.status = GW_EXIT_USAGE;
				break;
			}
			fwrite(text, 1, len, stdout);
			fputc('\n', stdout);
			free(text);
		}
	}
	contract_reader_close(r);
	return tally_finish(&t, path, json ? stderr : stdout);
}

/* Validate one invoice record file (records/invoice_reader.h). */
static int
validate_invoices(const char *path)
{
	struct invoice_reader *r;
	struct invoice inv;
	struct record_rejection rej;
	char err[512];
	struct tally t = { 0, 0, 0, GW_EXIT_OK };
	gw_rc rc = invoice_reader_open(&r, path, err, sizeof err);

	if (rc != GW_OK)
		return open_failed(rc, err);
	memset(&inv, 0, sizeof inv);
	for (;;) {
		rc = invoice_reader_next(r, &inv, &rej);
		if (rc == GW_ENOTFOUND || !tally_add(&t, rc, &rej))
			break;
		invoice_clear(&inv);
	}
	invoice_reader_close(r);
	return tally_finish(&t, path, stdout);
}

int
cmd_records(int argc, char **argv)
{
	int json = 0, invoices = 0, i = 2, status = GW_EXIT_OK;

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "validate") != 0) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "invoice") == 0)
				invoices = 1;
			else if (strcmp(argv[i], "contract") == 0)
				invoices = 0;
			else {
				fprintf(stderr, "gateway records validate: --kind %s: contract or "
				    "invoice\n", argv[i]);
				return GW_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "gateway records validate: unknown option %s\n", argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	if (invoices && json) {
		fprintf(stderr, "gateway records validate: --json is for contract records\n");
		return GW_EXIT_USAGE;
	}
	for (; i < argc; i++) {
		int s = invoices ? validate_invoices(argv[i]) : validate_file(argv[i], json);
		if (s > status)
			status = s;
	}
	if (fflush(stdout) != 0)
		return GW_EXIT_USAGE;
	return status;
}
