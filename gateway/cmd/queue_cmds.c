/*
 * cmd/queue_cmds.c - the queue's operator commands: intake, status, show,
 * hold | release | retry | cancel, requeue.
 *
 * Owns option parsing and output; every state change goes through the
 * queue interface, which refuses what the state machine does not allow.
 * Must never edit the queue behind the interface's back, never print
 * "taken in" before the commit returned.
 */
#include "cmd/cmd.h"
#include "core/params.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "queue/queue.h"
#include "store/store.h"
#include "service/intake.h"
#include "service/invoice_intake.h"
#include "core/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const known_channels[] = { "dimona-rest", "onss-batch", "peppol-as4" };

/* Open the configured queue or say why not. */
static struct queue *
qc_open(const char *cmd)
{
	struct queue *q = NULL;
	char err[512];
	if (queue_open_configured(&q, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway %s: %s\n", cmd, err);
		return NULL;
	}
	return q;
}

/* UTC ISO 8601 of a unix-ms time; "-" for 0. */
static const char *
qc_time(int64_t ms, char *buf, size_t cap)
{
	if (ms <= 0) {
		snprintf(buf, cap, "-");
		return buf;
	}
	clock_format_utc(ms, buf, cap);
	return buf;
}

/* The operator's name for the history: --actor, else $USER. */
static void
qc_actor(char *out, size_t cap, const char *given)
{
	const char *u = given ? given : getenv("USER");
	snprintf(out, cap, "operator:%s", u && *u ? u : "unknown");
}

/* gateway intake --contracts FILE... --invoices FILE... */
int
cmd_intake(int argc, char **argv)
{
	const char *files[64], *inv_files[64];
	size_t nf = 0, ni = 0;
	if (cmd_wants_help(argc, argv)) {
		printf("usage: gateway intake [--contracts FILE]... [--invoices FILE]...\n\n"
		    "Validates contract records (CSV or JSON Lines) and adds the messages they call\n"
		    "for to the durable queue: a Dimona IN for a new contract; for a higher revision\n"
		    "of a contract already taken in, the follow-up (UPDATE, OUT, CANCEL); a replay of\n"
		    "a revision already taken in changes nothing. Prints a summary after the commit.\n"
		    "--invoices: invoice records (JSON Lines) become validated Peppol UBL documents\n"
		    "on the peppol-as4 channel (record id inv:<invoice_id>); a higher revision adds a\n"
		    "credit note cancelling the previous document plus a new one (docs/invoices.md).\n"
		    "Exit 0 all taken in, 1 some records rejected, 2 usage or I/O error, or the\n"
		    "queue refused (disk nearly full: try again later).\n");
		return GW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--contracts") == 0 && i + 1 < argc && nf < 64) {
			files[nf++] = argv[++i];
		} else if (strcmp(argv[i], "--invoices") == 0 && i + 1 < argc && ni < 64) {
			inv_files[ni++] = argv[++i];
		} else {
			fprintf(stderr, "gateway intake: unknown or incomplete option %s\n", argv[i]);
			return GW_EXIT_USAGE;
		}
	}
	if (nf == 0 && ni == 0) {
		fprintf(stderr, "gateway intake: --contracts FILE or --invoices FILE is required\n");
		return GW_EXIT_USAGE;
	}
	struct queue *q = qc_open("intake");
	if (q == NULL)
		return GW_EXIT_USAGE;
	struct intake_opts o;
	intake_opts_default(&o);
	int exit_code = GW_EXIT_OK;
	for (size_t f = 0; f < nf; f++) {
		struct intake_stats st;
		char err[512] = "";
		gw_rc rc = intake_contracts(q, files[f], &o, &st, stderr, err, sizeof err);
		/* Only what was committed is counted in the summary. */
		printf("%s: %lu read, %lu rejected, %lu taken in (%lu messages), %lu replayed"
		    " (older revision), %lu unchanged, %lu without anything to declare\n",
		    files[f], st.read, st.rejected, st.queued_records, st.messages, st.replayed,
		    st.unchanged, st.no_change);
		if (rc != GW_OK) {
			fprintf(stderr, "gateway intake: %s: %s\n", files[f], err);
			exit_code = GW_EXIT_USAGE;
			break;
		}
		if (st.rejected > 0)
			exit_code = GW_EXIT_REJECTED;
	}
	struct invoice_intake_opts io;
	char ierr[512] = "";
	if (ni > 0 && exit_code != GW_EXIT_USAGE &&
	    invoice_intake_opts_default(&io, ierr, sizeof ierr) != GW_OK) {
		fprintf(stderr, "gateway intake: %s\n", ierr);
		exit_code = GW_EXIT_USAGE;
	}
	for (size_t f = 0; f < ni && exit_code != GW_EXIT_USAGE; f++) {
		struct invoice_intake_stats st;
		gw_rc rc = invoice_intake_file(q, inv_files[f], &io, &st, stderr, ierr, sizeof ierr);
		printf("%s: %lu read, %lu rejected, %lu taken in (%lu revised; %lu messages: %lu ready,"
		    " %lu failed), %lu replayed (older revision), %lu unchanged, %lu new revision(s)"
		    " without change\n", inv_files[f], st.read, st.rejected, st.taken, st.revised,
		    st.messages, st.ready, st.failed, st.replayed, st.unchanged, st.no_change);
		if (rc != GW_OK) {
			fprintf(stderr, "gateway intake: %s: %s\n", inv_files[f], ierr);
			exit_code = GW_EXIT_USAGE;
		} else if (st.rejected > 0) {
			exit_code = GW_EXIT_REJECTED;
		}
	}
	fflush(stdout);
	q->ops->close(q);
	return exit_code;
}

