/*
 * writer.c - writes one submission (FI, FS, GO) into a folder, atomically.
 *
 * Owns the temporary FI file while the caller streams the XML into it, and
 * the order of the final steps: FI in place (fsync, link, dir fsync), then
 * FS, then GO last, so that a reader who sees GO always finds a complete FI
 * and FS; a failed step removes what this call placed. Never overwrites a file: a name that exists is GW_EDUP, because
 * the ONSS refuses a name it has seen and a reused name hides a bug.
 * Never reads the key: signing goes through batch_sign_file().
 */
#include "onss/batch/submission.h"
#include "core/atomicfile.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Batch files carry INSS numbers and names: the owner writes, its group
 * (operators, the upload job) reads, nobody else. Set with fchmod, so the
 * mode holds whatever the umask (mkstemp alone would give 0600). */
#define BATCH_FILE_MODE 0640

struct batch_writer {
	char dir[PATH_MAX];
	char tmp[PATH_MAX];
	struct batch_name name;
	FILE *f;
	int sealed;                     /* FI durable in tmp, FS made (batch_writer_seal) */
	char *b64;                      /* the FS content, or NULL (env S, no signer) */
	size_t b64len;
};

/* Give tmp its final name without replacing anything, then drop tmp. */
static gw_rc
publish(const char *tmp, const char *final_path)
{
	if (link(tmp, final_path) != 0) {
		gw_rc rc = errno == EEXIST ? GW_EDUP : GW_EIO;
		if (rc == GW_EDUP)
			log_error(NULL, final_path, "batch file already exists; a name is never reused");
		else
			log_error_errno(NULL, final_path, "link");
		unlink(tmp);
		return rc;
	}
	unlink(tmp);
	return GW_OK;
}

gw_rc
batch_write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	char err[PATH_MAX + 160];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		log_error_errno(NULL, name, "cannot open the folder %s", dir);
		return GW_EIO;
	}
	/* Never replaces (the ONSS refuses a name it has seen); a name whose
	 * folder fsync failed is removed again, so no GO is left announcing
	 * an FI and FS that the caller then removes. */
	gw_rc rc = atomic_write_at(dfd, name, data, len, BATCH_FILE_MODE,
	                           ATOMIC_NO_REPLACE | ATOMIC_EXACT_MODE, err, sizeof err);
	close(dfd);
	if (rc == GW_EDUP)
		log_error(NULL, name, "batch file already exists in %s; a name is never reused", dir);
	else if (rc != GW_OK)
		log_error(NULL, name, "%s (folder %s)", err, dir);
	return rc;
}

