/*
 * params.c - the table of configuration keys (params.h).
 *
 * Owns the typed values: they are parsed from gw_cfg once, and again only
 * when gw_cfg changed (config_generation), so readers pay an array index.
 * Adding a key means one line here and its documentation in docs/config/.
 */
#include "core/params.h"
#include "core/log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS_DAY   INT64_C(86400000)
#define NO_MAX   INT64_MAX

#define STR(id, key, dflt)          { id, key, PARAM_STR, dflt, 0, 0, NULL }
#define WORD(id, key, dflt, ch)     { id, key, PARAM_STR, dflt, 0, 0, ch }
#define INT(id, key, dflt, lo, hi)  { id, key, PARAM_INT, dflt, lo, hi, NULL }

static const struct param_def table[P__COUNT] = {
	STR(P_REFERENCE_DIR, "reference_dir", NULL),   /* else $GW_REFERENCE_DIR, ../shared/reference */
	WORD(P_LOG_FORMAT, "log.format", "text", "text|json"),
	WORD(P_LOG_LEVEL, "log.level", "info", "debug|info|warn|error"),
	WORD(P_LOG_PERSONAL_DATA, "log.personal_data", "masked", "masked|shown"),
	STR(P_SIGNING_CERT, "signing.cert", "certs/out/onss/org.crt.pem"),
	STR(P_SIGNING_KEY, "signing.key", "certs/out/onss/org.key.pem"),
	STR(P_SIGNING_PKCS11_MODULE, "signing.pkcs11_module", ""),   /* empty: p11-kit's proxy */
	INT(P_RETENTION_KEEP_DAYS, "retention.keep_days", "1830", 1, 36500),
	STR(P_ONSS_SENDER, "onss.sender", "999999"),
	STR(P_ONSS_CODELIST_DIR, "onss.codelist_dir", NULL),   /* <reference_dir>/onss/codelists */
	STR(P_ONSS_XSD_DIR, "onss.xsd_dir", NULL),             /* <reference_dir>/onss/xsd */
	STR(P_BATCH_SENDER, "onss_batch.sender", NULL),   /* deprecated: read as onss.sender */
	WORD(P_BATCH_ENV, "onss_batch.env", "T", "R|T|S"),
	STR(P_BATCH_OUTBOX, "onss_batch.outbox", NULL),
	STR(P_BATCH_ANSWERS, "onss_batch.answers", NULL),
	INT(P_BATCH_POLL_INTERVAL_MS, "onss_batch.poll_interval_ms", "60000", 1, MS_DAY),
	STR(P_BATCH_ANSWER_CA, "onss_batch.answer_ca", "certs/out/onss/ca.crt.pem"),
	STR(P_BATCH_SFTP_URL, "onss_batch.sftp_url", NULL),
	STR(P_BATCH_SFTP_USER, "onss_batch.sftp_user", "gateway"),
	STR(P_BATCH_SFTP_KEY, "onss_batch.sftp_key", "certs/out/ssh/client_ed25519"),
	STR(P_BATCH_SFTP_PUBKEY, "onss_batch.sftp_pubkey", ""),
	STR(P_BATCH_SFTP_HOST_SHA256, "onss_batch.sftp_host_sha256", ""),
	INT(P_BATCH_CONNECT_TIMEOUT, "onss_batch.connect_timeout", "20", 1, 3600),
	INT(P_BATCH_TIMEOUT, "onss_batch.timeout", "600", 1, 86400),
	STR(P_BATCH_SIM_CA, "onss_batch.sim_ca", NULL),        /* the simulator's --root CA */
	INT(P_BATCH_MAX_ANSWER_MB, "onss_batch.max_answer_mb", "256", 1, 500),
	/* unset: required when env = R, else optional */
	WORD(P_BATCH_ANSWERS_SIGNED, "onss_batch.answers_signed", NULL, "required|optional"),
	INT(P_BATCH_MAX_FORMS, "onss_batch.max_forms", "10000", 1, 1000000),
	INT(P_BATCH_EXPORT_THREADS, "onss_batch.export_threads", "0", 0, 64),
	STR(P_DIMONA_CHANNEL, "dimona.channel", "dimona-rest"),
	STR(P_DIMONA_BASE_URL, "dimona.base_url", "https://localhost:8443/REST/dimona/v2"),
	STR(P_DIMONA_TOKEN_URL, "dimona.token_url", "https://localhost:8443/REST/oauth/v5/token"),
	STR(P_DIMONA_CLIENT_ID, "dimona.client_id", "self_service_expeditor_0668600511"),
	STR(P_DIMONA_CA_FILE, "dimona.ca_file", "certs/out/tls/ca.crt.pem"),
	STR(P_DIMONA_CERT, "dimona.cert", NULL),               /* unset: [signing] cert */
	STR(P_DIMONA_KEY, "dimona.key", NULL),                 /* unset: [signing] key */
	STR(P_DIMONA_SCOPE_DECLARE, "dimona.scope_declare", "scope:dimona:declaration:declarant"),
	STR(P_DIMONA_SCOPE_CONSULT, "dimona.scope_consult", "scope:dimona:declaration:consult"),
	INT(P_DIMONA_TIMEOUT_MS, "dimona.timeout_ms", "10000", 1, MS_DAY),
	INT(P_DIMONA_ASSERTION_TTL_S, "dimona.assertion_ttl_s", "300", 1, 86400),
	INT(P_DIMONA_TOKEN_MARGIN_S, "dimona.token_margin_s", "30", 0, 86400),
	STR(P_DIMONA_SCHEMA, "dimona.schema", "schemas/dimona/Dimona.xsd"),
	INT(P_DIMONA_VALIDATE, "dimona.validate", "1", 0, 1),
	STR(P_DMFA_PARAMS, "dmfa.params", "schemas/dmfa/params.txt"),
	INT(P_DMFA_EMPLOYER_CLASS, "dmfa.employer_class", "0", 0, 999),
	STR(P_DMFA_LOCAL_UNITS, "dmfa.local_units", ""),       /* NOSS=UNIT ...; onss/dmfa/units.c */
	INT(P_DMFA_VALIDATE, "dmfa.validate", "1", 0, 1),
	STR(P_PEPPOL_CHANNEL, "peppol.channel", "peppol-as4"),
	STR(P_PEPPOL_UBL_XSD_DIR, "peppol.ubl_xsd_dir", ""),  /* empty: <reference_dir>/peppol/ubl-xsd */
	INT(P_PEPPOL_MAX_INVOICE_BYTES, "peppol.max_invoice_bytes", "16777216", 1, INT32_MAX),
	WORD(P_PEPPOL_UBL_PAYMENT_ID, "peppol_ubl.payment_id", "structured", "structured|digits"),
	STR(P_QUEUE_BACKEND, "queue.backend", "sqlite"),
	STR(P_QUEUE_DSN, "queue.dsn", "var/queue.db"),
	INT(P_QUEUE_MIN_FREE_MB, "queue.min_free_mb", "64", 0, NO_MAX / (1024 * 1024)),
	INT(P_QUEUE_CACHE_KB, "queue.cache_kb", "65536", 0, INT32_MAX),
	INT(P_QUEUE_BUSY_TIMEOUT_MS, "queue.busy_timeout_ms", "30000", 0, INT32_MAX),
	INT(P_QUEUE_EXPIRY_S, "queue.expiry_s", "259200", 0, NO_MAX / 1000),
	INT(P_QUEUE_RETRY_BASE_MS, "queue.retry_base_ms", "2000", 1, MS_DAY),
	INT(P_QUEUE_RETRY_CAP_MS, "queue.retry_cap_ms", "600000", 1, 30 * MS_DAY),
	INT(P_QUEUE_DEP_WAIT_MS, "queue.dep_wait_ms", "2000", 1, MS_DAY),
	INT(P_QUEUE_SETTLE_MS, "queue.settle_ms", "60000", 0, MS_DAY),
	STR(P_QUEUE_WORKER, "queue.worker", NULL),            /* unset: <host>:<pid> */
	INT(P_QUEUE_LEASE_MS, "queue.lease_ms", "120000", 100, MS_DAY),
	INT(P_RUN_BATCH, "run.batch", "64", 1, 100000),
	INT(P_RUN_SEND_BATCH, "run.send_batch", "8", 1, 100000),
	INT(P_RUN_IDLE_SLEEP_MS, "run.idle_sleep_ms", "1000", 1, MS_DAY),
	INT(P_RUN_IDLE_HORIZON_MS, "run.idle_horizon_ms", "30000", 0, 365 * MS_DAY),
	STR(P_RUN_LOCK_FILE, "run.lock_file", NULL),          /* unset: <queue.dsn>.run.lock */
	INT(P_INTAKE_BATCH, "intake.batch", "1000", 1, 1000000),
	WORD(P_OPERATOR_LANGUAGE, "operator.language", "nl", "nl|fr|en"),
	STR(P_HTTP_LISTEN, "http.listen", "127.0.0.1"),
	INT(P_HTTP_PORT, "http.port", "0", 0, 65535),
	STR(P_HTTP_CERT, "http.cert", ""),
	STR(P_HTTP_KEY, "http.key", ""),
	STR(P_HTTP_CLIENT_CA, "http.client_ca", ""),
	STR(P_HTTP_TOKEN_FILE, "http.token_file", ""),
	INT(P_HTTP_MAX_BODY_KB, "http.max_body_kb", "16384", 1, 1048576),
	WORD(P_AS4_RECEIVE, "peppol_as4.receive", "off", "off|on"),
	STR(P_AS4_CERT, "peppol_as4.cert", "certs/out/g3/sender.crt.pem"),
	STR(P_AS4_KEY, "peppol_as4.key", "certs/out/g3/sender.key.pem"),
	STR(P_AS4_CA, "peppol_as4.ca", "certs/out/g3/chain.pem"),
	STR(P_AS4_CRL, "peppol_as4.crl", "certs/out/g3/apca.crl.pem"),
	STR(P_AS4_INBOX, "peppol_as4.inbox", "var/as4-inbox"),
	STR(P_AS4_PARTICIPANTS, "peppol_as4.participants", ""),
	STR(P_AS4_ENDPOINT_URL, "peppol_as4.endpoint_url", ""),
	STR(P_AS4_ENDPOINT_CERT, "peppol_as4.endpoint_cert", ""),
	STR(P_AS4_TLS_CA, "peppol_as4.tls_ca", ""),
	STR(P_AS4_OUTBOX, "peppol_as4.outbox", "var/as4-out"),
	INT(P_AS4_TIMEOUT_MS, "peppol_as4.timeout_ms", "30000", 100, 600000),
	STR(P_AS4_MLS_TO, "peppol_as4.mls_to", ""),
	WORD(P_AS4_MLS_TYPE, "peppol_as4.mls_type", "FAILURE_ONLY", "FAILURE_ONLY|ALWAYS_SEND"),
	STR(P_REPORT_RECEIVER, "peppol_as4.report_receiver", ""),
	WORD(P_AS4_DISCOVERY, "peppol_as4.discovery", "off", "off|on"),
	STR(P_SMP_ZONE, "smp.zone", "participant.sml.test.tech.peppol.org"),
	STR(P_SMP_RESOLVER, "smp.resolver", ""),
	INT(P_SMP_DNS_TIMEOUT_MS, "smp.dns_timeout_ms", "2000", 50, 60000),
	INT(P_SMP_HTTP_TIMEOUT_MS, "smp.http_timeout_ms", "5000", 100, 120000),
	STR(P_SMP_CA, "smp.ca", "certs/out/g3/smp-chain.pem"),
	STR(P_SMP_TLS_CA, "smp.tls_ca", ""),
	INT(P_SMP_CACHE_MAX_S, "smp.cache_max_s", "3600", 0, 86400),
	STR(P_SMP_CERT, "smp.cert", "certs/out/g3/smp.crt.pem"),
	STR(P_SMP_KEY, "smp.key", "certs/out/g3/smp.key.pem"),
	STR(P_SMP_PARTICIPANTS, "smp.participants", ""),
	STR(P_SMP_ENDPOINT_URL, "smp.endpoint_url", ""),
	STR(P_SMP_ENDPOINT_CERT, "smp.endpoint_cert", "certs/out/g3/sender.crt.pem"),
	STR(P_SMP_BASE_URL, "smp.base_url", ""),
};

