/*
 * membuf.c - a growing buffer with a ceiling (membuf.h).
 */
#include "core/membuf.h"

#include <stdlib.h>
#include <string.h>

size_t
membuf_append(char *data, size_t size, size_t nmemb, void *arg)
{
	struct membuf *b = arg;
	size_t n = size * nmemb;
	if (b->n + n > b->max) {
		b->over = 1;
		return 0;
	}
	char *p = realloc(b->p, b->n + n + 1);
	if (p == NULL)
		return 0;
	memcpy(p + b->n, data, n);
	b->p = p;
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}
