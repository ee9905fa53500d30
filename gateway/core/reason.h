/*
 * reason.h - filling an optional "why" buffer for a rejection.
 *
 * The pure checkers (dates, fixed-point numbers, check digits) say why a
 * value is refused only when the caller passes a buffer; this is the one
 * place that formats into it.
 */
#ifndef GW_CORE_REASON_H
#define GW_CORE_REASON_H

#include <stddef.h>
#include "core/err.h"

/* Format the reason into why (when not NULL); always returns GW_EINPUT. */
gw_rc reason_set(char *why, size_t whycap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An outside value (a record id, a remote file name) shown in a message as
 * printable ASCII: bytes outside 0x20..0x7e, the backslash and every
 * character of also become \xNN; past max characters (0: as many as cap
 * allows) with input left, "..." ends it. Always NUL-terminated. */
void reason_escape(const char *s, size_t n, const char *also, size_t max, char *out, size_t cap);

#endif
