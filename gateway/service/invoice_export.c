/*
 * invoice_export.c - the invoice export pipeline (invoice_export.h).
 *
 * Reads invoice records (JSON Lines), writes one Peppol BIS Billing 3.0
 * document per valid record as DIR/<invoice_id>.xml, atomically
 * (core/atomicfile.c). Rejections go to stderr, one line each (file, line, record,
 * field, reason); the rest of the file is still processed. A buyer without
 * a Peppol id still gets its document, with a note on stderr that it cannot
 * be delivered over Peppol. Within one run the highest revision of an id
 * wins; a replayed or older revision is skipped (records.md idempotence).
 * Owns the revision index of the run; never touches the queue.
 */
#include "service/invoice_export.h"
#include "core/atomicfile.h"
#include "core/dirs.h"
#include "core/log.h"
#include "records/invoice_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* Open DIR, creating it and its parents when missing; -1 with err set. */
static int
open_out_dir(const char *dir, char *err, size_t errcap)
{
	char why[PATH_MAX + 100];
	if (dir_ensure(dir, 0750, why, sizeof why) != GW_OK) {
		snprintf(err, errcap, "--out %s", why);
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errcap, "%s: %s", dir, strerror(errno));
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

gw_rc
invoice_export(const char *in, const char *outdir, const struct ubl_build_opts *opts,
               struct invoice_export_counts *counts, char *err, size_t errcap)
{
	struct invoice_reader *r = NULL;
	void *seen_root = NULL;
	int dirfd = -1;
	gw_rc status = GW_OK;
	char why[512];

	memset(counts, 0, sizeof *counts);
	if ((status = invoice_reader_open(&r, in, why, sizeof why)) != GW_OK) {
		snprintf(err, errcap, "%s", why);
		return status;
	}
	if ((dirfd = open_out_dir(outdir, err, errcap)) < 0) {
		status = GW_EIO;
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
			counts->rejected++;
			continue;
		}
		if (rc != GW_OK) {
			snprintf(err, errcap, "%s:%lu: %s", rej.file, rej.line,
			    rej.reason[0] ? rej.reason : gw_rc_name(rc));
			status = rc;
			goto out;
		}
		bool oom = false;
		if (!revision_is_new(&seen_root, &inv, rej.file, rej.line, &oom)) {
			invoice_clear(&inv);
			if (oom) {
				snprintf(err, errcap, "out of memory");
				status = GW_ENOMEM;
				goto out;
			}
			continue;
		}
		char *xml = NULL, name[INVOICE_ID_MAX + 8], berr[160];
		size_t len = 0;
		struct ubl_build_info info;
		rc = ubl_build(&inv, opts, &xml, &len, &info, berr, sizeof berr);
		if (rc == GW_EINPUT) {
			snprintf(rej.field, sizeof rej.field, "%s", info.field);
			snprintf(rej.reason, sizeof rej.reason, "%s", berr);
			snprintf(rej.record_id, sizeof rej.record_id, "%s", inv.invoice_id);
			record_rejection_print(&rej, stderr);
			counts->rejected++;
			invoice_clear(&inv);
			continue;
		}
		if (rc != GW_OK) {
			snprintf(err, errcap, "%s: %s", inv.invoice_id, berr);
			invoice_clear(&inv);
			status = rc;
			goto out;
		}
		snprintf(name, sizeof name, "%s.xml", inv.invoice_id);
		rc = atomic_write_at(dirfd, name, xml, len, 0644, 0, why, sizeof why);
		free(xml);
		if (rc != GW_OK) {
			snprintf(err, errcap, "%s/%s", outdir, why);
			invoice_clear(&inv);
			status = rc;
			goto out;
		}
		counts->written++;
		if (info.buyer_endpoint != UBL_ENDPOINT_PEPPOL_ID) {
			/* Not an error: the document exists for the archive and for
			 * another channel; the operator must know it will not travel. */
			counts->undeliverable++;
			fprintf(stderr, "%s:%lu: record %s: buyer has no peppol_id: %s written, "
			    "cannot be delivered over Peppol%s\n", rej.file, rej.line,
			    inv.invoice_id, name, info.buyer_endpoint == UBL_ENDPOINT_NONE
			    ? " (no buyer electronic address at all)" : "");
		}
		log_debug(NULL, inv.invoice_id, "UBL %s written (%zu bytes)", name, len);
		invoice_clear(&inv);
	}
out:
	if (dirfd >= 0)
		close(dirfd);
	invoice_reader_close(r);
	tdestroy(seen_root, free);
	return status;
}
