/*
 * service/smp_lookup.c - discovery (smp_lookup.h): the DNS and HTTPS
 * side of peppol/smp. DNS is c-ares: a real resolver library from Debian,
 * asynchronous with its own per-query timeout and a configurable server
 * and port (the tests' dnsmasq on a loopback port), small, and already
 * what libcurl resolves with; it asks for NAPTR only, and an answer that
 * carries a CNAME is refused (CNAME look-ups are forbidden in the Peppol
 * network since November 2025). The SMP is asked over HTTPS only, without
 * following redirects. A participant that is not there is a final answer;
 * a server that does not answer is a temporary one.
 */
#include "service/smp_lookup.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/membuf.h"
#include "core/params.h"
#include "peppol/as4/as4.h"
#include "peppol/smp/smp.h"

#include <ares.h>
#include <curl/curl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SL_MAX_ANSWER (1u << 20)
#define SL_T_NAPTR 35
#define SL_T_CNAME 5

struct sl_entry {
	char key[800];                  /* participant \n doctype \n process */
	char url[512];
	X509 *cert;
	int64_t until_ms;
};

struct smp_lookup {
	char zone[256], resolver[128], ca[512], tls_ca[512];
	long dns_ms, http_ms, cache_max_s;
	X509_STORE *store;
	pthread_mutex_t mu;             /* the cache and the counters; never held over a look-up */
	struct sl_entry *e;
	size_t n, cap;
	struct smp_lookup_counts cnt;
	int mu_ok;
};

static pthread_once_t sl_once = PTHREAD_ONCE_INIT;
static int sl_ares_ok;
static void sl_ares_init(void) { sl_ares_ok = ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS; }

const struct smp_lookup_counts *smp_lookup_counts(const struct smp_lookup *l) { return &l->cnt; }

gw_rc
smp_lookup_open(struct smp_lookup **out, char *err, size_t errcap)
{
	*out = NULL;
	pthread_once(&sl_once, sl_ares_init);
	if (!sl_ares_ok) {
		snprintf(err, errcap, "c-ares cannot be initialised");
		return GW_EINTERNAL;
	}
	struct smp_lookup *l = calloc(1, sizeof *l);
	if (l == NULL)
		return GW_ENOMEM;
	snprintf(l->zone, sizeof l->zone, "%s", param_str(P_SMP_ZONE));
	snprintf(l->resolver, sizeof l->resolver, "%s", param_str(P_SMP_RESOLVER));
	snprintf(l->ca, sizeof l->ca, "%s", param_str(P_SMP_CA));
	snprintf(l->tls_ca, sizeof l->tls_ca, "%s", param_str(P_SMP_TLS_CA));
	l->dns_ms = (long)param_int(P_SMP_DNS_TIMEOUT_MS);
	l->http_ms = (long)param_int(P_SMP_HTTP_TIMEOUT_MS);
	l->cache_max_s = (long)param_int(P_SMP_CACHE_MAX_S);
	char why[300];
	gw_rc rc = GW_ECONFIG;
	if (l->zone[0] == '\0') {
		snprintf(err, errcap, "smp.zone: empty; discovery needs the SML zone");
		goto fail;
	}
	if (l->ca[0] == '\0') {
		snprintf(err, errcap, "smp.ca: empty; discovery accepts only SMP answers signed under"
		    " the SMP CA");
		goto fail;
	}
	if (as4_trust_load(&l->store, l->ca, NULL, why, sizeof why) != GW_OK) {
		snprintf(err, errcap, "smp.ca: %s", why);
		goto fail;
	}
	pthread_mutex_init(&l->mu, NULL);
	l->mu_ok = 1;
	*out = l;
	return GW_OK;
fail:
	smp_lookup_close(l);
	return rc;
}

void
smp_lookup_close(struct smp_lookup *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		X509_free(l->e[i].cert);
	free(l->e);
	if (l->mu_ok)
		pthread_mutex_destroy(&l->mu);
	X509_STORE_free(l->store);
	free(l);
}

/* --- DNS --- */

struct sl_dns {
	int done, status;
	unsigned char *abuf;
	int alen;
};

static void
sl_dns_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	(void)timeouts;
	struct sl_dns *d = arg;
	d->done = 1;
	d->status = status;
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0 && (d->abuf = malloc((size_t)alen))) {
		memcpy(d->abuf, abuf, (size_t)alen);
		d->alen = alen;
	}
}