/* One line of counts. */
static void
qc_status_line(const char *label, const struct queue_stats *st)
{
	printf("%-12s", label);
	for (int s = 0; s < QS__COUNT; s++)
		printf(" %*llu", s == QS_ACCEPTED_WARNINGS ? 9 : 9, (unsigned long long)st->count[s]);
	printf("\n");
}

/* gateway status [--json] */
int
cmd_status(int argc, char **argv)
{
	int json = 0;
	if (cmd_wants_help(argc, argv)) {
		printf("usage: gateway status [--json] [--check]\n\nCounts per state and per channel,"
		    " the oldest pending message and the next\nattempts due. --check also runs the"
		    " queue's storage self-check (PRAGMA\nintegrity_check for SQLite) and exits 1 when"
		    " it fails.\n");
		return GW_EXIT_OK;
	}
	int check = 0;
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
	char t1[32], t2[32];
	gw_rc rc = q->ops->stats(q, NULL, &all);
	for (size_t c = 0; rc == GW_OK && c < 3; c++)
		rc = q->ops->stats(q, known_channels[c], &ch[c]);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway status: cannot read the queue: %s\n", gw_rc_name(rc));
		q->ops->close(q);
		return GW_EXIT_USAGE;
	}
	int check_failed = 0;
	char check_msg[256] = "";
	if (check && q->ops->check(q, check_msg, sizeof check_msg) != GW_OK)
		check_failed = 1;
	if (json) {
		printf("{\"queue\":\"%s\",\"total\":{", param_str(P_QUEUE_DSN));
		for (int s = 0; s < QS__COUNT; s++)
			printf("%s\"%s\":%llu", s ? "," : "", queue_state_name((enum queue_state)s),
			    (unsigned long long)all.count[s]);
		printf("},\"channels\":{");
		for (size_t c = 0; c < 3; c++) {
			printf("%s\"%s\":{", c ? "," : "", known_channels[c]);
			for (int s = 0; s < QS__COUNT; s++)
				printf("%s\"%s\":%llu", s ? "," : "",
				    queue_state_name((enum queue_state)s),
				    (unsigned long long)ch[c].count[s]);
			printf("}");
		}
		printf("},\"oldest_pending\":\"%s\",\"next_attempt\":\"%s\"",
		    qc_time(all.oldest_pending_ms, t1, sizeof t1),
		    qc_time(all.next_attempt_ms, t2, sizeof t2));
		if (check) {
			printf(",\"integrity\":\"");
			for (const char *p = check_msg; *p; p++)
				if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
					putchar(*p);
			printf("\"");
		}
		printf("}\n");
		q->ops->close(q);
		return check_failed ? GW_EXIT_REJECTED : GW_EXIT_OK;
	}
	printf("queue %s (%s)\n%-12s", param_str(P_QUEUE_DSN),
	    q->ops->name, "channel");
	static const char *const short_names[QS__COUNT] = { "pending", "building", "ready",
	    "sending", "sent", "accepted", "warnings", "refused", "failed", "held", "cancelled" };
	for (int s = 0; s < QS__COUNT; s++)
		printf(" %9s", short_names[s]);
	printf("\n");
	for (size_t c = 0; c < 3; c++)
		qc_status_line(known_channels[c], &ch[c]);
	qc_status_line("total", &all);
	int64_t now = queue_now_ms();
	printf("oldest pending: %s", qc_time(all.oldest_pending_ms, t1, sizeof t1));
	if (all.oldest_pending_ms > 0)
		printf(" (%lld s ago)", (long long)((now - all.oldest_pending_ms) / 1000));
	printf("\nnext attempt:   %s", qc_time(all.next_attempt_ms, t2, sizeof t2));
	if (all.next_attempt_ms > now)
		printf(" (in %lld s)", (long long)((all.next_attempt_ms - now) / 1000));
	printf("\n");
	/* The next few due messages, so an operator sees what waits and why. */
	struct queue_msg *l = NULL;
	size_t n = 0;
	static const enum queue_state waiting[] = { QS_PENDING, QS_READY, QS_SENT };
	for (size_t w = 0; w < 3; w++) {
		struct queue_filter f = { .state = (int)waiting[w], .limit = 5 };
		if (q->ops->list(q, &f, &l, &n) != GW_OK)
			continue;
		for (size_t i = 0; i < n; i++) {
			printf("  next %-9s %s record %s rev %u %s at %s%s%s\n",
			    queue_state_name(l[i].state), l[i].id, l[i].record_id, l[i].revision,
			    l[i].kind, l[i].next_attempt_ms <= now ? "now"
			    : qc_time(l[i].next_attempt_ms, t1, sizeof t1),
			    l[i].last_error[0] ? " last error: " : "", l[i].last_error);
			queue_msg_free(&l[i]);
		}
		free(l);
		l = NULL;
	}
	if (check)
		printf("integrity: %s\n", check_msg);
	q->ops->close(q);
	return check_failed ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

