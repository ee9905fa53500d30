/*
 * worker_regime.c - Dimona worker type against DmfA worker code
 * (see worker_regime.h). The anomaly codes are those of the DmfA glossary
 * (FB_DMFA 90017 natural person, 90015 occupation).
 */
#include "records/worker_regime.h"

#include <stdio.h>
#include <string.h>

static const char *const no_dmfa[] = { "DWD", "STG", "IVT", "TRI", "O17", "S17", "T17", NULL };

int
worker_type_has_dmfa(const char *worker_type)
{
	for (const char *const *t = no_dmfa; *t; t++)
		if (strcmp(worker_type, *t) == 0)
			return 0;
	return 1;
}

int
worker_regime_check(const char *worker_type, int worker_code, char *buf, size_t cap)
{
	int student = worker_code == 840 || worker_code == 841;
	int flexi = worker_code == 50 || worker_code == 450;
	int stu = strcmp(worker_type, "STU") == 0, flx = strcmp(worker_type, "FLX") == 0;

	if (!worker_type_has_dmfa(worker_type))
		return 0;      /* never declared in the DmfA: its code is not used */
	if (student && !stu) {
		snprintf(buf, cap, "%03d is the student solidarity code and needs a Dimona of worker_type STU, "
		         "not %s (the ONSS would give 90017-504: no planned Dimona hours at reduced contributions)",
		         worker_code, worker_type);
		return -1;
	}
	if (stu && !student) {
		snprintf(buf, cap, "worker_type STU declares planned student hours: the worker_code must be 840 "
		         "(manual) or 841 (white-collar), not %03d (the ONSS would give 90017-502: DmfA hours "
		         "differ from the planned Dimona hours at reduced contributions)", worker_code);
		return -1;
	}
	if (flexi && !flx) {
		snprintf(buf, cap, "%03d is a flexi-job code and needs a Dimona of worker_type FLX, not %s "
		         "(the ONSS would give 90015-485: flexi-job occupation not covered by a Dimona)",
		         worker_code, worker_type);
		return -1;
	}
	if (flx && !flexi) {
		snprintf(buf, cap, "worker_type FLX is declared in the DmfA under worker_code 050 (manual) or 450 "
		         "(white-collar), not %03d (flexi pay under an ordinary code: the flexi Dimona "
		         "would cover no flexi-job occupation, 90015-485)", worker_code);
		return -1;
	}
	return 0;
}
