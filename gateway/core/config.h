/*
 * config.h - the gateway's one configuration file.
 *
 * Format: "[section]" headers and "key = value" lines; '#' starts a comment.
 * Keys are looked up as "section.key". Command-line options override file
 * values with config_set(). The gateway's own keys, with their types,
 * defaults and bounds, are the table of core/params.c, checked once at
 * start; code reads them typed through param_str / param_int, never by
 * string key. Every key and its default is documented in docs/gateway.conf.
 */
#ifndef GW_CORE_CONFIG_H
#define GW_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

struct gw_config;

/* An empty configuration (every key at its default). */
struct gw_config *config_new(void);
/* Load path into cfg; errors name the file and line in errbuf. */
gw_rc config_load(struct gw_config *cfg, const char *path, char *errbuf, size_t errcap);
/* Set or override one key (e.g. from a command-line option). */
gw_rc config_set(struct gw_config *cfg, const char *key, const char *value);
const char *config_get(const struct gw_config *cfg, const char *key, const char *dflt);
/* Integer value; a malformed value yields dflt and a logged warning. */
int64_t config_get_int(const struct gw_config *cfg, const char *key, int64_t dflt);
void config_free(struct gw_config *cfg);
/* A number that changes whenever cfg does (and differs between tables):
 * core/params.c re-reads its typed values only when it changed. */
unsigned long config_generation(const struct gw_config *cfg);
/* Each key of cfg in turn (fn returns nonzero to stop, and that is returned). */
int config_each(const struct gw_config *cfg, int (*fn)(void *ctx, const char *key, const char *value),
                void *ctx);

/* Where the official schemas and code lists are read from: config key
 * reference_dir, else $GW_REFERENCE_DIR, else ../shared/reference. */
const char *gw_reference_dir(void);

/* The process-wide configuration set up by main(); never NULL after start. */
extern struct gw_config *gw_cfg;

#endif
