/*
 * smp_serve.h - our own SMP (`gateway smp serve`): the Peppol SMP REST
 * interface for the participants of [smp] participants, on the embedded
 * server (http_server.h).
 */
#ifndef GW_SERVICE_SMP_SERVE_H
#define GW_SERVICE_SMP_SERVE_H

#include <stddef.h>
#include "core/err.h"
#include "service/http_server.h"

struct smp_server;

/* Sign every answer ([smp] key) and start serving them. GW_ECONFIG with
 * err naming the key when the configuration does not allow it. */
gw_rc smp_serve_start(struct smp_server **out, const struct http_server_opts *o, char *err,
                      size_t errcap);
int smp_serve_port(const struct smp_server *s);
/* Answers given: service groups, metadata, not found (404). */
void smp_serve_counts(const struct smp_server *s, unsigned long *groups, unsigned long *meta,
                      unsigned long *missing);
void smp_serve_stop(struct smp_server *s);

#endif