/* The smallest TTL of the NAPTR records in the answer; -1 when it holds a
 * CNAME (not followed), -2 when it cannot be walked. */
static long
sl_walk(const unsigned char *a, int alen)
{
	if (alen < 12)
		return -2;
	int qd = a[4] << 8 | a[5], an = a[6] << 8 | a[7];
	const unsigned char *p = a + 12;
	long ttl = -3;
	for (int i = 0; i < qd + an; i++) {
		char *name = NULL;
		long el = 0;
		if (ares_expand_name(p, a, alen, &name, &el) != ARES_SUCCESS)
			return -2;
		ares_free_string(name);
		p += el;
		if (p + 4 > a + alen)
			return -2;
		int type = p[0] << 8 | p[1];
		p += 4;
		if (i < qd)
			continue;
		if (p + 6 > a + alen)
			return -2;
		long t = (long)((unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
		    (unsigned long)p[2] << 8 | p[3]);
		int rdlen = p[4] << 8 | p[5];
		p += 6 + rdlen;
		if (p > a + alen)
			return -2;
		if (type == SL_T_CNAME)
			return -1;
		if (type == SL_T_NAPTR && (ttl < 0 || t < ttl))
			ttl = t;
	}
	return ttl < 0 ? 0 : ttl;
}

/* The SMP base URL of participant from its U-NAPTR record. */
static gw_rc
sl_naptr(struct smp_lookup *l, const char *participant, char *base, size_t cap, long *ttl,
         char *why, size_t whycap)
{
	char name[400];
	if (smp_naptr_name(participant, l->zone, name, sizeof name) != GW_OK) {
		snprintf(why, whycap, SMP_NOT_DELIVERABLE ": participant id '%.100s' cannot be looked up",
		    participant);
		return GW_ENOTFOUND;
	}
	struct ares_options o;
	memset(&o, 0, sizeof o);
	o.timeout = (int)l->dns_ms;
	o.tries = 1;
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	ares_channel ch;
	if (ares_init_options(&ch, &o, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS) !=
	    ARES_SUCCESS) {
		snprintf(why, whycap, "DNS: cannot start the resolver");
		return GW_ETEMP;
	}
	if (l->resolver[0] != '\0' && ares_set_servers_ports_csv(ch, l->resolver) != ARES_SUCCESS) {
		ares_destroy(ch);
		snprintf(why, whycap, "smp.resolver: '%s' is not address:port", l->resolver);
		return GW_ETEMP;
	}
	struct sl_dns d = { 0 };
	pthread_mutex_lock(&l->mu);
	l->cnt.dns++;
	pthread_mutex_unlock(&l->mu);
	ares_query(ch, name, 1 /* IN */, SL_T_NAPTR, sl_dns_cb, &d);
	int64_t deadline = clock_monotonic_ms() + l->dns_ms + 200;
	while (!d.done) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		/* The bits read unsigned: c-ares's own macros shift an int 1 by up
		 * to 31 places, undefined behaviour (UBSan stopped smp serve on it). */
		unsigned bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		struct pollfd pf[ARES_GETSOCK_MAXNUM];
		int np = 0;
		for (unsigned i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			int rd = (bits & (1u << i)) != 0;
			int wr = (bits & (1u << (i + ARES_GETSOCK_MAXNUM))) != 0;
			if (!rd && !wr)
				continue;
			pf[np].fd = socks[i];
			pf[np].events = (short)((rd ? POLLIN : 0) | (wr ? POLLOUT : 0));
			pf[np].revents = 0;
			np++;
		}
		struct timeval tv, *tvp = ares_timeout(ch, NULL, &tv);
		int wait = tvp ? (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) : 100;
		if (np == 0 && tvp == NULL)
			break;
		poll(pf, (nfds_t)np, wait > 0 ? wait : 1);
		for (int i = 0; i < np; i++)
			ares_process_fd(ch, pf[i].revents & (POLLIN | POLLERR | POLLHUP) ? pf[i].fd :
			    ARES_SOCKET_BAD, pf[i].revents & POLLOUT ? pf[i].fd : ARES_SOCKET_BAD);
		if (np == 0)
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		if (clock_monotonic_ms() > deadline && !d.done)
			ares_cancel(ch);
	}
	ares_destroy(ch);
	gw_rc rc;
	if (d.status == ARES_ENOTFOUND || d.status == ARES_ENODATA) {
		snprintf(why, whycap, SMP_NOT_DELIVERABLE ": %s is not registered in the SML (%s: %s)",
		    participant, name, d.status == ARES_ENOTFOUND ? "NXDOMAIN" : "no NAPTR record");
		rc = GW_ENOTFOUND;
	} else if (d.status != ARES_SUCCESS) {
		snprintf(why, whycap, "DNS look-up of %s failed: %s (retried later)", name,
		    ares_strerror(d.status));
		rc = GW_ETEMP;
	} else {
		rc = GW_ENOTFOUND;
		long t = sl_walk(d.abuf, d.alen);
		struct ares_naptr_reply *r = NULL, *best = NULL;
		if (t == -1)
			snprintf(why, whycap, SMP_NOT_DELIVERABLE ": %s answers with a CNAME (not followed)",
			    name);
		else if (t < -1 || ares_parse_naptr_reply(d.abuf, d.alen, &r) != ARES_SUCCESS)
			snprintf(why, whycap, SMP_NOT_DELIVERABLE ": %s: the NAPTR answer cannot be read", name);
		else {
			/* U-NAPTR: flag "U", service Meta:SMP; the lowest order, then preference. */
			for (struct ares_naptr_reply *k = r; k != NULL; k = k->next)
				if (strcasecmp((const char *)k->flags, "U") == 0 &&
				    strcmp((const char *)k->service, "Meta:SMP") == 0 &&
				    (best == NULL || k->order < best->order ||
				    (k->order == best->order && k->preference < best->preference)))
					best = k;
			char w2[300];
			if (best == NULL)
				snprintf(why, whycap, SMP_NOT_DELIVERABLE ": %s has no U-NAPTR record for"
				    " service Meta:SMP", name);
			else if (smp_naptr_apply((const char *)best->regexp, base, cap, w2, sizeof w2) != GW_OK)
				snprintf(why, whycap, SMP_NOT_DELIVERABLE ": %s: %s", name, w2);
			else {
				*ttl = t;
				rc = GW_OK;
			}
			ares_free_data(r);
		}
	}
	free(d.abuf);
	return rc;
}

