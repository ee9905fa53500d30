/* cmd/queue_cmds.c - placeholder until its module lands; replaced by the owner. */
#include "cmd/cmd.h"
#include <stdio.h>
int
cmd_run(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "gateway %s: not built yet\n", argv[0]);
	return 2;
}
int
cmd_intake(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "gateway %s: not built yet\n", argv[0]);
	return 2;
}
int
cmd_status(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "gateway %s: not built yet\n", argv[0]);
	return 2;
}
int
cmd_show(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "gateway %s: not built yet\n", argv[0]);
	return 2;
}
int
cmd_hold(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "gateway %s: not built yet\n", argv[0]);
	return 2;
}
int
cmd_requeue(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "gateway %s: not built yet\n", argv[0]);
	return 2;
}
