/*
 * main.c - the `gateway` command: global options, then one subcommand.
 *
 * Sets up logging and the configuration (file, then command-line
 * overrides), then hands over to the subcommand's function. Owns nothing
 * else.
 */
#include "core/clock.h"
#include "cmd/cmd.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/params.h"
#include "sim/sim.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
};

static const struct command commands[] = {
	{ "records",  cmd_records,  "validate contract or invoice record files" },
	{ "dimona",   cmd_dimona,   "export Dimona declarations as a signed batch (FI/FS/GO)" },
	{ "dmfa",     cmd_dmfa,     "the quarterly DmfA: export, update, queue for the service" },
	{ "invoice",  cmd_invoice,  "export Peppol BIS 3.0 invoices; validate UBL invoices" },
	{ "as4",      cmd_as4,      "Peppol AS4: verify a captured message or receipt" },
	{ "peppol",   cmd_peppol,   "Peppol: the monthly TSR and EUSR reports (peppol report)" },
	{ "smp",      cmd_smp,      "Peppol SMP: verify a signed SMP answer; serve our own SMP" },
	{ "onss",     cmd_onss,     "ONSS batch channel: show-answer, send, poll, apply, run" },
	{ "intake",   cmd_intake,   "add contract or invoice record files to the durable queue" },
	{ "run",      cmd_run,      "run the gateway: build, send and track queued messages" },
	{ "status",   cmd_status,   "queue counts per state and channel, what waits" },
	{ "show",     cmd_show,     "one message with its full history" },
	{ "list",     cmd_list,     "what needs you: refused, failed, held or due messages" },
	{ "summary",  cmd_summary,  "the day's summary: what starts without a Dimona, what to act on" },
	{ "serve",    cmd_serve,    "the dashboard, metrics and health check over HTTPS" },
	{ "hold",     cmd_hold,     "hold a message (operator)" },
	{ "release",  cmd_hold,     "release a held message" },
	{ "retry",    cmd_hold,     "retry a message now" },
	{ "cancel",   cmd_hold,     "cancel a message that was not sent" },
	{ "requeue",  cmd_requeue,  "requeue failed messages" },
	{ "retention", cmd_retention, "purge personal data of final messages past [retention] keep_days" },
	{ "sim",      sim_command, "run a simulator (onss: REST v2; batch: SFTP processor)" },
	{ "config",   cmd_config,   "list every configuration key, its default and its value" },
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gateway [--config FILE] [--set KEY=VALUE]... [--log-format text|json]\n"
	    "               [--log-level debug|info|warn|error] COMMAND [ARGS]\n\n"
	    "Belgian social-declaration and Peppol e-invoicing gateway.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'gateway COMMAND --help' describes a command; "
	    "see also gateway(1) and docs/gateway.conf.\n");
}

int
main(int argc, char **argv)
{
	const char *config_path = getenv("GATEWAY_CONFIG");
	int i = 1, rc;
	char err[512];

	/* Queue, batch files, answers and exports carry personal data (INSS,
	 * names): nothing the gateway creates is readable by other users. */
	umask(027);
	log_init("gateway", LOG_LVL_INFO, LOG_FMT_TEXT);
	/* A pinned clock (GATEWAY_NOW) that cannot be read must not fall back
	 * to the real date: declarations would be dated wrongly. */
	if (clock_init(err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway: %s\n", err);
		return GW_EXIT_USAGE;
	}
	xmlInitParser();
	if ((gw_cfg = config_new()) == NULL)
		return GW_EXIT_USAGE;

	/* Global options come before the command; a --set applies after the file. */
	int first_set = -1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return GW_EXIT_OK;
		} else if (strcmp(a, "--config") == 0 && i + 1 < argc) {
			config_path = argv[++i];
		} else if (strcmp(a, "--set") == 0 && i + 1 < argc) {
			if (first_set < 0)
				first_set = i;
			i++;
		} else if (strcmp(a, "--log-format") == 0 && i + 1 < argc) {
			int f = log_parse_format(argv[++i]);
			if (f < 0) {
				fprintf(stderr, "gateway: --log-format takes text or json\n");
				return GW_EXIT_USAGE;
			}
			config_set(gw_cfg, "log.format", argv[i]);
		} else if (strcmp(a, "--log-level") == 0 && i + 1 < argc) {
			if (log_parse_level(argv[++i]) < 0) {
				fprintf(stderr, "gateway: --log-level takes debug, info, warn or error\n");
				return GW_EXIT_USAGE;
			}
			config_set(gw_cfg, "log.level", argv[i]);
		} else {
			fprintf(stderr, "gateway: unknown or incomplete option %s\n", a);
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (config_path != NULL) {
		/* File values must not override the command line: load into a
		 * fresh table, then re-apply what the options set. */
		struct gw_config *file = config_new();
		if (file == NULL || config_load(file, config_path, err, sizeof err) != GW_OK) {
			fprintf(stderr, "gateway: %s\n", file ? err : "out of memory");
			return GW_EXIT_USAGE;
		}
		const char *fmt = config_get(gw_cfg, "log.format", NULL);
		const char *lvl = config_get(gw_cfg, "log.level", NULL);
		if (fmt != NULL)
			config_set(file, "log.format", fmt);
		if (lvl != NULL)
			config_set(file, "log.level", lvl);
		config_free(gw_cfg);
		gw_cfg = file;
	}
	for (int j = first_set; j >= 0 && j < i; j++) {
		if (strcmp(argv[j], "--set") != 0)
			continue;
		char *eq = strchr(argv[j + 1], '=');
		if (eq == NULL) {
			fprintf(stderr, "gateway: --set takes KEY=VALUE\n");
			return GW_EXIT_USAGE;
		}
		*eq = '\0';
		config_set(gw_cfg, argv[j + 1], eq + 1);
		*eq = '=';
	}
	/* Every key is checked once against the table of core/params.c: a
	 * misspelt key or a bad value stops here, named, instead of being
	 * silently read as its default deep inside a command. */
	if (params_check(gw_cfg, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway: configuration: %s\n", err);
		return GW_EXIT_USAGE;
	}
	log_set_format(log_parse_format(param_str(P_LOG_FORMAT)) == LOG_FMT_JSON
	    ? LOG_FMT_JSON : LOG_FMT_TEXT);
	int lvl = log_parse_level(param_str(P_LOG_LEVEL));
	log_set_level(lvl < 0 ? LOG_LVL_INFO : (enum log_level)lvl);
	log_set_personal_shown(strcmp(param_str(P_LOG_PERSONAL_DATA), "shown") == 0);

	if (i >= argc) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
		if (strcmp(argv[i], commands[c].name) == 0) {
			rc = commands[c].fn(argc - i, argv + i);
			config_free(gw_cfg);
			xmlCleanupParser();
			return rc;
		}
	}
	fprintf(stderr, "gateway: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return GW_EXIT_USAGE;
}