gw_rc
batch_writer_open(struct batch_writer **out, const char *dir, const struct batch_name *n)
{
	struct batch_writer *w;
	char probe[128];
	gw_rc rc;
	int fd;

	*out = NULL;
	if ((rc = batch_name_format(n, 'I', probe, sizeof probe)) != GW_OK)
		return rc;
	if ((w = calloc(1, sizeof *w)) == NULL)
		return GW_ENOMEM;
	w->name = *n;
	snprintf(w->dir, sizeof w->dir, "%s", dir);
	if (snprintf(w->tmp, sizeof w->tmp, "%s/.%s.tmpXXXXXX", dir, probe) >= (int)sizeof w->tmp) {
		free(w);
		return GW_EINPUT;
	}
	if ((fd = mkstemp(w->tmp)) < 0) {
		log_error_errno(NULL, probe, "cannot create a temporary file in %s", dir);
		free(w);
		return GW_EIO;
	}
	fchmod(fd, BATCH_FILE_MODE);
	if ((w->f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(w->tmp);
		free(w);
		return GW_ENOMEM;
	}
	*out = w;
	return GW_OK;
}

FILE *
batch_writer_file(struct batch_writer *w)
{
	return w ? w->f : NULL;
}

void
batch_writer_set_seq(struct batch_writer *w, unsigned seq)
{
	if (w != NULL)
		w->name.seq = seq;
}

void
batch_writer_abort(struct batch_writer *w)
{
	if (w == NULL)
		return;
	if (w->f)
		fclose(w->f);
	unlink(w->tmp);
	free(w->b64);
	free(w);
}

gw_rc
batch_writer_seal(struct batch_writer *w, const struct gw_signer *signer)
{
	char fi[128];

	if (w == NULL)
		return GW_EINTERNAL;
	if (w->sealed)
		return GW_OK;
	batch_name_format(&w->name, 'I', fi, sizeof fi);
	if (fflush(w->f) != 0 || ferror(w->f) || fsync(fileno(w->f)) != 0) {
		log_error_errno(NULL, fi, "writing the FI file");
		return GW_EIO;
	}
	int crc = fclose(w->f);
	w->f = NULL;
	if (crc != 0) {
		log_error_errno(NULL, fi, "close");
		return GW_EIO;
	}
	/* The temporary file holds the very bytes the FI will: sign them now,
	 * so that many submissions can be signed at once before any is placed. */
	if (w->name.env != 'S' && signer != NULL) {
		gw_rc rc = batch_sign_file(signer, w->tmp, &w->b64, &w->b64len);
		if (rc != GW_OK)
			return rc;
	} else if (w->name.env != 'S') {
		log_warn(NULL, fi, "no signer: FS not written (the ONSS refuses an unsigned R or T file)");
	}
	w->sealed = 1;
	return GW_OK;
}

gw_rc
batch_writer_commit(struct batch_writer *w, const struct gw_signer *signer, char *fi_name, size_t cap)
{
	char fi[128], fs[128], go[128], fi_path[PATH_MAX + 130], fs_path[PATH_MAX + 130];
	int fi_placed = 0, fs_placed = 0;
	gw_rc rc;

	if (w == NULL)
		return GW_EINTERNAL;
	batch_name_format(&w->name, 'I', fi, sizeof fi);
	batch_name_format(&w->name, 'S', fs, sizeof fs);
	batch_name_format(&w->name, 'G', go, sizeof go);
	snprintf(fi_path, sizeof fi_path, "%s/%s", w->dir, fi);
	snprintf(fs_path, sizeof fs_path, "%s/%s", w->dir, fs);

	if ((rc = batch_writer_seal(w, signer)) != GW_OK)
		goto out;
	if ((rc = publish(w->tmp, fi_path)) != GW_OK)
		goto out;
	fi_placed = 1;
	if ((rc = atomic_fsync_dir(w->dir)) != GW_OK) {
		log_error(NULL, fi, "cannot fsync the folder %s; FI removed", w->dir);
		goto out;
	}

	if (w->b64 != NULL) {
		if ((rc = batch_write_atomic(w->dir, fs, w->b64, w->b64len)) != GW_OK)
			goto out;
		fs_placed = 1;
	}
	/* GO last: its presence tells the other side that FI and FS are whole. */
	if ((rc = batch_write_atomic(w->dir, go, "", 0)) != GW_OK)
		goto out;
	if (fi_name != NULL && cap > 0)
		snprintf(fi_name, cap, "%s", fi);
	log_info(NULL, fi, "batch submission written in %s", w->dir);
out:
	if (rc != GW_OK) {
		/* Without GO nothing is processed; remove what we placed so the
		 * folder holds only whole submissions. The name stays used. */
		if (fs_placed)
			unlink(fs_path);
		if (fi_placed && rc != GW_EDUP)
			unlink(fi_path);
	}
	free(w->b64);
	if (w->f)
		fclose(w->f);
	unlink(w->tmp);
	free(w);
	return rc;
}

gw_rc
batch_seq_next_offline(const char *dir, unsigned *seq)
{
	char path[PATH_MAX], lock[PATH_MAX], line[64], text[32];
	unsigned cur = 0;
	gw_rc rc = GW_EIO;
	FILE *f = NULL;
	int lfd;

	if (snprintf(path, sizeof path, "%s/.gateway-seq", dir) >= (int)sizeof path ||
	    snprintf(lock, sizeof lock, "%s/.gateway-seq.lock", dir) >= (int)sizeof lock)
		return GW_EINPUT;
	/* The lock file serialises two exports into the same folder. */
	if ((lfd = open(lock, O_RDWR | O_CREAT, BATCH_FILE_MODE)) < 0)
		return GW_EIO;
	if (flock(lfd, LOCK_EX) != 0) {
		close(lfd);
		return GW_EIO;
	}
	/* One number for every purpose: the ONSS names its answers
	 * FO.TYPE.SENDER.DATE.SEQ.ENV, without the purpose, so a DIMN and a
	 * DMFA sent the same day under the same number would get answers of
	 * the same name. A folder counted per purpose (older versions) goes on
	 * from the highest of its counters, so no number is handed out twice. */
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			char p[8];
			unsigned v;
			if (sscanf(line, "%7s %u", p, &v) == 2 && v > cur)
				cur = v;
		}
		fclose(f);
		f = NULL;
	} else if (errno != ENOENT) {
		goto out;
	}
	/* Sequence numbers are five digits in the name; wrapping past 99999
	 * would reuse a name, so stop instead. */
	if (cur >= 99999) {
		log_error(NULL, dir, "offline sequence exhausted (99999 used)");
		rc = GW_ESTATE;
		goto out;
	}
	cur++;
	int len = snprintf(text, sizeof text, "ONSS %u\n", cur);   /* 32 bytes hold it */
	/* Replaced atomically: a crash leaves the old or the new counter,
	 * never an empty one (which would hand out used numbers again). */
	char why[PATH_MAX + 160];
	if ((rc = atomic_write_file(path, text, (size_t)len, 0600, ATOMIC_EXACT_MODE, why, sizeof why)) != GW_OK) {
		log_error(NULL, dir, "offline sequence: %s", why);
		goto out;
	}
	*seq = cur;
out:
	if (f)
		fclose(f);
	flock(lfd, LOCK_UN);
	close(lfd);
	return rc;
}
