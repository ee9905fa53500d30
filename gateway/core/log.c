/*
 * log.c - the stderr logger.
 *
 * Owns the process-wide log settings, personal-data masking included. A
 * line is formatted into a bounded buffer and written with one write(2) so
 * that lines from several processes sharing stderr do not interleave. Never
 * allocates, never exits.
 */
#include "core/log.h"
#include "core/clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static const char *log_program = "gateway";
static enum log_level log_min = LOG_LVL_INFO;
static enum log_format log_fmt = LOG_FMT_TEXT;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
log_init(const char *program, enum log_level min, enum log_format fmt)
{
	if (program != NULL)
		log_program = program;
	log_min = min;
	log_fmt = fmt;
}

void log_set_level(enum log_level min) { log_min = min; }
void log_set_format(enum log_format fmt) { log_fmt = fmt; }

int
log_parse_format(const char *s)
{
	if (strcmp(s, "text") == 0)
		return LOG_FMT_TEXT;
	if (strcmp(s, "json") == 0)
		return LOG_FMT_JSON;
	return -1;
}

int
log_parse_level(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

/* Append s to buf as the body of a JSON string (without the quotes). */
static size_t
json_escape_into(char *buf, size_t cap, size_t len, const char *s)
{
	for (; *s != '\0' && len + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[len++] = '\\';
			buf[len++] = (char)c;
		} else if (c < 0x20) {
			len += (size_t)snprintf(buf + len, cap - len, "\\u%04x", c);
		} else {
			buf[len++] = (char)c;
		}
	}
	return len;
}

/* Clamp snprintf's return so that len never passes cap. */
static size_t
advance(size_t len, int n, size_t cap)
{
	if (n < 0)
		return len;
	len += (size_t)n;
	return len < cap ? len : cap - 1;
}

void
log_vmsg(enum log_level lvl, const char *msg_id, const char *record_id,
         int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	char text[LOG_LINE_MAX / 2];
	char line[LOG_LINE_MAX];
	size_t len = 0;

	if (lvl < log_min)
		return;
	vsnprintf(text, sizeof text, fmt, ap);
	if (with_errno) {
		size_t t = strlen(text);
		snprintf(text + t, sizeof text - t, ": %s", strerror(saved));
	}

	struct clock_wall now;
	char stamp[40], day[11];
	clock_utc(clock_now_ms(), &now);
	date_format(now.day, day, sizeof day);
	snprintf(stamp, sizeof stamp, "%sT%02d:%02d:%02d", day, now.minutes / 60, now.minutes % 60, now.second);

	if (log_fmt == LOG_FMT_JSON) {
		len = advance(len, snprintf(line, sizeof line,
		    "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"prog\":\"%s\",\"pid\":%ld",
		    stamp, (long)now.millis, level_names[lvl], log_program,
		    (long)getpid()), sizeof line);
		if (msg_id != NULL) {
			len = advance(len, snprintf(line + len, sizeof line - len, ",\"msg\":\""), sizeof line);
			len = json_escape_into(line, sizeof line, len, msg_id);
			len = advance(len, snprintf(line + len, sizeof line - len, "\""), sizeof line);
		}
		if (record_id != NULL) {
			len = advance(len, snprintf(line + len, sizeof line - len, ",\"record\":\""), sizeof line);
			len = json_escape_into(line, sizeof line, len, record_id);
			len = advance(len, snprintf(line + len, sizeof line - len, "\""), sizeof line);
		}
		len = advance(len, snprintf(line + len, sizeof line - len, ",\"text\":\""), sizeof line);
		len = json_escape_into(line, sizeof line, len, text);
		len = advance(len, snprintf(line + len, sizeof line - len, "\"}\n"), sizeof line);
	} else {
		len = advance(len, snprintf(line, sizeof line, "%s %s %s[%ld]:", stamp,
		    level_names[lvl], log_program, (long)getpid()), sizeof line);
		if (msg_id != NULL)
			len = advance(len, snprintf(line + len, sizeof line - len, " msg=%s", msg_id), sizeof line);
		if (record_id != NULL)
			len = advance(len, snprintf(line + len, sizeof line - len, " record=%s", record_id), sizeof line);
		len = advance(len, snprintf(line + len, sizeof line - len, " %s\n", text), sizeof line);
	}
	if (len > 0 && line[len - 1] != '\n')
		line[len - 1] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
	errno = saved;
}

void
log_msg(enum log_level lvl, const char *msg_id, const char *record_id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(lvl, msg_id, record_id, 0, fmt, ap);
	va_end(ap);
}

void
log_error_errno(const char *msg_id, const char *record_id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERROR, msg_id, record_id, 1, fmt, ap);
	va_end(ap);
}

static int log_shown;

void log_set_personal_shown(int shown) { log_shown = shown; }
int log_personal_shown(void) { return log_shown; }

const char *
log_inss(const char *inss, char *buf, size_t cap)
{
	size_t n = inss ? strlen(inss) : 0;
	if (log_shown || n == 0)
		snprintf(buf, cap, "%s", inss ? inss : "");
	else
		snprintf(buf, cap, "**.**.**-***.%s", n >= 2 ? inss + n - 2 : "**");
	return buf;
}

const char *
log_name(const char *name, char *buf, size_t cap)
{
	if (log_shown || name == NULL || name[0] == '\0') {
		snprintf(buf, cap, "%s", name ? name : "");
		return buf;
	}
	/* One code point: the lead byte and its continuation bytes. */
	size_t k = 1;
	while (name[k] != '\0' && ((unsigned char)name[k] & 0xC0) == 0x80 && k < 4)
		k++;
	snprintf(buf, cap, "%.*s.", (int)k, name);
	return buf;
}

const char *
log_birth(int ymd, char *buf, size_t cap)
{
	if (ymd == 0)
		snprintf(buf, cap, "-");
	else if (log_shown)
		snprintf(buf, cap, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
	else
		snprintf(buf, cap, "****-**-**");
	return buf;
}
