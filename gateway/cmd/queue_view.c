/*
 * cmd/queue_view.c - what the operator reads of the queue: status (counts
 * and what waits), show (one message or record, its history, the answer in
 * words and the next step), list (what needs the operator).
 *
 * Only reads: every change is in queue_cmds.c. Words for anomaly codes
 * come from service/answer_words.h, in the configured language.
 */
#include "cmd/cmd.h"
#include "cmd/qc.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/params.h"
#include "queue/queue.h"
#include "service/answer_words.h"
#include "service/needs.h"
#include "store/store.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line of counts. */
static void
status_line(const char *label, const struct queue_stats *st)
{
	printf("%-12s", label);
	for (int s = 0; s < QS__COUNT; s++)
		printf(" %9llu", (unsigned long long)st->count[s]);
	printf("\n");
}

/* Counts of messages on none of the named channels: total minus theirs, so
 * that the rows always add up to the total. 1 when there are any. */
static int
status_other(const struct queue_stats *all, const struct queue_stats ch[3],
             struct queue_stats *other)
{
	int any = 0;
	memset(other, 0, sizeof *other);
	for (int s = 0; s < QS__COUNT; s++) {
		uint64_t named = ch[0].count[s] + ch[1].count[s] + ch[2].count[s];
		other->count[s] = all->count[s] > named ? all->count[s] - named : 0;
		any |= other->count[s] != 0;
	}
	return any;
}

/* Each worker's leases, one line each: who holds how many messages in
 * building and sending, and when the first of them may be taken over. */
static void
status_leases(const struct queue_lease_sum *ls, size_t n, int64_t now)
{
	char t[32], span[32];
	printf("leases: %zu worker(s)\n", n);
	for (size_t i = 0; i < n; i++) {
		printf("  worker %-24s %zu message(s) (%zu building, %zu sending), earliest expiry %s",
		    ls[i].owner[0] ? ls[i].owner : "(none)", ls[i].building + ls[i].sending,
		    ls[i].building, ls[i].sending, qc_time(ls[i].earliest_until_ms, t, sizeof t));
		if (ls[i].owner[0] == '\0' || ls[i].earliest_until_ms <= now)
			printf(" (expired: the next worker step takes them over)\n");
		else
			printf(" (in %s)\n", qc_span(ls[i].earliest_until_ms - now, span, sizeof span));
	}
}

/* A JSON string for any C string: jansson refuses bytes that are not
 * UTF-8 (a dsn is a file name, any bytes), so those become U+FFFD rather
 * than the whole answer failing. */
static json_t *
status_str(const char *s)
{
	json_t *j = json_string(s);
	if (j != NULL || s == NULL)
		return j;
	size_t n = strlen(s), at = 0;
	char *u = malloc(n * 3 + 1);
	if (u == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x80)
			u[at++] = s[i];
		else {                          /* U+FFFD, for every byte >= 0x80 */
			u[at++] = (char)0xEF;
			u[at++] = (char)0xBF;
			u[at++] = (char)0xBD;
		}
	}
	u[at] = '\0';
	j = json_string(u);
	free(u);
	return j;
}

/* One state -> count object. */
static json_t *
status_counts(const struct queue_stats *st)
{
	json_t *o = json_object();
	for (int s = 0; o != NULL && s < QS__COUNT; s++)
		if (json_object_set_new(o, queue_state_name((enum queue_state)s),
		    json_integer((json_int_t)st->count[s])) != 0) {
			json_decref(o);
			o = NULL;
		}
	return o;
}

/* status --json, built with jansson so that every string (the dsn, a
 * worker's name, the integrity message: operator-given or from storage)
 * comes out escaped, whatever it holds. 0, or -1 when out of memory
 * (nothing printed). */
