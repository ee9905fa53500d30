/*
 * onss_ledger.c - the simulator's append-only, fsynced ledger (see
 * onss_ledger.h).
 *
 * Owns the ledger file and the in-memory tables rebuilt from it. Lines:
 *   {"t":"decl","id":..,"at":ms,"body":"<json>"}
 *   {"t":"result","id":..,"status":"A","period":"..","anomalies":[..]}
 *   {"t":"period", ...the period..., "cancelled":0|1}   (last line per id wins)
 * A result and its period go out in one write, the period first, so a
 * crash of the simulator never leaves a period without the answer that
 * made it; the simulator fsyncs (sim_ledger_sync) before it answers.
 */
#include "sim/onss_ledger.h"
#include "core/array.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Index of the periods: by id and by (employer, worker), open addressing
 * over period indexes + 1 (0 = empty); rebuilt when it grows. Keeps the
 * rule checks O(periods of that worker) on ledgers of a year's volume. */
struct pindex {
	size_t *by_id, *by_worker;     /* slots hold index + 1 */
	size_t cap;                    /* power of two, >= 2 * np */
};

struct sim_ledger {
	int fd;
	struct pindex ix;
	struct sim_decl **decls;
	size_t nd, capd;
	struct dimona_period *periods;
	size_t np, capp;
	uint64_t next_decl, next_period;
};

static gw_rc
append(struct sim_ledger *l, const char *text)
{
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(l->fd, text + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return GW_EIO;
		}
		off += (size_t)w;
	}
	return GW_OK;
}

/* Everything written so far made durable: one fsync for any number of
 * lines, so that concurrent answers share it (group commit). */
gw_rc
sim_ledger_sync(struct sim_ledger *l)
{
	return fsync(l->fd) == 0 ? GW_OK : GW_EIO;
}

static struct sim_decl *
add_decl(struct sim_ledger *l)
{
	if (ARRAY_RESERVE(l->decls, l->nd, l->capd, 256) != GW_OK)
		return NULL;
	struct sim_decl *d = calloc(1, sizeof *d);
	if (d != NULL)
		l->decls[l->nd++] = d;
	return d;
}

static void
parse_body(struct sim_decl *sd)
{
	char err[200];
	sd->parsed_ok = dimona_from_json(sd->body, strlen(sd->body), &sd->d, err, sizeof err) == GW_OK;
	if (sd->parsed_ok)
		dimona_worker_key(&sd->d.c, sd->worker, sizeof sd->worker);
}

static uint64_t
fnv(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = a; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ '|') * 1099511628211ULL;
	for (const char *p = b ? b : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static int
same_worker(const struct dimona_period *x, const struct dimona_period *y)
{
	return strcmp(x->noss, y->noss) == 0 && strcmp(x->worker, y->worker) == 0;
}

/* Insert period i; by_worker keeps one slot per period (probing collects
 * all of a worker's periods). */
static void
ix_put(struct sim_ledger *l, size_t i)
{
	size_t m = l->ix.cap - 1, k;
	const struct dimona_period *p = &l->periods[i];
	for (k = fnv(p->id, NULL) & m; l->ix.by_id[k] != 0; k = (k + 1) & m)
		;
	l->ix.by_id[k] = i + 1;
	for (k = fnv(p->noss, p->worker) & m; l->ix.by_worker[k] != 0; k = (k + 1) & m)
		;
	l->ix.by_worker[k] = i + 1;
}

static gw_rc
ix_grow(struct sim_ledger *l)
{
	size_t cap = l->ix.cap ? l->ix.cap : 1024;
	while (cap < 2 * (l->np + 1))
		cap *= 2;
	if (cap == l->ix.cap)
		return GW_OK;
	size_t *a = calloc(cap, sizeof *a), *b = calloc(cap, sizeof *b);
	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return GW_ENOMEM;
	}
	free(l->ix.by_id);
	free(l->ix.by_worker);
	l->ix.by_id = a;
	l->ix.by_worker = b;
	l->ix.cap = cap;
	for (size_t i = 0; i < l->np; i++)
		ix_put(l, i);
	return GW_OK;
}

