/*
 * dirs.h - making the folders a command writes into.
 *
 * Every `--out DIR` is created when missing, parents included, as users
 * expect of an output folder (shared/spec/cli.md, version 2).
 */
#ifndef GW_CORE_DIRS_H
#define GW_CORE_DIRS_H

#include <stddef.h>
#include <sys/types.h>
#include "core/err.h"

/* mkdir -p: create path and its missing parents with mode (an existing
 * folder is fine); GW_EIO with "PATH: reason" in err otherwise. */
gw_rc dir_ensure(const char *path, mode_t mode, char *err, size_t errcap);

#endif
