/*
 * export_cmd.c - `gateway invoice export --invoices FILE --out DIR`.
 *
 * Reads invoice records (JSON Lines), writes one Peppol BIS Billing 3.0
 * document per valid record as DIR/<invoice_id>.xml, atomically
 * (outfile.c). Rejections go to stderr, one line each (file, line, record,
 * field, reason); the rest of the file is still processed. A buyer without
 * a Peppol id still gets its document, with a note on stderr that it cannot
 * be delivered over Peppol. Within one run the highest revision of an id
 * wins; a replayed or older revision is skipped (records.md idempotence).
 * Exit 0: all written; 1: something rejected; 2: usage or I/O error.
 * Owns the revision index of the run; never touches the queue.
 */
#include "cmd/cmd.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "peppol/ubl/builder.h"
#include "peppol/ubl/outfile.h"
#include "records/invoice_reader.h"
#include "core/dirs.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct seen {
	char id[INVOICE_ID_MAX + 1];
	uint32_t revision;
};

static int
seen_cmp(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->id, ((const struct seen *)b)->id);
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gateway invoice export --invoices FILE --out DIR\n"
	    "  Writes one Peppol BIS Billing 3.0 UBL document per invoice record of FILE\n"
	    "  (JSON Lines) as DIR/<invoice_id>.xml. Rejected records are listed on stderr.\n"
	    "  Exit 0 all written, 1 some records rejected, 2 usage or I/O error.\n"
	    "  Config: peppol_ubl.payment_id = structured|digits (PaymentID form).\n");
}

/* Open DIR, creating it and its parents when missing. */
static int
open_out_dir(const char *dir)
{
	char err[PATH_MAX + 100];
	if (dir_ensure(dir, 0750, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway invoice export: --out %s\n", err);
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "gateway invoice export: %s: %s\n", dir, strerror(errno));
	return fd;
}

/* True when this revision should be written (first or higher than seen). */
static bool
revision_is_new(void **root, const struct invoice *inv, const char *file,
                unsigned long line, bool *oom)
{
	struct seen key;
	snprintf(key.id, sizeof key.id, "%s", inv->invoice_id);
	struct seen **found = tfind(&key, root, seen_cmp);
	if (found) {
		if ((*found)->revision >= inv->revision) {
			fprintf(stderr, "%s:%lu: record %s: revision %u skipped: revision %u "
			    "already exported in this run\n", file, line, inv->invoice_id,
			    inv->revision, (*found)->revision);
			return false;
		}
		(*found)->revision = inv->revision;
		return true;
	}
	struct seen *s = malloc(sizeof *s);
	if (s == NULL || tsearch(s, root, seen_cmp) == NULL) {
		free(s);
		*oom = true;
		return false;
	}
	*s = key;
	s->revision = inv->revision;
	return true;
}

int
invoice_export_main(int argc, char **argv)
{
	const char *in = NULL, *outdir = NULL;
	struct invoice_reader *r = NULL;
	struct ubl_build_opts opts = { UBL_PAYMENT_ID_STRUCTURED };
	void *seen_root = NULL;
	int dirfd = -1, status = GW_EXIT_OK;
	unsigned long written = 0, rejected = 0, undeliverable = 0;
	char err[512];

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
	const char *form = config_get(gw_cfg, "peppol_ubl.payment_id", "structured");
	if (strcmp(form, "digits") == 0)
		opts.payment_id = UBL_PAYMENT_ID_DIGITS;
	else if (strcmp(form, "structured") != 0) {
		fprintf(stderr, "gateway invoice export: peppol_ubl.payment_id: '%s' is not "
		    "structured or digits\n", form);
		return GW_EXIT_USAGE;
	}
	if (invoice_reader_open(&r, in, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway invoice export: %s\n", err);
		return GW_EXIT_USAGE;
	}
	if ((dirfd = open_out_dir(outdir)) < 0) {
		status = GW_EXIT_USAGE;
		goto out;
	}
	for (;;) {
		struct invoice inv;
		struct record_rejection rej;
		gw_rc rc = invoice_reader_next(r, &inv, &rej);
		if (rc == GW_ENOTFOUND)
			break;
		if (rc == GW_EINPUT) {
			record_rejection_print(&rej, stderr);
			rejected++;
			continue;
		}
		if (rc != GW_OK) {
			fprintf(stderr, "gateway invoice export: %s:%lu: %s\n", rej.file, rej.line,
			    rej.reason[0] ? rej.reason : gw_rc_name(rc));
			status = GW_EXIT_USAGE;
			goto out;
		}
		bool oom = false;
		if (!revision_is_new(&seen_root, &inv, rej.file, rej.line, &oom)) {
			invoice_clear(&inv);
			if (oom) {
				fprintf(stderr, "gateway invoice export: out of memory\n");
				status = GW_EXIT_USAGE;
				goto out;
			}
			continue;
		}
		char *xml = NULL, name[INVOICE_ID_MAX + 8], berr[160];
		size_t len = 0;
		struct ubl_build_info info;
		rc = ubl_build(&inv, &opts, &xml, &len, &info, berr, sizeof berr);
		if (rc == GW_EINPUT) {
			snprintf(rej.field, sizeof rej.field, "%s", info.field);
			snprintf(rej.reason, sizeof rej.reason, "%s", berr);
			snprintf(rej.record_id, sizeof rej.record_id, "%s", inv.invoice_id);
			record_rejection_print(&rej, stderr);
			rejected++;
			invoice_clear(&inv);
			continue;
		}
		if (rc != GW_OK) {
			fprintf(stderr, "gateway invoice export: %s: %s\n", inv.invoice_id, berr);
			invoice_clear(&inv);
			status = GW_EXIT_USAGE;
			goto out;
		}
		snprintf(name, sizeof name, "%s.xml", inv.invoice_id);
		rc = ubl_write_atomic(dirfd, name, xml, len, err, sizeof err);
		free(xml);
		if (rc != GW_OK) {
			fprintf(stderr, "gateway invoice export: %s/%s\n", outdir, err);
			invoice_clear(&inv);
			status = GW_EXIT_USAGE;
			goto out;
		}
		written++;
		if (info.buyer_endpoint != UBL_ENDPOINT_PEPPOL_ID) {
			/* Not an error: the document exists for the archive and for
			 * another channel; the operator must know it will not travel. */
			undeliverable++;
			fprintf(stderr, "%s:%lu: record %s: buyer has no peppol_id: %s written, "
			    "cannot be delivered over Peppol%s\n", rej.file, rej.line,
			    inv.invoice_id, name, info.buyer_endpoint == UBL_ENDPOINT_NONE
			    ? " (no buyer electronic address at all)" : "");
		}
		log_debug(NULL, inv.invoice_id, "UBL %s written (%zu bytes)", name, len);
		invoice_clear(&inv);
	}
	if (rejected)
		status = GW_EXIT_REJECTED;
	printf("invoice export: %lu written (%lu not deliverable over Peppol), %lu rejected\n",
	    written, undeliverable, rejected);
out:
	if (dirfd >= 0)
		close(dirfd);
	invoice_reader_close(r);
	tdestroy(seen_root, free);
	return status;
}
