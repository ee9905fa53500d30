/*
 * intake_api.c - records over HTTP, group-committed (intake_api.h).
 *
 * A request is turned into JSON Lines (one record a line) and queued for
 * the writer, which gathers every waiting request of one kind into one
 * file in its private folder, runs the intake over it with one batch for
 * the whole group (all or nothing), and reads the rejections back by line
 * number ("FILE:LINE: record ID: field F: why") to give each record its
 * verdict. A request is answered only after that intake returned, that
 * is after the commit. The refused records are then kept in the record
 * store like intake's own (file "api", line = the record's 1-based place
 * in its request), so `gateway show`, `list --state rejected` and GET
 * /api/v1/refusals give them back, not only the answer.
 */
#include "service/intake_api.h"
#include "core/log.h"
#include "queue/queue.h"
#include "service/intake.h"
#include "store/store.h"
#include "service/invoice_intake.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define API_MAX_RECORDS 10000

struct api_req {
	int invoices;                   /* 0 contracts, 1 invoices */
	char *lines;                    /* JSON Lines, each ending in '\n' */
	size_t len, n;
	char **ids, **revs;             /* n each, for the answer */
	char **errors;                  /* n each: NULL = stored */
	size_t first_line;              /* 1-based line of its first record in the group file */
	gw_rc rc;
	int done;
	struct api_req *next;
};

struct intake_api {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct api_req *head, *tail;
	int stopping, started;
	struct queue *q;
	struct intake_opts co;
	struct invoice_intake_opts io;
	char dir[PATH_MAX];
	unsigned long groups, records;
	struct store_rejection *rows;   /* the group's refused records (writer only) */
	size_t nrows, caprows;
};

/* Write the group's records to path; each request learns its first line. */
static gw_rc
write_group(const char *path, struct api_req **v, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t line = 1;
	if (f == NULL)
		return GW_EIO;
	for (size_t i = 0; i < n; i++) {
		v[i]->first_line = line;
		line += v[i]->n;
		fwrite(v[i]->lines, 1, v[i]->len, f);
	}
	return fclose(f) == 0 ? GW_OK : GW_EIO;
}

/* Append why to a record's error (several fields may be named). */
static void
add_error(char **slot, const char *why)
{
	size_t old = *slot ? strlen(*slot) : 0, add = strlen(why);
	char *e = realloc(*slot, old + add + 3);
	if (e == NULL)
		return;
	if (old > 0)
		memcpy(e + old, "; ", 2), old += 2;
	memcpy(e + old, why, add + 1);
	*slot = e;
}

/* Note the rejection why of record k of request r as a store row: "api",
 * its place in the request, and the field parsed back from "record ID:
 * field F: reason" (record_rejection_print's form). */
static void
note_row(struct intake_api *a, const struct api_req *r, size_t k, const char *why)
{
	if (a->nrows == a->caprows) {
		size_t cap = a->caprows ? a->caprows * 2 : 64;
		struct store_rejection *v = realloc(a->rows, cap * sizeof *v);
		if (v == NULL)
			return;         /* still in the answer; logged when kept */
		a->rows = v;
		a->caprows = cap;
	}
	struct store_rejection *row = &a->rows[a->nrows++];
	memset(row, 0, sizeof *row);
	snprintf(row->record_id, sizeof row->record_id, "%s", r->ids[k]);
	snprintf(row->file, sizeof row->file, "api");
	row->line = k + 1 > UINT32_MAX ? UINT32_MAX : (uint32_t)(k + 1);
	const char *p = why;
	if (strncmp(p, "record ", 7) == 0 && strstr(p, ": ") != NULL)
		p = strstr(p, ": ") + 2;
	if (strncmp(p, "field ", 6) == 0 && strstr(p + 6, ": ") != NULL) {
		const char *e = strstr(p + 6, ": ");
		snprintf(row->field, sizeof row->field, "%.*s", (int)(e - p - 6), p + 6);
		p = e + 2;
	}
	snprintf(row->reason, sizeof row->reason, "%s", p);
	row->at_ms = queue_now_ms();
}

/* One rejection line "PATH:LINE: rest" onto the record it names: by its
 * line, or, for the rejections the intake makes after reading (line 0:
 * the rules at intake, a conflicting revision), by "record ID:". A
 * rejection that names no record of the group rejects nothing silently:
 * it is logged. */
