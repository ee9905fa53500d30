/* reason.c - the optional rejection reason buffer (see reason.h). Owns nothing. */
#include "core/reason.h"

#include <stdarg.h>
#include <stdio.h>

gw_rc
reason_set(char *why, size_t whycap, const char *fmt, ...)
{
	if (why != NULL && whycap > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whycap, fmt, ap);
		va_end(ap);
	}
	return GW_EINPUT;
}
