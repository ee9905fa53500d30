/*
 * as4_tune.h - process tuning both AS4 ends need.
 *
 * Each message allocates and frees a few hundred KB (MIME, gzip, XML
 * trees, the validator), on several threads. glibc gives such memory back
 * to the kernel on every free (madvise/munmap of the thread arenas' tops),
 * and on a multi-core machine every give-back is a TLB shootdown on every
 * CPU: measured as the largest single cost per message (bench/README.md,
 * AS4). Keeping up to 64 MB of freed heap per arena stops that; the memory
 * is reused by the next message.
 */
#ifndef GW_SERVICE_AS4_TUNE_H
#define GW_SERVICE_AS4_TUNE_H

#include <malloc.h>

/* Keep freed heap for reuse instead of returning it on every free. */
static inline void
as4_keep_heap(void)
{
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

#endif