static int
status_json(struct queue *q, const struct queue_stats *all, const struct queue_stats ch[3],
            int check, const char *check_msg, const struct queue_lease_sum *ls, size_t nls)
{
	uint64_t stuck = 0;
	(void)needs_batch_unsendable(q, &stuck);
	char t[32], dsn[512];
	json_t *o = json_object(), *chans = json_object(), *leases = json_array();
	int bad = o == NULL;
	/* set_new takes its value (and frees it on failure), NULL included. */
	bad |= json_object_set_new(o, "queue",
	    status_str(queue_dsn_shown(param_str(P_QUEUE_DSN), dsn, sizeof dsn))) != 0;
	bad |= json_object_set_new(o, "total", status_counts(all)) != 0;
	for (size_t c = 0; c < 3; c++)
		bad |= json_object_set_new(chans, qc_channels[c], status_counts(&ch[c])) != 0;
	bad |= json_object_set_new(o, "channels", chans) != 0;
	bad |= json_object_set_new(o, "oldest_pending",
	    json_string(qc_time(all->oldest_pending_ms, t, sizeof t))) != 0;
	bad |= json_object_set_new(o, "next_attempt",
	    json_string(qc_time(all->next_attempt_ms, t, sizeof t))) != 0;
	bad |= json_object_set_new(o, "batch_without_sftp", json_integer((json_int_t)stuck)) != 0;
	for (size_t i = 0; i < nls; i++) {
		json_t *l = json_object();
		bad |= json_object_set_new(l, "owner", status_str(ls[i].owner)) != 0;
		bad |= json_object_set_new(l, "messages",
		    json_integer((json_int_t)(ls[i].building + ls[i].sending))) != 0;
		bad |= json_object_set_new(l, "building", json_integer((json_int_t)ls[i].building)) != 0;
		bad |= json_object_set_new(l, "sending", json_integer((json_int_t)ls[i].sending)) != 0;
		bad |= json_object_set_new(l, "earliest_expiry",
		    json_string(qc_time(ls[i].earliest_until_ms, t, sizeof t))) != 0;
		bad |= json_object_set_new(l, "earliest_expiry_ms",
		    json_integer((json_int_t)ls[i].earliest_until_ms)) != 0;
		bad |= json_array_append_new(leases, l) != 0;
	}
	bad |= json_object_set_new(o, "leases", leases) != 0;
	if (check)
		bad |= json_object_set_new(o, "integrity", status_str(check_msg)) != 0;
	/* Compact, keys in the order set: plain values print as they always did. */
	char *text = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL)
		return -1;
	printf("%s\n", text);
	free(text);
	return 0;
}

/* The next few messages that wait, so an operator sees what waits and why
 * (a batch message that no configured channel can send says so, instead of
 * being due "now" for ever). */
static void
status_waiting(struct queue *q, int64_t now)
{
	uint64_t stuck = 0;
	char line[256];
	if (needs_batch_unsendable(q, &stuck) == GW_OK &&
	    needs_batch_unsendable_line(stuck, line, sizeof line))
		printf("%s\n", line);
	static const enum queue_state waiting[] = { QS_PENDING, QS_READY, QS_SENT };
	char t[32];
	for (size_t w = 0; w < 3; w++) {
		struct queue_msg *l = NULL;
		size_t n = 0;
		struct queue_filter f = { .state = (int)waiting[w], .limit = 5 };
		if (q->ops->list(q, &f, &l, &n) != GW_OK)
			continue;
		for (size_t i = 0; i < n; i++) {
			printf("  next %-9s %s record %s rev %u %s at %s%s%s\n",
			    queue_state_name(l[i].state), l[i].id, l[i].record_id, l[i].revision,
			    l[i].kind, l[i].next_attempt_ms <= now ? "now"
			    : qc_time(l[i].next_attempt_ms, t, sizeof t),
			    l[i].last_error[0] ? " last error: " : "", l[i].last_error);
			if (stuck > 0 && strcmp(l[i].channel, "onss-batch") == 0)
				printf("    not sent: " NEEDS_BATCH_NO_SFTP "\n");
			queue_msg_free(&l[i]);
		}
		free(l);
	}
}

