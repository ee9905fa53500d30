/*
 * cmd/list_cmd.c - gateway list: the messages that need the operator.
 *
 * Without --state it lists what someone has to act on: refused, failed
 * and held messages. --state due lists what is waiting for its next
 * attempt and is due now; --state rejected the records refused at intake
 * (kept in the record store). Each line names the message, its record and
 * the reason, and every anomaly code in the reason gets its words
 * (service/answer_words.h); the answer's informations are shown apart. --json gives the same as one JSON array.
 */
#include "cmd/cmd.h"
#include "cmd/qc.h"
#include "core/err.h"
#include "queue/queue.h"
#include "service/answer_words.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct list_opts {
	int states[QS__COUNT];          /* 1: listed */
	int due;                        /* --state due */
	int rejected;                   /* --state rejected: records refused at intake */
	const char *channel, *employer;
	int64_t since_ms;
	size_t limit;
	int json;
};

static void
list_usage(FILE *f)
{
	fprintf(f, "usage: gateway list [--state STATE]... [--channel C] [--since WHEN]"
	    " [--employer NOSS]\n                    [--limit N] [--json]\n\n"
	    "The messages that need you. Without --state: refused, failed and held ones.\n"
	    "STATE is a queue state (refused, failed, held, pending, accepted-with-warnings"
	    " ...),\ndue (waiting for an attempt that is due now) or rejected (records refused"
	    " at\nintake: file, line, field and reason; --json gives them back as a file). --since keeps those changed"
	    "\nsince WHEN (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or 30m, 2h, 7d ago); --employer\n"
	    "keeps the contracts of one employer (its ONSS number). Each anomaly code is\n"
	    "given in words ([operator] language).\n\nexamples:\n"
	    "  gateway list\n  gateway list --state refused --since 7d\n"
	    "  gateway list --state due --channel onss-batch --json\n"
	    "  gateway list --state rejected --since 1d --json > rejected.json\n");
}

/* An option it does not know, or one without its value. */
static int
list_bad(const char *a)
{
	fprintf(stderr, "gateway list: unknown or incomplete option %s\n", a);
	list_usage(stderr);
	return GW_EXIT_USAGE;
}

/* Parse the options; GW_EXIT_OK or GW_EXIT_USAGE (said on stderr). */
static int
list_parse(int argc, char **argv, struct list_opts *o)
{
	int any = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) {
			o->json = 1;
			continue;
		}
		if (v == NULL)
			return list_bad(a);
		i++;
		if (strcmp(a, "--state") == 0) {
			int s = queue_state_parse(v);
			if (strcmp(v, "due") == 0)
				o->due = 1;
			else if (strcmp(v, "rejected") == 0)
				o->rejected = 1;
			else if (s >= 0)
				o->states[s] = 1;
			else {
				fprintf(stderr, "gateway list: --state %s: not a state (refused, failed,"
				    " held, due, rejected, pending ...)\n", v);
				return GW_EXIT_USAGE;
			}
			any = 1;
		} else if (strcmp(a, "--channel") == 0) {
			o->channel = v;
		} else if (strcmp(a, "--employer") == 0) {
			o->employer = v;
		} else if (strcmp(a, "--since") == 0) {
			if (qc_parse_since(v, &o->since_ms) != 0) {
				fprintf(stderr, "gateway list: --since takes YYYY-MM-DD,"
				    " YYYY-MM-DDTHH:MM:SSZ or a duration (30m, 2h, 7d)\n");
				return GW_EXIT_USAGE;
			}
		} else if (strcmp(a, "--limit") == 0) {
			char *end;
			unsigned long long n = strtoull(v, &end, 10);
			if (*v == '\0' || *end != '\0' || n == 0) {
				fprintf(stderr, "gateway list: --limit takes a whole number >= 1\n");
				return GW_EXIT_USAGE;
			}
			o->limit = (size_t)n;
		} else {
			return list_bad(a);
		}
	}
	if (!any)
		o->states[QS_REFUSED] = o->states[QS_FAILED] = o->states[QS_HELD] = 1;
	return GW_EXIT_OK;
}

/* True when the message's record is a contract of this employer. */
static int
of_employer(const struct queue_msg *m, const char *noss)
{
	if (m->payload == NULL)
		return 0;
	json_t *j = json_loads(m->payload, 0, NULL);
	const char *e = json_string_value(json_object_get(j, "employer_noss"));
	int yes = e != NULL && strcmp(e, noss) == 0;
	json_decref(j);
	return yes;
}

/* One message as a JSON object, its anomalies and its informations (kept
 * apart: an information is no fault to act on) in words. */