/* --- the SMP --- */

static gw_rc
sl_get(struct smp_lookup *l, const char *url, struct membuf *b, long *status, char *why,
       size_t whycap)
{
	/* A handle per request: look-ups of several sender threads run side by
	 * side, and one slow SMP holds only its own. */
	CURL *h = curl_easy_init();
	if (h == NULL) {
		snprintf(why, whycap, "SMP GET: out of memory (retried later)");
		return GW_ETEMP;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	if (l->tls_ca[0] != '\0')
		curl_easy_setopt(h, CURLOPT_CAINFO, l->tls_ca);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, l->http_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, membuf_append);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	pthread_mutex_lock(&l->mu);
	l->cnt.http++;
	pthread_mutex_unlock(&l->mu);
	CURLcode cr = curl_easy_perform(h);
	*status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(h);
	if (cr != CURLE_OK) {
		snprintf(why, whycap, "SMP GET %.300s: %s (retried later)", url, curl_easy_strerror(cr));
		return GW_ETEMP;
	}
	return GW_OK;
}

static struct sl_entry *
sl_cached(struct smp_lookup *l, const char *key)
{
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->e[i].key, key) == 0) {
			if (l->e[i].until_ms > now)
				return &l->e[i];
			X509_free(l->e[i].cert);
			l->e[i] = l->e[--l->n];
			return NULL;
		}
	return NULL;
}

static void
sl_keep(struct smp_lookup *l, const char *key, const char *url, X509 *cert, long ttl)
{
	if (ttl <= 0 || l->cache_max_s == 0)
		return;
	if (ttl > l->cache_max_s)
		ttl = l->cache_max_s;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		struct sl_entry *v = realloc(l->e, nc * sizeof *v);
		if (v == NULL)
			return;         /* not cached: asked again next time */
		l->e = v;
		l->cap = nc;
	}
	struct sl_entry *e = &l->e[l->n++];
	snprintf(e->key, sizeof e->key, "%s", key);
	snprintf(e->url, sizeof e->url, "%s", url);
	X509_up_ref(cert);
	e->cert = cert;
	e->until_ms = clock_now_ms() + ttl * 1000;
}

