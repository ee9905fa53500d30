/*
 * outfile.h - writing a document file so that it is either wholly there or
 * not there at all, and stays there after a crash (STYLE.md 2).
 */
#ifndef GW_PEPPOL_UBL_OUTFILE_H
#define GW_PEPPOL_UBL_OUTFILE_H

#include <stddef.h>
#include "core/err.h"

/* Write data to dirfd/name: temp file (O_EXCL) -> write -> fsync -> checked
 * close -> rename -> fsync the directory. GW_EIO with errbuf naming the
 * step; the temp file is removed on failure. */
gw_rc ubl_write_atomic(int dirfd, const char *name, const char *data, size_t len,
                       char *errbuf, size_t errcap);

#endif
