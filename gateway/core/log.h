/*
 * log.h - one line per event on stderr, text or JSON.
 *
 * Every line that concerns a message or a record names it: pass the queue
 * message id and the record id (NULL when there is none). The _errno variants
 * append strerror(errno); the plain ones never look at errno.
 */
#ifndef GW_CORE_LOG_H
#define GW_CORE_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };
enum log_format { LOG_FMT_TEXT, LOG_FMT_JSON };

void log_init(const char *program, enum log_level min, enum log_format fmt);
void log_set_level(enum log_level min);
void log_set_format(enum log_format fmt);
/* Parse "text"/"json" and "debug"/"info"/"warn"/"error"; -1 when unknown. */
int log_parse_format(const char *s);
int log_parse_level(const char *s);

void log_msg(enum log_level lvl, const char *msg_id, const char *record_id,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_vmsg(enum log_level lvl, const char *msg_id, const char *record_id,
              int with_errno, const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

#define log_debug(m, r, ...) log_msg(LOG_LVL_DEBUG, m, r, __VA_ARGS__)
#define log_info(m, r, ...)  log_msg(LOG_LVL_INFO, m, r, __VA_ARGS__)
#define log_warn(m, r, ...)  log_msg(LOG_LVL_WARN, m, r, __VA_ARGS__)
#define log_error(m, r, ...) log_msg(LOG_LVL_ERROR, m, r, __VA_ARGS__)
/* Same as log_error, with ": strerror(errno)" appended. */
void log_error_errno(const char *msg_id, const char *record_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Personal data in log lines. Logs travel further than the queue (files,
 * collectors, tickets), so an INSS, a name or a birth date is masked by
 * default; operators see them in full with `gateway show`. [log]
 * personal_data = shown unmasks them for debugging. Each helper writes into
 * buf and returns it, for use as a printf argument. */
void log_set_personal_shown(int shown);
int log_personal_shown(void);
/* "85073003328" -> "**.**.**-***.28" (the check digits alone say nothing). */
const char *log_inss(const char *inss, char *buf, size_t cap);
/* "Dupont" -> "D." (the first character, UTF-8 aware); "" stays "". */
const char *log_name(const char *name, char *buf, size_t cap);
/* 19850730 -> "****-**-**"; 0 (none) -> "-". */
const char *log_birth(int ymd, char *buf, size_t cap);

#endif
