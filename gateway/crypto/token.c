/*
 * token.c - keys in a token through the pkcs11 engine (crypto/token.h).
 *
 * Owns the one engine handle of the process, set up on first use under a
 * lock and kept until exit (every key loaded from it holds it too). Uses
 * OpenSSL's ENGINE interface, deprecated in OpenSSL 3 but the only PKCS#11
 * route Debian 12 ships (pkcs11-provider is in later releases); the
 * deprecation warnings are silenced for this file alone. Never logs a PIN.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "crypto/token.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <openssl/engine.h>
#include <openssl/err.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static ENGINE *engine;
static char engine_module[1024];

int
token_is_uri(const char *key)
{
	return key != NULL && strncmp(key, "pkcs11:", 7) == 0;
}

void
token_uri_shown(const char *uri, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = uri; *p && o + 1 < cap;) {
		if ((p == uri || p[-1] == ';' || p[-1] == '?' || p[-1] == '&' || p[-1] == ':') &&
		    strncmp(p, "pin-value=", 10) == 0) {
			int n = snprintf(out + o, cap - o, "pin-value=***");
			o = n > 0 && (size_t)n < cap - o ? o + (size_t)n : cap - 1;
			p += 10;
			while (*p && *p != ';' && *p != '&')
				p++;
			continue;
		}
		out[o++] = *p++;
	}
	out[o < cap ? o : cap - 1] = '\0';
}

static void
reason(char *buf, size_t cap)
{
	unsigned long e = ERR_get_error();
	if (e == 0)
		snprintf(buf, cap, "no reason given by the engine");
	else
		ERR_error_string_n(e, buf, cap);
	ERR_clear_error();
}

/* The engine, initialised with module (under mu). */
static ENGINE *
engine_get(const char *module, char *why, size_t cap)
{
	if (engine != NULL) {
		if (strcmp(engine_module, module) != 0) {
			snprintf(why, cap, "the pkcs11 engine is already set up with module \"%.200s\"",
			    engine_module);
			return NULL;
		}
		return engine;
	}
	ENGINE_load_builtin_engines();
	ENGINE *e = ENGINE_by_id("pkcs11");
	if (e == NULL) {
		ERR_clear_error();
		snprintf(why, cap, "the OpenSSL pkcs11 engine is not installed "
		    "(Debian: libengine-pkcs11-openssl)");
		return NULL;
	}
	/* libp11 prints its failures on stderr, the URI with its PIN among
	 * them; the reason reaches the caller through the error queue. */
	(void)ENGINE_ctrl_cmd_string(e, "QUIET", NULL, 1);
	if (module[0] != '\0' && !ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0)) {
		reason(why, cap);
		ENGINE_free(e);
		return NULL;
	}
	if (!ENGINE_init(e)) {
		char r[200];
		reason(r, sizeof r);
		snprintf(why, cap, "the pkcs11 engine cannot start with module \"%.200s\": %s",
		    module[0] ? module : "p11-kit-proxy", r);
		ENGINE_free(e);
		return NULL;
	}
	ENGINE_free(e);                      /* the functional reference of init stays */
	engine = e;
	snprintf(engine_module, sizeof engine_module, "%s", module);
	return engine;
}

EVP_PKEY *
token_load_key(const char *uri, const char *module, char *errbuf, size_t errcap)
{
	char shown[512], why[300];
	EVP_PKEY *k = NULL;

	token_uri_shown(uri, shown, sizeof shown);
	pthread_mutex_lock(&mu);
	ENGINE *e = engine_get(module ? module : "", why, sizeof why);
	if (e != NULL) {
		k = ENGINE_load_private_key(e, uri, NULL, NULL);
		if (k == NULL)
			reason(why, sizeof why);
	}
	pthread_mutex_unlock(&mu);
	if (k == NULL)
		snprintf(errbuf, errcap, "%s: no private key from the token: %s", shown, why);
	return k;
}
