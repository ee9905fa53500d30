/*
 * cert_info.c - the configured certificates (cert_info.h): the signing
 * identity, the Dimona REST client certificate when it is its own, the
 * HTTPS server's, and the CA batch answers must chain to.
 */
#include "service/cert_info.h"
#include "core/params.h"
#include "crypto/certinfo.h"

#include <stdio.h>
#include <string.h>

size_t
cert_info_configured(struct cert_info *out, size_t max)
{
	static const struct { const char *use; enum param_id id; } files[] = {
		{ "signing (ONSS)", P_SIGNING_CERT },
		{ "Dimona REST client", P_DIMONA_CERT },
		{ "HTTPS server", P_HTTP_CERT },
		{ "ONSS answer CA", P_BATCH_ANSWER_CA },
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof files / sizeof files[0] && n < max; i++) {
		const char *p = param_str(files[i].id);
		if (p == NULL || p[0] == '\0')
			continue;
		struct cert_info *c = &out[n++];
		memset(c, 0, sizeof *c);
		c->use = files[i].use;
		snprintf(c->path, sizeof c->path, "%s", p);
		if (certinfo_read(p, c->subject, sizeof c->subject, &c->not_after_ms, c->error,
		    sizeof c->error) != GW_OK) {
			c->subject[0] = '\0';
			c->not_after_ms = 0;
		}
	}
	return n;
}