static void
map_rejection(struct intake_api *a, const char *path, const char *line, struct api_req **v,
              size_t n)
{
	size_t pl = strlen(path);
	if (strncmp(line, path, pl) != 0 || line[pl] != ':')
		return;
	char *end;
	unsigned long ln = strtoul(line + pl + 1, &end, 10);
	const char *why = *end == ':' ? end + 1 + (end[1] == ' ') : end;
	for (size_t i = 0; ln > 0 && i < n; i++)
		if (ln >= v[i]->first_line && ln < v[i]->first_line + v[i]->n) {
			add_error(&v[i]->errors[ln - v[i]->first_line], why);
			note_row(a, v[i], ln - v[i]->first_line, why);
			return;
		}
	const char *rec = strncmp(why, "record ", 7) == 0 ? why + 7 : NULL;
	size_t rl = rec ? strcspn(rec, ":") : 0;
	int found = 0;
	for (size_t i = 0; rec != NULL && i < n; i++)
		for (size_t k = 0; k < v[i]->n; k++)
			if (strlen(v[i]->ids[k]) == rl && strncmp(v[i]->ids[k], rec, rl) == 0) {
				add_error(&v[i]->errors[k], why);
				note_row(a, v[i], k, why);
				found = 1;
			}
	if (!found)
		log_warn(NULL, NULL, "intake API: a rejection names no record of its group: %s", why);
}

/* Keep the group's refused records in the record store (one transaction
 * of their own, after the group's commit); a failure loses them only from
 * the store: the answers still carry them. */
static void
keep_rows(struct intake_api *a)
{
	struct store *st;
	gw_rc rc = a->nrows == 0 ? GW_OK : store_of(a->q, &st);
	if (rc == GW_OK && a->nrows > 0)
		rc = st->ops->rejections_put(st, a->rows, a->nrows);
	if (rc != GW_OK)
		log_warn(NULL, NULL, "intake API: %zu refused record(s) not kept in the record store"
		    " (%s): they are only in the answers", a->nrows, gw_rc_name(rc));
	a->nrows = 0;
}

/* Run the intake over one group of the same kind; fill every verdict. */
static void
commit_group(struct intake_api *a, struct api_req **v, size_t n)
{
	char path[PATH_MAX + 32], err[512];
	char *rejbuf = NULL;
	size_t rejlen = 0, total = 0;
	gw_rc rc;
	snprintf(path, sizeof path, "%s/group.jsonl", a->dir);
	for (size_t i = 0; i < n; i++)
		total += v[i]->n;
	FILE *rej = open_memstream(&rejbuf, &rejlen);
	if (rej == NULL || (rc = write_group(path, v, n)) != GW_OK) {
		rc = GW_EIO;
	} else if (v[0]->invoices) {
		struct invoice_intake_stats st = { 0 };
		rc = invoice_intake_file(a->q, path, &a->io, &st, rej, err, sizeof err);
	} else {
		struct intake_stats st = { 0 };
		struct intake_opts o = a->co;
		o.batch = total;        /* the whole group in one transaction */
		o.caller_keeps_rejections = 1;  /* kept below under "api", not the group file */
		rc = intake_contracts(a->q, path, &o, &st, rej, err, sizeof err);
	}
	if (rej != NULL)
		fclose(rej);
	for (char *l = rejbuf, *nl; l != NULL && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl != NULL)
			*nl = '\0';
		map_rejection(a, path, l, v, n);
	}
	if (rc == GW_OK)
		keep_rows(a);
	a->nrows = 0;           /* a group not taken is sent again: nothing kept */
	free(rejbuf);
	unlink(path);
	if (rc != GW_OK)
		log_warn(NULL, NULL, "intake API: a group of %zu records was not taken: %s", total,
		    err[0] ? err : gw_rc_name(rc));
	pthread_mutex_lock(&a->mu);
	a->groups++;
	a->records += rc == GW_OK ? total : 0;
	for (size_t i = 0; i < n; i++) {
		v[i]->rc = rc;
		v[i]->done = 1;
	}
	pthread_cond_broadcast(&a->done);
	pthread_mutex_unlock(&a->mu);
}

