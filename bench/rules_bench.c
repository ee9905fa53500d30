/*
 * rules_bench.c - time of the native EN 16931 rule sets per invoice.
 *
 * Usage: rules_bench [FILE] [iterations]
 * FILE defaults to $REF/peppol/examples/peppol/base-example.xml. Prints the
 * median over 7 runs of the time per invoice, in microseconds, for: the
 * CEN set alone and both sets on an already parsed tree, and parse + both
 * sets from the bytes in memory. Times are thread CPU time. Figures only:
 * nothing is asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "core/config.h"
#include "peppol/rules/engine.h"

#define RUNS 7

static double
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);   /* CPU time: steadier on a busy machine */
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* mode 0: parsed tree, given sets; mode 1: parse + sets; mode 2: the
 * same with one parser context reused (as a long-running daemon can) */
static double
median_us(const char *buf, int len, xmlDocPtr doc, enum rule_sets sets, int mode, long iters)
{
	double t[RUNS];
	xmlParserCtxtPtr ctxt = mode == 2 ? xmlNewParserCtxt() : NULL;
	for (int r = 0; r < RUNS; r++) {
		double s = now_us();
		for (long i = 0; i < iters; i++) {
			struct rule_findings f = { 0 };
			xmlDocPtr d = doc;
			if (mode == 1)
				d = xmlReadMemory(buf, len, "bench.xml", NULL, XML_PARSE_NONET);
			else if (mode == 2)
				d = xmlCtxtReadMemory(ctxt, buf, len, "bench.xml", NULL, XML_PARSE_NONET);
			rules_validate_doc(d, sets, &f);
			rule_findings_free(&f);
			if (mode != 0)
				xmlFreeDoc(d);
		}
		t[r] = (now_us() - s) / (double)iters;
	}
	if (ctxt != NULL)
		xmlFreeParserCtxt(ctxt);
	qsort(t, RUNS, sizeof t[0], cmp_d);
	return t[RUNS / 2];
}

int
main(int argc, char **argv)
{
	char path[4096];
	const char *ref = getenv("REF");
	if (argc > 1) {
		snprintf(path, sizeof path, "%s", argv[1]);
	} else {
		if (ref == NULL || *ref == '\0')
			ref = gw_reference_dir();
		snprintf(path, sizeof path, "%s/peppol/examples/peppol/base-example.xml", ref);
	}
	long iters = 2000;
	if (argc > 2) {
		char *end;
		iters = strtol(argv[2], &end, 10);
		if (*end != '\0' || iters <= 0) {
			fprintf(stderr, "rules_bench: bad iteration count\n");
			return 2;
		}
	}
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "rules_bench: cannot open %s\n", path);
		return 2;
	}
	static char buf[1 << 20];
	size_t len = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	xmlDocPtr doc = xmlReadMemory(buf, (int)len, "bench.xml", NULL, XML_PARSE_NONET);
	if (doc == NULL) {
		fprintf(stderr, "rules_bench: %s is not XML\n", path);
		return 2;
	}
	struct rule_findings f = { 0 };
	rules_validate_doc(doc, RULES_ALL, &f);
	printf("rules_bench: %s (%zu bytes), %zu findings, %ld iterations x %d runs\n", path, len, f.n,
	    iters, RUNS);
	rule_findings_free(&f);
	printf("rules cen, parsed tree:          %8.2f us/invoice\n", median_us(buf, (int)len, doc, RULES_CEN, 0, iters));
	printf("rules cen+peppol, parsed tree:   %8.2f us/invoice\n", median_us(buf, (int)len, doc, RULES_ALL, 0, iters));
	printf("parse + rules cen+peppol:        %8.2f us/invoice\n", median_us(buf, (int)len, doc, RULES_ALL, 1, iters));
	printf("  same, parser context reused:   %8.2f us/invoice\n", median_us(buf, (int)len, doc, RULES_ALL, 2, iters));
	xmlFreeDoc(doc);
	return 0;
}
