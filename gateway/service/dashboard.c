/*
 * dashboard.c - the operator's dashboard, one server-rendered page (no
 * framework, no script, no external asset) and a timeline per message.
 *
 * What a person running the gateway looks for first: how many messages
 * are where; work that starts today or tomorrow without an accepted
 * Dimona; refusals with each anomaly in Dutch and French; the DmfA per
 * quarter and employer with what is owed and by when; Peppol; the
 * certificates' expiry. Every value comes from the queue and the
 * configured files at the moment the page is asked for; every outside
 * text is escaped.
 */
#include "service/dashboard.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/params.h"
#include "queue/queue.h"
#include "service/answer_words.h"
#include "service/cert_info.h"
#include "service/needs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const channels[] = { "dimona-rest", "onss-batch", "peppol-as4" };

static void
page_head(struct http_response *rs, const char *title)
{
	rs->content_type = "text/html; charset=utf-8";
	http_printf(rs, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta http-equiv=\"refresh\" content=\"60\"><title>");
	http_put_html(rs, title);
	http_printf(rs, "</title><style>"
	    "body{font-family:sans-serif;margin:1.5em;color:#222}"
	    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
	    "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
	    "td.n{text-align:right}.bad{color:#a00;font-weight:bold}.warn{color:#a60}"
	    ".ok{color:#070}h2{margin-top:1.2em;border-bottom:1px solid #ddd}"
	    "small{color:#666}</style></head><body>\n");
}

/* A unix-ms time as UTC text. */
static const char *
when(int64_t ms, char *buf, size_t cap)
{
	if (ms <= 0)
		snprintf(buf, cap, "-");
	else
		clock_format_utc(ms, buf, cap);
	return buf;
}

/* Counts by state and channel. */
static void
section_counts(struct http_response *rs, struct queue *q)
{
	struct queue_stats st;
	http_printf(rs, "<h2 id=\"counts\">Messages by state</h2><table><tr><th>channel</th>");
	for (int s = 0; s < QS__COUNT; s++)
		http_printf(rs, "<th>%s</th>", queue_state_name((enum queue_state)s));
	http_printf(rs, "</tr>\n");
	for (size_t c = 0; c <= 3; c++) {
		if (q->ops->stats(q, c < 3 ? channels[c] : NULL, &st) != GW_OK)
			continue;
		http_printf(rs, "<tr><td>%s</td>", c < 3 ? channels[c] : "<b>all</b>");
		for (int s = 0; s < QS__COUNT; s++)
			http_printf(rs, "<td class=\"n%s\">%llu</td>",
			    st.count[s] && (s == QS_REFUSED || s == QS_FAILED) ? " bad" : "",
			    (unsigned long long)st.count[s]);
		http_printf(rs, "</tr>\n");
	}
	http_printf(rs, "</table>\n");
}

/* Dimona INs not accepted whose work starts today or tomorrow. */
static void
section_due(struct http_response *rs, struct queue *q, gw_ymd today)
{
	struct need_due *d = NULL;
	size_t n = 0;
	char day[16];
	http_printf(rs, "<h2 id=\"due\">Work starting today or tomorrow without an accepted Dimona"
	    "</h2><table><tr><th>starts</th><th>record</th><th>state</th><th>why</th></tr>\n");
	if (needs_due(q, today, date_add_days(today, 1), &d, &n) != GW_OK)
		http_printf(rs, "<tr><td colspan=\"4\" class=\"bad\">the queue could not be read"
		    "</td></tr>\n");
	for (size_t i = 0; i < n; i++) {
		date_format(d[i].start, day, sizeof day);
		http_printf(rs, "<tr><td>%s</td><td><a href=\"/message/%s\">", day, d[i].msg_id);
		http_put_html(rs, d[i].record_id);
		http_printf(rs, "</a></td><td class=\"bad\">%s</td><td>", queue_state_name(d[i].state));
		http_put_html(rs, d[i].why);
		http_printf(rs, "</td></tr>\n");
	}
	if (n == 0)
		http_printf(rs, "<tr><td colspan=\"4\" class=\"ok\">none: every contract starting today"
		    " or tomorrow has an accepted Dimona or none is queued</td></tr>\n");
	http_printf(rs, "</table>\n");
	free(d);
}

/* Each anomaly code of text, in Dutch and in French (an information marked so). */
static void
words_both(struct http_response *rs, const char *text)
{
	char code[16], nl[512], fr[512];
	size_t pos = 0;
	while (answer_next_code(text, &pos, code, sizeof code)) {
		if (!answer_words_in(code, "nl", nl, sizeof nl))
			continue;
		answer_words_in(code, "fr", fr, sizeof fr);
		const char *info = answer_code_is_information(text, pos) ? "information " : "";
		http_printf(rs, "<br>%s<b>%s</b> NL: ", info, code);
		http_put_html(rs, nl);
		http_printf(rs, "<br>%s<b>%s</b> FR: ", info, code);
		http_put_html(rs, fr);
	}
}

