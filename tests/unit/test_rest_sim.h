/* test_rest_sim.h - starting and stopping `gateway sim onss` for the REST
 * tests, and pointing the Dimona client at it. Header-only, test code. */
#ifndef TEST_REST_SIM_H
#define TEST_REST_SIM_H

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/config.h"

/* The moment the Dimona fixtures' deadlines are written against. */
#define REST_TEST_NOW "2026-03-01T10:00:00+01:00"

struct simproc {
	pid_t pid;
	int port;
	char dir[256], ledger[300];
};

static inline const char *
top_dir(void)
{
	const char *t = getenv("TOP");
	return t ? t : ".";
}

static inline void
top_path(char *out, size_t cap, const char *rel)
{
	snprintf(out, cap, "%s/%s", top_dir(), rel);
}

/* Pin this process's clock and, through the environment, every simulator
 * it starts, to REST_TEST_NOW; once, so that the clock never jumps back. */
static inline void
sim_pin_clock(void)
{
	static int pinned;
	char from[32];
	if (pinned++)
		return;
	unsetenv("GATEWAY_NOW");
	unsetenv("GATEWAY_NOW_FROM");
	clock_init(NULL, 0);
	snprintf(from, sizeof from, "%lld", (long long)clock_now_s());
	setenv("GATEWAY_NOW", REST_TEST_NOW, 1);
	setenv("GATEWAY_NOW_FROM", from, 1);
	clock_init(NULL, 0);
}

/* Start the simulator with extra options (NULL-terminated); 0 on success. */
static inline int
sim_start(struct simproc *s, const char *const *extra)
{
	sim_pin_clock();
	char gw[512], portfile[300], tls_cert[512], tls_key[512], client_cert[512];
	const char *g = getenv("GATEWAY");
	if (g != NULL)
		snprintf(gw, sizeof gw, "%s", g);
	else
		top_path(gw, sizeof gw, "build/gateway");
	snprintf(s->dir, sizeof s->dir, "/tmp/gw-rest-XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	snprintf(s->ledger, sizeof s->ledger, "%s/ledger.jsonl", s->dir);
	snprintf(portfile, sizeof portfile, "%s/port", s->dir);
	top_path(tls_cert, sizeof tls_cert, "certs/out/tls/server.crt.pem");
	top_path(tls_key, sizeof tls_key, "certs/out/tls/server.key.pem");
	top_path(client_cert, sizeof client_cert, "certs/out/onss/org.crt.pem");
	const char *argv[64] = { gw, "sim", "onss", "--ledger", s->ledger, "--port-file", portfile,
	    "--tls-cert", tls_cert, "--tls-key", tls_key, "--client-cert", client_cert, NULL };
	size_t n = 13;
	for (size_t i = 0; extra && extra[i] && n < 62; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		char log[320];
		snprintf(log, sizeof log, "%s/sim.log", s->dir);
		FILE *f = freopen(log, "w", stderr);
		(void)f;
		f = freopen("/dev/null", "w", stdout);
		(void)f;
		execv(gw, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(portfile, "r");
		if (f != NULL) {
			int ok = fscanf(f, "%d", &s->port) == 1;
			fclose(f);
			if (ok)
				return 0;
		}
		int st;
		if (waitpid(s->pid, &st, WNOHANG) == s->pid)
			return -1;
		usleep(25000);
	}
	return -1;
}

static inline void
sim_stop(struct simproc *s)
{
	static const char *const files[] = { "ledger.jsonl", "port", "sim.log" };
	char p[400];
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->dir[0] == '\0')
		return;
	if (getenv("KEEP_SIM") != NULL) {
		fprintf(stderr, "simulator files kept in %s\n", s->dir);
		return;
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", s->dir, files[i]);
		unlink(p);
	}
	rmdir(s->dir);
	s->dir[0] = '\0';
}

/* A fresh configuration pointing the client at the simulator. */
static inline void
sim_configure(const struct simproc *s, const char *ca_rel)
{
	char b[600];
	if (gw_cfg != NULL)
		config_free(gw_cfg);
	gw_cfg = config_new();
	snprintf(b, sizeof b, "https://localhost:%d/REST/dimona/v2", s->port);
	config_set(gw_cfg, "dimona.base_url", b);
	snprintf(b, sizeof b, "https://localhost:%d/REST/oauth/v5/token", s->port);
	config_set(gw_cfg, "dimona.token_url", b);
	top_path(b, sizeof b, ca_rel ? ca_rel : "certs/out/tls/ca.crt.pem");
	config_set(gw_cfg, "dimona.ca_file", b);
	top_path(b, sizeof b, "certs/out/onss/org.crt.pem");
	config_set(gw_cfg, "dimona.cert", b);
	top_path(b, sizeof b, "certs/out/onss/org.key.pem");
	config_set(gw_cfg, "dimona.key", b);
	config_set(gw_cfg, "dimona.timeout_ms", "5000");
}

struct membuf {
	char *p;
	size_t n;
};

static inline size_t
membuf_write(char *d, size_t sz, size_t nm, void *arg)
{
	struct membuf *m = arg;
	char *p = realloc(m->p, m->n + sz * nm + 1);
	if (p == NULL)
		return 0;
	memcpy(p + m->n, d, sz * nm);
	m->p = p;
	m->n += sz * nm;
	m->p[m->n] = '\0';
	return sz * nm;
}

/* A raw HTTPS call to the simulator (control endpoints, token probes).
 * Returns the status; *body malloc'd (may be NULL). */
static inline long
sim_http(const struct simproc *s, const char *method, const char *path, const char *body,
         const char *ctype, char **out)
{
	char url[512], ca[512], h[200];
	struct membuf m = { NULL, 0 };
	long status = 0;
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	snprintf(url, sizeof url, "https://localhost:%d%s", s->port, path);
	top_path(ca, sizeof ca, "certs/out/tls/ca.crt.pem");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, membuf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		snprintf(h, sizeof h, "Content-Type: %s", ctype ? ctype : "text/plain");
		hl = curl_slist_append(hl, h);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	if (out)
		*out = m.p;
	else
		free(m.p);
	return status;
}

static inline int
sim_faults(const struct simproc *s, const char *spec)
{
	return sim_http(s, "POST", "/sim/faults", spec, "text/plain", NULL) == 204 ? 0 : -1;
}

#endif
