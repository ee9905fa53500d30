/*
 * cmd/serve_cmd.c - gateway serve: the embedded HTTPS server on its own
 * (dashboard, message pages, metrics, health, intake API), until SIGTERM
 * or SIGINT.
 *
 * Options only; the server and its pages are service/http_server and
 * service/web. --port-file writes the port once listening (whole or not
 * at all), for scripts that start it on port 0.
 */
#include "cmd/cmd.h"
#include "core/err.h"
#include "service/as4_receive.h"
#include "service/http_server.h"
#include "service/web.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t serve_stop;
static void on_signal(int sig) { (void)sig; serve_stop = 1; }

static void
serve_usage(FILE *f)
{
	fprintf(f, "usage: gateway serve [--port N] [--port-file FILE]\n\n"
	    "Serves the operator's dashboard (/), a page per message (/message/ID),\n"
	    "Prometheus metrics (/metrics), the health check (/healthz) and the intake\n"
	    "API (/api/v1/: docs/openapi.json) on [http]\n"
	    "listen, with TLS from [http] cert and key. Every page but /healthz needs a\n"
	    "credential: a bearer token ([http] token_file; a browser logs in once at\n"
	    "/login with it) or a client certificate under [http] client_ca.\n"
	    "--port overrides [http] port (0: any free port); --port-file writes the\n"
	    "port once listening. Stops on SIGTERM or SIGINT.\n"
	    "With [peppol_as4] receive = on, POST /as4 is the Peppol AS4 endpoint (open:\n"
	    "AS4 messages carry their own signature).\n\nexamples:\n"
	    "  gateway serve --port 8080\n"
	    "  curl -H \"Authorization: Bearer $(cat token)\" https://localhost:8080/metrics\n"
	    "  curl -H \"Authorization: Bearer $(cat token)\" --data-binary @contracts.jsonl \\\n"
	    "       https://localhost:8080/api/v1/contracts\n");
}

int
cmd_serve(int argc, char **argv)
{
	struct http_server_opts o;
	const char *port_file = NULL;
	if (cmd_wants_help(argc, argv)) {
		serve_usage(stdout);
		return GW_EXIT_OK;
	}
	http_server_opts_configured(&o);
	int rc = cmd_port_args("gateway serve", argc, argv, serve_usage, &o.port, &port_file);
	if (rc >= 0)
		return rc;
	struct web *s = NULL;
	char err[512];
	if (web_start(&s, &o, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway serve: %s\n", err);
		return GW_EXIT_USAGE;
	}
	int port = web_port(s);
	if ((rc = cmd_port_file("gateway serve", port_file, port)) != GW_EXIT_OK) {
		web_stop(s);
		return rc;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("dashboard: %s://%s:%d/ (metrics /metrics, health /healthz)\n",
	    o.cert ? "https" : "http", o.listen, port);
	if (web_as4_counts(s) != NULL)
		printf("peppol as4: %s://%s:%d/as4\n", o.cert ? "https" : "http", o.listen, port);
	fflush(stdout);
	while (!serve_stop)
		usleep(100000);   /* a signal between the test and a pause() would be lost */
	unsigned long groups, records;
	web_intake_counts(s, &groups, &records);
	const struct as4_receive_counts *c = web_as4_counts(s);
	if (c != NULL)
		printf("as4: %lu received, %lu stored, %lu duplicates, %lu refused, %lu temporary"
		    " failures, %lu store commits\n", c->received, c->stored, c->duplicates, c->refused,
		    c->temporary, c->commits);
	web_stop(s);
	printf("intake API: %lu groups, %lu records taken in\nstopped by signal\n", groups, records);
	return GW_EXIT_OK;
}
