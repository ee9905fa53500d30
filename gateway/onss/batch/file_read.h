/*
 * file_read.h - a whole local file into memory, for the batch channel
 * (stored FI bytes, downloaded DMPI answers).
 *
 * Owns nothing after it returns: the buffer is the caller's. Never reads
 * more than the caller's cap.
 */
#ifndef GW_ONSS_BATCH_FILE_READ_H
#define GW_ONSS_BATCH_FILE_READ_H

#include <stddef.h>
#include "core/err.h"

/* The whole file at path into *buf (malloc'd, NUL-terminated), its size in
 * *len. GW_EIO, with *buf NULL, when it cannot be opened or read, or is
 * larger than max bytes. */
gw_rc batch_file_read(const char *path, size_t max, char **buf, size_t *len);

#endif
