/*
 * mls.h - Peppol Message Level Status 1.0 (a UBL ApplicationResponse,
 * CustomizationID urn:peppol:edec:mls:1.0) as a pure protocol: build one,
 * parse one, check one against the rules of the MLS schematron 1.0.1
 * (SCH-MLS-01 to 31, natively).
 *
 * An MLS goes from the receiving access point (C3) back to the sending one
 * (C2): both parties are Peppol Service Provider ids (scheme 0242, the six
 * digits of the AP certificate's CN, "PBE000101" -> "000101"); the document
 * it answers is named by its SBDH InstanceIdentifier. AP: accepted, AB:
 * acknowledged (delivered, not checked), RE: rejected, with at least one
 * issue of status BV, FD or SV.
 *
 * Owns no file, no socket, no queue and no clock: the issue date and time
 * are the caller's. Never includes store/, queue/, service/ or cmd/.
 */
#ifndef GW_PEPPOL_MLS_H
#define GW_PEPPOL_MLS_H

#include <stddef.h>
#include "core/err.h"

#define MLS_CUSTOMIZATION "urn:peppol:edec:mls:1.0"
#define MLS_PROFILE       "urn:peppol:edec:mls"
/* The ids an MLS travels under in its own SBDH and AS4 headers. */
#define MLS_DOCTYPE "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2::" \
	"ApplicationResponse##urn:peppol:edec:mls:1.0::2.1"
#define MLS_PROCESS "urn:peppol:edec:mls"
#define MLS_SPIS_SCHEME "0242"

#define MLS_MAX_ISSUES 32

/* One issue (a LineResponse): where, what, and its status reason. */
struct mls_issue {
	char line_id[256];          /* an XPath of the document, or "NA" */
	char description[512];
	char reason[4];             /* SV, BV, BW or FD */
};

/* An MLS, as built or as read. */
struct mls {
	char id[128];
	char issue_date[16];        /* YYYY-MM-DD */
	char issue_time[32];        /* hh:mm:ssZ or with an offset */
	char sender[64];            /* SPIS id of the AP answering (C3) */
	char receiver[64];          /* SPIS id of the AP that sent the document (C2) */
	char code[4];               /* AP, AB or RE */
	char description[512];      /* the overall text; required for RE */
	char ref_id[128];           /* SBDH InstanceIdentifier of the document answered */
	struct mls_issue issue[MLS_MAX_ISSUES];
	int nissues;
};

/* The UBL ApplicationResponse of m (malloc'd, *len bytes, NUL-terminated).
 * GW_EINPUT, naming the field, when m would break an MLS rule. */
gw_rc mls_build(const struct mls *m, char **out, size_t *len, char *why, size_t whycap);

/* Read an MLS: GW_EINPUT naming the first missing or malformed field when
 * it is not one (the rules are mls_check's; parse needs only what a
 * receiver uses: the code, the reference, the issues). */
gw_rc mls_parse(const char *xml, size_t len, struct mls *out, char *why, size_t whycap);

/* The schematron's rules on an MLS document: the number of rules that
 * failed (0: passes); each failure goes to finding() as "SCH-MLS-nn: text"
 * when finding is not NULL. -1 when xml is not well-formed XML. */
int mls_check(const char *xml, size_t len, void (*finding)(void *arg, const char *rule,
              const char *text), void *arg);

/* The SPIS id ("000101") in an AP certificate CN ("PBE000101"): its six
 * trailing digits. 0 when cn does not end in six digits. */
int mls_spid_of_cn(const char *cn, char *out, size_t cap);

/* Whether s is a Service Provider id as the schematron defines one. */
int mls_spid_valid(const char *s);

#endif
