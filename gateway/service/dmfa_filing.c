/*
 * service/dmfa_filing.c - the DmfA filing state in the record store
 * (dmfa_filing.h): filed sets, kept permanent ids, and the offline export
 * folder's record of what it filed.
 *
 * Owns the filed_sets keys ("<record id>#<revision>" for a queued filing,
 * "DMFA:<quarter>:<noss>" in an export folder) and the migration of the
 * older forms (filed set in the filing's payload, DMPI as an "answer"
 * message, the folder's ".gateway-dmfa-filed" marker file). Never changes
 * a message it reads; writes store rows only through store units.
 */
#include "service/dmfa_filing.h"
#include "core/log.h"
#include "onss/batch/file_read.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DMPI_MAX (64u * 1024 * 1024)   /* a DMPI of 100,000 persons is ~20 MB */
#define FOLDER_DB     ".gateway-dmfa.db"
#define FOLDER_MARKER ".gateway-dmfa-filed"

void
dmfa_filing_key(char out[STORE_KEY_MAX + 1], const char *record_id, uint32_t revision)
{
	snprintf(out, STORE_KEY_MAX + 1, "%.40s#%u", record_id, revision);
}

gw_rc
dmfa_filing_commit(struct queue *q, struct queue_msg *m, const char *filed_json,
                   unsigned char *dup)
{
	struct store_filed f;
	memset(&f, 0, sizeof f);
	if (m->payload != NULL || filed_json == NULL)
		return GW_EINTERNAL;
	/* The message id is known before the commit (stable from record id,
	 * revision and kind), so the set names its filing in the same unit. */
	if (m->id[0] == '\0')
		queue_make_id(m->id, m->record_id, m->revision, m->kind);
	dmfa_filing_key(f.key, m->record_id, m->revision);
	snprintf(f.msg_id, sizeof f.msg_id, "%s", m->id);
	f.json = (char *)filed_json;
	struct store_unit u = { .msgs = m, .nmsgs = 1, .dup = dup, .filed = &f, .nfiled = 1 };
	return store_commit(q, &u);
}

gw_rc
dmfa_filing_filed(struct queue *q, const struct queue_msg *m, char **json)
{
	struct store *st;
	struct store_filed f;
	char key[STORE_KEY_MAX + 1];
	gw_rc rc;

	*json = NULL;
	dmfa_filing_key(key, m->record_id, m->revision);
	if ((rc = store_of(q, &st)) != GW_OK)
		return rc;
	rc = st->ops->filed_get(st, key, &f);
	if (rc == GW_OK) {
		*json = f.json;
		return GW_OK;
	}
	if (rc != GW_ENOTFOUND || m->payload == NULL)
		return rc;
	/* A filing queued before the store: its set is its payload. */
	memset(&f, 0, sizeof f);
	snprintf(f.key, sizeof f.key, "%s", key);
	snprintf(f.msg_id, sizeof f.msg_id, "%s", m->id);
	f.json = m->payload;
	struct store_unit u = { .filed = &f, .nfiled = 1 };
	if ((rc = store_commit(q, &u)) != GW_OK)
		return rc;
	log_info(m->id, m->record_id, "filed set read from the message into the record store"
	    " (a queue file older than the store)");
	return (*json = strdup(m->payload)) != NULL ? GW_OK : GW_ENOMEM;
}

/* Store the bytes of a DMPI named name for filing msg_id, unless some are
 * kept already; *kept says whether this call stored them. */
static gw_rc
perm_put(struct queue *q, const char *msg_id, const char *name, char *body, size_t len,
         int *kept)
{
	struct store *st;
	struct store_perm_ids p;
	gw_rc rc;

	*kept = 0;
	if ((rc = store_of(q, &st)) != GW_OK)
		return rc;
	if ((rc = st->ops->perm_get(st, msg_id, &p)) == GW_OK) {
		free(p.body);
		return GW_OK;
	}
	if (rc != GW_ENOTFOUND)
		return rc;
	memset(&p, 0, sizeof p);
	snprintf(p.msg_id, sizeof p.msg_id, "%s", msg_id);
	snprintf(p.name, sizeof p.name, "%.64s", name);
	queue_sha256_hex(body, len, p.hash);
	p.body = body;
	p.body_len = len;
	struct store_unit u = { .perm = &p, .nperm = 1 };
	if ((rc = store_commit(q, &u)) == GW_OK)
		*kept = 1;
	return rc;
}

gw_rc
dmfa_filing_keep_dmpi(struct queue *q, const struct queue_msg *m, const char *path,
                      const char *name, int *kept)
{
	char *body = NULL;
	size_t len = 0;
	int k = 0;
	gw_rc rc = batch_file_read(path, DMPI_MAX, &body, &len);
	if (rc == GW_OK)
		rc = perm_put(q, m->id, name, body, len, &k);
	if (rc == GW_OK && k)
		log_info(m->id, m->record_id, "%.64s: DmfA permanent ids of %s, kept in the record"
		    " store for corrections", name, m->id);
	if (kept != NULL)
		*kept = k;
	free(body);
	return rc;
}

gw_rc
dmfa_filing_dmpi(struct queue *q, const char *msg_id, struct store_perm_ids *out)
{
	struct store *st;
	gw_rc rc = store_of(q, &st);
	return rc != GW_OK ? rc : st->ops->perm_get(st, msg_id, out);
}

