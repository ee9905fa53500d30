/*
 * validate.h - streaming XSD validation of a DmfA file (or any XML file).
 *
 * Uses libxml2's reader with a schema attached, so a DmfA of a million
 * contracts is checked without building its tree. Owns nothing else.
 */
#ifndef GW_ONSS_DMFA_VALIDATE_H
#define GW_ONSS_DMFA_VALIDATE_H

#include <stddef.h>
#include "core/err.h"

/* Validate path against the XSD at xsd_path. GW_OK when valid; GW_EINPUT
 * with the first error (line and message) in errbuf when not; GW_EIO when a
 * file cannot be read. */
gw_rc dmfa_validate_file(const char *path, const char *xsd_path, char *errbuf, size_t errcap);
/* The official XSD path for "DmfAOriginal" or "DmfAUpdate": [onss] xsd_dir
 * when set, else gw_reference_dir()/onss/xsd/<name>_20231.xsd. */
void dmfa_xsd_path(const char *name, char *buf, size_t cap);

#endif
