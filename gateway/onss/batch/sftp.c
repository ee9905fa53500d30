/*
 * sftp.c - SFTP upload, listing and download for the ONSS batch channel,
 * through libcurl (libssh2 backend).
 *
 * Owns the curl easy handles it makes (one per operation: the channel is
 * used a few times a day, a reused connection buys nothing worth its
 * state). Never accepts an unknown host: CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256
 * is always set. Never deletes a remote answer before it is stored and
 * fsynced locally.
 */
#include "onss/batch/sftp.h"
#include "core/atomicfile.h"
#include "core/params.h"
#include "core/array.h"
#include "onss/batch/submission.h"
#include "core/config.h"
#include "core/dirs.h"
#include "core/log.h"
#include "core/reason.h"
#include "crypto/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>

const char *
batch_sftp_in_dir(char env)
{
	return env == 'R' ? "IN" : env == 'T' ? "INTEST" : "INTEST-S";
}

const char *
batch_sftp_out_dir(char env)
{
	return env == 'R' ? "OUT" : env == 'T' ? "OUTTEST" : "OUTTEST-S";
}

gw_rc
batch_sftp_from_config(struct batch_sftp *s, char *errbuf, size_t errcap)
{
	memset(s, 0, sizeof *s);
	const char *url = param_str(P_BATCH_SFTP_URL) ? param_str(P_BATCH_SFTP_URL) : "";
	const char *pin = param_str(P_BATCH_SFTP_HOST_SHA256);
	if (url[0] == '\0' || pin[0] == '\0') {
		snprintf(errbuf, errcap, "[onss_batch] sftp_url and sftp_host_sha256 are required "
		    "(an SFTP host is never trusted unpinned)");
		return GW_ECONFIG;
	}
	size_t ul = strlen(url);
	if (strncmp(url, "sftp://", 7) != 0 || ul + 2 > sizeof s->url) {
		snprintf(errbuf, errcap, "[onss_batch] sftp_url must be sftp://host:port/path/");
		return GW_ECONFIG;
	}
	snprintf(s->url, sizeof s->url, "%s%s", url, url[ul - 1] == '/' ? "" : "/");
	snprintf(s->user, sizeof s->user, "%s", param_str(P_BATCH_SFTP_USER));
	snprintf(s->key, sizeof s->key, "%s", param_str(P_BATCH_SFTP_KEY));
	snprintf(s->pubkey, sizeof s->pubkey, "%s", param_str(P_BATCH_SFTP_PUBKEY));
	/* libssh2 reads the key itself; the permission check is the signer's. */
	gw_rc rc = keyfile_check(s->key, "SFTP private key", errbuf, errcap);
	if (rc != GW_OK)
		return rc;
	snprintf(s->host_sha256, sizeof s->host_sha256, "%s", pin);
	s->connect_timeout_s = param_int(P_BATCH_CONNECT_TIMEOUT);
	s->timeout_s = param_int(P_BATCH_TIMEOUT);
	int64_t mb = param_int(P_BATCH_MAX_ANSWER_MB);
	if (mb < 1 || mb > 500) {
		snprintf(errbuf, errcap, "[onss_batch] max_answer_mb must be 1..500 (the answer parser "
		    "stops at 512 MiB)");
		return GW_ECONFIG;
	}
	s->max_answer_bytes = (long long)mb << 20;
	return GW_OK;
}

/* A curl handle with the session settings: key auth, pinned host key. */
static CURL *
session(const struct batch_sftp *s, const char *url, char *curlerr)
{
	CURL *c = curl_easy_init();
	if (c == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "sftp");
	curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
	curl_easy_setopt(c, CURLOPT_SSH_AUTH_TYPES, (long)CURLSSH_AUTH_PUBLICKEY);
	curl_easy_setopt(c, CURLOPT_SSH_PRIVATE_KEYFILE, s->key);
	if (s->pubkey[0])
		curl_easy_setopt(c, CURLOPT_SSH_PUBLIC_KEYFILE, s->pubkey);
	curl_easy_setopt(c, CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256, s->host_sha256);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, s->connect_timeout_s > 0 ? s->connect_timeout_s : 20L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, s->timeout_s > 0 ? s->timeout_s : 600L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlerr);
	curlerr[0] = '\0';
	return c;
}

