/*
 * args.h - what every command-line entry point asks of its arguments.
 *
 * Lives in core so that a command of any layer (the simulators, the
 * commands under cmd/) can answer --help the same way without including
 * a higher layer.
 */
#ifndef GW_CORE_ARGS_H
#define GW_CORE_ARGS_H

/* True when argv[1..] holds -h or --help before any "--"; argv[0] is the
 * command name. Commands call it before parsing their options. */
int args_wants_help(int argc, char **argv);

#endif
