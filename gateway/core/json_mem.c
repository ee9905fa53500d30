/*
 * json_mem.c - jansson's allocations through malloc, with a per-thread note
 * of a failure (json_mem.h says why).
 */
#include "core/json_mem.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>

static _Thread_local int failed;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

/* jansson's malloc: malloc, remembering a failure. */
static void *
json_mem_malloc(size_t n)
{
	void *p = malloc(n);
	if (p == NULL)
		failed = 1;
	return p;
}

/* jansson's free. */
static void
json_mem_free(void *p)
{
	free(p);
}

/* The hook, set once: both functions are malloc and free, so memory that
 * jansson allocated before it is still freed right. */
static void
json_mem_install(void)
{
	json_set_alloc_funcs(json_mem_malloc, json_mem_free);
}

void
json_mem_begin(void)
{
	pthread_once(&installed, json_mem_install);
	failed = 0;
}

int
json_mem_failed(void)
{
	return failed;
}