static struct dimona_period *
find_period(struct sim_ledger *l, const char *id)
{
	if (l->ix.cap == 0)
		return NULL;
	size_t m = l->ix.cap - 1;
	for (size_t k = fnv(id, NULL) & m; l->ix.by_id[k] != 0; k = (k + 1) & m)
		if (strcmp(l->periods[l->ix.by_id[k] - 1].id, id) == 0)
			return &l->periods[l->ix.by_id[k] - 1];
	return NULL;
}

static gw_rc
put_period(struct sim_ledger *l, const struct dimona_period *p)
{
	struct dimona_period *old = find_period(l, p->id);
	if (old != NULL) {
		*old = *p;
		return GW_OK;
	}
	if (ARRAY_RESERVE(l->periods, l->np, l->capp, 256) != GW_OK)
		return GW_ENOMEM;
	l->periods[l->np++] = *p;
	if (2 * (l->np + 1) > l->ix.cap) {
		if (ix_grow(l) != GW_OK) {
			l->np--;
			return GW_ENOMEM;
		}
	} else {
		ix_put(l, l->np - 1);
	}
	uint64_t n = strtoull(p->id, NULL, 10);
	if (n >= l->next_period)
		l->next_period = n + 1;
	return GW_OK;
}

static json_t *
period_json(const struct dimona_period *p)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i}",
	    "t", "period", "id", p->id, "noss", p->noss, "worker", p->worker,
	    "worker_type", p->worker_type, "jc", p->jc, "start", (int)p->start, "end", (int)p->end,
	    "start_time", (int)p->start_time, "end_time", (int)p->end_time,
	    "planned_hours", p->planned_hours, "cancelled", p->cancelled);
}

static void
jstr(json_t *o, const char *k, char *dst, size_t cap)
{
	json_t *v = json_object_get(o, k);
	if (json_is_string(v))
		snprintf(dst, cap, "%s", json_string_value(v));
}

static int
jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

/* Apply one replayed line; a line that does not parse is skipped (it can
 * only be the torn tail of a crash). */
static void
replay_line(struct sim_ledger *l, const char *line)
{
	json_t *j = json_loads(line, 0, NULL);
	const char *t = json_string_value(json_object_get(j, "t"));
	if (t == NULL)
		goto out;
	if (strcmp(t, "decl") == 0) {
		const char *body = json_string_value(json_object_get(j, "body"));
		struct sim_decl *sd = body ? add_decl(l) : NULL;
		if (sd == NULL)
			goto out;
		jstr(j, "id", sd->id, sizeof sd->id);
		json_t *at = json_object_get(j, "at");
		sd->received_ms = json_is_integer(at) ? json_integer_value(at) : 0;
		sd->body = strdup(body);
		if (sd->body != NULL)
			parse_body(sd);
		uint64_t n = strtoull(sd->id, NULL, 10);
		if (n >= l->next_decl)
			l->next_decl = n + 1;
	} else if (strcmp(t, "result") == 0) {
		char id[32] = "";
		jstr(j, "id", id, sizeof id);
		struct sim_decl *sd = sim_ledger_decl(l, id);
		const char *st = json_string_value(json_object_get(j, "status"));
		if (sd == NULL || st == NULL)
			goto out;
		sd->r.status = st[0];
		snprintf(sd->r.declaration_id, sizeof sd->r.declaration_id, "%s", id);
		jstr(j, "period", sd->r.period_id, sizeof sd->r.period_id);
		json_t *an = json_object_get(j, "anomalies"), *a;
		size_t i;
		sd->r.n_anomalies = 0;
		json_array_foreach(an, i, a) {
			if (sd->r.n_anomalies < DIMONA_MAX_ANOMALIES && json_is_string(a))
				snprintf(sd->r.anomalies[sd->r.n_anomalies++].code,
				    sizeof sd->r.anomalies[0].code, "%s", json_string_value(a));
		}
	} else if (strcmp(t, "period") == 0) {
		struct dimona_period p;
		memset(&p, 0, sizeof p);
		jstr(j, "id", p.id, sizeof p.id);
		jstr(j, "noss", p.noss, sizeof p.noss);
		jstr(j, "worker", p.worker, sizeof p.worker);
		jstr(j, "worker_type", p.worker_type, sizeof p.worker_type);
		jstr(j, "jc", p.jc, sizeof p.jc);
		p.start = jint(j, "start");
		p.end = jint(j, "end");
		p.start_time = (gw_hm)jint(j, "start_time");
		p.end_time = (gw_hm)jint(j, "end_time");
		p.planned_hours = jint(j, "planned_hours");
		p.cancelled = jint(j, "cancelled");
		if (p.id[0] != '\0')
			put_period(l, &p);
	}
out:
	json_decref(j);
}

