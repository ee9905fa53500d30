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

#endif
