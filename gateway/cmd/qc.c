/*
 * qc.c - helpers of the queue's operator commands (qc.h).
 */
#include "cmd/qc.h"
#include "core/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const qc_channels[3] = { "dimona-rest", "onss-batch", "peppol-as4" };

struct queue *
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

const char *
qc_time(int64_t ms, char *buf, size_t cap)
{
	if (ms <= 0) {
		snprintf(buf, cap, "-");
		return buf;
	}
	clock_format_utc(ms, buf, cap);
	return buf;
}

const char *
qc_span(int64_t ms, char *buf, size_t cap)
{
	int64_t s = (ms < 0 ? -ms : ms) / 1000;
	if (s < 60)
		snprintf(buf, cap, "%lld s", (long long)s);
	else if (s < 3600)
		snprintf(buf, cap, "%lld min", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, cap, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(buf, cap, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
	return buf;
}

void
qc_actor(char *out, size_t cap, const char *given)
{
	const char *u = given ? given : getenv("USER");
	snprintf(out, cap, "operator:%s", u && *u ? u : "unknown");
}

int
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
