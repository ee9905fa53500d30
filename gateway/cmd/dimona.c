/* cmd/dimona.c - placeholder until its module lands; replaced by the owner. */
#include "cmd/cmd.h"
#include <stdio.h>
int
cmd_dimona(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "gateway %s: not built yet\n", argv[0]);
	return 2;
}
