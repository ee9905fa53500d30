/*
 * progress.h - a progress line on stderr for the long commands (a large
 * DmfA quarter, batch exports, bulk intake), drawn only when stderr is a
 * terminal, at most ten times a second, and erased when done: logs and
 * pipes never see it.
 */
#ifndef GW_CORE_PROGRESS_H
#define GW_CORE_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *out;              /* NULL: silent (not a terminal) */
	const char *label;
	uint64_t total;         /* 0: unknown (a count, no bar) */
	uint64_t done;
	int64_t last_ms, start_ms;
	int drawn;
};

/* Whether a progress line belongs on fd: a terminal whose TERM (term,
 * the environment's) is not "dumb"; never a file, a pipe or a log. */
int progress_wanted(int fd, const char *term);
/* Start a progress line on stderr when progress_wanted() says so. */
void progress_start(struct progress *p, const char *label, uint64_t total);
/* The same on any stream, whatever it is (tests). */
void progress_start_on(struct progress *p, FILE *out, const char *label, uint64_t total);
/* done units so far; redraws when 100 ms have passed since the last draw. */
void progress_set(struct progress *p, uint64_t done);
/* Erase the line. */
void progress_end(struct progress *p);

#endif
