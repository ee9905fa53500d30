/*
 * err.h - the one error vocabulary of the gateway.
 *
 * Every function that can fail returns a gw_rc; 0 is success. The values say
 * what the caller should do (retry later, give up, fix the input), not where
 * the failure happened: that goes to the log.
 */
#ifndef GW_CORE_ERR_H
#define GW_CORE_ERR_H

typedef enum gw_rc {
	GW_OK = 0,
	GW_EINPUT,     /* the input is invalid; retrying will not help */
	GW_EIO,        /* local I/O failed (open, write, fsync, rename) */
	GW_ENOMEM,     /* allocation failed */
	GW_ETEMP,      /* temporary: network, busy, disk nearly full; retry later */
	GW_EPERM,      /* permanent refusal by the other side */
	GW_ESTATE,     /* the operation is not allowed in the current state */
	GW_ENOTFOUND,  /* no such object */
	GW_EDUP,       /* already there (idempotent replay) */
	GW_ECONFIG,    /* configuration or usage error */
	GW_ECRYPTO,    /* signature, certificate or key problem */
	GW_EINTERNAL   /* a bug: an invariant did not hold */
} gw_rc;

/* Short stable name of a result code, for logs and JSON. */
const char *gw_rc_name(gw_rc rc);

/* Exit codes of the command-line contract (shared/spec/cli.md). */
enum {
	GW_EXIT_OK = 0,        /* success */
	GW_EXIT_REJECTED = 1,  /* input processed, something in it rejected */
	GW_EXIT_USAGE = 2      /* usage, configuration or I/O error */
};

#endif
