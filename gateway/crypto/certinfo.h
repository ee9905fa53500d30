/*
 * certinfo.h - what an operator needs to know of a certificate file: whose
 * it is and when it expires (the dashboard and the metrics show it).
 */
#ifndef GW_CRYPTO_CERTINFO_H
#define GW_CRYPTO_CERTINFO_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

/* The first certificate of a PEM file: its subject (one line) and its
 * notAfter as unix ms. GW_EIO / GW_EINPUT with why saying what failed. */
gw_rc certinfo_read(const char *path, char *subject, size_t subject_cap, int64_t *not_after_ms,
                    char *why, size_t whycap);

#endif
