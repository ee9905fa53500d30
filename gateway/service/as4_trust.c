/*
 * service/as4_trust.c - the AS4 receiver's trust store, re-read when its
 * CRL changes or goes stale (as4_trust.h).
 *
 * Owns the current X509_STORE; each check takes a reference to it, so a
 * re-read never frees a store another thread is verifying with. The file
 * is known by (device, inode, size, mtime): an operator or a cron job that
 * writes a new CRL (cp, rename, curl -o) changes one of them. A stale CRL
 * (nextUpdate passed) is re-read at most once a minute of the gateway's
 * clock, so a CA that is late does not make every message read a file.
 * Never drops the CRL check: a CRL that does not load keeps the old store.
 */
#include "service/as4_trust.h"
#include "core/log.h"
#include "peppol/as4/as4.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define AT_STALE_RETRY_S 60

struct as4_trust_keeper {
	pthread_mutex_t mu;
	char ca[512], crl[512];
	X509_STORE *store;
	struct stat seen;               /* of the CRL file loaded */
	int64_t next_update_s;          /* of the CRL loaded; 0: none */
	int64_t stale_try_s;            /* last re-read because stale */
	int64_t failed_try_s;           /* last re-read that did not load */
	unsigned long reloads;
};

/* Whether two stats name the same file contents as far as we can tell. */
static int
at_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Load the files into a new store; on success it replaces the current one. */
static gw_rc
at_load(struct as4_trust_keeper *k, char *err, size_t errcap)
{
	struct stat sb;
	memset(&sb, 0, sizeof sb);
	if (k->crl[0] != '\0' && stat(k->crl, &sb) != 0) {
		snprintf(err, errcap, "peppol_as4.crl: %s: cannot stat", k->crl);
		return GW_ECONFIG;
	}
	X509_STORE *st = NULL;
	char why[512] = "";
	if (as4_trust_load(&st, k->ca, k->crl[0] ? k->crl : NULL, why, sizeof why) != GW_OK) {
		snprintf(err, errcap, "peppol_as4.ca / peppol_as4.crl: %s", why);
		return GW_ECONFIG;
	}
	X509_STORE_free(k->store);
	k->store = st;
	k->seen = sb;
	k->next_update_s = k->crl[0] ? as4_trust_crl_next_update(st) : 0;
	return GW_OK;
}

gw_rc
as4_trust_keeper_open(struct as4_trust_keeper **out, const char *ca_file, const char *crl_file,
                      char *err, size_t errcap)
{
	struct as4_trust_keeper *k = calloc(1, sizeof *k);
	*out = NULL;
	if (k == NULL)
		return GW_ENOMEM;
	pthread_mutex_init(&k->mu, NULL);
	if (snprintf(k->ca, sizeof k->ca, "%s", ca_file) >= (int)sizeof k->ca ||
	    snprintf(k->crl, sizeof k->crl, "%s", crl_file ? crl_file : "") >= (int)sizeof k->crl) {
		snprintf(err, errcap, "peppol_as4.ca / peppol_as4.crl: path longer than %zu bytes",
		    sizeof k->ca - 1);
		as4_trust_keeper_close(k);
		return GW_ECONFIG;
	}
	gw_rc rc = at_load(k, err, errcap);
	if (rc != GW_OK) {
		as4_trust_keeper_close(k);
		return rc;
	}
	*out = k;
	return GW_OK;
}

void
as4_trust_keeper_close(struct as4_trust_keeper *k)
{
	if (k == NULL)
		return;
	X509_STORE_free(k->store);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

X509_STORE *
as4_trust_keeper_get(struct as4_trust_keeper *k, int64_t now_s)
{
	pthread_mutex_lock(&k->mu);
	if (k->crl[0] != '\0') {
		struct stat sb;
		int changed = stat(k->crl, &sb) == 0 && !at_same(&sb, &k->seen) &&
		    now_s != k->failed_try_s;
		int stale = k->next_update_s != 0 && now_s >= k->next_update_s &&
		    (k->stale_try_s == 0 || now_s >= k->stale_try_s + AT_STALE_RETRY_S);
		if (stale)
			k->stale_try_s = now_s;
		if (changed || stale) {
			char err[600];
			if (at_load(k, err, sizeof err) == GW_OK) {
				k->reloads++;
				k->failed_try_s = 0;
				if (k->next_update_s == 0 || now_s < k->next_update_s)
					k->stale_try_s = 0;
				log_info(NULL, NULL, "AS4: CRL %s re-read (%s)", k->crl,
				    changed ? "the file changed" : "the one in use was past its nextUpdate");
			} else {
				k->failed_try_s = now_s;
				log_error(NULL, NULL, "AS4: %s; the CRL read before stays in use", err);
			}
		}
	}
	X509_STORE *st = k->store;
	X509_STORE_up_ref(st);
	pthread_mutex_unlock(&k->mu);
	return st;
}

unsigned long
as4_trust_keeper_reloads(const struct as4_trust_keeper *k)
{
	return __atomic_load_n(&k->reloads, __ATOMIC_RELAXED);
}
