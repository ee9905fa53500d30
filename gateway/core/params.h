/*
 * params.h - every configuration key of the gateway, typed, in one table
 * (as Postfix's mail_params): its name, type, default and bounds.
 *
 * main() checks the whole configuration against the table once, after the
 * file and the --set options are read, and refuses a bad key or value with
 * an error naming it. Code reads a value by its id, typed, and never
 * repeats a key's name or its default. `gateway config` prints the table;
 * tests/integration/01-config-doc.sh compares it with docs/gateway.conf.
 */
#ifndef GW_CORE_PARAMS_H
#define GW_CORE_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include "core/config.h"
#include "core/err.h"

enum param_id {
	P_REFERENCE_DIR,
	P_LOG_FORMAT, P_LOG_LEVEL, P_LOG_PERSONAL_DATA,
	P_SIGNING_CERT, P_SIGNING_KEY, P_SIGNING_PKCS11_MODULE, P_RETENTION_KEEP_DAYS,
	P_ONSS_SENDER, P_ONSS_CODELIST_DIR, P_ONSS_XSD_DIR,
	P_BATCH_SENDER, P_BATCH_ENV, P_BATCH_OUTBOX, P_BATCH_ANSWERS, P_BATCH_POLL_INTERVAL_MS,
	P_BATCH_ANSWER_CA, P_BATCH_SFTP_URL, P_BATCH_SFTP_USER, P_BATCH_SFTP_KEY,
	P_BATCH_SFTP_PUBKEY, P_BATCH_SFTP_HOST_SHA256, P_BATCH_CONNECT_TIMEOUT, P_BATCH_TIMEOUT,
	P_BATCH_SIM_CA, P_BATCH_MAX_ANSWER_MB, P_BATCH_ANSWERS_SIGNED, P_BATCH_MAX_FORMS, P_BATCH_EXPORT_THREADS,
	P_DIMONA_CHANNEL, P_DIMONA_BASE_URL, P_DIMONA_TOKEN_URL, P_DIMONA_CLIENT_ID,
	P_DIMONA_CA_FILE, P_DIMONA_CERT, P_DIMONA_KEY, P_DIMONA_SCOPE_DECLARE, P_DIMONA_SCOPE_CONSULT,
	P_DIMONA_TIMEOUT_MS,
	P_DIMONA_ASSERTION_TTL_S, P_DIMONA_TOKEN_MARGIN_S, P_DIMONA_SCHEMA, P_DIMONA_VALIDATE,
	P_DMFA_PARAMS, P_DMFA_EMPLOYER_CLASS, P_DMFA_LOCAL_UNITS, P_DMFA_VALIDATE,
	P_PEPPOL_CHANNEL, P_PEPPOL_UBL_XSD_DIR, P_PEPPOL_MAX_INVOICE_BYTES, P_PEPPOL_UBL_PAYMENT_ID,
	P_QUEUE_BACKEND, P_QUEUE_DSN, P_QUEUE_MIN_FREE_MB, P_QUEUE_CACHE_KB,
	P_QUEUE_BUSY_TIMEOUT_MS, P_QUEUE_EXPIRY_S, P_QUEUE_RETRY_BASE_MS, P_QUEUE_RETRY_CAP_MS,
	P_QUEUE_DEP_WAIT_MS, P_QUEUE_SETTLE_MS, P_QUEUE_WORKER, P_QUEUE_LEASE_MS,
	P_RUN_BATCH, P_RUN_SEND_BATCH, P_RUN_IDLE_SLEEP_MS, P_RUN_IDLE_HORIZON_MS, P_RUN_LOCK_FILE,
	P_INTAKE_BATCH,
	P_OPERATOR_LANGUAGE,
	P_HTTP_LISTEN, P_HTTP_PORT, P_HTTP_CERT, P_HTTP_KEY, P_HTTP_CLIENT_CA, P_HTTP_TOKEN_FILE,
	P_HTTP_MAX_BODY_KB,
	P_AS4_RECEIVE, P_AS4_CERT, P_AS4_KEY, P_AS4_CA, P_AS4_CRL, P_AS4_INBOX, P_AS4_PARTICIPANTS,
	P_AS4_ENDPOINT_URL, P_AS4_ENDPOINT_CERT, P_AS4_TLS_CA, P_AS4_OUTBOX, P_AS4_TIMEOUT_MS,
	P_AS4_MLS_TO, P_AS4_MLS_TYPE, P_REPORT_RECEIVER,
	P_AS4_DISCOVERY, P_SMP_ZONE, P_SMP_RESOLVER, P_SMP_DNS_TIMEOUT_MS, P_SMP_HTTP_TIMEOUT_MS,
	P_SMP_CA, P_SMP_TLS_CA, P_SMP_CACHE_MAX_S, P_SMP_CERT, P_SMP_KEY, P_SMP_PARTICIPANTS,
	P_SMP_ENDPOINT_URL, P_SMP_ENDPOINT_CERT, P_SMP_BASE_URL,
	P__COUNT
};

enum param_type { PARAM_STR, PARAM_INT };

struct param_def {
	enum param_id id;
	const char *key;        /* "section.key" */
	enum param_type type;
	const char *dflt;       /* as written in the file; NULL: unset unless given
	                         * (the reader derives it or requires it) */
	int64_t min, max;       /* PARAM_INT: the accepted range */
	const char *choices;    /* PARAM_STR: "a|b|c", or NULL for any text */
};

/* The table, in the order of enum param_id; *n gets its length. */
const struct param_def *params_table(size_t *n);

/* Check every key of cfg against the table: an unknown key, an integer
 * that is not one or out of its range, a word not among its choices is
 * GW_ECONFIG with err naming the key and what it takes. */
gw_rc params_check(const struct gw_config *cfg, char *err, size_t errcap);

/* The value of a text parameter in gw_cfg: as set, else its default (NULL
 * when it has none). */
const char *param_str(enum param_id id);
/* The value of an integer parameter: as set, else its default. A value
 * params_check would refuse (only possible when it was not run: unit
 * tests) yields the default, with a warning. */
int64_t param_int(enum param_id id);

#endif