/* Print one message and its history. */
static void
qc_print_msg(struct queue *q, const struct queue_msg *m)
{
	char t[32];
	printf("id:            %s\n", m->id);
	printf("record:        %s revision %u\n", m->record_id, m->revision);
	printf("kind:          %s\nchannel:       %s\nstate:         %s\n", m->kind, m->channel,
	    queue_state_name(m->state));
	printf("attempts:      %u\n", m->attempts);
	printf("next attempt:  %s\n", qc_time(m->next_attempt_ms, t, sizeof t));
	printf("expires:       %s\n", qc_time(m->expires_ms, t, sizeof t));
	printf("created:       %s\n", qc_time(m->created_ms, t, sizeof t));
	printf("updated:       %s\n", qc_time(m->updated_ms, t, sizeof t));
	if (m->depends_on[0])
		printf("depends on:    %s\n", m->depends_on);
	if (m->remote_ref[0])
		printf("remote ref:    %s\n", m->remote_ref);
	if (m->remote_ref2[0])
		printf("remote ref 2:  %s\n", m->remote_ref2);
	if (m->content_hash[0])
		printf("content hash:  sha256:%s (%zu bytes)\n", m->content_hash, m->body_len);
	if (m->body_file[0])
		printf("body file:     %s\n", m->body_file);
	if (m->last_error[0])
		printf("last error:    %s\n", m->last_error);
	struct queue_event *evs = NULL;
	size_t n = 0;
	if (q->ops->history(q, m->id, &evs, &n) == GW_OK) {
		printf("history:\n");
		for (size_t i = 0; i < n; i++) {
			printf("  %s %-18s %-10s", qc_time(evs[i].at_ms, t, sizeof t), evs[i].actor,
			    evs[i].what);
			if (evs[i].from != evs[i].to)
				printf(" %s -> %s", queue_state_name(evs[i].from),
				    queue_state_name(evs[i].to));
			else
				printf(" [%s]", queue_state_name(evs[i].to));
			printf("%s%s\n", evs[i].why[0] ? ": " : "", evs[i].why);
		}
		free(evs);
	}
}

