/*
 * port_args.c - what `gateway serve` and `gateway smp serve` share: their
 * one argument shape ([--port N] [--port-file FILE]) and the port file,
 * written once the server listens (whole or not at all), for scripts that
 * start a server on port 0.
 */
#include "cmd/cmd.h"
#include "core/atomicfile.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_port_args(const char *prog, int argc, char **argv, void (*usage)(FILE *), int *port,
              const char **port_file)
{
	*port_file = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			char *end;
			long p = strtol(argv[++i], &end, 10);
			if (*end != '\0' || p < 0 || p > 65535) {
				fprintf(stderr, "%s: --port takes 0 to 65535\n", prog);
				return GW_EXIT_USAGE;
			}
			*port = (int)p;
		} else if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc) {
			*port_file = argv[++i];
		} else {
			fprintf(stderr, "%s: unknown or incomplete option %s\n", prog, argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	return -1;
}

int
cmd_port_file(const char *prog, const char *path, int port)
{
	char text[16], err[512];
	if (path == NULL)
		return GW_EXIT_OK;
	int tl = snprintf(text, sizeof text, "%d\n", port);
	if (atomic_write_file(path, text, (size_t)tl, 0644, 0, err, sizeof err) != GW_OK) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, err);
		return GW_EXIT_USAGE;
	}
	return GW_EXIT_OK;
}
