/*
 * invoice_validate.c - `gateway invoice validate [--rules all|cen|peppol] FILE...`
 *
 * Owns the command-line contract of shared/spec/cli.md: one stdout line
 * per finding ("error BR-CO-15 /Invoice[1]", "warning UBL-CR-002 ...",
 * "error XSD <message>"), "== FILE" before each block when several files
 * are given, exit 0 / 1 (an error fired) / 2 (unreadable, not well-formed,
 * usage, schemas missing). Reasons for exit 2 go to stderr, naming the file.
 * Additions of the project's own: --explain (the default on a terminal)
 * puts each rule's official message under its line, a summary line per
 * file goes to stderr, so that a clean file says so, and --release X
 * forces a BIS rule release instead of the one in force today
 * (peppol/rules/release.h).
 * Must never stop at the first bad file: every file is reported.
 */
#include "cmd/cmd.h"
#include "core/params.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/err.h"
#include "peppol/rules/messages.h"
#include "peppol/rules/validate.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gateway invoice validate [--rules all|cen|peppol] FILE...\n"
	    "       gateway invoice validate --explain [--rules all|cen|peppol] FILE...\n"
	    "       gateway invoice validate --release 3.0.19|3.0.21 [--rules all|cen|peppol] FILE...\n"
	    "\n"
	    "Validates UBL 2.1 invoices and credit notes: the UBL schema, the EN 16931\n"
	    "rules and the Peppol BIS Billing 3.0 rules (--rules narrows the rules; the\n"
	    "schema is always checked). One line per finding on stdout:\n"
	    "  error BR-CO-15 /Invoice[1]\n"
	    "  warning UBL-CR-002 /Invoice[1]/cbc:UBLVersionID[1]\n"
	    "  error XSD <message>\n"
	    "With several files each block starts with \"== FILE\". --explain (the\n"
	    "default when stdout is a terminal) puts each rule's official message, read\n"
	    "from the Schematron in the reference folder, indented under its line. A\n"
	    "summary line per file goes to stderr: \"FILE: valid: 0 errors, 2 warnings\".\n"
	    "The Peppol rules are those of the BIS release in force today (3.0.19\n"
	    "before 17 August 2026, 3.0.21 from then; Billing 3.1.0, due on 22 February\n"
	    "2027, is not implemented); --release forces one.\n"
	    "Exit: 0 no error, 1 an error fired, 2 unreadable or not well-formed file.\n"
	    "\nexamples:\n  gateway invoice validate out/ubl/*.xml\n"
	    "  gateway invoice validate --rules peppol --explain invoice.xml\n");
}

