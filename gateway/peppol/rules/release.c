/*
 * release.c - the table of Peppol BIS Billing releases and their start days
 * (release.h).
 *
 * Owns the only place where a release's mandatory day is written. Must
 * never read the time except through core/clock.h.
 */
#include "peppol/rules/release.h"
#include "core/clock.h"

#include <stddef.h>
#include <string.h>

struct release_row {
	const char *name;
	gw_ymd from;                 /* first Brussels day it is mandatory */
	enum rule_release impl;      /* RULE_RELEASE_IN_FORCE: not implemented */
};

/* Oldest first. 3.0.19 is the oldest release the engine knows: it applies
 * to every day before 3.0.21. */
static const struct release_row releases[] = {
	{ "3.0.19", 0, RULE_RELEASE_3_0_19 },
	{ "3.0.21", 20260817, RULE_RELEASE_3_0_21 },
	/* Billing 3.1.0: mandatory from 22 February 2027; its artefacts are not
	 * in the reference folder, so there is nothing to implement yet. */
	{ "3.1.0", 20270222, RULE_RELEASE_IN_FORCE },
};
#define NREL (sizeof releases / sizeof releases[0])

/* The last row in force on day (implemented or not). */
static size_t
row_at(int32_t day)
{
	size_t at = 0;
	for (size_t i = 0; i < NREL; i++)
		if (releases[i].from <= day)
			at = i;
	return at;
}

enum rule_release
rule_release_at(int32_t day)
{
	for (size_t i = row_at(day) + 1; i-- > 0;)
		if (releases[i].impl != RULE_RELEASE_IN_FORCE)
			return releases[i].impl;
	return RULE_RELEASE_3_0_19;
}

enum rule_release
rule_release_now(void)
{
	return rule_release_at(clock_brussels_today());
}

const char *
rule_release_pending(int32_t day)
{
	const struct release_row *r = &releases[row_at(day)];
	return r->impl == RULE_RELEASE_IN_FORCE ? r->name : NULL;
}

bool
rule_release_by_name(const char *name, enum rule_release *out)
{
	for (size_t i = 0; i < NREL; i++)
		if (releases[i].impl != RULE_RELEASE_IN_FORCE && strcmp(name, releases[i].name) == 0) {
			*out = releases[i].impl;
			return true;
		}
	return false;
}

const char *
rule_release_name(enum rule_release r)
{
	for (size_t i = 0; i < NREL; i++)
		if (releases[i].impl == r && r != RULE_RELEASE_IN_FORCE)
			return releases[i].name;
	return "in force";
}

const char *
rule_release_names(void)
{
	return "3.0.19, 3.0.21";
}
