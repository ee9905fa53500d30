/*
 * cert_info.h - the certificates the configuration names, each with its
 * use, subject and expiry, for the dashboard and the metrics.
 */
#ifndef GW_SERVICE_CERT_INFO_H
#define GW_SERVICE_CERT_INFO_H

#include <stddef.h>
#include <stdint.h>

#define CERT_INFO_MAX 6

struct cert_info {
	const char *use;                /* "signing", "https server" ... */
	char path[512];
	char subject[256];              /* "" when unreadable */
	int64_t not_after_ms;           /* 0 when unreadable */
	char error[160];
};

/* Fill out[] with the configured certificate files that are set; returns
 * how many. */
size_t cert_info_configured(struct cert_info *out, size_t max);

#endif