gw_rc
sim_ledger_open(struct sim_ledger **out, const char *path, char *err, size_t ecap)
{
	struct sim_ledger *l = calloc(1, sizeof *l);
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*out = NULL;
	if (l == NULL)
		return GW_ENOMEM;
	l->next_decl = 500000000001ULL;
	l->next_period = 600000000001ULL;
	if ((f = fopen(path, "r")) != NULL) {
		while ((n = getline(&line, &cap, f)) > 0) {
			if (line[n - 1] != '\n')
				break;             /* torn tail */
			replay_line(l, line);
		}
		free(line);
		fclose(f);
	}
	l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		snprintf(err, ecap, "%s: %s", path, strerror(errno));
		sim_ledger_close(l);
		return GW_EIO;
	}
	*out = l;
	return GW_OK;
}

void
sim_ledger_close(struct sim_ledger *l)
{
	if (l == NULL)
		return;
	if (l->fd >= 0)
		close(l->fd);
	for (size_t i = 0; i < l->nd; i++) {
		free(l->decls[i]->body);
		free(l->decls[i]);
	}
	free(l->decls);
	free(l->periods);
	free(l->ix.by_id);
	free(l->ix.by_worker);
	free(l);
}

gw_rc
sim_ledger_receive(struct sim_ledger *l, const char *body, size_t len, int64_t now_ms,
                   struct sim_decl **out)
{
	struct sim_decl *sd = add_decl(l);
	json_t *j = NULL;
	char *line = NULL;
	gw_rc rc = GW_ENOMEM;

	if (sd == NULL || (sd->body = strndup(body, len)) == NULL)
		goto fail;
	snprintf(sd->id, sizeof sd->id, "%llu", (unsigned long long)l->next_decl++);
	sd->received_ms = now_ms;
	parse_body(sd);
	j = json_pack("{s:s, s:s, s:I, s:s}", "t", "decl", "id", sd->id, "at", (json_int_t)now_ms,
	    "body", sd->body);
	if (j == NULL || (line = json_dumps(j, JSON_COMPACT)) == NULL)
		goto fail;
	size_t n = strlen(line);
	char *nl = realloc(line, n + 2);
	if (nl == NULL)
		goto fail;
	line = nl;
	line[n] = '\n';
	line[n + 1] = '\0';
	if ((rc = append(l, line)) != GW_OK)
		goto fail;
	json_decref(j);
	free(line);
	*out = sd;
	return GW_OK;
fail:
	json_decref(j);
	free(line);
	if (sd != NULL) {
		free(sd->body);
		free(sd);
		l->nd--;
	}
	return rc;
}

gw_rc
sim_ledger_result(struct sim_ledger *l, struct sim_decl *sd, const struct dimona_period *p)
{
	json_t *r = json_pack("{s:s, s:s, s:s, s:s}", "t", "result", "id", sd->id,
	    "status", (char[2]){ sd->r.status, '\0' }, "period", sd->r.period_id);
	json_t *an = json_array();
	char *a = NULL, *b = NULL, *all = NULL;
	gw_rc rc = GW_ENOMEM;

	for (size_t i = 0; i < sd->r.n_anomalies; i++)
		json_array_append_new(an, json_string(sd->r.anomalies[i].code));
	json_object_set_new(r, "anomalies", an);
	if ((a = json_dumps(r, JSON_COMPACT)) == NULL)
		goto out;
	if (p != NULL) {
		json_t *pj = period_json(p);
		b = pj ? json_dumps(pj, JSON_COMPACT) : NULL;
		json_decref(pj);
		if (b == NULL)
			goto out;
	}
	size_t n = strlen(a) + (b ? strlen(b) : 0) + 3;
	if ((all = malloc(n)) == NULL)
		goto out;
	/* The period first: a torn write leaves the decl pending, never a
	 * result without its period. */
	snprintf(all, n, "%s%s%s\n", b ? b : "", b ? "\n" : "", a);
	if ((rc = append(l, all)) != GW_OK)
		goto out;
	if (p != NULL)
		rc = put_period(l, p);
out:
	json_decref(r);
	free(a);
	free(b);
	free(all);
	return rc;
}