/* gateway show ID|RECORD_ID [--body] */
int
cmd_show(int argc, char **argv)
{
	const char *id = NULL;
	int body = 0;
	if (cmd_wants_help(argc, argv)) {
		printf("usage: gateway show [--body] ID\n\nOne message with its full history. ID is a"
		    " message id, or a record id\n(then every message of that record, newest"
		    " revision first). --body prints\nthe exact bytes sent.\n");
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
		fprintf(stderr, "gateway show: a message id is required\n");
		return GW_EXIT_USAGE;
	}
	struct queue *q = qc_open("show");
	if (q == NULL)
		return GW_EXIT_USAGE;
	struct queue_msg m;
	int code = GW_EXIT_OK;
	gw_rc rc = q->ops->get(q, id, &m);
	if (rc == GW_OK) {
		qc_print_msg(q, &m);
		if (body && m.body != NULL) {
			printf("body:\n");
			fwrite(m.body, 1, m.body_len, stdout);
			printf("\n");
		}
		queue_msg_free(&m);
	} else if (rc == GW_ENOTFOUND) {
		struct queue_msg *l = NULL;
		size_t n = 0;
		struct store *sto = NULL;
		struct store_revision sr;
		int stored = store_of(q, &sto) == GW_OK &&
		    sto->ops->revision_get(sto, id, 1, &sr) == GW_OK;
		if (q->ops->by_record(q, id, &l, &n) == GW_OK && (n > 0 || stored)) {
			/* The record store's view first: the highest revision
			 * taken in, and whether it is kept there (a revision
			 * that declared nothing is no message). */
			if (stored) {
				printf("stored revision: %u%s\n", sr.revision,
				    sr.payload != NULL ? " (kept in the record store, no message)" : "");
				printf("stored hash: %s\n", sr.hash);
				if (n > 0)
					printf("\n");
			}
			for (size_t i = 0; i < n; i++) {
				if (i)
					printf("\n");
				qc_print_msg(q, &l[i]);
				queue_msg_free(&l[i]);
			}
			free(l);
		} else {
			fprintf(stderr, "gateway show: no message or record %s\n", id);
			code = GW_EXIT_REJECTED;
		}
		if (stored)
			store_revision_free(&sr);
	} else {
		fprintf(stderr, "gateway show: %s: %s\n", id, gw_rc_name(rc));
		code = GW_EXIT_USAGE;
	}
	q->ops->close(q);
	return code;
}