gw_rc
dmfa_filing_migrate_answer(struct queue *q, const struct queue_msg *a)
{
	int kept = 0;
	if (a->depends_on[0] == '\0' || a->body == NULL)
		return GW_EINPUT;
	gw_rc rc = perm_put(q, a->depends_on, a->remote_ref2, a->body, a->body_len, &kept);
	if (rc == GW_OK && kept)
		log_info(a->id, a->record_id, "%.64s: DmfA permanent ids of %s read from an answer"
		    " message into the record store (a queue file older than the store)",
		    a->remote_ref2, a->depends_on);
	return rc;
}

/* ---- the offline export's folder ---- */

struct dmfa_folder {
	struct queue *q;                   /* the folder's own database; no message in it */
};

/* The record id under which a folder records an employer's quarter. */
static void
folder_key(char out[STORE_KEY_MAX + 1], int quarter, uint32_t noss)
{
	snprintf(out, STORE_KEY_MAX + 1, "DMFA:%d:%09u", quarter, noss);
}

/* Read the old marker file ("<quarter> <noss> <FI name>" lines) into the
 * folder's store, once: the file is left as it was (an older gateway may
 * still read it), and its rows are idempotent. */
static gw_rc
folder_migrate(struct dmfa_folder *f, const char *dir)
{
	char path[PATH_MAX], line[256];
	size_t n = 0;
	gw_rc rc = GW_OK;
	snprintf(path, sizeof path, "%s/%s", dir, FOLDER_MARKER);
	FILE *in = fopen(path, "r");
	if (in == NULL)
		return GW_OK;
	while (rc == GW_OK && fgets(line, sizeof line, in)) {
		int quarter;
		unsigned noss;
		char fi[160];
		if (sscanf(line, "%d %u %159s", &quarter, &noss, fi) != 3)
			continue;
		char have[8];
		if (dmfa_folder_filed(f, quarter, noss, have, sizeof have) == 1)
			continue;
		uint32_t one = noss;
		if ((rc = dmfa_folder_mark(f, quarter, &one, 1, fi)) == GW_OK)
			n++;
	}
	fclose(in);
	if (rc == GW_OK && n > 0)
		log_info(NULL, NULL, "%s: %zu filed employer quarter(s) read from the old marker file into"
		    " %s/%s", path, n, dir, FOLDER_DB);
	return rc;
}

gw_rc
dmfa_folder_open(struct dmfa_folder **out, const char *dir, char *errbuf, size_t errcap)
{
	char path[PATH_MAX];
	struct store *st;
	struct dmfa_folder *f = calloc(1, sizeof *f);
	gw_rc rc;

	*out = NULL;
	if (f == NULL)
		return GW_ENOMEM;
	snprintf(path, sizeof path, "%s/%s", dir, FOLDER_DB);
	if ((rc = queue_sqlite_ops.open(&f->q, path, errbuf, errcap)) != GW_OK ||
	    (rc = store_of(f->q, &st)) != GW_OK || (rc = folder_migrate(f, dir)) != GW_OK) {
		if (rc != GW_OK && errbuf[0] == '\0')
			snprintf(errbuf, errcap, "%s: %s", path, gw_rc_name(rc));
		dmfa_folder_close(f);
		return rc;
	}
	*out = f;
	return GW_OK;
}

void
dmfa_folder_close(struct dmfa_folder *f)
{
	if (f == NULL)
		return;
	if (f->q != NULL)
		f->q->ops->close(f->q);
	free(f);
}

int
dmfa_folder_filed(struct dmfa_folder *f, int quarter, uint32_t noss, char *fi, size_t cap)
{
	char key[STORE_KEY_MAX + 1];
	struct store *st;
	struct store_filed row;
	folder_key(key, quarter, noss);
	if (store_of(f->q, &st) != GW_OK)
		return -1;
	gw_rc rc = st->ops->filed_get(st, key, &row);
	if (rc == GW_ENOTFOUND)
		return 0;
	if (rc != GW_OK)
		return -1;
	/* The FI name is in the row's JSON (msg_id is an id's size). */
	json_t *o = json_loads(row.json, 0, NULL);
	const char *name = NULL;
	int ok = o != NULL && json_unpack(o, "{s:s}", "fi", &name) == 0;
	snprintf(fi, cap, "%s", ok ? name : "(unnamed)");
	json_decref(o);
	free(row.json);
	return 1;
}

gw_rc
dmfa_folder_mark(struct dmfa_folder *f, int quarter, const uint32_t *noss, size_t n, const char *fi)
{
	struct store_filed *rows = n ? calloc(n, sizeof *rows) : NULL;
	char *json = NULL;
	gw_rc rc = GW_ENOMEM;
	json_t *o = json_pack("{s:i, s:s}", "quarter", quarter, "fi", fi);
	if ((n && rows == NULL) || o == NULL || (json = json_dumps(o, JSON_COMPACT)) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		folder_key(rows[i].key, quarter, noss[i]);
		/* No message: the row names the submission by the head of its
		 * FI name (UNIQUE(key, msg_id)); the full name is in the JSON. */
		snprintf(rows[i].msg_id, sizeof rows[i].msg_id, "%.40s", fi);
		rows[i].json = json;
	}
	struct store_unit u = { .filed = rows, .nfiled = n };
	rc = store_commit(f->q, &u);
out:
	json_decref(o);
	free(json);
	free(rows);
	return rc;
}