/* Map a curl failure: a refused host key or login is configuration, the
 * rest is worth a retry. */
static gw_rc
curl_rc(CURLcode cc, const char *what, const char *curlerr, char *errbuf, size_t errcap)
{
	snprintf(errbuf, errcap, "%s: %s", what, curlerr[0] ? curlerr : curl_easy_strerror(cc));
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_LOGIN_DENIED:
	case CURLE_REMOTE_ACCESS_DENIED:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return GW_ECONFIG;
	case CURLE_REMOTE_FILE_NOT_FOUND:
		return GW_ENOTFOUND;
	default:
		return GW_ETEMP;
	}
}

static size_t
read_file_cb(char *buf, size_t size, size_t n, void *ud)
{
	return fread(buf, size, n, (FILE *)ud);
}

gw_rc
batch_sftp_put(const struct batch_sftp *s, const char *local_path, const char *folder,
               const char *name, char *errbuf, size_t errcap)
{
	char url[1024], rename_cmd[1024], curlerr[CURL_ERROR_SIZE];
	struct curl_slist *post = NULL;
	struct stat st;
	FILE *f = NULL;
	CURL *c = NULL;
	gw_rc rc = GW_EIO;

	if ((f = fopen(local_path, "rb")) == NULL || fstat(fileno(f), &st) != 0) {
		snprintf(errbuf, errcap, "%s: %s", local_path, strerror(errno));
		goto out;
	}
	/* Temporary name first; the rename makes the file appear whole. The
	 * server path in the rename is absolute: the URL's path part. */
	const char *path = strchr(s->url + 7, '/');
	if (snprintf(url, sizeof url, "%s%s/.%s.part", s->url, folder, name) >= (int)sizeof url ||
	    snprintf(rename_cmd, sizeof rename_cmd, "rename \"%s%s/.%s.part\" \"%s%s/%s\"",
	        path ? path : "/", folder, name, path ? path : "/", folder, name) >= (int)sizeof rename_cmd) {
		snprintf(errbuf, errcap, "%s: name too long", name);
		rc = GW_EINPUT;
		goto out;
	}
	if ((c = session(s, url, curlerr)) == NULL || (post = curl_slist_append(NULL, rename_cmd)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_file_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, f);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
	curl_easy_setopt(c, CURLOPT_POSTQUOTE, post);
	curl_easy_setopt(c, CURLOPT_NEW_FILE_PERMS, 0644L);
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		rc = curl_rc(cc, name, curlerr, errbuf, errcap);
		goto out;
	}
	log_info(NULL, name, "uploaded to %s (%lld bytes)", folder, (long long)st.st_size);
	rc = GW_OK;
out:
	curl_slist_free_all(post);
	if (c)
		curl_easy_cleanup(c);
	if (f)
		fclose(f);
	return rc;
}

gw_rc
batch_sftp_upload(const struct batch_sftp *s, const char *local_dir, const char *fi_name,
                  char *errbuf, size_t errcap)
{
	struct batch_name n;
	char kind, fs[128], go[128], p[PATH_MAX];
	gw_rc rc;

	if (batch_name_parse(fi_name, &n, &kind) != GW_OK || kind != 'I') {
		snprintf(errbuf, errcap, "%s: not an FI file name", fi_name);
		return GW_EINPUT;
	}
	const char *folder = batch_sftp_in_dir(n.env);
	batch_name_format(&n, 'S', fs, sizeof fs);
	batch_name_format(&n, 'G', go, sizeof go);
	snprintf(p, sizeof p, "%s/%s", local_dir, fi_name);
	if ((rc = batch_sftp_put(s, p, folder, fi_name, errbuf, errcap)) != GW_OK)
		return rc;
	snprintf(p, sizeof p, "%s/%s", local_dir, fs);
	if (access(p, R_OK) == 0 && (rc = batch_sftp_put(s, p, folder, fs, errbuf, errcap)) != GW_OK)
		return rc;
	/* GO last: it starts the processing of what is already there. */
	snprintf(p, sizeof p, "%s/%s", local_dir, go);
	return batch_sftp_put(s, p, folder, go, errbuf, errcap);
}

