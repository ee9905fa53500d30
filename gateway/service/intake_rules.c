/*
 * service/intake_rules.c - the Dimona rules at intake (intake_rules.h).
 *
 * Owns the stand-in period id and the wording of an intake refusal; the
 * rules themselves are onss/dimona/rules.c, the same checks the build
 * runs (service/dimona_channel.c, service/batch_channel.c), at the same
 * moment's clock. Must never refuse what the build would accept: no
 * ledger, no check the build does not run.
 */
#include "service/intake_rules.h"
#include "core/clock.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gw_rc
intake_rules_refuse(const struct contract *body, const char *kind, int *refused, char *field,
                    size_t fieldcap, char *why, size_t whycap)
{
	int action = dimona_action_of_kind(kind);
	struct dimona_findings f;
	gw_ymd today;
	int now_min;
	*refused = 0;
	if (action < 0)
		return GW_OK;
	struct dimona_decl *d = calloc(1, sizeof *d);
	if (d == NULL)
		return GW_ENOMEM;
	gw_rc rc = dimona_decl_from_contract(d, body);
	if (rc != GW_OK) {
		free(d);
		return rc;
	}
	d->action = (enum dimona_action)action;
	if (d->action != DIMONA_IN)
		snprintf(d->period_id, sizeof d->period_id, "%s", INTAKE_STANDIN_PERIOD);
	clock_brussels_now(&today, &now_min);
	if (dimona_rules_check(d, NULL, today, now_min, &f) > 0) {
		size_t off = (size_t)snprintf(why, whycap, "the Dimona %s would be refused by the"
		    " Dimona rules:", dimona_action_name(d->action));
		field[0] = '\0';
		for (size_t i = 0; i < f.n && off < whycap; i++) {
			if (f.f[i].severity != 'B')
				continue;
			if (field[0] == '\0')
				snprintf(field, fieldcap, "%s", f.f[i].field);
			off += (size_t)snprintf(why + off, whycap - off, " %s %s (%s)", f.f[i].check,
			    f.f[i].code, f.f[i].field);
		}
		*refused = 1;
	}
	free(d);
	return GW_OK;
}