/* Refused and failed messages, newest first (at most 50 of each). */
static void
section_refusals(struct http_response *rs, struct queue *q)
{
	static const enum queue_state bad[] = { QS_REFUSED, QS_FAILED };
	char t[32];
	size_t shown = 0;
	http_printf(rs, "<h2 id=\"refusals\">Refusals and failures to act on</h2><table><tr>"
	    "<th>state</th><th>record</th><th>kind</th><th>when</th><th>answer</th></tr>\n");
	for (size_t i = 0; i < 2; i++) {
		struct queue_filter f = { .state = (int)bad[i], .limit = 50 };
		struct queue_msg *l = NULL;
		size_t n = 0;
		if (q->ops->list(q, &f, &l, &n) != GW_OK)
			continue;
		for (size_t k = 0; k < n; k++) {
			http_printf(rs, "<tr><td class=\"bad\">%s</td><td><a href=\"/message/%s\">",
			    queue_state_name(l[k].state), l[k].id);
			http_put_html(rs, l[k].record_id);
			http_printf(rs, "</a> rev %u</td><td>%s</td><td>%s</td><td>", l[k].revision,
			    l[k].kind, when(l[k].updated_ms, t, sizeof t));
			http_put_html(rs, l[k].last_error);
			words_both(rs, l[k].last_error);
			http_printf(rs, "</td></tr>\n");
			queue_msg_free(&l[k]);
			shown++;
		}
		free(l);
	}
	if (shown == 0)
		http_printf(rs, "<tr><td colspan=\"5\" class=\"ok\">none</td></tr>\n");
	http_printf(rs, "</table>\n");
}

/* The DmfA per quarter and employer, and the next due date. */
static void
section_dmfa(struct http_response *rs, struct queue *q, gw_ymd today)
{
	struct need_dmfa *d = NULL;
	size_t n = 0;
	gw_ymd next_due;
	char due[16];
	int next = needs_dmfa_next(today, &next_due);
	date_format(next_due, due, sizeof due);
	http_printf(rs, "<h2 id=\"dmfa\">DmfA</h2><p>Next due: the DmfA of %d Q%d, by <b>%s</b>."
	    "</p><table><tr><th>quarter</th><th>employer</th><th>kind</th><th>state</th>"
	    "<th>net owed</th><th>due by</th><th>message</th></tr>\n", next / 10, next % 10, due);
	if (needs_dmfa(q, &d, &n) != GW_OK)
		http_printf(rs, "<tr><td colspan=\"7\" class=\"bad\">the queue could not be read"
		    "</td></tr>\n");
	for (size_t i = 0; i < n; i++) {
		int64_t a = d[i].owed_cents < 0 ? -d[i].owed_cents : d[i].owed_cents;
		date_format(d[i].due, due, sizeof due);
		http_printf(rs, "<tr><td>%d Q%d</td><td>%09u</td><td>%s</td><td>%s</td>"
		    "<td class=\"n\">%s%lld.%02lld EUR</td><td>%s</td><td><a href=\"/message/%s\">"
		    "%s</a></td></tr>\n", d[i].quarter / 10, d[i].quarter % 10, d[i].noss, d[i].kind,
		    queue_state_name(d[i].state), d[i].owed_cents < 0 ? "-" : "", (long long)(a / 100),
		    (long long)(a % 100), d[i].quarter ? due : "-", d[i].msg_id, d[i].msg_id);
	}
	if (n == 0)
		http_printf(rs, "<tr><td colspan=\"7\">no DmfA queued yet</td></tr>\n");
	http_printf(rs, "</table>\n");
	free(d);
	uint64_t stuck = 0;
	char line[256];
	if (needs_batch_unsendable(q, &stuck) == GW_OK &&
	    needs_batch_unsendable_line(stuck, line, sizeof line)) {
		http_printf(rs, "<p class=\"bad\">");
		http_put_html(rs, line);
		http_printf(rs, "</p>\n");
	}
}

/* Peppol: invoices by state; what the AS4 transport will add. */
static void
section_peppol(struct http_response *rs, struct queue *q)
{
	struct queue_stats st;
	if (q->ops->stats(q, "peppol-as4", &st) != GW_OK)
		return;
	http_printf(rs, "<h2 id=\"peppol\">Peppol</h2><table><tr><th>invoices and credit notes"
	    "</th><th>count</th></tr><tr><td>waiting to be delivered (ready)</td><td class=\"n\">"
	    "%llu</td></tr><tr><td>delivered</td><td class=\"n\">%llu</td></tr><tr><td>failed"
	    "</td><td class=\"n%s\">%llu</td></tr></table><p><small>Receptions and MLS refusals"
	    " appear here once the AS4 access point runs (not in this version).</small></p>\n",
	    (unsigned long long)st.count[QS_READY],
	    (unsigned long long)(st.count[QS_ACCEPTED] + st.count[QS_ACCEPTED_WARNINGS]),
	    st.count[QS_FAILED] ? " bad" : "", (unsigned long long)st.count[QS_FAILED]);
}

