/*
 * peppol_validate.c - in-process speed of `gateway invoice validate`:
 * safe parse + UBL 2.1 schema + EN 16931 and Peppol rules per document.
 *
 * Usage: peppol_validate [-r RUNS] [-w WARMUP] [-t THREADS] FILE...
 * Loads the files into memory once, compiles the schemas once (as the
 * daemon does), warms up, then times RUNS passes over all documents and
 * prints the median time per invoice, with the errors found per pass so a
 * reader can see the work was real. With -t N, N threads validate at the
 * same time, each starting at a different document, and the figure is the
 * wall time per invoice of the whole (throughput); every thread's findings
 * are checked against the single-thread count, so a race that changes a
 * result shows. A figure, not a test: asserts nothing about time.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "core/config.h"
#include "peppol/rules/validate.h"
#include "peppol/rules/xsd_ubl.h"

struct doc {
	char *buf;
	size_t len;
	const char *name;
};

static double
clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double
now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *b = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16384;
			char *nb = realloc(b, cap);
			if (nb == NULL) {
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	*len = n;
	return b;
}

/* A document that could not be validated counts this much in a pass's
 * total, so that a parse that silently fails cannot pass for speed. */
#define UNREAD 1000000

/* One pass over every document, starting at document `first`; returns
 * the number of fatal findings (plus UNREAD per document not validated). */
static size_t
pass_from(struct doc *d, int n, int first)
{
	size_t errors = 0;
	for (int j = 0; j < n; j++) {
		int i = (first + j) % n;
		struct invoice_report rep = { 0 };
		if (invoice_validate_mem(d[i].buf, d[i].len, d[i].name, RULES_ALL, true, &rep) == GW_OK)
			errors += invoice_report_errors(&rep);
		else
			errors += UNREAD; /* not well-formed or not validated: must show */
		invoice_report_free(&rep);
	}
	return errors;
}

static size_t
pass(struct doc *d, int n)
{
	return pass_from(d, n, 0);
}

/* Several threads, each doing the same passes at the same time. */
struct mt {
	struct doc *d;
	int n, runs, warm, inner, id;
	pthread_barrier_t *bar;
	size_t expect;
	int mismatches;
	double cpu_ns;                 /* this thread's CPU time in the timed runs */
};

static void *
mt_worker(void *arg)
{
	struct mt *m = arg;
	int first = (m->id * m->n) / 2 + m->id;
	for (int w = 0; w < m->warm; w++)
		pass_from(m->d, m->n, first);
	for (int r = 0; r < m->runs; r++) {
		pthread_barrier_wait(m->bar);
		double c = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		for (int k = 0; k < m->inner; k++)
			if (pass_from(m->d, m->n, first + k) != m->expect)
				m->mismatches++;
		m->cpu_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c;
		pthread_barrier_wait(m->bar);
	}
	invoice_parser_release();
	return NULL;
}

/* Median wall time per invoice with `threads` threads validating at once
 * (all threads' invoices counted); -1 when a thread could not start. */
static double
run_threads(struct doc *d, int n, int threads, int runs, int warm, int inner, size_t expect,
    int *mismatches, double *cpu_per)
{
	pthread_barrier_t bar;
	pthread_barrier_init(&bar, NULL, (unsigned)threads + 1);
	struct mt *m = calloc((size_t)threads, sizeof *m);
	pthread_t *tid = calloc((size_t)threads, sizeof *tid);
	double *per = calloc((size_t)runs, sizeof *per);
	double med = -1;
	int started = 0;
	for (int t = 0; t < threads; t++) {
		m[t] = (struct mt){ d, n, runs, warm, inner, t, &bar, expect, 0, 0 };
		if (pthread_create(&tid[t], NULL, mt_worker, &m[t]) != 0)
			break;
		started++;
	}
	if (started != threads) {
		/* The barrier would wait forever: give up on this figure. */
		fprintf(stderr, "peppol_validate: cannot start %d threads\n", threads);
		exit(2);
	}
	for (int r = 0; r < runs; r++) {
		pthread_barrier_wait(&bar);
		double s = now_ns();
		pthread_barrier_wait(&bar);
		per[r] = (now_ns() - s) / ((double)inner * n * threads);
	}
	*mismatches = 0;
	double cpu_ns = 0;
	for (int t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		*mismatches += m[t].mismatches;
		cpu_ns += m[t].cpu_ns;
	}
	*cpu_per = cpu_ns / ((double)runs * inner * n * threads);
	qsort(per, (size_t)runs, sizeof *per, cmp_double);
	med = per[runs / 2];
	pthread_barrier_destroy(&bar);
	free(m);
	free(tid);
	free(per);
	return med;
}