const struct param_def *
params_table(size_t *n)
{
	*n = P__COUNT;
	return table;
}

static const struct param_def *
find(const char *key)
{
	for (size_t i = 0; i < P__COUNT; i++)
		if (strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
}

/* True when word is one of "a|b|c". */
static int
among(const char *word, const char *choices)
{
	size_t l = strlen(word);
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t k = bar ? (size_t)(bar - p) : strlen(p);
		if (k == l && strncmp(p, word, l) == 0)
			return 1;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return 0;
}

/* Parse value as parameter d; 0, or -1 with err saying why. */
static int
parse(const struct param_def *d, const char *value, int64_t *out, char *err, size_t errcap)
{
	if (d->type == PARAM_STR) {
		if (d->choices != NULL && !among(value, d->choices)) {
			snprintf(err, errcap, "%s: '%s' is not one of %s", d->key, value, d->choices);
			return -1;
		}
		return 0;
	}
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0') {
		snprintf(err, errcap, "%s: '%s' is not an integer", d->key, value);
		return -1;
	}
	if (v < d->min || v > d->max) {
		snprintf(err, errcap, "%s: %s is outside %" PRId64 "..%" PRId64, d->key, value, d->min, d->max);
		return -1;
	}
	*out = v;
	return 0;
}

struct check {
	char *err;
	size_t errcap;
};

