/*
 * sim.h - the ONSS simulators as commands: `gateway sim onss|batch`.
 *
 * The simulators sit beside the commands, above the service; main.c
 * dispatches `sim` here. Each returns a process exit code (GW_EXIT_*).
 */
#ifndef GW_SIM_SIM_H
#define GW_SIM_SIM_H

int sim_command(int argc, char **argv);          /* sim onss | sim batch */
int sim_onss_rest_main(int argc, char **argv);   /* Dimona REST v2 + OAuth over HTTPS */
int sim_onss_batch_main(int argc, char **argv);  /* batch processor behind sshd */

#endif
