/*
 * dmpi_keep.c - DMPI answers kept in the queue for DmfA corrections
 * (dmpi_keep.h).
 *
 * Owns the "answer" rows and nothing else; reads the answer file as it was
 * downloaded (signed or not: the reader of the row parses it again). Never
 * changes the DmfA message itself.
 */
#include "onss/batch/dmpi_keep.h"
#include "onss/batch/file_read.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DMPI_MAX (64u * 1024 * 1024)  /* a DMPI of 100,000 persons is ~20 MB */

int
batch_is_dmfa_kind(const char *kind)
{
	return strcmp(kind, "dmfa") == 0 || strcmp(kind, "dmfa-update") == 0;
}

gw_rc
batch_dmpi_keep(struct queue *q, const struct queue_msg *m, const char *path, const char *name)
{
	struct queue_msg a;
	unsigned char dup = 0;
	gw_rc rc;

	memset(&a, 0, sizeof a);
	snprintf(a.record_id, sizeof a.record_id, "%s", m->record_id);
	a.revision = m->revision;
	snprintf(a.kind, sizeof a.kind, "%s", BATCH_DMPI_KIND);
	snprintf(a.channel, sizeof a.channel, "%s", BATCH_DMPI_CHANNEL);
	a.state = QS_HELD;
	snprintf(a.remote_ref2, sizeof a.remote_ref2, "%.64s", name);
	snprintf(a.depends_on, sizeof a.depends_on, "%s", m->id);
	if ((rc = batch_file_read(path, DMPI_MAX, &a.body, &a.body_len)) != GW_OK)
		return rc;
	queue_sha256_hex(a.body, a.body_len, a.content_hash);
	rc = q->ops->enqueue_each(q, &a, 1, &dup);
	if (rc == GW_OK && !dup) {
		char why[200];
		snprintf(why, sizeof why, "%.64s: DmfA permanent ids of %s, kept for corrections (never sent)",
		    name, m->id);
		rc = q->ops->transition(q, a.id, QS_HELD, QS_CANCELLED, "onss", why);
		if (rc == GW_OK)
			log_info(a.id, m->record_id, "%s", why);
	}
	queue_msg_free(&a);
	return rc;
}
