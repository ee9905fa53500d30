/* reason.c - the optional rejection reason buffer (see reason.h). Owns nothing. */
#include "core/reason.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void
reason_escape(const char *s, size_t n, const char *also, size_t max, char *out, size_t cap)
{
	size_t o = 0;
	if (cap < 4) {
		if (cap > 0)
			out[0] = '\0';
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		int plain = ch >= 0x20 && ch < 0x7f && ch != '\\' && (also == NULL || strchr(also, ch) == NULL);
		if (o + (plain ? 1 : 4) + 4 > cap || (max != 0 && o >= max)) {
			snprintf(out + o, cap - o, "...");
			return;
		}
		if (plain)
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", ch);
	}
	out[o] = '\0';
}
