/*
 * config.c - "[section] key = value" configuration.
 *
 * Owns the key/value table. A small linear table is enough: there are a few
 * dozen keys and they are read at start-up, not per message.
 */
#include "core/config.h"
#include "core/array.h"
#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_KEY_MAX 128
#define CONFIG_LINE_MAX 4096

struct config_entry {
	char *key;
	char *value;
};

struct gw_config {
	struct config_entry *v;
	size_t n, cap;
	unsigned long gen;     /* changes with every set: see config_generation */
};

struct gw_config *gw_cfg;

/* Generations are unique across tables, so a new table never looks like
 * one already seen. */
static unsigned long generations;

struct gw_config *
config_new(void)
{
	struct gw_config *cfg = calloc(1, sizeof(struct gw_config));
	if (cfg != NULL)
		cfg->gen = ++generations;
	return cfg;
}

unsigned long
config_generation(const struct gw_config *cfg)
{
	return cfg ? cfg->gen : 0;
}

void
config_free(struct gw_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->v[i].key);
		free(cfg->v[i].value);
	}
	free(cfg->v);
	free(cfg);
}

gw_rc
config_set(struct gw_config *cfg, const char *key, const char *value)
{
	cfg->gen = ++generations;
	for (size_t i = 0; i < cfg->n; i++) {
		if (strcmp(cfg->v[i].key, key) == 0) {
			char *nv = strdup(value);
			if (nv == NULL)
				return GW_ENOMEM;
			free(cfg->v[i].value);
			cfg->v[i].value = nv;
			return GW_OK;
		}
	}
	if (ARRAY_RESERVE(cfg->v, cfg->n, cfg->cap, 32) != GW_OK)
		return GW_ENOMEM;
	cfg->v[cfg->n].key = strdup(key);
	cfg->v[cfg->n].value = strdup(value);
	if (cfg->v[cfg->n].key == NULL || cfg->v[cfg->n].value == NULL) {
		free(cfg->v[cfg->n].key);
		free(cfg->v[cfg->n].value);
		return GW_ENOMEM;
	}
	cfg->n++;
	return GW_OK;
}

int
config_each(const struct gw_config *cfg, int (*fn)(void *ctx, const char *key, const char *value),
            void *ctx)
{
	for (size_t i = 0; cfg != NULL && i < cfg->n; i++) {
		int r = fn(ctx, cfg->v[i].key, cfg->v[i].value);
		if (r != 0)
			return r;
	}
	return 0;
}

const char *
config_get(const struct gw_config *cfg, const char *key, const char *dflt)
{
	if (cfg != NULL)
		for (size_t i = 0; i < cfg->n; i++)
			if (strcmp(cfg->v[i].key, key) == 0)
				return cfg->v[i].value;
	return dflt;
}

int64_t
config_get_int(const struct gw_config *cfg, const char *key, int64_t dflt)
{
	const char *s = config_get(cfg, key, NULL);
	if (s == NULL)
		return dflt;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0') {
		log_warn(NULL, NULL, "config: %s = \"%s\" is not an integer; using %lld",
		    key, s, (long long)dflt);
		return dflt;
	}
	return v;
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

gw_rc
config_load(struct gw_config *cfg, const char *path, char *errbuf, size_t errcap)
{
	FILE *f = fopen(path, "r");
	char line[CONFIG_LINE_MAX];
	char section[CONFIG_KEY_MAX] = "";
	unsigned lineno = 0;
	gw_rc rc = GW_OK;

	if (f == NULL) {
		snprintf(errbuf, errcap, "%s: %s", path, strerror(errno));
		return GW_ECONFIG;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(errbuf, errcap, "%s:%u: line too long", path, lineno);
			rc = GW_ECONFIG;
			break;
		}
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		char *s = trim(line);
		if (*s == '\0')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (close == NULL || close[1] != '\0' || close - s - 1 >= (long)sizeof section) {
				snprintf(errbuf, errcap, "%s:%u: bad section header", path, lineno);
				rc = GW_ECONFIG;
				break;
			}
			*close = '\0';
			snprintf(section, sizeof section, "%s", trim(s + 1));
			continue;
		}
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(errbuf, errcap, "%s:%u: expected key = value", path, lineno);
			rc = GW_ECONFIG;
			break;
		}
		*eq = '\0';
		char *k = trim(s), *v = trim(eq + 1);
		char key[CONFIG_KEY_MAX * 2];
		int n = section[0] ? snprintf(key, sizeof key, "%s.%s", section, k)
		                   : snprintf(key, sizeof key, "%s", k);
		if (*k == '\0' || n < 0 || (size_t)n >= sizeof key) {
			snprintf(errbuf, errcap, "%s:%u: bad key", path, lineno);
			rc = GW_ECONFIG;
			break;
		}
		if ((rc = config_set(cfg, key, v)) != GW_OK)
			break;
	}
	fclose(f);
	return rc;
}

const char *
gw_reference_dir(void)
{
	const char *env = getenv("GW_REFERENCE_DIR");
	return config_get(gw_cfg, "reference_dir", env != NULL ? env : "../shared/reference");
}
