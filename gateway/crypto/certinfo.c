/*
 * certinfo.c - subject and expiry of a PEM certificate (certinfo.h).
 */
#include "crypto/certinfo.h"

#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

gw_rc
certinfo_read(const char *path, char *subject, size_t subject_cap, int64_t *not_after_ms,
              char *why, size_t whycap)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(why, whycap, "cannot open: %s", strerror(errno));
		return GW_EIO;
	}
	X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL) {
		snprintf(why, whycap, "not a PEM certificate");
		return GW_EINPUT;
	}
	struct tm tm;
	const ASN1_TIME *na = X509_get0_notAfter(x);
	if (na == NULL || ASN1_TIME_to_tm(na, &tm) != 1) {
		X509_free(x);
		snprintf(why, whycap, "unreadable notAfter");
		return GW_EINPUT;
	}
	*not_after_ms = (int64_t)timegm(&tm) * 1000;
	X509_NAME_oneline(X509_get_subject_name(x), subject, (int)subject_cap);
	X509_free(x);
	return GW_OK;
}