/* Whole file into *buf (grown as needed); why on failure. */
static int
read_file(const char *path, char **buf, size_t *cap, size_t *len, size_t max, char *why, size_t wcap)
{
	int rc = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, wcap, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, wcap, "not a regular file");
		goto out;
	}
	if ((size_t)st.st_size > max) {
		snprintf(why, wcap, "larger than %zu bytes ([peppol] max_invoice_bytes)", max);
		goto out;
	}
	size_t want = (size_t)st.st_size + 1;
	if (want > *cap) {
		char *nb = realloc(*buf, want);
		if (nb == NULL) {
			snprintf(why, wcap, "out of memory");
			goto out;
		}
		*buf = nb;
		*cap = want;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, wcap, "read failed: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	*len = got;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* One line on stderr: what the file came to. */
static void
summary(const char *path, const struct invoice_report *rep)
{
	size_t errors = invoice_report_errors(rep), warnings = 0;
	for (size_t i = 0; i < rep->rules.n; i++)
		warnings += rep->rules.v[i].flag != RULE_FATAL;
	fprintf(stderr, "%s: %s: %zu error%s, %zu warning%s\n", path,
	    errors ? "not valid" : "valid", errors, errors == 1 ? "" : "s", warnings,
	    warnings == 1 ? "" : "s");
}

/* Validate one file and print its block; returns the file's exit code. */
static int
validate_one(const char *path, enum rule_sets sets, enum rule_release release, bool explain,
             char **buf, size_t *cap, size_t max)
{
	char why[512];
	size_t len = 0;
	if (read_file(path, buf, cap, &len, max, why, sizeof why) != 0) {
		fprintf(stderr, "gateway invoice validate: %s: %s\n", path, why);
		return GW_EXIT_USAGE;
	}
	struct invoice_report rep = { .release = release };
	gw_rc rc = invoice_validate_mem(*buf, len, path, sets, true, &rep);
	int code;
	if (rc == GW_EINPUT) {
		fprintf(stderr, "gateway invoice validate: %s: %s\n", path, rep.why);
		code = GW_EXIT_USAGE;
		goto out;
	}
	if (rc != GW_OK) {
		fprintf(stderr, "gateway invoice validate: %s: %s (%s)\n", path,
		    rep.why[0] ? rep.why : "validation failed", gw_rc_name(rc));
		code = GW_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < rep.nxsd; i++)
		printf("error XSD %s\n", rep.xsd[i]);
	for (size_t i = 0; i < rep.rules.n; i++) {
		const struct rule_finding *f = &rep.rules.v[i];
		printf("%s %s %s\n", f->flag == RULE_FATAL ? "error" : "warning", f->rule_id, f->location);
		const char *msg = explain ? rule_message(f->rule_id) : NULL;
		if (msg != NULL)
			printf("    %s\n", msg);
	}
	summary(path, &rep);
	code = invoice_report_errors(&rep) > 0 ? GW_EXIT_REJECTED : GW_EXIT_OK;
out:
	invoice_report_free(&rep);
	return code;
}

int
invoice_validate_main(int argc, char **argv)
{
	enum rule_sets sets = RULES_ALL;
	enum rule_release release = RULE_RELEASE_IN_FORCE;
	bool explain = isatty(STDOUT_FILENO);
	int i = 1;
	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *v = NULL;
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--explain") == 0) {
			explain = true;
			continue;
		}
		const char *rel = NULL;
		if (strcmp(argv[i], "--release") == 0 && i + 1 < argc)
			rel = argv[++i];
		else if (strncmp(argv[i], "--release=", 10) == 0)
			rel = argv[i] + 10;
		if (rel != NULL) {
			if (!rule_release_by_name(rel, &release)) {
				fprintf(stderr, "gateway invoice validate: --release must be one of %s, not %s\n",
				    rule_release_names(), rel);
				return GW_EXIT_USAGE;
			}
			continue;
		}
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			v = argv[++i];
		else if (strncmp(argv[i], "--rules=", 8) == 0)
			v = argv[i] + 8;
		if (v == NULL) {
			fprintf(stderr, "gateway invoice validate: unknown option %s\n", argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		}
		if (strcmp(v, "all") == 0)
			sets = RULES_ALL;
		else if (strcmp(v, "cen") == 0)
			sets = RULES_CEN;
		else if (strcmp(v, "peppol") == 0)
			sets = RULES_PEPPOL;
		else {
			fprintf(stderr, "gateway invoice validate: --rules must be all, cen or peppol, not %s\n", v);
			return GW_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	int64_t max = param_int(P_PEPPOL_MAX_INVOICE_BYTES);
	if (max <= 0)
		max = INVOICE_MAX_BYTES_DEFAULT;
	char *buf = NULL;
	size_t cap = 0;
	int worst = GW_EXIT_OK;
	bool several = argc - i > 1;
	for (; i < argc; i++) {
		if (several)
			printf("== %s\n", argv[i]);
		int code = validate_one(argv[i], sets, release, explain, &buf, &cap, (size_t)max);
		if (code > worst)
			worst = code;
		fflush(stdout);
	}
	free(buf);
	rule_messages_free();
	invoice_parser_release();
	return worst;
}
