/*
 * progress.c - the progress line (progress.h): "label [#####     ] 52% 5200/10000 1.2k/s",
 * or "label 5200 1.2k/s" when the total is unknown. Redrawn in place with
 * a carriage return; the monotonic clock paces it.
 */
#include "core/progress.h"
#include "core/clock.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BAR 24

void
progress_start_on(struct progress *p, FILE *out, const char *label, uint64_t total)
{
	memset(p, 0, sizeof *p);
	p->out = out;
	p->label = label;
	p->total = total;
	p->start_ms = clock_monotonic_ms();
}

int
progress_wanted(int fd, const char *term)
{
	return isatty(fd) && !(term != NULL && strcmp(term, "dumb") == 0);
}

void
progress_start(struct progress *p, const char *label, uint64_t total)
{
	progress_start_on(p, progress_wanted(STDERR_FILENO, getenv("TERM")) ? stderr : NULL, label,
	    total);
}

/* Draw the line now. */
static void
draw(struct progress *p, int64_t now)
{
	double secs = (double)(now - p->start_ms) / 1000.0;
	double rate = secs > 0 ? (double)p->done / secs : 0;
	fprintf(p->out, "\r%s ", p->label);
	if (p->total > 0) {
		uint64_t d = p->done > p->total ? p->total : p->done;
		int fill = (int)(d * BAR / p->total);
		fprintf(p->out, "[%.*s%*s] %3d%% %llu/%llu", fill, "########################",
		    BAR - fill, "", (int)(d * 100 / p->total), (unsigned long long)p->done,
		    (unsigned long long)p->total);
	} else {
		fprintf(p->out, "%llu", (unsigned long long)p->done);
	}
	fprintf(p->out, rate >= 1000 ? " %.1fk/s\033[K" : " %.0f/s\033[K",
	    rate >= 1000 ? rate / 1000 : rate);
	fflush(p->out);
	p->last_ms = now;
	p->drawn = 1;
}

void
progress_set(struct progress *p, uint64_t done)
{
	p->done = done;
	if (p->out == NULL)
		return;
	int64_t now = clock_monotonic_ms();
	if (!p->drawn || now - p->last_ms >= 100)
		draw(p, now);
}

void
progress_end(struct progress *p)
{
	if (p->out != NULL && p->drawn) {
		fprintf(p->out, "\r\033[K");
		fflush(p->out);
	}
	p->drawn = 0;
}