static int
check_one(void *ctx, const char *key, const char *value)
{
	struct check *c = ctx;
	const struct param_def *d = find(key);
	int64_t v;
	if (d == NULL) {
		snprintf(c->err, c->errcap, "%s: unknown configuration key (every key is in "
		    "docs/gateway.conf)", key);
		return 1;
	}
	return parse(d, value, &v, c->err, c->errcap) != 0;
}

/* Keys kept readable under an old name: the value of old is used when new
 * is not set, with a warning; both set to different values is refused. */
static const struct {
	enum param_id old_id, new_id;
} DEPRECATED[] = {
	/* One sender number for the ONSS: the batch channel had its own key. */
	{ P_BATCH_SENDER, P_ONSS_SENDER },
};
#define N_DEPRECATED (sizeof DEPRECATED / sizeof DEPRECATED[0])

/* The deprecated keys of cfg: said (warning), or refused when they
 * contradict their new key. */
static gw_rc
check_deprecated(const struct gw_config *cfg, char *err, size_t errcap)
{
	for (size_t i = 0; i < N_DEPRECATED; i++) {
		const char *ok = table[DEPRECATED[i].old_id].key, *nk = table[DEPRECATED[i].new_id].key;
		const char *ov = config_get(cfg, ok, NULL), *nv = config_get(cfg, nk, NULL);
		if (ov == NULL)
			continue;
		if (nv != NULL && strcmp(ov, nv) != 0) {
			snprintf(err, errcap, "%s = %s and %s = %s differ: %s is deprecated, keep only %s",
			    ok, ov, nk, nv, ok, nk);
			return GW_ECONFIG;
		}
		log_warn(NULL, NULL, "configuration %s is deprecated: write it as %s (its value %s is"
		    " used for %s)", ok, nk, ov, nk);
	}
	return GW_OK;
}

