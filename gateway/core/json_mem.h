/*
 * json_mem.h - jansson's allocations, watched.
 *
 * jansson reports most of its allocation failures while parsing as syntax
 * errors ("invalid token"), so a good record read while memory is short
 * would be rejected as bad JSON. Its allocations go through a hook that
 * notes a failure per thread: a parse that failed after one is out of
 * memory, not bad input. Owns nothing else; never changes what jansson
 * allocates.
 */
#ifndef GW_CORE_JSON_MEM_H
#define GW_CORE_JSON_MEM_H

/* Before a parse: install the hook (once per process) and clear this
 * thread's note. */
void json_mem_begin(void);
/* Whether an allocation of jansson's failed in this thread since
 * json_mem_begin(). */
int json_mem_failed(void);

#endif
