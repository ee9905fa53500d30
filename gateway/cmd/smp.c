/*
 * smp.c - `gateway smp verify [--at MOMENT] FILE` (spec/cli.md): a signed
 * SMP answer's signature, signer and endpoints, one line each; and
 * `gateway smp serve [--port N]`: our own SMP (service/smp_serve.c).
 */
#include "cmd/cmd.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/params.h"
#include "peppol/as4/as4.h"
#include "peppol/smp/smp.h"
#include "service/smp_lookup.h"
#include "service/smp_serve.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out, "usage: gateway smp verify [--at YYYY-MM-DDTHH:MM:SSZ] FILE\n"
	    "       gateway smp serve [--port N] [--port-file FILE]\n"
	    "       gateway smp lookup [--doctype ID] [--process ID] PARTICIPANT...\n"
	    "  verify: the XMLDSig signature of a signed SMP answer (SignedServiceMetadata),\n"
	    "  the signing certificate's validity at --at (default: now) and its chain to\n"
	    "  [smp] ca, and one line per endpoint. RSA-SHA1 still verifies and is reported\n"
	    "  as weak. Exit: 0 verifies, 1 does not, 2 not an SMP answer it can read.\n"
	    "  serve: the Peppol SMP REST interface (service group, signed service\n"
	    "  metadata) for [smp] participants, signed with [smp] key, on the [http] server.\n"
	    "  lookup: where an invoice for PARTICIPANT (0208:0739484052) would be sent:\n"
	    "  the SML zone's NAPTR record, the SMP's signed answer, the AS4 endpoint.\n"
	    "  Exit: 0 found, 1 not deliverable over Peppol, 2 cannot tell now.\n\n"
	    "examples:\n  gateway smp verify --at 2020-01-01T00:00:00Z answer.xml\n"
	    "  gateway --set smp.participants=0208:0739484052 \\\n"
	    "      --set smp.endpoint_url=https://ap.example.be/as4 smp serve --port 8444\n");
}

static void
print_line(void *arg, const char *text)
{
	fprintf(arg, "%s\n", text);
}

static int
verify_main(int argc, char **argv)
{
	const char *file;
	int64_t at_s;
	int bad = cmd_verify_args("gateway smp verify", argc, argv, usage, &file, &at_s);
	if (bad >= 0)
		return bad;
	X509_STORE *store = NULL;
	const char *ca = param_str(P_SMP_CA);
	char why[300];
	if (ca[0] != '\0' && as4_trust_load(&store, ca, NULL, why, sizeof why) != GW_OK) {
		fprintf(stderr, "smp.ca: %s\n", why);
		return GW_EXIT_USAGE;
	}
	size_t len = 0;
	unsigned char *bytes = cmd_read_file(file, 4u << 20, &len);
	if (bytes == NULL) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno ? errno : EIO));
		X509_STORE_free(store);
		return GW_EXIT_USAGE;
	}
	printf("file: %s\n", file);
	int rc = smp_verify_file(bytes, len, store, at_s, print_line, stdout);
	free(bytes);
	X509_STORE_free(store);
	return fflush(stdout) == 0 ? rc : GW_EXIT_USAGE;
}

#define BIS_INVOICE "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:" \
	"en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
#define BIS_PROCESS "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

static int
lookup_main(int argc, char **argv)
{
	const char *doc = BIS_INVOICE, *proc = BIS_PROCESS;
	int first = 0, worst = GW_EXIT_OK;
	for (int i = 1; i < argc && first == 0; i++) {
		if (strcmp(argv[i], "--doctype") == 0 && i + 1 < argc)
			doc = argv[++i];
		else if (strcmp(argv[i], "--process") == 0 && i + 1 < argc)
			proc = argv[++i];
		else if (argv[i][0] != '-')
			first = i;
		else {
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (first == 0) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	struct smp_lookup *l = NULL;
	char err[600], url[512];
	if (smp_lookup_open(&l, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway smp lookup: %s\n", err);
		return GW_EXIT_USAGE;
	}
	/* Several participants (or one twice) share one cache. */
	for (int i = first; i < argc; i++) {
		X509 *cert = NULL;
		gw_rc rc = smp_lookup_endpoint(l, argv[i], doc, proc, url, sizeof url, &cert, err,
		    sizeof err);
		if (rc == GW_OK) {
			char subj[300];
			X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof subj);
			printf("%s: endpoint %s certificate %s\n", argv[i], url, subj);
			X509_free(cert);
			continue;
		}
		fprintf(stderr, "%s: %s\n", argv[i], err);
		int ex = rc == GW_ENOTFOUND ? GW_EXIT_REJECTED : GW_EXIT_USAGE;
		worst = ex > worst ? ex : worst;
	}
	const struct smp_lookup_counts *c = smp_lookup_counts(l);
	printf("lookups: dns=%lu smp=%lu cached=%lu not-found=%lu temporary=%lu\n", c->dns, c->http,
	    c->cache_hits, c->not_found, c->temporary);
	smp_lookup_close(l);
	return worst;
}

static volatile sig_atomic_t serve_stop;
static void on_signal(int sig) { (void)sig; serve_stop = 1; }

static int
serve_main(int argc, char **argv)
{
	struct http_server_opts o;
	const char *port_file = NULL;
	http_server_opts_configured(&o);
	int rc = cmd_port_args("gateway smp serve", argc, argv, usage, &o.port, &port_file);
	if (rc >= 0)
		return rc;
	struct smp_server *s = NULL;
	char err[600];
	if (smp_serve_start(&s, &o, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway smp serve: %s\n", err);
		return GW_EXIT_USAGE;
	}
	int port = smp_serve_port(s);
	if ((rc = cmd_port_file("gateway smp serve", port_file, port)) != GW_EXIT_OK) {
		smp_serve_stop(s);
		return rc;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("smp: %s://%s:%d/ (participants: %s)\n", o.cert ? "https" : "http", o.listen, port,
	    param_str(P_SMP_PARTICIPANTS));
	fflush(stdout);
	while (!serve_stop)
		usleep(100000);
	unsigned long g, m, x;
	smp_serve_counts(s, &g, &m, &x);
	smp_serve_stop(s);
	printf("smp: %lu service groups, %lu signed metadata, %lu not found\nstopped by signal\n",
	    g, m, x);
	return GW_EXIT_OK;
}

int
cmd_smp(int argc, char **argv)
{
	if (argc < 2 || cmd_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? GW_EXIT_USAGE : GW_EXIT_OK;
	}
	if (strcmp(argv[1], "verify") == 0)
		return verify_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "serve") == 0)
		return serve_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "lookup") == 0)
		return lookup_main(argc - 1, argv + 1);
	fprintf(stderr, "gateway smp: unknown subcommand %s\n", argv[1]);
	usage(stderr);
	return GW_EXIT_USAGE;
}