struct membuf {
	char *p;
	size_t len, cap, max;
};

static size_t
mem_cb(char *data, size_t size, size_t n, void *ud)
{
	struct membuf *m = ud;
	size_t add = size * n;
	if (m->len + add + 1 > m->max)
		return 0;                           /* listing too large: abort */
	if (m->len + add + 1 > m->cap) {
		size_t ncap = (m->len + add + 1) * 2;
		char *np = realloc(m->p, ncap);
		if (np == NULL)
			return 0;
		m->p = np;
		m->cap = ncap;
	}
	memcpy(m->p + m->len, data, add);
	m->len += add;
	m->p[m->len] = '\0';
	return add;
}

void
batch_sftp_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

gw_rc
batch_sftp_list(const struct batch_sftp *s, const char *folder, char ***names, size_t *n,
                char *errbuf, size_t errcap)
{
	char url[1024], curlerr[CURL_ERROR_SIZE];
	struct membuf m = { NULL, 0, 0, 64u << 20 };
	CURL *c;
	gw_rc rc = GW_OK;

	*names = NULL;
	*n = 0;
	if (snprintf(url, sizeof url, "%s%s/", s->url, folder) >= (int)sizeof url)
		return GW_EINPUT;
	if ((c = session(s, url, curlerr)) == NULL)
		return GW_ENOMEM;
	curl_easy_setopt(c, CURLOPT_DIRLISTONLY, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	CURLcode cc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		free(m.p);
		return curl_rc(cc, folder, curlerr, errbuf, errcap);
	}
	size_t cap = 0;
	for (char *line = m.p, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (l == 0 || line[0] == '.' || strchr(line, '/'))
			continue;
		if (ARRAY_RESERVE(*names, *n, cap, 32) != GW_OK) {
			rc = GW_ENOMEM;
			break;
		}
		if (((*names)[*n] = strdup(line)) == NULL) {
			rc = GW_ENOMEM;
			break;
		}
		(*n)++;
	}
	free(m.p);
	if (rc != GW_OK) {
		batch_sftp_names_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	return rc;
}

/* Whether two files hold the same bytes. */
static int
same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa && fb;
	char ba[8192], bb[8192];
	while (same) {
		size_t ra = fread(ba, 1, sizeof ba, fa), rb = fread(bb, 1, sizeof bb, fb);
		if (ra != rb || memcmp(ba, bb, ra) != 0)
			same = 0;
		if (ra == 0)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Remove folder/name on the server. */
static gw_rc
remote_rm(const struct batch_sftp *s, const char *folder, const char *name, char *errbuf, size_t errcap)
{
	char url[1024], cmd[1024], curlerr[CURL_ERROR_SIZE];
	const char *path = strchr(s->url + 7, '/');
	struct curl_slist *q;
	CURL *c;
	snprintf(url, sizeof url, "%s", s->url);
	if (snprintf(cmd, sizeof cmd, "rm \"%s%s/%s\"", path ? path : "/", folder, name) >= (int)sizeof cmd)
		return GW_EINPUT;
	if ((c = session(s, url, curlerr)) == NULL || (q = curl_slist_append(NULL, cmd)) == NULL) {
		if (c)
			curl_easy_cleanup(c);
		return GW_ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_QUOTE, q);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_DIRLISTONLY, 1L);
	CURLcode cc = curl_easy_perform(c);
	curl_slist_free_all(q);
	curl_easy_cleanup(c);
	return cc == CURLE_OK ? GW_OK : curl_rc(cc, name, curlerr, errbuf, errcap);
}

/* A download into a file that stops past max bytes. */
struct capped_file {
	FILE *f;
	long long len, max;
};

static size_t
capped_write(char *data, size_t size, size_t n, void *ud)
{
	struct capped_file *cf = ud;
	size_t add = size * n;
	cf->len += (long long)add;
	if (cf->len > cf->max)
		return 0;                           /* aborts the transfer */
	return fwrite(data, 1, add, cf->f);
}

/* local_dir/quarantine/NAME.why, saying why NAME stays on the server. */
static void
quarantine_note(const char *local_dir, const char *name, const char *why)
{
	char d[PATH_MAX], p[PATH_MAX], text[1024], err[PATH_MAX + 160];
	int len = snprintf(text, sizeof text, "%s: %s\n", name, why);
	if (snprintf(d, sizeof d, "%s/quarantine", local_dir) >= (int)sizeof d ||
	    snprintf(p, sizeof p, "%s/%s.why", d, name) >= (int)sizeof p || len < 0)
		return;
	if (dir_ensure(d, 0750, err, sizeof err) != GW_OK ||
	    atomic_write_file(p, text, (size_t)len < sizeof text ? (size_t)len : sizeof text - 1, 0640,
	        0, err, sizeof err) != GW_OK)
		log_error(NULL, name, "cannot write the quarantine note: %s", err);
}

/* Whether an earlier poll quarantined NAME (left on the server). */
static int
quarantined(const char *local_dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;
	return snprintf(p, sizeof p, "%s/quarantine/%s.why", local_dir, name) < (int)sizeof p &&
	    stat(p, &st) == 0;
}

gw_rc
batch_sftp_fetch(const struct batch_sftp *s, const char *folder, const char *name,
                 const char *local_dir, char *errbuf, size_t errcap)
{
	char url[1024], tmp[PATH_MAX], final_path[PATH_MAX], curlerr[CURL_ERROR_SIZE];
	FILE *f = NULL;
	CURL *c = NULL;
	gw_rc rc = GW_EIO;
	int fd;
	struct batch_name bn;
	char kind = 0;

	/* Only a name of the answer grammar is fetched: it goes into a URL and
	 * a local path, and anything else is not an ONSS answer. */
	if (batch_name_parse(name, &bn, &kind) != GW_OK || kind != 'O') {
		snprintf(errbuf, errcap, "not an ONSS answer name (FO.<type>.<sender>.<date>.<seq>.<env>)");
		return GW_EINPUT;
	}
	if (snprintf(url, sizeof url, "%s%s/%s", s->url, folder, name) >= (int)sizeof url ||
	    snprintf(tmp, sizeof tmp, "%s/.%s.dlXXXXXX", local_dir, name) >= (int)sizeof tmp ||
	    snprintf(final_path, sizeof final_path, "%s/%s", local_dir, name) >= (int)sizeof final_path) {
		snprintf(errbuf, errcap, "%s: unusable name", name);
		return GW_EINPUT;
	}
	/* Restart, never resume: an answer is small, and a fresh temp file
	 * cannot mix bytes from two attempts. */
	if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "wb")) == NULL) {
		snprintf(errbuf, errcap, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return GW_EIO;
	}
	if ((c = session(s, url, curlerr)) == NULL) {
		rc = GW_ENOMEM;
		goto fail;
	}
	struct capped_file cf = { f, 0, s->max_answer_bytes > 0 ? s->max_answer_bytes : 256LL << 20 };
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, capped_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &cf);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cf.max);
	CURLcode cc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (cc == CURLE_FILESIZE_EXCEEDED || (cc == CURLE_WRITE_ERROR && cf.len > cf.max)) {
		/* Left on the server, where it is not lost: the operator fetches
		 * it by hand. The note keeps later polls from trying again. */
		snprintf(errbuf, errcap, "larger than %lld MiB ([onss_batch] max_answer_mb): not downloaded, "
		    "left on the server and quarantined", cf.max >> 20);
		quarantine_note(local_dir, name, errbuf);
		rc = GW_EINPUT;
		goto fail;
	}
	if (cc != CURLE_OK) {
		rc = curl_rc(cc, name, curlerr, errbuf, errcap);
		goto fail;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(errbuf, errcap, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	int crc = fclose(f);
	f = NULL;
	if (crc != 0) {
		snprintf(errbuf, errcap, "%s: close failed", tmp);
		goto fail;
	}
	/* The ONSS may send two answers under one name (a refused duplicate
	 * is answered under the first file's name): keep both, the second
	 * with a counter. The same bytes again mean an earlier poll stored it. */
	for (int k = 1; link(tmp, final_path) != 0; k++) {
		if (errno != EEXIST) {
			snprintf(errbuf, errcap, "%s: %s", final_path, strerror(errno));
			goto fail;
		}
		if (same_file(tmp, final_path)) {
			log_info(NULL, name, "answer already stored by an earlier poll");
			break;
		}
		if (k >= 99 || snprintf(final_path, sizeof final_path, "%s/%s.%d", local_dir, name, k + 1) >=
		    (int)sizeof final_path) {
			snprintf(errbuf, errcap, "%s: too many different answers with this name", name);
			goto fail;
		}
	}
	unlink(tmp);
	if (atomic_fsync_dir(local_dir) != GW_OK) {
		snprintf(errbuf, errcap, "%s: fsync failed", local_dir);
		return GW_EIO;
	}
	/* Stored for good: only now may the server copy go. */
	if ((rc = remote_rm(s, folder, name, errbuf, errcap)) != GW_OK)
		return rc;
	log_info(NULL, name, "answer downloaded from %s and removed there", folder);
	return GW_OK;
fail:
	if (f)
		fclose(f);
	unlink(tmp);
	return rc;
}

gw_rc
batch_sftp_poll_counted(const struct batch_sftp *s, char env, const char *local_dir,
                        size_t *fetched, size_t *skipped, char *errbuf, size_t errcap)
{
	char **names = NULL;
	size_t n = 0;
	gw_rc rc;
	const char *folder = batch_sftp_out_dir(env);

	*fetched = *skipped = 0;
	if ((rc = batch_sftp_list(s, folder, &names, &n, errbuf, errcap)) != GW_OK)
		return rc;
	/* One odd or oversized file must not block the answers after it: each
	 * is reported and skipped; a temporary failure is returned at the end
	 * so that the caller polls again. */
	gw_rc first_temp = GW_OK;
	for (size_t i = 0; i < n; i++) {
		char why[512], shown[160];
		if (strncmp(names[i], "FO.", 3) != 0 || quarantined(local_dir, names[i]))
			continue;
		gw_rc frc = batch_sftp_fetch(s, folder, names[i], local_dir, why, sizeof why);
		if (frc == GW_OK) {
			(*fetched)++;
			continue;
		}
		reason_escape(names[i], strlen(names[i]), " ", 0, shown, sizeof shown);
		log_error(NULL, shown, "%s/%s skipped: %s", folder, shown, why);
		(*skipped)++;
		if (frc != GW_EINPUT && first_temp == GW_OK) {
			first_temp = frc;
			snprintf(errbuf, errcap, "%s: %s", shown, why);
		}
	}
	batch_sftp_names_free(names, n);
	return first_temp;
}

gw_rc
batch_sftp_poll(const struct batch_sftp *s, char env, const char *local_dir,
                size_t *fetched, char *errbuf, size_t errcap)
{
	size_t skipped;
	return batch_sftp_poll_counted(s, env, local_dir, fetched, &skipped, errbuf, errcap);
}
