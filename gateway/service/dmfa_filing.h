/*
 * dmfa_filing.h - the DmfA filing state, in one place: the record store.
 *
 * What each filing message declared (its filed set: the contract revisions
 * it carried) is a filed_sets row under the filing's key, committed in the
 * same transaction as the message; the permanent ids the ONSS gave it (its
 * DmfAPID answer, kept as received) are a perm_ids row of the filing
 * message. Neither is a message: no "answer" rows, nothing to settle.
 *
 * The offline `gateway dmfa export` has no queue (spec/cli.md): what it
 * filed from a folder is kept in that folder's own record store
 * (DIR/.gateway-dmfa.db, the same tables), so an original is never written
 * twice from one folder.
 *
 * Older files are honoured: a queue file whose filings carry their filed
 * set as payload, or whose DMPIs are "answer" messages, and a folder with
 * the old ".gateway-dmfa-filed" marker file, are read once into the store
 * (logged), then read from there.
 */
#ifndef GW_SERVICE_DMFA_FILING_H
#define GW_SERVICE_DMFA_FILING_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "queue/queue.h"
#include "store/store.h"

#define DMFA_FILING_ANSWER_KIND "answer"   /* a DMPI of an older queue file */

/* The store key of one filing: "<record id>#<revision>". */
void dmfa_filing_key(char out[STORE_KEY_MAX + 1], const char *record_id, uint32_t revision);

/* Queue filing message m (its payload must be NULL) and its filed set
 * (JSON, dmfa_filed_to_json) in ONE transaction; dup[0] says whether the
 * message was already there (then nothing changed). */
gw_rc dmfa_filing_commit(struct queue *q, struct queue_msg *m, const char *filed_json,
                         unsigned char *dup);

/* The filed set of filing message m; *json malloc'd. A filing of an older
 * queue file (set in its payload) is copied into the store first.
 * GW_ENOTFOUND: none anywhere. */
gw_rc dmfa_filing_filed(struct queue *q, const struct queue_msg *m, char **json);

/* Keep the DmfAPID file at path (named name) for filing message m.
 * Idempotent: a second call keeps nothing more. *kept (may be NULL) says
 * whether this call stored it. */
gw_rc dmfa_filing_keep_dmpi(struct queue *q, const struct queue_msg *m, const char *path,
                            const char *name, int *kept);

/* The DmfAPID kept for filing message msg_id (free out->body);
 * GW_ENOTFOUND when none. */
gw_rc dmfa_filing_dmpi(struct queue *q, const char *msg_id, struct store_perm_ids *out);

/* An "answer" message of an older queue file (a DMPI, its filing in
 * depends_on) into the store, once; GW_OK when kept (now or before). */
gw_rc dmfa_filing_migrate_answer(struct queue *q, const struct queue_msg *a);

/* ---- the offline export's folder ---- */

struct dmfa_folder;

/* The filing record of folder dir (created; an old marker file read into
 * it once, logged). GW_EIO with errbuf when it cannot be opened. */
gw_rc dmfa_folder_open(struct dmfa_folder **f, const char *dir, char *errbuf, size_t errcap);
void dmfa_folder_close(struct dmfa_folder *f);
/* Whether employer noss was filed for quarter from this folder: 1 with
 * the FI name in fi, 0 no, -1 the record cannot be read. */
int dmfa_folder_filed(struct dmfa_folder *f, int quarter, uint32_t noss, char *fi, size_t cap);
/* Record that submission fi filed these employers for quarter (one
 * transaction). */
gw_rc dmfa_folder_mark(struct dmfa_folder *f, int quarter, const uint32_t *noss, size_t n,
                       const char *fi);

#endif
