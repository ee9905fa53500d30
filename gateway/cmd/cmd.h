/*
 * cmd.h - the gateway's subcommands, one function each.
 *
 * Each returns a process exit code (GW_EXIT_*): 0 success, 1 input processed
 * with rejections, 2 usage/configuration/I/O error. argv[0] is the
 * subcommand name; options are parsed by the command itself and every
 * command answers --help.
 */
#ifndef GW_CMD_CMD_H
#define GW_CMD_CMD_H

#include "core/args.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int cmd_records(int argc, char **argv);   /* records validate */
int cmd_dimona(int argc, char **argv);    /* dimona export */
int cmd_dmfa(int argc, char **argv);      /* dmfa export */
int cmd_invoice(int argc, char **argv);   /* invoice export | validate */
int cmd_onss(int argc, char **argv);      /* onss show-answer */
int cmd_as4(int argc, char **argv);       /* as4 verify */
int cmd_peppol(int argc, char **argv);    /* peppol report */
int cmd_smp(int argc, char **argv);       /* smp verify | serve */
int cmd_run(int argc, char **argv);       /* the daemon */
int cmd_intake(int argc, char **argv);    /* add records to the queue */
int cmd_status(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_list(int argc, char **argv);      /* what needs the operator */
int cmd_serve(int argc, char **argv);     /* dashboard, metrics, health */
int cmd_summary(int argc, char **argv);   /* the day's summary */
int cmd_hold(int argc, char **argv);      /* also release, retry, cancel (argv[0]) */
int cmd_requeue(int argc, char **argv);
int cmd_retention(int argc, char **argv); /* purge personal data past keep_days */
int cmd_config(int argc, char **argv);    /* every configuration key */

/* The two `gateway invoice` subcommands (invoice_export.c, invoice_validate.c). */
int invoice_export_main(int argc, char **argv);
int invoice_validate_main(int argc, char **argv);

/* The verify commands' arguments, [--at YYYY-MM-DDTHH:MM:SSZ] FILE (cmd/
 * verify_args.c): -1 when read (*at_s = the moment, default now), else the
 * exit code, the problem said on stderr under prog. */
int cmd_verify_args(const char *prog, int argc, char **argv, void (*usage)(FILE *),
                    const char **file, int64_t *at_s);
/* The whole file, malloc'd; NULL with errno set (EFBIG past max bytes). */
unsigned char *cmd_read_file(const char *path, size_t max, size_t *len);

/* The serve commands' arguments, [--port N] [--port-file FILE] (cmd/
 * port_args.c): -1 when read (*port set only when given), else the exit
 * code, the problem said on stderr under prog. */
int cmd_port_args(const char *prog, int argc, char **argv, void (*usage)(FILE *), int *port,
                  const char **port_file);
/* Write port to path (nothing when path is NULL): GW_EXIT_OK, or
 * GW_EXIT_USAGE with the reason on stderr. */
int cmd_port_file(const char *prog, const char *path, int port);

/* True when argv holds -h or --help; commands call it before parsing.
 * The test itself is core's (core/args.h), so that the simulators share it
 * without including cmd/. */
static inline int
cmd_wants_help(int argc, char **argv)
{
	return args_wants_help(argc, argv);
}

#endif
