/*
 * config_cmd.c - `gateway config`: every configuration key the gateway
 * reads, from the table of core/params.c, one per line:
 *
 *   KEY <TAB> int|text <TAB> DEFAULT (- when none) <TAB> RANGE|CHOICES (- when any) <TAB> VALUE
 *
 * VALUE is what this run would use (after --config and --set; the queue's
 * dsn without its password, queue_dsn_shown). The
 * configuration test compares the first columns with docs/gateway.conf.
 */
#include "cmd/cmd.h"
#include "core/err.h"
#include "core/params.h"
#include "queue/queue.h"

#include <inttypes.h>
#include <stdio.h>

static void
usage(FILE *f)
{
	fprintf(f, "usage: gateway config\n"
	    "  Lists every configuration key: name, type, default (- when none), accepted\n"
	    "  values, and the value this run uses (after --config and --set).\n"
	    "  A bad key or value in the file is refused, named, with exit 2.\n\n"
	    "examples:\n  gateway --config /etc/gateway/gateway.conf config\n"
	    "  gateway --set queue.dsn=/srv/q.db config | grep ^queue\n");
}

int
cmd_config(int argc, char **argv)
{
	size_t n;
	const struct param_def *t = params_table(&n);

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	if (argc > 1) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		char range[64] = "-", value[32], dsn[512];
		const char *v;
		if (t[i].type == PARAM_INT) {
			snprintf(range, sizeof range, "%" PRId64 "..%" PRId64, t[i].min, t[i].max);
			snprintf(value, sizeof value, "%" PRId64, param_int(t[i].id));
			v = value;
		} else {
			if (t[i].choices)
				snprintf(range, sizeof range, "%s", t[i].choices);
			v = param_str(t[i].id) ? param_str(t[i].id) : "-";
			if (t[i].id == P_QUEUE_DSN)     /* never its password */
				v = queue_dsn_shown(v, dsn, sizeof dsn);
		}
		printf("%s\t%s\t%s\t%s\t%s\n", t[i].key, t[i].type == PARAM_INT ? "int" : "text",
		    t[i].dflt ? t[i].dflt : "-", range, v);
	}
	return GW_EXIT_OK;
}
