/*
 * atomicfile.h - files that matter, written so that they are either wholly
 * there or not there at all, and stay there after a crash (STYLE.md 2).
 *
 * The one implementation of: temp file with O_EXCL -> write -> fsync ->
 * checked close -> rename (or link, when a name must never be replaced) ->
 * fsync the directory. Used for exported documents, batch files, sequence
 * counters and the simulators' port files; and the durable move of a file
 * into a subfolder (answers filed away). Every failure names the file and
 * the step; a failed call leaves no temporary file behind.
 */
#ifndef GW_CORE_ATOMICFILE_H
#define GW_CORE_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>
#include "core/err.h"

/* An existing name is never replaced: GW_EDUP, the old file untouched
 * (a batch name the ONSS has seen must not be reused). */
#define ATOMIC_NO_REPLACE 0x1u
/* mode is exact (fchmod), whatever the umask; without it the umask
 * applies, as with open(2). */
#define ATOMIC_EXACT_MODE 0x2u
/* The folder is not fsynced: the caller does it (atomic_fsync_dir, or the
 * next atomic write in the same folder) before it says the name is
 * durable. Two names in one folder then cost one folder fsync. */
#define ATOMIC_NO_DIR_SYNC 0x4u

/* Write data to dirfd/name with the given mode (see ATOMIC_EXACT_MODE).
 * Without ATOMIC_NO_REPLACE an existing name is replaced in one
 * step. GW_OK once the name is durable; GW_EDUP (NO_REPLACE, name taken);
 * GW_EINPUT (name with '/' or too long); GW_EIO with err "NAME: STEP:
 * reason". When only the final directory fsync fails, a NO_REPLACE name is
 * removed again (the caller is told it failed, so the name must go too); a
 * replaced name keeps the new content. */
gw_rc atomic_write_at(int dirfd, const char *name, const void *data, size_t len,
                      mode_t mode, unsigned flags, char *err, size_t errcap);

/* atomic_write_at on the folder and file name of path. */
gw_rc atomic_write_file(const char *path, const void *data, size_t len,
                        mode_t mode, unsigned flags, char *err, size_t errcap);

/* fsync the folder dir, so that a rename, link or unlink in it survives a
 * crash. GW_EIO when it cannot be opened or synced. */
gw_rc atomic_fsync_dir(const char *dir);

/* Move dir/name into dir/sub/ (sub created 0755 when missing), never
 * replacing a file there: a taken name gets ".2", ".3" ... up to ".99".
 * Both folders are fsynced (the new name in sub, the removal in dir).
 * GW_EINPUT when a path is too long, GW_EIO with err otherwise. */
gw_rc atomic_move_into(const char *dir, const char *name, const char *sub,
                       char *err, size_t errcap);

#endif
