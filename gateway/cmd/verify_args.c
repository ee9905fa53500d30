/*
 * verify_args.c - what `gateway as4 verify` and `gateway smp verify` share:
 * their one argument shape ([--at MOMENT] FILE) and the whole-file read of
 * the capture they check.
 */
#include "cmd/cmd.h"
#include "core/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_verify_args(const char *prog, int argc, char **argv, void (*usage)(FILE *),
                const char **file, int64_t *at_s)
{
	const char *at = NULL;
	*file = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--at") == 0 && i + 1 < argc)
			at = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "%s: unknown option %s\n", prog, argv[i]);
			usage(stderr);
			return GW_EXIT_USAGE;
		} else if (*file == NULL)
			*file = argv[i];
		else {
			usage(stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (*file == NULL) {
		usage(stderr);
		return GW_EXIT_USAGE;
	}
	*at_s = clock_now_s();
	if (at != NULL) {
		int64_t ms;
		char why[128];
		if (clock_parse_iso(at, &ms, why, sizeof why) != GW_OK) {
			fprintf(stderr, "%s: --at %s: %s\n", prog, at, why);
			return GW_EXIT_USAGE;
		}
		*at_s = ms / 1000;
	}
	return -1;
}

unsigned char *
cmd_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= max) {               /* more than the caller reads */
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		unsigned char *p = realloc(buf, cap * 2);
		if (p == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		cap *= 2;
	}
	if (buf != NULL && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	*len = n;
	return buf;
}