gw_rc
smp_lookup_endpoint(struct smp_lookup *l, const char *participant, const char *doctype,
                    const char *process, char *url, size_t urlcap, X509 **cert, char *why,
                    size_t whycap)
{
	char key[800], base[512], murl[2048];
	long ttl = 0, status = 0;
	*cert = NULL;
	snprintf(key, sizeof key, "%s\n%s\n%s", participant, doctype, process);
	pthread_mutex_lock(&l->mu);
	struct sl_entry *c = sl_cached(l, key);
	if (c != NULL) {
		l->cnt.cache_hits++;
		snprintf(url, urlcap, "%s", c->url);
		X509_up_ref(c->cert);
		*cert = c->cert;
		pthread_mutex_unlock(&l->mu);
		return GW_OK;
	}
	pthread_mutex_unlock(&l->mu);
	gw_rc rc = sl_naptr(l, participant, base, sizeof base, &ttl, why, whycap);
	if (rc != GW_OK)
		goto out;
	if (smp_url(base, participant, doctype, murl, sizeof murl) != GW_OK) {
		snprintf(why, whycap, SMP_NOT_DELIVERABLE ": the SMP URL of %s is too long", participant);
		rc = GW_ENOTFOUND;
		goto out;
	}
	struct membuf b = { .max = SL_MAX_ANSWER };
	if ((rc = sl_get(l, murl, &b, &status, why, whycap)) != GW_OK) {
		free(b.p);
		goto out;
	}
	struct smp_answer a;
	char w2[400], want_p[200], want_d[700];
	if (status == 404) {
		snprintf(why, whycap, SMP_NOT_DELIVERABLE ": the SMP of %s does not know it for this"
		    " document type (HTTP 404 from %.300s)", participant, base);
		rc = GW_ENOTFOUND;
	} else if (status != 200) {
		snprintf(why, whycap, "SMP %.300s answered HTTP %ld (retried later)", base, status);
		rc = GW_ETEMP;
	} else if (smp_answer_read((const unsigned char *)b.p, b.n, l->store, clock_now_s(), &a, w2,
	    sizeof w2) != GW_OK) {
		snprintf(why, whycap, "SMP answer for %s: %s (retried later)", participant, w2);
		rc = GW_ETEMP;
	} else {
		snprintf(want_p, sizeof want_p, SMP_SCHEME_PARTY "::%s", participant);
		snprintf(want_d, sizeof want_d, SMP_SCHEME_DOC "::%s", doctype);
		char proc[300];
		snprintf(proc, sizeof proc, SMP_SCHEME_PROC "::%s", process);
		const struct smp_endpoint *e = NULL;
		if (!a.sig_ok || !a.cert_ok) {
			snprintf(why, whycap, "SMP answer for %s does not verify: %s (retried later)",
			    participant, a.sig_ok ? a.cert_why : a.sig_why);
			rc = GW_ETEMP;
		} else if (strcasecmp(a.participant, want_p) != 0 || strcmp(a.doctype, want_d) != 0) {
			snprintf(why, whycap, "SMP answer for %s is signed for another participant or"
			    " document type (%.100s) (retried later)", participant, a.participant);
			rc = GW_ETEMP;
		} else if ((e = smp_choose(&a, proc, clock_now_s(), w2, sizeof w2)) == NULL) {
			snprintf(why, whycap, SMP_NOT_DELIVERABLE ": %s: %s", participant, w2);
			rc = GW_ENOTFOUND;
		} else if (snprintf(url, urlcap, "%s", e->url) >= (int)urlcap) {
			snprintf(why, whycap, SMP_NOT_DELIVERABLE ": endpoint URL too long");
			rc = GW_ENOTFOUND;
		} else {
			X509_up_ref(e->cert);
			*cert = e->cert;
			pthread_mutex_lock(&l->mu);
			sl_keep(l, key, url, e->cert, ttl);
			pthread_mutex_unlock(&l->mu);
			rc = GW_OK;
		}
		smp_answer_free(&a);
	}
	free(b.p);
out:
	pthread_mutex_lock(&l->mu);
	if (rc == GW_ENOTFOUND)
		l->cnt.not_found++;
	else if (rc == GW_ETEMP)
		l->cnt.temporary++;
	pthread_mutex_unlock(&l->mu);
	if (rc != GW_OK)
		log_msg(rc == GW_ETEMP ? LOG_LVL_WARN : LOG_LVL_INFO, NULL, NULL, "discovery: %s", why);
	return rc;
}
