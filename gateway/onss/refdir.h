/*
 * refdir.h - finding the newest official file of a kind in a reference
 * folder (XSDs, annex code lists), whose names carry their version.
 *
 * Owns nothing; never opens the file it names.
 */
#ifndef GW_ONSS_REFDIR_H
#define GW_ONSS_REFDIR_H

#include <stddef.h>

/* The name in dir that starts with prefix, ends in suffix and sorts last
 * (the newest version), as "dir/name" in path. 0 when there is none, the
 * folder cannot be read, or the path does not fit in cap. */
int onss_refdir_newest(const char *dir, const char *prefix, const char *suffix, char *path,
                       size_t cap);

#endif
