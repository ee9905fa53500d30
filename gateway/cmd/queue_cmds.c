/*
 * cmd/queue_cmds.c - the queue's operator commands that change it: intake,
 * hold | release | retry | cancel, requeue (what only reads it is in
 * queue_view.c).
 *
 * Owns option parsing and output; every state change goes through the
 * queue interface, which refuses what the state machine does not allow.
 * Must never edit the queue behind the interface's back, never print
 * "taken in" before the commit returned.
 */
#include "cmd/cmd.h"
#include "core/progress.h"
#include "cmd/qc.h"
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
		    "queue refused (disk nearly full: try again later).\n\n"
		    "examples:\n  gateway intake --contracts today.csv\n"
		    "  gateway intake --contracts amendments.jsonl --invoices invoices.jsonl\n");
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
		struct progress pg;
		char err[512] = "";
		/* Records read, on a terminal only (progress_wanted). */
		progress_start(&pg, files[f], 0);
		o.progress = &pg;
		gw_rc rc = intake_contracts(q, files[f], &o, &st, stderr, err, sizeof err);
		progress_end(&pg);
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
			rc = queue_update(q, &m);
			if (rc == GW_OK)
				rc = queue_add_event(q, m.id, &ev);
		} else {
			rc = queue_update_transition(q, &m, from, to, actor, why);
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

/* The message an operator means by a record id: the newest revision's
 * message the verb can act on (hold: pending or ready; release: held;
 * retry: failed or waiting; cancel: not final). 0 found, 1 none or several
 * (said on stderr: then a message id is needed). */
static int
qc_resolve(struct queue *q, const char *verb, const char *record, char id[QUEUE_ID_MAX + 1])
{
	struct queue_msg *l = NULL;
	size_t n = 0, found = 0;
	uint32_t rev = 0;
	if (queue_by_record(q, record, &l, &n) != GW_OK || n == 0) {
		free(l);
		fprintf(stderr, "gateway %s: %s: no such message or record\n", verb, record);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		enum queue_state s = l[i].state;
		int fits = strcmp(verb, "hold") == 0 ? s == QS_PENDING || s == QS_READY
		    : strcmp(verb, "release") == 0 ? s == QS_HELD
		    : strcmp(verb, "retry") == 0 ? s == QS_FAILED || s == QS_PENDING || s == QS_READY ||
		      s == QS_SENT
		    : !queue_state_is_final(s);
		/* by_record lists the newest revision first: only its messages count. */
		if (fits && (found == 0 || l[i].revision == rev)) {
			if (found++ == 0) {
				rev = l[i].revision;
				memcpy(id, l[i].id, QUEUE_ID_MAX + 1);
			}
		}
		queue_msg_free(&l[i]);
	}
	free(l);
	if (found == 1)
		return 0;
	fprintf(stderr, found == 0 ? "gateway %s: record %s has no message to %s\n"
	    : "gateway %s: record %s has several messages to %s: name one (gateway show %s)\n",
	    verb, record, verb, record);
	return 1;
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
		    "ID is a message id, or a record id when its newest revision has exactly one\n"
		    "message the action applies to.\n"
		    "  hold     stop a pending or ready message (not one in flight)\n"
		    "  release  let a held message go on (it is built again)\n"
		    "  retry    make a message due now; a failed one goes back to pending\n"
		    "  cancel   cancel a message that was not sent (--force: even when an earlier\n"
		    "           attempt's outcome is unknown)\n"
		    "Each action is recorded in the message's history with the operator's name.\n"
		    "Exit 1 when an action was refused.\n\n"
		    "examples:\n  gateway hold --reason \"waiting for the member's papers\" J-2026-120302\n"
		    "  gateway retry m5ec0389d7bb39198e699cbc8\n");
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
		fprintf(stderr, "gateway %s: a message or record id is required\n", verb);
		return GW_EXIT_USAGE;
	}
	struct queue *q = qc_open(verb);
	if (q == NULL)
		return GW_EXIT_USAGE;
	char actor[32];
	qc_actor(actor, sizeof actor, actor_name);
	int refused = 0;
	for (size_t i = 0; i < n; i++) {
		/* A record id names its message when there is exactly one to act on. */
		struct queue_msg m;
		char id[QUEUE_ID_MAX + 1];
		snprintf(id, sizeof id, "%s", ids[i]);
		if (q->ops->get(q, ids[i], &m) == GW_OK)
			queue_msg_free(&m);
		else if (qc_resolve(q, verb, ids[i], id) != 0) {
			refused++;
			continue;
		}
		refused += qc_act(q, verb, id, actor, reason, force);
	}
	q->ops->close(q);
	return refused ? GW_EXIT_REJECTED : GW_EXIT_OK;
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
		    "looked up there before it is sent again.\n\n"
		    "examples:\n  gateway requeue --state failed --since 2h --dry-run\n"
		    "  gateway requeue --state failed --since 2026-11-25 --channel onss-batch\n");
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
			gw_rc rc = queue_update_transition(q, &l[i], QS_FAILED, QS_PENDING, actor,
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
