/*
 * lookup.h - "does the ONSS already have this submission?", asked before a
 * submission whose earlier upload may have landed is uploaded again.
 */
#ifndef GW_ONSS_BATCH_LOOKUP_H
#define GW_ONSS_BATCH_LOOKUP_H

#include "core/err.h"
#include "onss/batch/sftp.h"

/* Whether the ONSS already has the submission fi: its GO still waits in
 * the IN folder, or a receipt for it is on the server or stored in
 * answers (and its applied/, unmatched/; answers may be NULL). sftp NULL:
 * the local folders only. GW_OK yes, GW_ENOTFOUND no, GW_ETEMP cannot
 * tell. */
gw_rc batch_already_there(const struct batch_sftp *sftp, const char *answers, const char *fi);

#endif
