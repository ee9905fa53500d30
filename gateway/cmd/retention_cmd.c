/*
 * retention_cmd.c - `gateway retention [--older-than DAYS] [--dry-run]`.
 *
 * Owns option parsing and output of the purge (service/retention.h): one
 * line per message purged, then a total. The keeping period is [retention]
 * keep_days; --older-than can ask to keep more, never less, so that an
 * operator's typo cannot purge what must still be kept.
 */
#include "cmd/cmd.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/params.h"
#include "queue/queue.h"
#include "service/retention.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gateway retention [--older-than DAYS] [--dry-run] [--actor NAME]\n"
	    "\n"
	    "Purges the personal data of final messages (accepted, accepted with warnings,\n"
	    "refused, failed, cancelled) whose last change is more than DAYS days old\n"
	    "(default and minimum: [retention] keep_days): the bytes sent and the record\n"
	    "they were built from. Ids, states, ONSS references, content hashes, times and\n"
	    "the history stay, with a \"retention\" event added. Messages in flight or held\n"
	    "are never touched. One line per message purged, then the totals;\n"
	    "--dry-run only says what would go.\n\n"
	    "examples:\n  gateway retention --dry-run\n"
	    "  gateway retention --older-than 2555 --actor dpo\n");
}

struct out { int dry; };

static void
print_item(void *cls, const struct retention_item *it)
{
	const struct out *o = cls;
	char t[40];
	clock_format_utc(it->m->updated_ms, t, sizeof t);
	printf("%s %s record %s rev %" PRIu32 " %s %s (last change %s): body %zu bytes, payload %zu bytes\n",
	    o->dry ? "would purge" : "purged", it->m->id, it->m->record_id, it->m->revision,
	    it->m->kind, queue_state_name(it->m->state), t, it->body_bytes, it->payload_bytes);
}

int
cmd_retention(int argc, char **argv)
{
	const char *days_s = NULL, *actor_name = NULL;
	struct out o = { 0 };
	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--older-than") == 0 && i + 1 < argc)
			days_s = argv[++i];
		else if (strcmp(argv[i], "--actor") == 0 && i + 1 < argc)
			actor_name = argv[++i];
		else if (strcmp(argv[i], "--dry-run") == 0)
			o.dry = 1;
		else {
			fprintf(stderr, "gateway retention: unknown or incomplete option %s\n", argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	int64_t keep = param_int(P_RETENTION_KEEP_DAYS), days = keep;
	if (days_s != NULL) {
		char *end;
		errno = 0;
		long long v = strtoll(days_s, &end, 10);
		if (errno != 0 || end == days_s || *end != '\0' || v < 1 || v > 36500) {
			fprintf(stderr, "gateway retention: --older-than %s: a number of days, 1 to 36500\n",
			    days_s);
			return GW_EXIT_USAGE;
		}
		if (v < keep) {
			fprintf(stderr, "gateway retention: --older-than %lld is shorter than the keeping "
			    "period ([retention] keep_days = %lld): nothing purged\n", v, (long long)keep);
			return GW_EXIT_USAGE;
		}
		days = v;
	}
	struct queue *q = NULL;
	char err[512];
	if (queue_open_configured(&q, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway retention: %s\n", err);
		return GW_EXIT_USAGE;
	}
	char actor[48];
	const char *u = actor_name ? actor_name : getenv("USER");
	snprintf(actor, sizeof actor, "operator:%s", u && *u ? u : "unknown");
	int64_t cutoff = clock_now_ms() - days * INT64_C(86400000);
	char t[40];
	clock_format_utc(cutoff, t, sizeof t);
	struct retention_totals tot;
	gw_rc rc = retention_purge(q, cutoff, o.dry, actor, print_item, &o, &tot, err, sizeof err);
	q->ops->close(q);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway retention: %s (%zu purged before the error)\n", err, tot.purged);
		return GW_EXIT_USAGE;
	}
	printf("%s %zu of %zu final messages last changed before %s (%lld days): %" PRIu64
	    " body bytes, %" PRIu64 " payload bytes; %zu already purged; audit trail kept\n",
	    o.dry ? "would purge" : "purged", tot.purged, tot.final_msgs, t, (long long)days,
	    tot.body_bytes, tot.payload_bytes, tot.already);
	return GW_EXIT_OK;
}