int
main(int argc, char **argv)
{
	int runs = 15, warm = 3, threads = 1, i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		long v = strtol(argv[i + 1], NULL, 10);
		if (strcmp(argv[i], "-r") == 0 && v > 0 && v < 100000)
			runs = (int)v;
		else if (strcmp(argv[i], "-w") == 0 && v >= 0 && v < 100000)
			warm = (int)v;
		else if (strcmp(argv[i], "-t") == 0 && v > 0 && v <= 64)
			threads = (int)v;
		else
			break;
	}
	int n = argc - i;
	if (n <= 0) {
		fprintf(stderr, "usage: peppol_validate [-r RUNS] [-w WARMUP] [-t THREADS] FILE...\n");
		return 2;
	}
	/* libxml2's global state is set up once, before any thread uses it. */
	xmlInitParser();
	if (gw_cfg == NULL)
		gw_cfg = config_new();
	struct doc *d = calloc((size_t)n, sizeof *d);
	size_t bytes = 0;
	for (int k = 0; k < n; k++) {
		d[k].name = argv[i + k];
		d[k].buf = slurp(d[k].name, &d[k].len);
		if (d[k].buf == NULL) {
			fprintf(stderr, "peppol_validate: cannot read %s\n", d[k].name);
			return 2;
		}
		bytes += d[k].len;
	}
	char why[512];
	double t0 = now_ns();
	if (xsd_ubl_load(why, sizeof why) != GW_OK) {
		fprintf(stderr, "peppol_validate: %s\n", why);
		return 2;
	}
	double load_ms = (now_ns() - t0) / 1e6;
	/* Inner repetitions keep one timed sample well above clock resolution. */
	int inner = 20;
	for (int w = 0; w < warm; w++)
		pass(d, n);
	/* Wall time, and this thread's CPU time: on a shared machine the
	 * second moves less with the other tenants' load. */
	double *per = calloc((size_t)runs, sizeof *per);
	double *cpu = calloc((size_t)runs, sizeof *cpu);
	size_t errors = 0;
	for (int r = 0; r < runs; r++) {
		double s = now_ns(), c = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		for (int k = 0; k < inner; k++)
			errors = pass(d, n);
		per[r] = (now_ns() - s) / ((double)inner * n);
		cpu[r] = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - c) / ((double)inner * n);
	}
	qsort(per, (size_t)runs, sizeof *per, cmp_double);
	qsort(cpu, (size_t)runs, sizeof *cpu, cmp_double);
	printf("native: %d documents, %.1f KB average; schemas compiled once in %.1f ms\n", n,
	    (double)bytes / n / 1024.0, load_ms);
	printf("native: fatal findings per pass: %zu; documents not validated: %zu\n", errors % UNREAD,
	    errors / UNREAD);
	printf("native: median %.1f us per invoice (min %.1f, max %.1f, %d runs x %d passes)\n",
	    per[runs / 2] / 1e3, per[0] / 1e3, per[runs - 1] / 1e3, runs, inner);
	printf("native: median thread CPU %.1f us per invoice\n", cpu[runs / 2] / 1e3);
	printf("native_us_per_invoice=%.3f\n", per[runs / 2] / 1e3);
	printf("native_cpu_us_per_invoice=%.3f\n", cpu[runs / 2] / 1e3);
	if (threads > 1) {
		int bad = 0;
		double mtcpu = 0;
		double mt = run_threads(d, n, threads, runs, warm, inner, errors, &bad, &mtcpu);
		printf("native: %d threads: median %.1f us wall per invoice (throughput %.0f invoices/s), "
		       "mean thread CPU %.1f us per invoice; passes whose findings differ from one thread's: %d\n",
		    threads, mt / 1e3, 1e9 / mt, mtcpu / 1e3, bad);
		printf("native_mt_threads=%d\n", threads);
		printf("native_mt_us_per_invoice=%.3f\n", mt / 1e3);
		printf("native_mt_mismatches=%d\n", bad);
	}
	for (int k = 0; k < n; k++)
		free(d[k].buf);
	free(d);
	free(per);
	free(cpu);
	invoice_parser_release();
	return 0;
}
