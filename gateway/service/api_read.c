/*
 * api_read.c - the read side of the intake API (api_read.h). Each request
 * opens its own connection to the queue (WAL readers do not wait for the
 * writer) and answers JSON; the message fields are those of `gateway
 * show`, the anomalies those of `gateway list --json`.
 */
#include "service/api_read.h"
#include "store/store.h"
#include "core/clock.h"
#include "queue/queue.h"
#include "service/answer_words.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *
iso(int64_t ms)
{
	char b[32];
	if (ms <= 0)
		return json_null();
	clock_format_utc(ms, b, sizeof b);
	return json_string(b);
}

/* The anomaly codes of text with their words; informations when info
 * is set (answer_code_is_information), anomalies otherwise. */
static json_t *
anomalies(const char *text, int info)
{
	char code[16], words[512];
	size_t pos = 0;
	json_t *a = json_array();
	while (answer_next_code(text, &pos, code, sizeof code))
		if (answer_code_is_information(text, pos) == info)
			json_array_append_new(a, json_pack("{s:s,s:s}", "code", code, "words",
			    answer_words(code, words, sizeof words) ? words : ""));
	return a;
}

/* One message, with its history when q is given. */
static json_t *
msg_json(struct queue *q, const struct queue_msg *m)
{
	json_t *o = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:i,s:o,s:o,s:s,s:s,s:s,s:o,s:o}",
	    "id", m->id, "record", m->record_id, "revision", (json_int_t)m->revision, "kind",
	    m->kind, "channel", m->channel, "state", queue_state_name(m->state), "attempts",
	    (json_int_t)m->attempts, "created", iso(m->created_ms), "updated", iso(m->updated_ms),
	    "reference", m->remote_ref, "reference2", m->remote_ref2, "reason", m->last_error,
	    "anomalies", anomalies(m->last_error, 0), "information", anomalies(m->last_error, 1));
	struct queue_event *ev = NULL;
	size_t n = 0;
	if (q != NULL && q->ops->history(q, m->id, &ev, &n) == GW_OK) {
		json_t *h = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(h, json_pack("{s:o,s:s,s:s,s:s,s:s,s:s}", "at",
			    iso(ev[i].at_ms), "actor", ev[i].actor, "what", ev[i].what, "from",
			    queue_state_name(ev[i].from), "to", queue_state_name(ev[i].to), "why",
			    ev[i].why));
		json_object_set_new(o, "history", h);
		free(ev);
	}
	return o;
}

/* Answer doc (consumed) with status. */
static void
reply_json(struct http_response *rs, int status, json_t *doc)
{
	char *t = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	http_reply(rs, status, "application/json", t ? t : "{}");
	http_printf(rs, "\n");
	free(t);
}

static struct queue *
open_or_503(struct http_response *rs)
{
	struct queue *q = NULL;
	char err[256];
	if (queue_open_configured(&q, err, sizeof err) != GW_OK) {
		reply_json(rs, 503, json_pack("{s:s}", "error", "the queue cannot be opened"));
		return NULL;
	}
	return q;
}

void
api_record(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	const char *id = rq->path + strlen("/api/v1/records/");
	struct queue *q = open_or_503(rs);
	struct queue_msg *l = NULL;
	size_t n = 0;
	if (q == NULL)
		return;
	if (queue_by_record(q, id, &l, &n) != GW_OK || n == 0) {
		reply_json(rs, 404, json_pack("{s:s,s:s}", "error", "no message for this record",
		    "record", id));
	} else {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, msg_json(q, &l[i]));
		reply_json(rs, 200, json_pack("{s:s,s:o}", "record", id, "messages", a));
	}
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);
	q->ops->close(q);
}

void
api_message(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	const char *id = rq->path + strlen("/api/v1/messages/");
	struct queue *q = open_or_503(rs);
	struct queue_msg m;
	if (q == NULL)
		return;
	if (q->ops->get(q, id, &m) != GW_OK) {
		reply_json(rs, 404, json_pack("{s:s,s:s}", "error", "no such message", "id", id));
	} else {
		reply_json(rs, 200, msg_json(q, &m));
		queue_msg_free(&m);
	}
	q->ops->close(q);
}

void
api_refusals(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	static const enum queue_state bad[] = { QS_REFUSED, QS_FAILED };
	const char *since = http_query(rq, "since");
	int64_t since_ms = 0;
	char why[64];
	if (since != NULL && clock_parse_iso(since, &since_ms, why, sizeof why) != GW_OK) {
		reply_json(rs, 400, json_pack("{s:s}", "error",
		    "since takes an ISO 8601 time, e.g. 2026-11-25T00:00:00Z"));
		return;
	}
	struct queue *q = open_or_503(rs);
	if (q == NULL)
		return;
	json_t *a = json_array();
	for (size_t s = 0; s < 2; s++) {
		struct queue_filter f = { .state = (int)bad[s], .updated_since_ms = since_ms };
		struct queue_msg *l = NULL;
		size_t n = 0;
		if (q->ops->list(q, &f, &l, &n) != GW_OK)
			continue;
		for (size_t i = 0; i < n; i++) {
			json_array_append_new(a, msg_json(NULL, &l[i]));
			queue_msg_free(&l[i]);
		}
		free(l);
	}
	/* Records refused at intake (no message): state "rejected", with the
	 * file, line, field and reason kept in the record store. */
	struct store *st;
	struct store_rejection *v = NULL;
	size_t n = 0;
	if (store_of(q, &st) == GW_OK &&
	    st->ops->rejections_list(st, NULL, since_ms, 0, &v, &n) == GW_OK)
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:o}", "state",
			    "rejected", "record", v[i].record_id, "file", v[i].file, "line",
			    (json_int_t)v[i].line, "field", v[i].field, "reason", v[i].reason, "at",
			    iso(v[i].at_ms)));
	free(v);
	q->ops->close(q);
	reply_json(rs, 200, json_pack("{s:o}", "refusals", a));
}
