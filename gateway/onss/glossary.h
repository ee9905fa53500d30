/*
 * glossary.h - the ONSS glossaries' anomalies, read at run time from the
 * official files (FB_*.xml and Zones_*.xml under
 * gw_reference_dir()/onss/glossary/).
 *
 * Each anomaly code ("90373-334", "00042-001") has its own Dutch title in
 * the glossary, more precise than the annex-30 label of its last three
 * digits (onss/codelist.h), a severity as the glossary writes it ("B" is
 * blocking) and the title of the zone or functional block it belongs to.
 * The project never carries a copy: without the files there are no titles.
 */
#ifndef GW_ONSS_GLOSSARY_H
#define GW_ONSS_GLOSSARY_H

#include "core/err.h"

struct glossary_anomaly {
	const char *code;       /* "90373-334" */
	const char *title_nl;   /* "Overlappende Dimonaperiode" */
	const char *severity;   /* "B", "P", "NP", "W": as the glossary has it */
	const char *zone_nl;    /* "Dimona IN aangifte", "LOKALE EENHEID" ... */
};

/* The glossary's entry for an anomaly code; GW_ENOTFOUND when no glossary
 * has it. The strings stay valid until onss_glossary_free(). */
gw_rc glossary_anomaly_find(const char *code, struct glossary_anomaly *out);
void onss_glossary_free(void);

#endif