/* status as a table */
static void
status_table(struct queue *q, const struct queue_stats *all, const struct queue_stats ch[3],
             const struct queue_lease_sum *ls, size_t nls)
{
	static const char *const short_names[QS__COUNT] = { "pending", "building", "ready",
	    "sending", "sent", "accepted", "warnings", "refused", "failed", "held", "cancelled" };
	struct queue_stats other;
	char t[32], span[32], dsn[512];
	printf("queue %s (%s)\n%-12s", queue_dsn_shown(param_str(P_QUEUE_DSN), dsn, sizeof dsn),
	    q->ops->name, "channel");
	for (int s = 0; s < QS__COUNT; s++)
		printf(" %9s", short_names[s]);
	printf("\n");
	for (size_t c = 0; c < 3; c++)
		status_line(qc_channels[c], &ch[c]);
	if (status_other(all, ch, &other))
		status_line("other", &other);
	status_line("total", all);
	int64_t now = queue_now_ms();
	printf("oldest unfinished: %s", qc_time(all->oldest_pending_ms, t, sizeof t));
	if (all->oldest_pending_ms > 0)
		printf(" (%s ago)", qc_span(now - all->oldest_pending_ms, span, sizeof span));
	printf("\nnext attempt:      %s", qc_time(all->next_attempt_ms, t, sizeof t));
	if (all->next_attempt_ms > now)
		printf(" (in %s)", qc_span(all->next_attempt_ms - now, span, sizeof span));
	printf("\n");
	status_leases(ls, nls, now);
	status_waiting(q, now);
}

/* gateway status [--json] [--check] */
int
cmd_status(int argc, char **argv)
{
	int json = 0, check = 0;
	if (cmd_wants_help(argc, argv)) {
		printf("usage: gateway status [--json] [--check]\n\nCounts per state and per channel"
		    " (a row \"other\" when messages sit on\nanother channel, so that the rows add up),"
		    " the oldest message not yet\nfinal (held ones aside), the next attempts due and"
		    " each worker's leases\n(messages in building or sending, earliest expiry)."
		    " --check also runs the\nqueue's storage self-check (PRAGMA integrity_check for"
		    " SQLite) and exits 1\nwhen it fails.\n\nexamples:\n  gateway status\n"
		    "  gateway status --json --check\n");
		return GW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--check") == 0) {
			check = 1;
		} else {
			fprintf(stderr, "gateway status: unknown option %s\n", argv[i]);
			return GW_EXIT_USAGE;
		}
	}
	struct queue *q = qc_open("status");
	if (q == NULL)
		return GW_EXIT_USAGE;
	struct queue_stats all, ch[3];
	struct queue_lease_sum *ls = NULL;
	size_t nls = 0;
	gw_rc rc = q->ops->stats(q, NULL, &all);
	for (size_t c = 0; rc == GW_OK && c < 3; c++)
		rc = q->ops->stats(q, qc_channels[c], &ch[c]);
	if (rc == GW_OK)
		rc = queue_lease_sums(q, &ls, &nls);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway status: cannot read the queue: %s\n", gw_rc_name(rc));
		q->ops->close(q);
		return GW_EXIT_USAGE;
	}
	char check_msg[256] = "";
	int check_failed = check && q->ops->check(q, check_msg, sizeof check_msg) != GW_OK;
	if (json) {
		if (status_json(q, &all, ch, check, check_msg, ls, nls) != 0) {
			fprintf(stderr, "gateway status: out of memory for the JSON\n");
			free(ls);
			q->ops->close(q);
			return GW_EXIT_USAGE;
		}
	} else {
		status_table(q, &all, ch, ls, nls);
		if (check)
			printf("integrity: %s\n", check_msg);
	}
	free(ls);
	q->ops->close(q);
	return check_failed ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

/* What the two references of a message are: they depend on the channel
 * and, for the second, on the stage (a batch message carries its FI file
 * name until the answer brings the Dimona period id). */
static void
ref_names(const struct queue_msg *m, const char **r1, const char **r2)
{
	int batch = strcmp(m->channel, "onss-batch") == 0;
	int as4 = strcmp(m->channel, "peppol-as4") == 0;
	*r1 = batch ? "ticket:" : as4 ? "AS4 message:" : "declaration:";
	*r2 = strncmp(m->remote_ref2, "FI.", 3) == 0 ? "batch file:"
	    : strncmp(m->kind, "dimona", 6) == 0 ? "period id:"
	    : as4 ? "document id:" : "reference:";
}

