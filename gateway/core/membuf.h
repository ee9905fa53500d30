/*
 * membuf.h - an answer read in pieces into memory, up to a ceiling: the
 * body of an HTTP answer as libcurl hands it over (a write callback), for
 * the Dimona REST client and the AS4 channel alike.
 */
#ifndef GW_CORE_MEMBUF_H
#define GW_CORE_MEMBUF_H

#include <stddef.h>

struct membuf {
	char *p;                /* malloc'd, NUL-terminated; NULL while empty */
	size_t n;
	size_t max;             /* the most it takes */
	int over;               /* 1: more came than max */
};

/* Append size * nmemb bytes of data to arg (a struct membuf). Returns
 * the bytes taken: 0 past max (over set) or without memory, which makes
 * libcurl stop the transfer. */
size_t membuf_append(char *data, size_t size, size_t nmemb, void *arg);

#endif