/* The writer: every waiting request, contracts and invoices apart. */
static void *
writer(void *arg)
{
	struct intake_api *a = arg;
	struct api_req *batch[256];
	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (a->head == NULL && !a->stopping)
			pthread_cond_wait(&a->work, &a->mu);
		if (a->head == NULL)
			break;
		/* Take the requests of the head's kind (at most 256) off the list. */
		size_t n = 0;
		int kind = a->head->invoices;
		struct api_req **pp = &a->head;
		a->tail = NULL;
		while (*pp != NULL) {
			if ((*pp)->invoices == kind && n < 256) {
				batch[n++] = *pp;
				*pp = (*pp)->next;
			} else {
				a->tail = *pp;
				pp = &(*pp)->next;
			}
		}
		pthread_mutex_unlock(&a->mu);
		commit_group(a, batch, n);
		pthread_mutex_lock(&a->mu);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

gw_rc
intake_api_start(struct intake_api **out, char *err, size_t errcap)
{
	struct intake_api *a = calloc(1, sizeof *a);
	*out = NULL;
	if (a == NULL)
		return GW_ENOMEM;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->work, NULL);
	pthread_cond_init(&a->done, NULL);
	intake_opts_default(&a->co);
	const char *tmp = getenv("TMPDIR");
	snprintf(a->dir, sizeof a->dir, "%s/gateway-intake-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (invoice_intake_opts_default(&a->io, err, errcap) != GW_OK ||
	    queue_open_configured(&a->q, err, errcap) != GW_OK) {
		intake_api_stop(a);
		return GW_ECONFIG;
	}
	if (mkdtemp(a->dir) == NULL) {
		snprintf(err, errcap, "cannot make a private folder %s: %s", a->dir, strerror(errno));
		a->dir[0] = '\0';
		intake_api_stop(a);
		return GW_EIO;
	}
	if (pthread_create(&a->th, NULL, writer, a) != 0) {
		snprintf(err, errcap, "cannot start the intake writer");
		intake_api_stop(a);
		return GW_ENOMEM;
	}
	a->started = 1;
	*out = a;
	return GW_OK;
}

void
intake_api_stop(struct intake_api *a)
{
	if (a == NULL)
		return;
	if (a->started) {
		pthread_mutex_lock(&a->mu);
		a->stopping = 1;
		pthread_cond_signal(&a->work);
		pthread_mutex_unlock(&a->mu);
		pthread_join(a->th, NULL);
	}
	if (a->q != NULL)
		a->q->ops->close(a->q);
	if (a->dir[0] != '\0')
		rmdir(a->dir);
	free(a->rows);
	pthread_cond_destroy(&a->work);
	pthread_cond_destroy(&a->done);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

void
intake_api_counts(struct intake_api *a, unsigned long *groups, unsigned long *records)
{
	pthread_mutex_lock(&a->mu);
	*groups = a->groups;
	*records = a->records;
	pthread_mutex_unlock(&a->mu);
}

/* The text of a record's field, or "" (ids in the answer). */
static char *
field_text(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);
	if (s != NULL)
		return strdup(s);
	if (json_is_integer(v)) {
		char b[32];
		snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
		return strdup(b);
	}
	return strdup("");
}

/* Take one record object into the request (one JSON line). */
static int
take_record(struct api_req *r, json_t *o, const char *id_key, size_t cap)
{
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (line == NULL)
		return -1;
	size_t l = strlen(line);
	char *b = realloc(r->lines, r->len + l + 2);
	if (b == NULL) {
		free(line);
		return -1;
	}
	memcpy(b + r->len, line, l);
	b[r->len + l] = '\n';
	r->len += l + 1;
	b[r->len] = '\0';
	r->lines = b;
	free(line);
	if (r->n >= cap)
		return -1;
	r->ids[r->n] = field_text(o, id_key);
	r->revs[r->n] = field_text(o, "revision");
	r->n++;
	return 0;
}

/* The request body as records: an object, an array of objects, or JSON
 * Lines. 0, or -1 with why (the answer's 400). */
