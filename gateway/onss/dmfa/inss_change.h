/*
 * inss_change.h - applying an identity change (IDFLUX) to contracts before
 * the DmfA is aggregated.
 *
 * A foreign worker declared in Dimona without an INSS cannot appear in a
 * DmfA (INSS is mandatory there); the ONSS later sends the BIS number it
 * assigned through IDFLUX. Likewise an INSS can be replaced by another.
 * This module owns matching a contract to such a change and rewriting its
 * worker_inss; it never parses IDFLUX (onss/batch/answer.h does) and never
 * touches anything but worker_inss.
 */
#ifndef GW_ONSS_DMFA_INSS_CHANGE_H
#define GW_ONSS_DMFA_INSS_CHANGE_H

#include <stddef.h>
#include "core/err.h"
#include "records/contract.h"
#include "onss/batch/answer.h"

struct dmfa_inss_change {
	char old_inss[12];            /* the outdated INSS, or "" */
	char last_name[64];           /* identity a worker without INSS was recorded under */
	char first_name[32];
	gw_ymd birth_date;            /* 0: not used for matching */
	char new_inss[12];            /* the valid INSS (or BIS number) */
	char employer_noss[10];       /* "" = any employer */
};

/* Turn a parsed IDFLUX form into a change. GW_ENOTFOUND when it carries no
 * INSS change (e.g. only a corrected birth date), GW_EINPUT when malformed. */
gw_rc dmfa_inss_change_from_idflux(const struct idflux_info *in, struct dmfa_inss_change *out);

/* Apply the first matching change of ch[0..n) to c. Returns 1 when
 * worker_inss was rewritten, 0 otherwise. A contract with an INSS matches on
 * old_inss; one without matches on the recorded identity (name, first name
 * when given, birth date; names case-insensitive), taken from the outdated
 * situation where it has a value; and on the employer when the change names
 * one. */
int dmfa_inss_change_apply(const struct dmfa_inss_change *ch, size_t n, struct contract *c);

#endif