struct sim_decl *
sim_ledger_decl(struct sim_ledger *l, const char *id)
{
	/* Ids are handed out in order: try the slot the number points at
	 * before searching (a failed write leaves a gap). */
	if (l->nd > 0) {
		unsigned long long first = strtoull(l->decls[0]->id, NULL, 10), n = strtoull(id, NULL, 10);
		if (n >= first && n - first < l->nd && strcmp(l->decls[n - first]->id, id) == 0)
			return l->decls[n - first];
	}
	for (size_t i = l->nd; i-- > 0;)
		if (strcmp(l->decls[i]->id, id) == 0)
			return l->decls[i];
	return NULL;
}

size_t
sim_ledger_ndecls(const struct sim_ledger *l)
{
	return l->nd;
}

struct sim_decl *
sim_ledger_decl_at(struct sim_ledger *l, size_t i)
{
	return i < l->nd ? l->decls[i] : NULL;
}

void
sim_ledger_new_period_id(struct sim_ledger *l, char out[DIMONA_PERIOD_ID_MAX + 1])
{
	snprintf(out, DIMONA_PERIOD_ID_MAX + 1, "%llu", (unsigned long long)l->next_period++);
}

static gw_rc
view_find(void *ctx, const char *id, struct dimona_period *p)
{
	struct dimona_period *x = find_period(ctx, id);
	if (x == NULL)
		return GW_ENOTFOUND;
	*p = *x;
	return GW_OK;
}

static gw_rc
view_each(void *ctx, const char *noss, const char *worker,
          int (*fn)(const struct dimona_period *, void *), void *arg)
{
	struct sim_ledger *l = ctx;
	struct dimona_period key;
	if (l->ix.cap == 0)
		return GW_OK;
	snprintf(key.noss, sizeof key.noss, "%s", noss);
	snprintf(key.worker, sizeof key.worker, "%s", worker);
	size_t m = l->ix.cap - 1;
	for (size_t k = fnv(noss, worker) & m; l->ix.by_worker[k] != 0; k = (k + 1) & m) {
		const struct dimona_period *p = &l->periods[l->ix.by_worker[k] - 1];
		if (same_worker(p, &key) && fn(p, arg))
			break;
	}
	return GW_OK;
}

struct dimona_ledger
sim_ledger_rules_view(struct sim_ledger *l)
{
	struct dimona_ledger v = { l, view_find, view_each };
	return v;
}

gw_rc
sim_ledger_dump(struct sim_ledger *l, char **out)
{
	json_t *root = json_object(), *ps = json_array(), *ds = json_array();
	for (size_t i = 0; i < l->np; i++) {
		json_t *p = period_json(&l->periods[i]);
		json_object_del(p, "t");
		json_array_append_new(ps, p);
	}
	for (size_t i = 0; i < l->nd; i++) {
		struct sim_decl *sd = l->decls[i];
		json_t *an = json_array();
		for (size_t k = 0; k < sd->r.n_anomalies; k++)
			json_array_append_new(an, json_string(sd->r.anomalies[k].code));
		char st[2] = { sd->r.status ? sd->r.status : 'P', '\0' };
		char ref[DIMONA_PERIOD_ID_MAX + 1] = "";
		if (sd->parsed_ok)
			snprintf(ref, sizeof ref, "%s", sd->d.period_id);
		json_array_append_new(ds, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
		    "id", sd->id, "status", st,
		    "action", sd->parsed_ok ? dimona_action_name(sd->d.action) : "?",
		    "worker", sd->worker, "target_period", ref, "period", sd->r.period_id,
		    "anomalies", an));
	}
	json_object_set_new(root, "periods", ps);
	json_object_set_new(root, "declarations", ds);
	*out = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	return *out ? GW_OK : GW_ENOMEM;
}