/* One operator action on one message; 0 done, 1 refused (message on stderr). */
static int
qc_act(struct queue *q, const char *verb, const char *id, const char *actor, const char *reason,
       int force)
{
	struct queue_msg m;
	char why[400];
	gw_rc rc = q->ops->get(q, id, &m);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway %s: %s: %s\n", verb, id,
		    rc == GW_ENOTFOUND ? "no such message" : gw_rc_name(rc));
		return 1;
	}
	snprintf(why, sizeof why, "%s by operator%s%.300s", verb, reason ? ": " : "",
	    reason ? reason : "");
	enum queue_state from = m.state, to = from;
	int64_t now = queue_now_ms();
	if (strcmp(verb, "hold") == 0) {
		to = QS_HELD;
		if (from != QS_PENDING && from != QS_READY)
			rc = GW_ESTATE;        /* building/sending/sent are in flight */
	} else if (strcmp(verb, "release") == 0) {
		to = QS_PENDING;
		m.next_attempt_ms = now;
		if (from != QS_HELD)
			rc = GW_ESTATE;
	} else if (strcmp(verb, "cancel") == 0) {
		to = QS_CANCELLED;
		/* A message whose earlier attempt may have landed is not "unsent". */
		if (from == QS_READY && m.attempts > 0 && !force) {
			fprintf(stderr, "gateway cancel: %s: an earlier attempt may have reached the"
			    " other side (%u attempt(s)); use --force to cancel anyway\n", id, m.attempts);
			queue_msg_free(&m);
			return 1;
		}
	} else {                           /* retry */
		m.next_attempt_ms = now;
		if (from == QS_FAILED) {
			to = QS_PENDING;
			int64_t exp = param_int(P_QUEUE_EXPIRY_S) * 1000;
			m.expires_ms = exp > 0 ? now + exp : 0;
		} else if (from == QS_PENDING || from == QS_READY || from == QS_SENT) {
			to = from;     /* due now, same state */
		} else {
			rc = GW_ESTATE;
		}
	}
	if (rc == GW_OK) {
		if (to == from) {
			struct queue_event ev = { .from = from, .to = to };
			snprintf(ev.actor, sizeof ev.actor, "%s", actor);
			snprintf(ev.what, sizeof ev.what, "operator");
			snprintf(ev.why, sizeof ev.why, "%s", why);
			rc = q->ops->update(q, &m);
			if (rc == GW_OK)
				rc = q->ops->add_event(q, m.id, &ev);
		} else {
			rc = q->ops->update_transition(q, &m, from, to, actor, why);
		}
	}
	if (rc == GW_ESTATE) {
		fprintf(stderr, "gateway %s: %s: not allowed in state %s\n", verb, id,
		    queue_state_name(from));
	} else if (rc != GW_OK) {
		fprintf(stderr, "gateway %s: %s: %s\n", verb, id, gw_rc_name(rc));
	} else {
		printf("%s %s: %s -> %s\n", id, verb, queue_state_name(from), queue_state_name(to));
		log_info(m.id, m.record_id, "%s: %s -> %s (%s)", verb, queue_state_name(from),
		    queue_state_name(to), actor);
	}
	queue_msg_free(&m);
	return rc == GW_OK ? 0 : 1;
}

