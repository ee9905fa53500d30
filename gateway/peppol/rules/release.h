/*
 * release.h - which Peppol BIS Billing rule release applies, by date.
 *
 * OpenPeppol publishes a new set of validation artefacts a few times a
 * year, each mandatory from a given day; the release policy says that an
 * access point validates with the release in force at the moment it
 * validates (sending or receiving), not with the one in force on the
 * invoice's issue date. So the release is picked from the one clock
 * (core/clock.h), as a Brussels calendar day, and can be forced by name
 * (`gateway invoice validate --release 3.0.19`).
 *
 * The table knows Billing 3.1.0 (mandatory from 22 February 2027) but its
 * rules are not published in the reference folder and are not
 * implemented: from that day the newest implemented release (3.0.21) is
 * used and rule_release_pending() names the one that should be.
 */
#ifndef GW_PEPPOL_RULES_RELEASE_H
#define GW_PEPPOL_RULES_RELEASE_H

#include <stdbool.h>
#include <stdint.h>

/* The implemented releases, oldest first. RULE_RELEASE_IN_FORCE (0) asks
 * for the one in force now. */
enum rule_release {
	RULE_RELEASE_IN_FORCE = 0,
	RULE_RELEASE_3_0_19,        /* BIS 3.0.19 (May 2025), CEN 1.3.16 */
	RULE_RELEASE_3_0_21,        /* BIS 3.0.21 (2026.5), CEN 1.3.16 of 2026-04-10 */
};

/* The implemented release in force on Brussels day `day` (a gw_ymd,
 * YYYYMMDD; core/date.h is not included here because engine.h, which
 * includes this, is included by files with names of their own). */
enum rule_release rule_release_at(int32_t day);
/* The same for today by the one clock. */
enum rule_release rule_release_now(void);
/* A release in force on `day` that is not implemented (its name), or NULL. */
const char *rule_release_pending(int32_t day);
/* "3.0.19" or "3.0.21"; false when unknown. */
bool rule_release_by_name(const char *name, enum rule_release *out);
/* The release's name; "in force" for RULE_RELEASE_IN_FORCE. */
const char *rule_release_name(enum rule_release r);
/* The names rule_release_by_name accepts, for messages: "3.0.19, 3.0.21". */
const char *rule_release_names(void);

#endif