/* The configured certificates and their expiry. */
static void
section_certs(struct http_response *rs, int64_t now_ms)
{
	struct cert_info ci[CERT_INFO_MAX];
	size_t n = cert_info_configured(ci, CERT_INFO_MAX);
	http_printf(rs, "<h2 id=\"certs\">Certificates</h2><table><tr><th>use</th><th>subject</th>"
	    "<th>expires</th><th>days left</th><th>file</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		char t[32];
		long days = ci[i].not_after_ms > 0 ? (long)((ci[i].not_after_ms - now_ms) / 86400000)
		    : 0;
		http_printf(rs, "<tr><td>%s</td><td>", ci[i].use);
		http_put_html(rs, ci[i].subject[0] ? ci[i].subject : ci[i].error);
		http_printf(rs, "</td><td>%s</td><td class=\"n %s\">%ld</td><td>",
		    when(ci[i].not_after_ms, t, sizeof t),
		    ci[i].not_after_ms <= 0 || days < 14 ? "bad" : days < 45 ? "warn" : "ok", days);
		http_put_html(rs, ci[i].path);
		http_printf(rs, "</td></tr>\n");
	}
	http_printf(rs, "</table>\n");
}

void
dashboard_page(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	struct queue *q = NULL;
	char err[256], t[32];
	if (queue_open_configured(&q, err, sizeof err) != GW_OK) {
		http_reply(rs, 503, NULL, err);
		return;
	}
	int64_t now = clock_now_ms();
	gw_ymd today = clock_brussels_today();
	page_head(rs, "Gateway dashboard");
	http_printf(rs, "<h1>Gateway</h1><p>Queue <b>");
	char dsn[512];
	http_put_html(rs, queue_dsn_shown(param_str(P_QUEUE_DSN), dsn, sizeof dsn));
	http_printf(rs, "</b> (%s) at %s. <small>Refreshes every minute.</small></p>\n",
	    q->ops->name, when(now, t, sizeof t));
	section_counts(rs, q);
	section_due(rs, q, today);
	section_refusals(rs, q);
	section_dmfa(rs, q, today);
	section_peppol(rs, q);
	section_certs(rs, now);
	http_printf(rs, "</body></html>\n");
	q->ops->close(q);
}

/* The history of one message as a table. */
static void
timeline(struct http_response *rs, struct queue *q, const struct queue_msg *m)
{
	struct queue_event *ev = NULL;
	size_t n = 0;
	char t[32];
	http_printf(rs, "<h2>Timeline</h2><table><tr><th>when</th><th>who</th><th>what</th>"
	    "<th>state</th><th>why</th></tr>\n");
	if (q->ops->history(q, m->id, &ev, &n) == GW_OK) {
		for (size_t i = 0; i < n; i++) {
			http_printf(rs, "<tr><td>%s</td><td>", when(ev[i].at_ms, t, sizeof t));
			http_put_html(rs, ev[i].actor);
			http_printf(rs, "</td><td>%s</td><td>%s%s%s</td><td>", ev[i].what,
			    ev[i].from != ev[i].to ? queue_state_name(ev[i].from) : "",
			    ev[i].from != ev[i].to ? " &rarr; " : "", queue_state_name(ev[i].to));
			http_put_html(rs, ev[i].why);
			words_both(rs, ev[i].why);
			http_printf(rs, "</td></tr>\n");
		}
		free(ev);
	}
	http_printf(rs, "</table>\n");
}

void
dashboard_message(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	const char *id = rq->path + strlen("/message/");
	struct queue *q = NULL;
	struct queue_msg m;
	char err[256], t[32];
	if (queue_open_configured(&q, err, sizeof err) != GW_OK) {
		http_reply(rs, 503, NULL, err);
		return;
	}
	if (q->ops->get(q, id, &m) != GW_OK) {
		q->ops->close(q);
		http_reply(rs, 404, NULL, "no such message\n");
		return;
	}
	page_head(rs, m.id);
	http_printf(rs, "<p><a href=\"/\">&larr; dashboard</a></p><h1>Message %s</h1><table>"
	    "<tr><td>record</td><td>", m.id);
	http_put_html(rs, m.record_id);
	http_printf(rs, " revision %u</td></tr><tr><td>kind</td><td>%s</td></tr><tr><td>channel"
	    "</td><td>%s</td></tr><tr><td>state</td><td>%s</td></tr><tr><td>attempts</td><td>%u"
	    "</td></tr><tr><td>created</td><td>%s</td></tr>", m.revision, m.kind, m.channel,
	    queue_state_name(m.state), m.attempts, when(m.created_ms, t, sizeof t));
	http_printf(rs, "<tr><td>answer</td><td>");
	http_put_html(rs, m.last_error);
	words_both(rs, m.last_error);
	http_printf(rs, "</td></tr></table>\n");
	timeline(rs, q, &m);
	http_printf(rs, "</body></html>\n");
	queue_msg_free(&m);
	q->ops->close(q);
}
