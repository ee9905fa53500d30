/* sim/onss_rest.c - placeholder until its module lands; replaced by the owner. */
#include "cmd/cmd.h"
#include <stdio.h>
int
sim_onss_rest_main(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "gateway %s: not built yet\n", argv[0]);
	return 2;
}