static int
parse_body(const struct http_request *rq, struct api_req *r, const char *id_key, char *why,
           size_t cap)
{
	json_error_t je;
	json_t *doc = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
	json_t **items = NULL;
	size_t n = 0;
	if (doc != NULL && json_is_array(doc)) {
		n = json_array_size(doc);
	} else if (doc != NULL) {
		n = 1;
	} else {        /* JSON Lines: count the non-empty lines */
		for (const char *p = rq->body; *p; p++)
			n += *p == '\n' || p[1] == '\0';
	}
	if (n == 0 || n > API_MAX_RECORDS) {
		snprintf(why, cap, n == 0 ? "no record in the request body"
		    : "%zu records: at most %d per request", n, API_MAX_RECORDS);
		json_decref(doc);
		return -1;
	}
	r->ids = calloc(n, sizeof *r->ids);
	r->revs = calloc(n, sizeof *r->revs);
	r->errors = calloc(n, sizeof *r->errors);
	items = calloc(n, sizeof *items);
	int bad = r->ids == NULL || r->revs == NULL || r->errors == NULL || items == NULL;
	size_t k = 0;
	if (!bad && doc != NULL && json_is_array(doc)) {
		for (size_t i = 0; i < n; i++)
			items[k++] = json_incref(json_array_get(doc, i));
	} else if (!bad && doc != NULL) {
		items[k++] = json_incref(doc);
	} else if (!bad) {
		const char *p = rq->body;
		for (size_t line = 1; *p && !bad; line++) {
			size_t l = strcspn(p, "\n");
			if (l > 0 && !(l == 1 && p[0] == '\r')) {
				items[k] = json_loadb(p, l, JSON_REJECT_DUPLICATES, &je);
				if (items[k] == NULL) {
					snprintf(why, cap, "request body line %zu: %s", line, je.text);
					bad = 2;
				} else {
					k++;
				}
			}
			p += l + (p[l] == '\n');
		}
		if (!bad && k == 0) {
			snprintf(why, cap, "no record in the request body");
			bad = 2;
		}
	}
	for (size_t i = 0; i < k && !bad; i++)
		if (!json_is_object(items[i])) {
			snprintf(why, cap, "record %zu of the request is not a JSON object", i + 1);
			bad = 2;
		} else if (take_record(r, items[i], id_key, n) != 0) {
			bad = 1;
		}
	if (bad == 1)
		snprintf(why, cap, "out of memory");
	for (size_t i = 0; i < k; i++)
		json_decref(items[i]);
	free(items);
	json_decref(doc);
	return bad ? -1 : 0;
}

static void
req_free(struct api_req *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->ids[i]);
		free(r->revs[i]);
		free(r->errors[i]);
	}
	free(r->ids);
	free(r->revs);
	free(r->errors);
	free(r->lines);
}

/* Queue r for the writer and wait until its group is committed. */
static void
submit(struct intake_api *a, struct api_req *r)
{
	pthread_mutex_lock(&a->mu);
	if (a->tail != NULL)
		a->tail->next = r;
	else
		a->head = r;
	a->tail = r;
	pthread_cond_signal(&a->work);
	while (!r->done)
		pthread_cond_wait(&a->done, &a->mu);
	pthread_mutex_unlock(&a->mu);
}

/* The answer: a verdict per record, counts, the status. */
static void
answer(const struct api_req *r, const char *id_key, struct http_response *rs)
{
	json_t *res = json_array();
	size_t stored = 0;
	for (size_t i = 0; i < r->n; i++) {
		json_t *o = json_pack("{s:i,s:s,s:s,s:s}", "index", (json_int_t)i, id_key, r->ids[i],
		    "revision", r->revs[i], "status", r->errors[i] ? "rejected" : "stored");
		if (r->errors[i] != NULL)
			json_object_set_new(o, "error", json_string(r->errors[i]));
		stored += r->errors[i] == NULL;
		json_array_append_new(res, o);
	}
	json_t *doc = json_pack("{s:i,s:i,s:o}", "stored", (json_int_t)stored, "rejected",
	    (json_int_t)(r->n - stored), "results", res);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	http_reply(rs, 200, "application/json", text ? text : "{}");
	http_printf(rs, "\n");
	free(text);
}

/* Both POST routes: parse, commit with the group, answer. */
static void
post_records(struct intake_api *a, int invoices, const struct http_request *rq,
             struct http_response *rs)
{
	const char *id_key = invoices ? "invoice_id" : "contract_id";
	struct api_req r = { .invoices = invoices };
	char why[300];
	if (parse_body(rq, &r, id_key, why, sizeof why) != 0) {
		json_t *e = json_pack("{s:s}", "error", why);
		char *t = json_dumps(e, JSON_COMPACT);
		http_reply(rs, 400, "application/json", t ? t : "{}");
		free(t);
		json_decref(e);
		req_free(&r);
		return;
	}
	submit(a, &r);
	if (r.rc != GW_OK) {
		/* Nothing of the group was taken: the client sends it again. */
		http_reply(rs, r.rc == GW_ETEMP ? 503 : 500, "application/json",
		    r.rc == GW_ETEMP ? "{\"error\":\"the queue is busy or its disk nearly full:"
		    " nothing was stored, send again\"}\n"
		    : "{\"error\":\"the records could not be stored: nothing was stored\"}\n");
		rs->retry_after_s = r.rc == GW_ETEMP ? 5 : 0;
	} else {
		answer(&r, id_key, rs);
	}
	req_free(&r);
}

void
intake_api_contracts(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	post_records(ctx, 0, rq, rs);
}

void
intake_api_invoices(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	post_records(ctx, 1, rq, rs);
}