/* What the operator can do next with a message in its state. */
static const char *
next_step(enum queue_state s)
{
	switch (s) {
	case QS_REFUSED:
		return "the ONSS refused it: correct the record and take in a new revision"
		    " (gateway intake); this message stays refused in the history";
	case QS_FAILED:
		return "gateway retry ID sends it again (after a lookup, when an attempt may have"
		    " landed); or correct the record and take in a new revision";
	case QS_HELD:
		return "gateway release ID lets it go on; gateway cancel ID drops it";
	case QS_ACCEPTED_WARNINGS:
		return "accepted: read the warnings; nothing to send again";
	default:
		return NULL;
	}
}

/* Print one message, its answer in words and its history. */
static void
print_msg(struct queue *q, const struct queue_msg *m)
{
	char t[32];
	const char *r1, *r2, *step = next_step(m->state);
	ref_names(m, &r1, &r2);
	printf("id:            %s\n", m->id);
	printf("record:        %s revision %u\n", m->record_id, m->revision);
	printf("kind:          %s\nchannel:       %s\nstate:         %s\n", m->kind, m->channel,
	    queue_state_name(m->state));
	printf("attempts:      %u\n", m->attempts);
	if (!queue_state_is_final(m->state)) {
		printf("next attempt:  %s\n", qc_time(m->next_attempt_ms, t, sizeof t));
		printf("expires:       %s\n", qc_time(m->expires_ms, t, sizeof t));
	}
	printf("created:       %s\n", qc_time(m->created_ms, t, sizeof t));
	printf("updated:       %s\n", qc_time(m->updated_ms, t, sizeof t));
	if (m->depends_on[0])
		printf("depends on:    %s\n", m->depends_on);
	if (m->remote_ref[0])
		printf("%-14s %s\n", r1, m->remote_ref);
	if (m->remote_ref2[0])
		printf("%-14s %s\n", r2, m->remote_ref2);
	if (m->content_hash[0])
		printf("content hash:  sha256:%s (%zu bytes)\n", m->content_hash, m->body_len);
	if (m->body_file[0])
		printf("body file:     %s\n", m->body_file);
	/* A filing's permanent ids (DMPI) live in the record store. */
	struct store *sto = NULL;
	struct store_perm_ids perm;
	if (store_of(q, &sto) == GW_OK && sto->ops->perm_get(sto, m->id, &perm) == GW_OK) {
		printf("permanent ids: %s (%zu bytes, kept in the record store)\n", perm.name,
		    perm.body_len);
		free(perm.body);
	}
	if (m->last_error[0]) {
		printf("%-14s %s\n", m->state == QS_ACCEPTED_WARNINGS ? "warnings:"
		    : m->state == QS_REFUSED ? "refused for:" : "last error:", m->last_error);
		answer_words_print(stdout, "               ", m->last_error);
	}
	if (step != NULL)
		printf("next step:     %s\n", step);
	struct queue_event *evs = NULL;
	size_t n = 0;
	if (q->ops->history(q, m->id, &evs, &n) != GW_OK)
		return;
	printf("history:\n");
	for (size_t i = 0; i < n; i++) {
		printf("  %s %-18s %-10s", qc_time(evs[i].at_ms, t, sizeof t), evs[i].actor,
		    evs[i].what);
		if (evs[i].from != evs[i].to)
			printf(" %s -> %s", queue_state_name(evs[i].from), queue_state_name(evs[i].to));
		else
			printf(" [%s]", queue_state_name(evs[i].to));
		printf("%s%s\n", evs[i].why[0] ? ": " : "", evs[i].why);
	}
	free(evs);
}

/* A message, with its body when asked. */
static void
show_one(struct queue *q, const struct queue_msg *m, int body)
{
	print_msg(q, m);
	if (body && m->body != NULL) {
		printf("body:\n");
		fwrite(m->body, 1, m->body_len, stdout);
		printf("\n");
	}
}

/* Every message of a record (newest revision first), after what the record
 * store holds of it. 0 shown, 1 no such record. */