/* gateway hold|release|retry|cancel ID... [--reason TEXT] [--actor NAME] [--force] */
int
cmd_hold(int argc, char **argv)
{
	const char *verb = argv[0], *reason = NULL, *actor_name = NULL;
	const char *ids[256];
	size_t n = 0;
	int force = 0;
	if (cmd_wants_help(argc, argv)) {
		printf("usage: gateway hold|release|retry|cancel [--reason TEXT] [--actor NAME]"
		    " [--force] ID...\n\n"
		    "  hold     stop a pending or ready message (not one in flight)\n"
		    "  release  let a held message go on (it is built again)\n"
		    "  retry    make a message due now; a failed one goes back to pending\n"
		    "  cancel   cancel a message that was not sent (--force: even when an earlier\n"
		    "           attempt's outcome is unknown)\n"
		    "Each action is recorded in the message's history with the operator's name.\n"
		    "Exit 1 when an action was refused.\n");
		return GW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else if (strcmp(argv[i], "--actor") == 0 && i + 1 < argc)
			actor_name = argv[++i];
		else if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (argv[i][0] != '-' && n < 256)
			ids[n++] = argv[i];
		else {
			fprintf(stderr, "gateway %s: unknown or incomplete option %s\n", verb, argv[i]);
			return GW_EXIT_USAGE;
		}
	}
	if (n == 0) {
		fprintf(stderr, "gateway %s: a message id is required\n", verb);
		return GW_EXIT_USAGE;
	}
	struct queue *q = qc_open(verb);
	if (q == NULL)
		return GW_EXIT_USAGE;
	char actor[32];
	qc_actor(actor, sizeof actor, actor_name);
	int refused = 0;
	for (size_t i = 0; i < n; i++)
		refused += qc_act(q, verb, ids[i], actor, reason, force);
	q->ops->close(q);
	return refused ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

/* Parse --since: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a duration ago (30m, 2h, 7d). */
static int
qc_parse_since(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno == 0 && end != s && v >= 0 && end[0] != '\0' && end[1] == '\0' && end[0] != '-') {
		int64_t unit = end[0] == 's' ? 1000 : end[0] == 'm' ? 60000 : end[0] == 'h' ? 3600000
		    : end[0] == 'd' ? 86400000 : 0;
		if (unit == 0)
			return -1;
		*out = queue_now_ms() - v * unit;
		return 0;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *rest = strptime(s, "%Y-%m-%d", &tm);
	if (rest == NULL)
		return -1;
	if (*rest == 'T') {
		rest = strptime(rest + 1, "%H:%M:%S", &tm);
		if (rest == NULL)
			return -1;
		if (*rest == 'Z')
			rest++;
	}
	if (*rest != '\0')
		return -1;
	*out = (int64_t)timegm(&tm) * 1000;
	return 0;
}

/* gateway requeue --state failed --since WHEN [--channel C] [--dry-run] */
int
cmd_requeue(int argc, char **argv)
{
	const char *state = NULL, *since = NULL, *channel = NULL, *actor_name = NULL;
	int dry = 0;
	if (cmd_wants_help(argc, argv)) {
		printf("usage: gateway requeue --state failed --since WHEN [--channel C] [--dry-run]"
		    " [--actor NAME]\n\n"
		    "Puts failed messages that failed since WHEN (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ,\n"
		    "or a duration ago: 30m, 2h, 7d) back to pending with a fresh expiry. Their\n"
		    "attempt count is kept, so a message that may have reached the other side is\n"
		    "looked up there before it is sent again.\n");
		return GW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
			state = argv[++i];
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc)
			since = argv[++i];
		else if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc)
			channel = argv[++i];
		else if (strcmp(argv[i], "--actor") == 0 && i + 1 < argc)
			actor_name = argv[++i];
		else if (strcmp(argv[i], "--dry-run") == 0)
			dry = 1;
		else {
			fprintf(stderr, "gateway requeue: unknown or incomplete option %s\n", argv[i]);
			return GW_EXIT_USAGE;
		}
	}
	int64_t since_ms = 0;
	if (state == NULL || strcmp(state, "failed") != 0) {
		fprintf(stderr, "gateway requeue: --state failed is required (only failed messages"
		    " are requeued)\n");
		return GW_EXIT_USAGE;
	}
	if (since == NULL || qc_parse_since(since, &since_ms) != 0) {
		fprintf(stderr, "gateway requeue: --since takes YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or"
		    " a duration (30m, 2h, 7d)\n");
		return GW_EXIT_USAGE;
	}
	struct queue *q = qc_open("requeue");
	if (q == NULL)
		return GW_EXIT_USAGE;
	struct queue_filter f = { .state = QS_FAILED, .channel = channel,
	    .updated_since_ms = since_ms, .with_bodies = 1 };
	struct queue_msg *l = NULL;
	size_t n = 0, done = 0;
	int code = GW_EXIT_OK;
	if (q->ops->list(q, &f, &l, &n) != GW_OK) {
		fprintf(stderr, "gateway requeue: cannot read the queue\n");
		q->ops->close(q);
		return GW_EXIT_USAGE;
	}
	char actor[32];
	qc_actor(actor, sizeof actor, actor_name);
	int64_t now = queue_now_ms(), exp = param_int(P_QUEUE_EXPIRY_S) * 1000;
	for (size_t i = 0; i < n; i++) {
		if (dry) {
			printf("would requeue %s record %s rev %u %s (%s)\n", l[i].id, l[i].record_id,
			    l[i].revision, l[i].kind, l[i].last_error);
		} else {
			l[i].next_attempt_ms = now;
			l[i].expires_ms = exp > 0 ? now + exp : 0;
			gw_rc rc = q->ops->update_transition(q, &l[i], QS_FAILED, QS_PENDING, actor,
			    "requeued by operator");
			if (rc == GW_OK) {
				done++;
				printf("requeued %s record %s rev %u %s\n", l[i].id, l[i].record_id,
				    l[i].revision, l[i].kind);
			} else {
				fprintf(stderr, "gateway requeue: %s: %s\n", l[i].id, gw_rc_name(rc));
				code = GW_EXIT_REJECTED;
			}
		}
		queue_msg_free(&l[i]);
	}
	free(l);
	printf("%zu requeued of %zu failed since %s\n", done, n, since);
	q->ops->close(q);
	return code;
}
