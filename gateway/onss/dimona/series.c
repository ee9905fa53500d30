/*
 * series.c - turning a Horeca occasional worker's run of more than two
 * consecutive days with one employer into one OTH period.
 *
 * The ONSS refuses a third consecutive EXT day (00910-459, "Verboden om
 * periodes met gelegenheidswerknemers te hebben over meer dan twee
 * opeenvolgende dagen"); the gateway declares such a run as one ordinary
 * (OTH) period from the first to the last day instead. Owns nothing; works
 * in place on an array of IN declarations.
 */
#include "onss/dimona/rules.h"
#include "onss/dimona/dates.h"

#include <stdlib.h>
#include <string.h>

struct ref {
	size_t i;
	char key[DIMONA_WORKER_KEY_MAX + 12];
	gw_ymd start;
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int k = strcmp(x->key, y->key);
	if (k != 0)
		return k;
	return (x->start > y->start) - (x->start < y->start);
}

static int
is_horeca_ext_day(const struct dimona_decl *d)
{
	return d->action == DIMONA_IN && d->c.status == CONTRACT_ACTIVE &&
	    strcmp(d->c.worker_type, "EXT") == 0 && strcmp(d->jc, "302") == 0;
}

gw_rc
dimona_merge_ext_series(struct dimona_decl *v, size_t *n, size_t *runs_out)
{
	size_t m = 0, runs = 0;
	struct ref *r = calloc(*n ? *n : 1, sizeof *r);
	char *drop = calloc(*n ? *n : 1, 1);
	char w[DIMONA_WORKER_KEY_MAX];
	gw_rc rc = GW_ENOMEM;

	*runs_out = 0;
	if (r == NULL || drop == NULL)
		goto out;
	for (size_t i = 0; i < *n; i++) {
		if (!is_horeca_ext_day(&v[i]))
			continue;
		dimona_worker_key(&v[i].c, w, sizeof w);
		r[m].i = i;
		r[m].start = v[i].c.start_date;
		snprintf(r[m].key, sizeof r[m].key, "%s/%s", v[i].c.employer_noss, w);
		m++;
	}
	qsort(r, m, sizeof *r, ref_cmp);
	for (size_t a = 0; a < m;) {
		size_t b = a + 1;
		gw_ymd last_end = v[r[a].i].c.end_date ? v[r[a].i].c.end_date : v[r[a].i].c.start_date;
		while (b < m && strcmp(r[b].key, r[a].key) == 0 &&
		    v[r[b].i].c.start_date == ymd_add_days(last_end, 1)) {
			const struct contract *cb = &v[r[b].i].c;
			last_end = cb->end_date ? cb->end_date : cb->start_date;
			b++;
		}
		long days = ymd_to_days(last_end) - ymd_to_days(v[r[a].i].c.start_date) + 1;
		if (days > 2) {
			struct dimona_decl *head = &v[r[a].i];
			snprintf(head->c.worker_type, sizeof head->c.worker_type, "OTH");
			head->c.end_date = last_end;
			head->c.start_time = head->c.end_time = -1;
			head->c.planned_hours = 0;
			for (size_t k = a + 1; k < b; k++)
				drop[r[k].i] = 1;
			runs++;
		}
		a = b;
	}
	size_t out_n = 0;
	for (size_t i = 0; i < *n; i++)
		if (!drop[i])
			v[out_n++] = v[i];
	*n = out_n;
	*runs_out = runs;
	rc = GW_OK;
out:
	free(r);
	free(drop);
	return rc;
}