static int
show_record(struct queue *q, const char *id, int body)
{
	struct queue_msg *l = NULL;
	size_t n = 0;
	struct store *sto = NULL;
	struct store_revision sr;
	int stored = store_of(q, &sto) == GW_OK && sto->ops->revision_get(sto, id, 1, &sr) == GW_OK;
	if (queue_by_record(q, id, &l, &n) != GW_OK)
		n = 0;
	if (n == 0 && !stored) {
		free(l);
		return 1;
	}
	if (stored) {
		/* A revision that declared nothing is kept in the store, no message. */
		printf("stored revision: %u%s\n", sr.revision,
		    sr.payload != NULL ? " (kept in the record store, no message)" : "");
		printf("stored hash: %s\n", sr.hash);
		/* A day of a Horeca EXT run: the store's run row says which
		 * message declares it (no message of its own). */
		struct store_run_member rm;
		if (sto->ops->run_get(sto, id, &rm) == GW_OK)
			printf("horeca run: revision %u: %s (run declared by %s%s)\n", rm.revision,
			    rm.why, rm.msg_id, rm.head ? ", its first day" : "");
		if (n > 0)
			printf("\n");
		store_revision_free(&sr);
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			printf("\n");
		show_one(q, &l[i], body);
		queue_msg_free(&l[i]);
	}
	free(l);
	return 0;
}

/* gateway show [--body] ID|RECORD_ID */
/* The record's refusals at intake (record store), newest first: file,
 * line, field and reason; how many were printed. */
static size_t
show_rejections(struct queue *q, const char *record_id)
{
	struct store *st;
	struct store_rejection *v = NULL;
	size_t n = 0;
	char t[32];
	if (store_of(q, &st) != GW_OK ||
	    st->ops->rejections_list(st, record_id, 0, 0, &v, &n) != GW_OK)
		return 0;
	for (size_t i = 0; i < n; i++)
		printf("rejected at intake: %s:%u: %s%s%s%s (%s)\n", v[i].file, v[i].line,
		    v[i].field[0] ? "field " : "", v[i].field, v[i].field[0] ? ": " : "", v[i].reason,
		    qc_time(v[i].at_ms, t, sizeof t));
	if (n > 0)
		printf("next step: correct the record and take it in again (gateway intake);"
		    " gateway list --state rejected lists them all\n");
	free(v);
	return n;
}

int
cmd_show(int argc, char **argv)
{
	const char *id = NULL;
	int body = 0;
	if (cmd_wants_help(argc, argv)) {
		printf("usage: gateway show [--body] ID\n\nOne message with its full history, the"
		    " answer's anomalies in words and what\nto do next. ID is a message id, or a"
		    " record id (then every message of that\nrecord, newest revision first). --body"
		    " prints the exact bytes sent.\n\nexamples:\n  gateway show J-2026-122701\n"
		    "  gateway show --body m3f2a9c41d07b5e8e2c6a1f90\n");
		return GW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--body") == 0)
			body = 1;
		else if (argv[i][0] != '-' && id == NULL)
			id = argv[i];
		else {
			fprintf(stderr, "gateway show: unexpected argument %s\n", argv[i]);
			return GW_EXIT_USAGE;
		}
	}
	if (id == NULL) {
		fprintf(stderr, "gateway show: a message or record id is required\n");
		return GW_EXIT_USAGE;
	}
	struct queue *q = qc_open("show");
	if (q == NULL)
		return GW_EXIT_USAGE;
	struct queue_msg m;
	int code = GW_EXIT_OK;
	gw_rc rc = q->ops->get(q, id, &m);
	if (rc == GW_OK) {
		show_one(q, &m, body);
		queue_msg_free(&m);
	} else if (rc == GW_ENOTFOUND) {
		int none = show_record(q, id, body) != 0;
		/* A record refused at intake has no message: its refusal says why. */
		if (show_rejections(q, id) == 0 && none) {
			fprintf(stderr, "gateway show: no message or record %s\n", id);
			code = GW_EXIT_REJECTED;
		}
	} else {
		fprintf(stderr, "gateway show: %s: %s\n", id, gw_rc_name(rc));
		code = GW_EXIT_USAGE;
	}
	q->ops->close(q);
	return code;
}
