/*
 * atomicfile.c - durable whole-file writes and moves (atomicfile.h).
 *
 * Owns the temporary file between its creation and its rename or link.
 * Never follows a temporary name it did not create (O_EXCL), never leaves
 * one behind on failure, never reports success before the directory that
 * holds the new name is fsynced.
 */
#include "core/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The step that failed, with errno's reason. */
static gw_rc
fail(char *err, size_t errcap, const char *name, const char *step)
{
	snprintf(err, errcap, "%s: %s: %s", name, step, strerror(errno));
	return GW_EIO;
}

/* Create a fresh temporary beside name; its name goes to tmp. */
static int
create_tmp(int dirfd, const char *name, mode_t mode, char *tmp, size_t cap)
{
	static unsigned long seq;
	int fd = -1;
	for (int tries = 0; tries < 100; tries++) {
		snprintf(tmp, cap, ".%s.tmp.%ld.%lu", name, (long)getpid(), ++seq);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	return fd;
}

/* All of data to fd, through short writes and signals. */
static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t k = write(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

gw_rc
atomic_write_at(int dirfd, const char *name, const void *data, size_t len,
                mode_t mode, unsigned flags, char *err, size_t errcap)
{
	char tmp[NAME_MAX + 64];
	int fd;
	int saved;

	if (name[0] == '\0' || strchr(name, '/') != NULL || strlen(name) > NAME_MAX - 40) {
		snprintf(err, errcap, "%.80s: not a usable file name", name);
		return GW_EINPUT;
	}
	if ((fd = create_tmp(dirfd, name, mode, tmp, sizeof tmp)) < 0)
		return fail(err, errcap, name, "create a temporary file");
	if ((flags & ATOMIC_EXACT_MODE) && fchmod(fd, mode) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		fail(err, errcap, name, "chmod");
		goto out_unlink;
	}
	if (write_all(fd, data, len) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		fail(err, errcap, name, "write");
		goto out_unlink;
	}
	if (fsync(fd) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		fail(err, errcap, name, "fsync");
		goto out_unlink;
	}
	/* close can report a write error that NFS or a quota deferred. */
	if (close(fd) != 0) {
		fail(err, errcap, name, "close");
		goto out_unlink;
	}
	if (flags & ATOMIC_NO_REPLACE) {
		if (linkat(dirfd, tmp, dirfd, name, 0) != 0) {
			gw_rc rc = errno == EEXIST ? GW_EDUP : GW_EIO;
			if (rc == GW_EDUP)
				snprintf(err, errcap, "%s: already exists; it is never replaced", name);
			else
				fail(err, errcap, name, "link");
			unlinkat(dirfd, tmp, 0);
			return rc;
		}
		unlinkat(dirfd, tmp, 0);
	} else if (renameat(dirfd, tmp, dirfd, name) != 0) {
		fail(err, errcap, name, "rename");
		goto out_unlink;
	}
	if (!(flags & ATOMIC_NO_DIR_SYNC) && fsync(dirfd) != 0) {
		fail(err, errcap, name, "fsync the folder");
		if (flags & ATOMIC_NO_REPLACE)
			unlinkat(dirfd, name, 0);
		return GW_EIO;
	}
	return GW_OK;
out_unlink:
	unlinkat(dirfd, tmp, 0);
	return GW_EIO;
}

gw_rc
atomic_write_file(const char *path, const void *data, size_t len,
                  mode_t mode, unsigned flags, char *err, size_t errcap)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else if ((size_t)(slash - path) >= sizeof dir) {
		snprintf(err, errcap, "%.80s...: path too long", path);
		return GW_EINPUT;
	} else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errcap, "%s: %s", dir, strerror(errno));
		return GW_EIO;
	}
	gw_rc rc = atomic_write_at(dfd, name, data, len, mode, flags, err, errcap);
	close(dfd);
	return rc;
}

gw_rc
atomic_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return GW_EIO;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc == 0 ? GW_OK : GW_EIO;
}

gw_rc
atomic_move_into(const char *dir, const char *name, const char *sub, char *err, size_t errcap)
{
	char d[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	if (snprintf(d, sizeof d, "%s/%s", dir, sub) >= (int)sizeof d ||
	    snprintf(from, sizeof from, "%s/%s", dir, name) >= (int)sizeof from ||
	    snprintf(to, sizeof to, "%s/%s/%s", dir, sub, name) >= (int)sizeof to) {
		snprintf(err, errcap, "%s: path too long", name);
		return GW_EINPUT;
	}
	if (mkdir(d, 0755) != 0 && errno != EEXIST)
		return fail(err, errcap, d, "mkdir");
	/* Never replace a file kept earlier under the same name. */
	for (int k = 1; link(from, to) != 0; k++) {
		if (errno != EEXIST)
			return fail(err, errcap, name, "link");
		if (k >= 99 || snprintf(to, sizeof to, "%s/%s/%s.%d", dir, sub, name, k + 1) >= (int)sizeof to) {
			snprintf(err, errcap, "%s: too many files of this name in %s", name, d);
			return GW_EIO;
		}
	}
	/* The new name first: once it is durable, losing the old one is safe. */
	if (atomic_fsync_dir(d) != GW_OK)
		return fail(err, errcap, d, "fsync the folder");
	if (unlink(from) != 0)
		return fail(err, errcap, name, "unlink");
	if (atomic_fsync_dir(dir) != GW_OK)
		return fail(err, errcap, dir, "fsync the folder");
	return GW_OK;
}
