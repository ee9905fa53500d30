/*
 * cmd/summary_cmd.c - gateway summary: the day's summary for the operator
 * (or a cron mail): work starting today or tomorrow without an accepted
 * Dimona, refusals and failures to act on, the next DmfA due date and the
 * certificates that expire soon. Exit 1 when something needs someone.
 *
 * The same figures as the dashboard, from service/needs and
 * service/cert_info, as text.
 */
#include "cmd/cmd.h"
#include "cmd/qc.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "queue/queue.h"
#include "service/answer_words.h"
#include "service/cert_info.h"
#include "service/needs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOON_DAYS 45    /* a certificate this close to expiry needs renewing now */

/* Work starting today or tomorrow without an accepted Dimona; how many. */
static size_t
summary_due(struct queue *q, gw_ymd today)
{
	struct need_due *d = NULL;
	size_t n = 0;
	char day[16];
	if (needs_due(q, today, date_add_days(today, 1), &d, &n) != GW_OK) {
		printf("work starting soon: the queue could not be read\n");
		return 1;
	}
	printf("work starting today or tomorrow without an accepted Dimona: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		date_format(d[i].start, day, sizeof day);
		printf("  %s  %s  %s%s%s\n", day, d[i].record_id, queue_state_name(d[i].state),
		    d[i].why[0] ? "  " : "", d[i].why);
	}
	free(d);
	return n;
}

/* Refused, failed and held messages: counts, and the first few in words. */
static size_t
summary_refusals(struct queue *q)
{
	static const enum queue_state bad[] = { QS_REFUSED, QS_FAILED, QS_HELD };
	struct queue_stats st;
	if (q->ops->stats(q, NULL, &st) != GW_OK)
		return 1;
	size_t total = st.count[QS_REFUSED] + st.count[QS_FAILED] + st.count[QS_HELD];
	printf("to act on: %llu refused, %llu failed, %llu held%s\n",
	    (unsigned long long)st.count[QS_REFUSED], (unsigned long long)st.count[QS_FAILED],
	    (unsigned long long)st.count[QS_HELD], total ? " (gateway list shows them all)" : "");
	for (size_t i = 0; i < 3; i++) {
		struct queue_filter f = { .state = (int)bad[i], .limit = 5 };
		struct queue_msg *l = NULL;
		size_t n = 0;
		if (q->ops->list(q, &f, &l, &n) != GW_OK)
			continue;
		for (size_t k = 0; k < n; k++) {
			printf("  %-8s %s rev %u %s  %s\n", queue_state_name(l[k].state), l[k].record_id,
			    l[k].revision, l[k].kind, l[k].last_error);
			answer_words_print(stdout, "           ", l[k].last_error);
			queue_msg_free(&l[k]);
		}
		free(l);
	}
	return total;
}

/* The next DmfA due and what is queued for that quarter. */
static void
summary_dmfa(struct queue *q, gw_ymd today)
{
	gw_ymd due;
	struct need_dmfa *d = NULL;
	size_t n = 0, queued = 0;
	char day[16];
	int quarter = needs_dmfa_next(today, &due);
	if (needs_dmfa(q, &d, &n) == GW_OK)
		for (size_t i = 0; i < n; i++)
			queued += d[i].quarter == quarter;
	date_format(due, day, sizeof day);
	printf("DmfA: the next due is %d Q%d, by %s (in %lld days); %zu DmfA message%s queued for it\n",
	    quarter / 10, quarter % 10, day, (long long)date_diff_days(today, due), queued,
	    queued == 1 ? "" : "s");
	free(d);
}

/* Batch messages no channel can send (no SFTP configured); how many. */
static size_t
summary_unsendable(struct queue *q)
{
	uint64_t n = 0;
	char line[256];
	if (needs_batch_unsendable(q, &n) == GW_OK && needs_batch_unsendable_line(n, line, sizeof line))
		printf("%s\n", line);
	return (size_t)n;
}

/* Certificates; how many expire within SOON_DAYS or cannot be read. */
static size_t
summary_certs(int64_t now_ms)
{
	struct cert_info ci[CERT_INFO_MAX];
	size_t n = cert_info_configured(ci, CERT_INFO_MAX), soon = 0;
	char t[32];
	for (size_t i = 0; i < n; i++) {
		long days = (long)((ci[i].not_after_ms - now_ms) / 86400000);
		int bad = ci[i].not_after_ms <= 0 || days < SOON_DAYS;
		soon += bad;
		if (ci[i].not_after_ms <= 0)
			printf("certificate %s: %s: %s\n", ci[i].use, ci[i].path, ci[i].error);
		else
			printf("certificate %s: expires %.10s (%ld days)%s\n", ci[i].use,
			    qc_time(ci[i].not_after_ms, t, sizeof t), days, bad ? ": RENEW NOW" : "");
	}
	return soon;
}

int
cmd_summary(int argc, char **argv)
{
	if (cmd_wants_help(argc, argv)) {
		printf("usage: gateway summary\n\nThe day's summary: work starting today or tomorrow"
		    " without an accepted\nDimona, refusals and failures to act on (anomalies in"
		    " words), the next DmfA\ndue date, and the certificates. Exit 0 when nothing needs"
		    " you, 1 when\nsomething does (for a daily cron mail).\n\nexample:\n"
		    "  gateway summary || mail -s 'gateway: to do' payroll@example.org\n");
		return GW_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "gateway summary: unexpected argument %s\n", argv[1]);
		return GW_EXIT_USAGE;
	}
	struct queue *q = qc_open("summary");
	if (q == NULL)
		return GW_EXIT_USAGE;
	gw_ymd today = clock_brussels_today();
	char day[16];
	date_format(today, day, sizeof day);
	printf("summary for %s (Brussels)\n", day);
	size_t needs = summary_due(q, today);
	needs += summary_refusals(q);
	summary_dmfa(q, today);
	needs += summary_unsendable(q);
	needs += summary_certs(clock_now_ms());
	q->ops->close(q);
	return needs ? GW_EXIT_REJECTED : GW_EXIT_OK;
}
