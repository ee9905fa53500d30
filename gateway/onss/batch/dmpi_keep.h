/*
 * dmpi_keep.h - the DmfA permanent ids (DMPI answer) kept in the queue for
 * the corrections that will need them.
 *
 * A DMPI answering a queued DmfA (kind dmfa / dmfa-update) is stored as a
 * row of its own: kind "answer", same record id and revision as the DmfA
 * message, channel "onss-answers" (served by no sender), the answer's
 * exact bytes as body, its file name in remote_ref2, the DmfA message in
 * depends_on. Born held and settled to cancelled at once, so that it is
 * never sent nor counted as work. Idempotent: applying the same answer
 * again stores nothing more.
 */
#ifndef GW_ONSS_BATCH_DMPI_KEEP_H
#define GW_ONSS_BATCH_DMPI_KEEP_H

#include "core/err.h"
#include "queue/queue.h"

#define BATCH_DMPI_KIND    "answer"
#define BATCH_DMPI_CHANNEL "onss-answers"

/* Whether kind is a queued DmfA (original or correction). */
int batch_is_dmfa_kind(const char *kind);
/* Keep the DMPI file at path (named name) for DmfA message m. */
gw_rc batch_dmpi_keep(struct queue *q, const struct queue_msg *m, const char *path, const char *name);

#endif