static json_t *
msg_json(const struct queue_msg *m)
{
	char t[32], code[16], words[512];
	json_t *an = json_array(), *info = json_array();
	size_t pos = 0;
	while (answer_next_code(m->last_error, &pos, code, sizeof code))
		json_array_append_new(answer_code_is_information(m->last_error, pos) ? info : an,
		    json_pack("{s:s,s:s}", "code", code, "words",
		    answer_words(code, words, sizeof words) ? words : ""));
	return json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", m->id, "record",
	    m->record_id, "revision", (json_int_t)m->revision, "kind", m->kind, "channel",
	    m->channel, "state", queue_state_name(m->state), "updated",
	    qc_time(m->updated_ms, t, sizeof t), "reason", m->last_error, "anomalies", an,
	    "information", info);
}

/* One message as text: a line, then its anomalies in words. */
static void
msg_text(const struct queue_msg *m)
{
	char t[32];
	printf("%-9s %s %-13s record %s rev %u  %s%s%s\n", queue_state_name(m->state), m->id,
	    m->kind, m->record_id, m->revision, qc_time(m->updated_ms, t, sizeof t),
	    m->last_error[0] ? "  " : "", m->last_error);
	answer_words_print(stdout, "          ", m->last_error);
}

/* The messages of one state that pass the filters, printed; counts them. */
static gw_rc
list_state(struct queue *q, const struct list_opts *o, int state, int64_t now, json_t *out,
           size_t *shown)
{
	struct queue_filter f = { .state = state, .channel = o->channel,
	    .updated_since_ms = o->since_ms, .with_bodies = o->employer != NULL };
	struct queue_msg *l = NULL;
	size_t n = 0;
	gw_rc rc = q->ops->list(q, &f, &l, &n);
	if (rc != GW_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		int keep = (!o->due || l[i].next_attempt_ms <= now) &&
		    (o->employer == NULL || of_employer(&l[i], o->employer)) &&
		    (o->limit == 0 || *shown < o->limit);
		if (keep) {
			(*shown)++;
			if (out != NULL)
				json_array_append_new(out, msg_json(&l[i]));
			else
				msg_text(&l[i]);
		}
		queue_msg_free(&l[i]);
	}
	free(l);
	return GW_OK;
}

/* Records refused at intake (the record store), newest first; --since
 * and --limit apply, --employer and --channel do not (a refused record
 * may not even have a readable employer). */
static gw_rc
list_rejected(struct queue *q, const struct list_opts *o, json_t *out, size_t *shown)
{
	struct store *st;
	struct store_rejection *v = NULL;
	size_t n = 0;
	char t[32];
	gw_rc rc = store_of(q, &st);
	if (rc == GW_OK)
		rc = st->ops->rejections_list(st, NULL, o->since_ms, o->limit, &v, &n);
	if (rc != GW_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct store_rejection *r = &v[i];
		(*shown)++;
		if (out != NULL)
			json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s}", "state",
			    "rejected", "record", r->record_id, "file", r->file, "line",
			    (json_int_t)r->line, "field", r->field, "reason", r->reason, "at",
			    qc_time(r->at_ms, t, sizeof t)));
		else {
			printf("rejected  %s  %s:%u  %s%s  %s\n", r->record_id[0] ? r->record_id : "-",
			    r->file, r->line, r->field[0] ? "field " : "", r->field[0] ? r->field : "",
			    qc_time(r->at_ms, t, sizeof t));
			printf("          %s\n", r->reason);
		}
	}
	free(v);
	return GW_OK;
}

/* gateway list ... */
int
cmd_list(int argc, char **argv)
{
	struct list_opts o = { 0 };
	if (cmd_wants_help(argc, argv)) {
		list_usage(stdout);
		return GW_EXIT_OK;
	}
	int code = list_parse(argc, argv, &o);
	if (code != GW_EXIT_OK)
		return code;
	struct queue *q = qc_open("list");
	if (q == NULL)
		return GW_EXIT_USAGE;
	if (o.due)
		o.states[QS_PENDING] = o.states[QS_READY] = o.states[QS_SENT] = 1;
	json_t *arr = o.json ? json_array() : NULL;
	int64_t now = queue_now_ms();
	size_t shown = 0;
	gw_rc rc = GW_OK;
	for (int s = 0; s < QS__COUNT && rc == GW_OK; s++)
		if (o.states[s])
			rc = list_state(q, &o, s, now, arr, &shown);
	if (o.rejected && rc == GW_OK)
		rc = list_rejected(q, &o, arr, &shown);
	q->ops->close(q);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway list: cannot read the queue: %s\n", gw_rc_name(rc));
		json_decref(arr);
		return GW_EXIT_USAGE;
	}
	if (arr != NULL) {
		json_dumpf(arr, stdout, JSON_INDENT(1));
		printf("\n");
		json_decref(arr);
	} else {
		printf("%zu message%s listed\n", shown, shown == 1 ? "" : "s");
	}
	return GW_EXIT_OK;
}
