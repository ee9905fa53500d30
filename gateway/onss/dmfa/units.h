/*
 * units.h - the establishment unit (DmfA LocalUnitID, zone 00042) of a
 * contract: its own employer_unit_id, else its employer's default from the
 * configuration (dmfa.local_units = "NOSS=UNIT NOSS=UNIT ...").
 *
 * Owns reading and checking that configuration value; never writes XML.
 * The ONSS requires the unit on every Occupation from 2014/1 and on the
 * StudentContribution from 2015/1 (anomaly 00042-001, severity B).
 */
#ifndef GW_ONSS_DMFA_UNITS_H
#define GW_ONSS_DMFA_UNITS_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

/* The default unit of employer noss in the list text ("NOSS=UNIT ...");
 * *unit = 0 when the list has none for it. GW_ECONFIG with a reason in err
 * naming the bad entry when the list is malformed. */
gw_rc dmfa_unit_lookup(const char *list, uint32_t noss, uint64_t *unit, char *err, size_t errcap);

/* The same from the configuration key dmfa.local_units. */
gw_rc dmfa_unit_default(uint32_t noss, uint64_t *unit, char *err, size_t errcap);

#endif
