/* sim.c - `gateway sim onss|batch`: dispatch to the simulators (sim.h). */
#include "sim/sim.h"
#include "core/err.h"

#include <stdio.h>
#include <string.h>

int
sim_command(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "onss") == 0)
		return sim_onss_rest_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "batch") == 0)
		return sim_onss_batch_main(argc - 1, argv + 1);
	FILE *out = (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
	    ? stdout : stderr;
	fprintf(out, "usage: gateway sim onss [OPTIONS]    ONSS Dimona REST v2 simulator (HTTPS)\n"
	    "       gateway sim batch [OPTIONS]   ONSS batch processor behind sshd\n"
	    "'gateway sim onss --help' and 'gateway sim batch --help' list the options.\n\n"
	    "examples:\n  gateway sim onss --ledger var/ledger.jsonl --port 8443\n"
	    "  gateway sim batch --root /srv/sftp --state var/batch-sim\n");
	return out == stdout ? GW_EXIT_OK : GW_EXIT_USAGE;
}
