/*
 * service/smp_serve.c - our own SMP (smp_serve.h). At start it signs one
 * ServiceMetadata per participant and document type (BIS Billing 3.0
 * invoice and credit note, the billing process, our AS4 endpoint URL and
 * certificate; for an access point's own SPIS id, 0242:..., the MLS
 * document type and process instead: that is where the MLS it asks for
 * comes back, found by the answering AP through discovery) with the SMP key, so that a request costs no signature;
 * then it answers GET /{participant} (the ServiceGroup) and GET
 * /{participant}/services/{document type} (the signed metadata), the
 * identifiers percent-encoded as the SMP specification says. Anything
 * else is 404. Routes are open: an SMP is public. Never registers in the
 * SML by itself (docs/peppol-smp.md says what that would send).
 */
#include "service/smp_serve.h"
#include "core/clock.h"
#include "core/params.h"
#include "crypto/signer.h"
#include "peppol/mls/mls.h"
#include "peppol/smp/smp.h"

#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SS_PROCESS "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
#define SS_CUST "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"

static const char *const ss_doctypes[] = {
	"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##" SS_CUST "::2.1",
	"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##" SS_CUST "::2.1",
	MLS_DOCTYPE,
};
static const char *const ss_processes[] = { SS_PROCESS, SS_PROCESS, MLS_PROCESS };
#define SS_NDOC 3
#define SS_MLS 2                /* index of the MLS in the tables above */

struct ss_answer {
	char participant[160];
	char *signed_meta[SS_NDOC];
	size_t len[SS_NDOC];
};

struct smp_server {
	struct http_server *http;
	struct http_route route;
	struct ss_answer *a;
	size_t n;
	char base[512];
	pthread_mutex_t mu;
	unsigned long groups, meta, missing;
};

/* Whether participant p is published for ss_doctypes[d]: an access
 * point's SPIS id (scheme 0242) receives MLS only, an end user the rest. */
static int
ss_offers(const char *p, int d)
{
	int ap = strncmp(p, MLS_SPIS_SCHEME ":", sizeof MLS_SPIS_SCHEME) == 0;
	return ap == (d == SS_MLS);
}