gw_rc
params_check(const struct gw_config *cfg, char *err, size_t errcap)
{
	struct check c = { err, errcap };
	if (config_each(cfg, check_one, &c))
		return GW_ECONFIG;
	return check_deprecated(cfg, err, errcap);
}

/* The typed values of gw_cfg as of generation seen_gen. The runner and
 * the simulators read them from several threads: one lock, held for the
 * refresh and the read, so that nobody sees a half-refreshed table. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const char *s;
	int64_t i;
} cur[P__COUNT];
static const struct gw_config *seen_cfg;
static unsigned long seen_gen;

static void
refresh(void)
{
	if (seen_cfg == gw_cfg && seen_gen == config_generation(gw_cfg) && seen_cfg != NULL)
		return;
	for (size_t i = 0; i < P__COUNT; i++) {
		const struct param_def *d = &table[i];
		const char *v = gw_cfg ? config_get(gw_cfg, d->key, NULL) : NULL;
		cur[i].s = v ? v : d->dflt;
		cur[i].i = 0;
		if (d->type != PARAM_INT)
			continue;
		char why[256];
		if (v != NULL && parse(d, v, &cur[i].i, why, sizeof why) != 0) {
			log_warn(NULL, NULL, "configuration %s; the default %s is used", why, d->dflt);
			v = NULL;
			cur[i].s = d->dflt;
		}
		if (v == NULL)
			cur[i].i = strtoll(d->dflt, NULL, 10);
	}
	for (size_t i = 0; i < N_DEPRECATED; i++) {
		const char *nv = gw_cfg ? config_get(gw_cfg, table[DEPRECATED[i].new_id].key, NULL)
		    : NULL;
		const char *ov = cur[DEPRECATED[i].old_id].s;
		if (nv == NULL && ov != NULL)
			cur[DEPRECATED[i].new_id] = cur[DEPRECATED[i].old_id];
	}
	seen_cfg = gw_cfg;
	seen_gen = config_generation(gw_cfg);
}

const char *
param_str(enum param_id id)
{
	pthread_mutex_lock(&mu);
	refresh();
	const char *v = cur[id].s;
	pthread_mutex_unlock(&mu);
	return v;
}

int64_t
param_int(enum param_id id)
{
	pthread_mutex_lock(&mu);
	refresh();
	int64_t v = cur[id].i;
	pthread_mutex_unlock(&mu);
	return v;
}
