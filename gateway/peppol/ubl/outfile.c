/*
 * outfile.c - atomic, durable file replacement inside an open directory.
 *
 * Owns the temp file between its creation and its rename. A reader of the
 * directory sees the old file or the new one, never half of one; after the
 * directory fsync the new name survives a crash. Never follows a temp name
 * it did not create (O_EXCL).
 */
#include "peppol/ubl/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

gw_rc
ubl_write_atomic(int dirfd, const char *name, const char *data, size_t len,
                 char *errbuf, size_t errcap)
{
	static unsigned long seq;
	char tmp[320];
	int fd = -1;
	const char *step = "create";

	for (int tries = 0; tries < 100; tries++) {
		snprintf(tmp, sizeof tmp, ".%s.tmp.%ld.%lu", name, (long)getpid(), ++seq);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		goto fail_noclean;
	step = "write";
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, data + off, len - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)k;
	}
	step = "fsync";
	if (fsync(fd) != 0)
		goto fail;
	step = "close";
	int c = close(fd);
	fd = -1;
	if (c != 0)
		goto fail;
	step = "rename";
	if (renameat(dirfd, tmp, dirfd, name) != 0)
		goto fail;
	step = "fsync directory";
	if (fsync(dirfd) != 0) {
		snprintf(errbuf, errcap, "%s: %s: %s", name, step, strerror(errno));
		return GW_EIO;
	}
	return GW_OK;
fail:
	snprintf(errbuf, errcap, "%s: %s: %s", name, step, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return GW_EIO;
fail_noclean:
	snprintf(errbuf, errcap, "%s: %s: %s", name, step, strerror(errno));
	return GW_EIO;
}
