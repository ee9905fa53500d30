/* cmd/run_cmd.c - placeholder until the Dimona REST client lands; replaced by h5. */
#include "cmd/cmd.h"
#include <stdio.h>
int
cmd_run(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "gateway %s: not built yet\n", argv[0]);
	return 2;
}
