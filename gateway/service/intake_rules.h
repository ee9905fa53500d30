/*
 * intake_rules.h - the Dimona rules run at intake (onss/dimona/rules.h),
 * so that what intake accepts can be built: a record whose declaration
 * the build would refuse is refused when it is taken in, naming the record
 * and the field, instead of failing later in the queue.
 */
#ifndef GW_SERVICE_INTAKE_RULES_H
#define GW_SERVICE_INTAKE_RULES_H

#include <stddef.h>
#include "core/err.h"
#include "records/contract.h"

/* The period id OUT, UPDATE and CANCEL carry at intake, before the ONSS
 * gave the real one: well formed, so only the declaration itself is
 * judged (the build puts the real id in its place). */
#define INTAKE_STANDIN_PERIOD "999999999999"

/* Would the message of kind `kind` (dimona-in, -out, -update, -cancel)
 * built from body be refused by the Dimona rules now? *refused 1 with
 * field (the Dimona zone at fault) and why (every blocking check, its
 * anomaly code and zone) set; other kinds are never refused. GW_ENOMEM
 * when it cannot tell. */
gw_rc intake_rules_refuse(const struct contract *body, const char *kind, int *refused,
                          char *field, size_t fieldcap, char *why, size_t whycap);

#endif