static void
ss_free(struct smp_server *s)
{
	for (size_t i = 0; i < s->n; i++)
		for (int d = 0; d < SS_NDOC; d++)
			free(s->a[i].signed_meta[d]);
	free(s->a);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static struct ss_answer *
ss_find(struct smp_server *s, const char *scheme_id)
{
	const char *pre = SMP_SCHEME_PARTY "::";
	if (strncasecmp(scheme_id, pre, strlen(pre)) != 0)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (strcasecmp(s->a[i].participant, scheme_id + strlen(pre)) == 0)
			return &s->a[i];
	return NULL;
}

static void
ss_count(struct smp_server *s, unsigned long *c)
{
	pthread_mutex_lock(&s->mu);
	(*c)++;
	pthread_mutex_unlock(&s->mu);
}

/* GET /{participant}[/services/{doctype}]; libmicrohttpd has decoded the
 * path, so the identifiers are read as they are. */
static void
ss_handle(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	struct smp_server *s = ctx;
	const char *p = rq->path[0] == '/' ? rq->path + 1 : rq->path;
	const char *svc = strstr(p, "/services/");
	char pid[200];
	size_t pl = svc ? (size_t)(svc - p) : strlen(p);
	if (pl == 0 || pl >= sizeof pid) {
		ss_count(s, &s->missing);
		http_reply(rs, 404, "text/plain", "not an SMP path\n");
		return;
	}
	memcpy(pid, p, pl);
	pid[pl] = '\0';
	struct ss_answer *a = ss_find(s, pid);
	if (a == NULL) {
		ss_count(s, &s->missing);
		http_reply(rs, 404, "text/plain", "participant not published here\n");
		return;
	}
	if (svc == NULL) {
		char base[600], *out = NULL;
		size_t len = 0;
		const char *host = http_header(rq, "Host");
		if (s->base[0] != '\0')
			snprintf(base, sizeof base, "%s", s->base);
		else
			snprintf(base, sizeof base, "https://%.200s", host ? host : "localhost");
		const char *docs[SS_NDOC];
		int nd = 0;
		for (int d = 0; d < SS_NDOC; d++)
			if (ss_offers(a->participant, d))
				docs[nd++] = ss_doctypes[d];
		if (smp_service_group(base, a->participant, docs, nd, &out, &len) != GW_OK) {
			http_reply(rs, 500, "text/plain", "cannot build the service group\n");
			return;
		}
		ss_count(s, &s->groups);
		rs->status = 200;
		rs->content_type = "text/xml";
		rs->body = out;
		rs->len = len;
		return;
	}
	const char *doc = svc + 10, *pre = SMP_SCHEME_DOC "::";
	for (int d = 0; d < SS_NDOC; d++) {
		if (!ss_offers(a->participant, d) || strncasecmp(doc, pre, strlen(pre)) != 0 ||
		    strcmp(doc + strlen(pre), ss_doctypes[d]) != 0)
			continue;
		rs->body = malloc(a->len[d]);
		if (rs->body == NULL) {
			http_reply(rs, 503, "text/plain", "out of memory\n");
			return;
		}
		memcpy(rs->body, a->signed_meta[d], a->len[d]);
		rs->len = a->len[d];
		rs->status = 200;
		rs->content_type = "text/xml";
		ss_count(s, &s->meta);
		return;
	}
	ss_count(s, &s->missing);
	http_reply(rs, 404, "text/plain", "document type not published for this participant\n");
}

/* The participants of [smp] participants, signed. */
static gw_rc
ss_sign_all(struct smp_server *s, char *err, size_t errcap)
{
	struct gw_signer *key = NULL;
	X509 *ap = NULL;
	char why[400];
	gw_rc rc = signer_load(&key, param_str(P_SMP_CERT), param_str(P_SMP_KEY), why, sizeof why);
	if (rc != GW_OK) {
		snprintf(err, errcap, "smp.cert/smp.key: %s", why);
		return GW_ECONFIG;
	}
	const char *apf = param_str(P_SMP_ENDPOINT_CERT), *url = param_str(P_SMP_ENDPOINT_URL);
	char *list = NULL;
	FILE *f = fopen(apf, "r");
	if (f != NULL) {
		ap = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	rc = GW_ECONFIG;
	if (ap == NULL) {
		snprintf(err, errcap, "smp.endpoint_cert: cannot read a PEM certificate from '%s'", apf);
		goto out;
	}
	if (strncmp(url, "https://", 8) != 0) {
		snprintf(err, errcap, "smp.endpoint_url: '%s' is not an https:// URL", url);
		goto out;
	}
	list = strdup(param_str(P_SMP_PARTICIPANTS));
	if (list == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	for (char *save = NULL, *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		struct ss_answer *v = realloc(s->a, (s->n + 1) * sizeof *v);
		if (v == NULL) {
			rc = GW_ENOMEM;
			goto out;
		}
		s->a = v;
		struct ss_answer *a = &s->a[s->n++];
		memset(a, 0, sizeof *a);
		if (strchr(t, ':') == NULL || snprintf(a->participant, sizeof a->participant, "%s", t) >=
		    (int)sizeof a->participant) {
			snprintf(err, errcap, "smp.participants: '%s' is not scheme:id (0208:0739484052)", t);
			goto out;
		}
		for (int d = 0; d < SS_NDOC; d++) {
			if (!ss_offers(a->participant, d))
				continue;
			struct smp_publish p = { .participant = a->participant, .doctype = ss_doctypes[d],
			    .process = ss_processes[d], .url = url, .ap_cert = ap,
			    .activation_s = INT64_MIN, .expiration_s = INT64_MAX };
			const ASN1_TIME *na = X509_get0_notAfter(ap);
			ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
			int days = 0, secs = 0;
			if (epoch != NULL && ASN1_TIME_diff(&days, &secs, epoch, na) == 1)
				p.expiration_s = (int64_t)days * 86400 + secs;
			ASN1_TIME_free(epoch);
			if ((rc = smp_sign_metadata(&p, key, &a->signed_meta[d], &a->len[d], why,
			    sizeof why)) != GW_OK) {
				snprintf(err, errcap, "signing the SMP answer of %s: %s", t, why);
				goto out;
			}
		}
	}
	if (s->n == 0) {
		snprintf(err, errcap, "smp.participants: empty; nothing to publish");
		rc = GW_ECONFIG;
		goto out;
	}
	rc = GW_OK;
out:
	free(list);
	X509_free(ap);
	signer_free(key);
	return rc;
}

gw_rc
smp_serve_start(struct smp_server **out, const struct http_server_opts *o, char *err, size_t errcap)
{
	*out = NULL;
	struct smp_server *s = calloc(1, sizeof *s);
	if (s == NULL)
		return GW_ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	snprintf(s->base, sizeof s->base, "%s", param_str(P_SMP_BASE_URL));
	gw_rc rc = ss_sign_all(s, err, errcap);
	if (rc != GW_OK) {
		ss_free(s);
		return rc;
	}
	s->route = (struct http_route){ .method = "GET", .path = "*", .open = 1, .fn = ss_handle,
	                                .ctx = s };
	if ((rc = http_server_start(&s->http, o, &s->route, 1, err, errcap)) != GW_OK) {
		ss_free(s);
		return rc;
	}
	*out = s;
	return GW_OK;
}

int smp_serve_port(const struct smp_server *s) { return http_server_port(s->http); }

void
smp_serve_counts(const struct smp_server *s, unsigned long *groups, unsigned long *meta,
                 unsigned long *missing)
{
	*groups = s->groups;
	*meta = s->meta;
	*missing = s->missing;
}

void
smp_serve_stop(struct smp_server *s)
{
	if (s == NULL)
		return;
	http_server_stop(s->http);
	ss_free(s);
}
