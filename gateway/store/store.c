/*
 * store/store.c - the backend-independent part of the record store
 * (store.h): attaching a store to its queue, and the shorthands intake
 * uses. Owns no data.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gw_rc
store_of(struct queue *q, struct store **out)
{
	*out = NULL;
	if (q == NULL)
		return GW_EINPUT;
	if (q->store != NULL) {
		*out = q->store;
		return GW_OK;
	}
	if (strcmp(q->ops->name, "sqlite") == 0)
		return store_sqlite_attach(q, out);
	if (strcmp(q->ops->name, "postgres") == 0)
		return store_postgres_attach(q, out);
	return GW_ECONFIG;
}

gw_rc
store_commit(struct queue *q, struct store_unit *u)
{
	struct store *st;
	gw_rc rc = store_of(q, &st);
	return rc != GW_OK ? rc : st->ops->commit(st, u);
}

gw_rc
store_record_get(struct queue *q, const char *record_id, uint32_t *revision, char hash[65])
{
	struct store *st;
	struct store_revision r;
	gw_rc rc = store_of(q, &st);
	if (rc != GW_OK)
		return rc;
	if ((rc = st->ops->revision_get(st, record_id, 0, &r)) != GW_OK)
		return rc;
	*revision = r.revision;
	if (hash != NULL)
		memcpy(hash, r.hash, 65);
	return GW_OK;
}

gw_rc
store_unit_revisions(const struct queue_msg *msgs, size_t n, struct store_revision **revs,
                     size_t *nrevs)
{
	*revs = NULL;
	*nrevs = 0;
	for (size_t i = 0; i < n; i++) {
		const struct queue_msg *m = &msgs[i];
		if (m->payload == NULL)
			continue;
		size_t k = 0;
		while (k < *nrevs && strcmp((*revs)[k].record_id, m->record_id) != 0)
			k++;
		if (k == *nrevs) {
			struct store_revision *t = realloc(*revs, (*nrevs + 1) * sizeof *t);
			if (t == NULL) {
				free(*revs);
				*revs = NULL;
				*nrevs = 0;
				return GW_ENOMEM;
			}
			*revs = t;
			memset(&t[k], 0, sizeof t[k]);
			snprintf(t[k].record_id, sizeof t[k].record_id, "%s", m->record_id);
			(*nrevs)++;
		} else if (m->revision < (*revs)[k].revision) {
			continue;          /* as a raise-only write would: the lower one loses */
		}
		(*revs)[k].revision = m->revision;
		queue_sha256_hex(m->payload, strlen(m->payload), (*revs)[k].hash);
	}
	return GW_OK;
}

gw_rc
store_enqueue(struct queue *q, struct queue_msg *msgs, size_t n, unsigned char *dup)
{
	struct store_unit u = { .msgs = msgs, .nmsgs = n, .dup = dup };
	struct store_revision *revs = NULL;
	size_t nrevs = 0;
	gw_rc rc = store_unit_revisions(msgs, n, &revs, &nrevs);
	if (rc != GW_OK)
		return rc;
	u.revs = revs;
	u.nrevs = nrevs;
	rc = store_commit(q, &u);
	free(revs);
	return rc;
}

void
store_revision_free(struct store_revision *r)
{
	free(r->payload);
	r->payload = NULL;
}

void
store_revisions_free(struct store_revision *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_revision_free(&v[i]);
	free(v);
}

void
store_inbound_free(struct store_inbound *r)
{
	free(r->document);
	free(r->receipt);
	free(r->meta);
	r->document = r->receipt = r->meta = NULL;
}
