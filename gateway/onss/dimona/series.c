/*
 * series.c - turning a Horeca occasional worker's run of more than two
 * consecutive days with one employer into one OTH period.
 *
 * The ONSS refuses a third consecutive EXT day (00910-459, "Verboden om
 * periodes met gelegenheidswerknemers te hebben over meer dan twee
 * opeenvolgende dagen"); the gateway declares such a run as one ordinary
 * (OTH) period from the first to the last day instead. Owns nothing; works
 * in place on an array of IN declarations, or, in parts, on the days alone
 * (dimona_ext_runs) for a caller that keeps only an index of them.
 */
#include "onss/dimona/rules.h"
#include "onss/dimona/dates.h"

#include <stdlib.h>
#include <string.h>

static int
day_cmp(const void *a, const void *b)
{
	const struct dimona_ext_day *x = a, *y = b;
	int k = strcmp(x->key, y->key);
	if (k != 0)
		return k;
	if (x->start != y->start)
		return (x->start > y->start) - (x->start < y->start);
	/* The caller's order breaks ties: the same result whatever qsort does. */
	return (x->i > y->i) - (x->i < y->i);
}

int
dimona_is_horeca_ext_day(const struct dimona_decl *d)
{
	return d->action == DIMONA_IN && d->c.status == CONTRACT_ACTIVE &&
	    strcmp(d->c.worker_type, "EXT") == 0 && strcmp(d->jc, "302") == 0;
}

void
dimona_ext_run_key(const struct dimona_decl *d, char *out, size_t cap)
{
	char w[DIMONA_WORKER_KEY_MAX];
	dimona_worker_key(&d->c, w, sizeof w);
	snprintf(out, cap, "%s/%s", d->c.employer_noss, w);
}

size_t
dimona_ext_runs(struct dimona_ext_day *d, size_t m)
{
	size_t runs = 0;
	qsort(d, m, sizeof *d, day_cmp);
	for (size_t a = 0; a < m; a++) {
		d[a].run_end = 0;
		d[a].in_run = 0;
	}
	for (size_t a = 0; a < m;) {
		size_t b = a + 1;
		gw_ymd last_end = d[a].end;
		while (b < m && strcmp(d[b].key, d[a].key) == 0 &&
		    d[b].start == ymd_add_days(last_end, 1)) {
			last_end = d[b].end;
			b++;
		}
		/* One EXT contract of three days or more is a run of its own. */
		if (ymd_to_days(last_end) - ymd_to_days(d[a].start) + 1 > 2) {
			d[a].run_end = last_end;
			for (size_t k = a + 1; k < b; k++)
				d[k].in_run = 1;
			runs++;
		}
		a = b;
	}
	return runs;
}

void
dimona_ext_run_apply(struct dimona_decl *head, gw_ymd run_end)
{
	snprintf(head->c.worker_type, sizeof head->c.worker_type, "OTH");
	head->c.end_date = run_end;
	head->c.start_time = head->c.end_time = -1;
	head->c.planned_hours = 0;
}

gw_rc
dimona_merge_ext_series(struct dimona_decl *v, size_t *n, size_t *runs_out)
{
	size_t m = 0;
	struct dimona_ext_day *d = calloc(*n ? *n : 1, sizeof *d);
	char *keys = calloc(*n ? *n : 1, DIMONA_RUN_KEY_MAX);
	char *drop = calloc(*n ? *n : 1, 1);
	gw_rc rc = GW_ENOMEM;

	*runs_out = 0;
	if (d == NULL || keys == NULL || drop == NULL)
		goto out;
	for (size_t i = 0; i < *n; i++) {
		if (!dimona_is_horeca_ext_day(&v[i]))
			continue;
		char *key = keys + m * DIMONA_RUN_KEY_MAX;
		dimona_ext_run_key(&v[i], key, DIMONA_RUN_KEY_MAX);
		d[m].i = i;
		d[m].key = key;
		d[m].start = v[i].c.start_date;
		d[m].end = v[i].c.end_date ? v[i].c.end_date : v[i].c.start_date;
		m++;
	}
	*runs_out = dimona_ext_runs(d, m);
	for (size_t k = 0; k < m; k++) {
		if (d[k].run_end != 0)
			dimona_ext_run_apply(&v[d[k].i], d[k].run_end);
		drop[d[k].i] = (char)d[k].in_run;
	}
	size_t out_n = 0;
	for (size_t i = 0; i < *n; i++)
		if (!drop[i])
			v[out_n++] = v[i];
	*n = out_n;
	rc = GW_OK;
out:
	free(d);
	free(keys);
	free(drop);
	return rc;
}
