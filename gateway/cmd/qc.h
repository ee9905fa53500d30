/*
 * qc.h - what the queue's operator commands share (queue_cmds.c,
 * queue_view.c): opening the configured queue, printing a time, the
 * operator's name and the --since grammar.
 */
#ifndef GW_CMD_QC_H
#define GW_CMD_QC_H

#include <stddef.h>
#include <stdint.h>
#include "queue/queue.h"

/* The channels `status` always shows, in this order. */
extern const char *const qc_channels[3];

/* Open the configured queue, or say why not on stderr (NULL). */
struct queue *qc_open(const char *cmd);
/* UTC ISO 8601 of a unix-ms time; "-" for 0. */
const char *qc_time(int64_t ms, char *buf, size_t cap);
/* A span of time as a person reads it: "45 s", "12 min", "3 h 20 min",
 * "10 d 19 h". */
const char *qc_span(int64_t ms, char *buf, size_t cap);
/* The operator's name for the history: --actor, else $USER. */
void qc_actor(char *out, size_t cap, const char *given);
/* --since: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a duration ago (30m, 2h,
 * 7d) into unix ms; -1 when it is none of these. */
int qc_parse_since(const char *s, int64_t *out);

#endif
