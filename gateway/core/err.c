/* err.c - names of the result codes. */
#include "core/err.h"

const char *
gw_rc_name(gw_rc rc)
{
	switch (rc) {
	case GW_OK: return "ok";
	case GW_EINPUT: return "invalid-input";
	case GW_EIO: return "io-error";
	case GW_ENOMEM: return "out-of-memory";
	case GW_ETEMP: return "temporary-failure";
	case GW_EPERM: return "permanent-failure";
	case GW_ESTATE: return "invalid-state";
	case GW_ENOTFOUND: return "not-found";
	case GW_EDUP: return "duplicate";
	case GW_ECONFIG: return "config-error";
	case GW_ECRYPTO: return "crypto-error";
	case GW_EINTERNAL: return "internal-error";
	}
	return "unknown";
}
