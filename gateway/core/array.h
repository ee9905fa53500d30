/*
 * array.h - the one growable array: room for one more element.
 *
 * Every list the gateway builds in memory (rows, findings, messages, names)
 * is a pointer, a count and a capacity; this is the single place where the
 * capacity grows (doubling, from a first size the caller picks) and where
 * the byte count is checked against overflow before realloc sees it.
 */
#ifndef GW_CORE_ARRAY_H
#define GW_CORE_ARRAY_H

#include <stddef.h>
#include "core/err.h"

/* Make room for element n of the array *pv points to (a T **, passed as
 * void *), of *cap elements of elem bytes each: nothing when n < *cap,
 * else the capacity doubles (initial when 0) and the array is reallocated.
 * GW_ENOMEM, with *pv and *cap unchanged (the array stays the caller's),
 * when realloc fails or the new size in bytes would overflow size_t. */
gw_rc array_reserve(void *pv, size_t n, size_t *cap, size_t elem, size_t initial);

/* array_reserve for a typed pointer v: ARRAY_RESERVE(r->v, r->n, r->cap, 64). */
#define ARRAY_RESERVE(v, n, cap, initial) \
	array_reserve(&(v), (n), &(cap), sizeof *(v), (initial))

#endif
