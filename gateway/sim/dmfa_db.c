/*
 * dmfa_db.c - the simulated ONSS's DB DmfA: the declarations it accepted,
 * with the permanent ids and versions its DMPI gave them, so that a
 * correction can be judged against what the ONSS holds (annex 30: 177
 * "EmployerDeclarationPID - Discordantie met de DB DmfA", 180 "De wijziging
 * of annulatie heeft geen betrekking op de laatste situatie").
 *
 * Owns the file state/dmfa-db: one tab-separated line per fact, appended,
 * fsynced by simd_db_sync before the answers to the file are published,
 * and replayed at start (a line without its newline, torn by a crash, is
 * ignored):
 *   E ed_pid quarter noss                 an accepted original
 *   P ed_pid inss np_pid decl_np_pid       a person of it
 *   W ed_pid inss ec wc version            a worker record (version 0: a correction created it)
 *   O wr_version occ_version               an occupation's version
 *   D ed_pid inss ec wc                    a worker record a correction deleted
 * The simulator gives no new DMPI for a correction, so a version stays
 * the one the declarant holds: a second correction of the same record
 * names the same last situation.
 */
#include "sim/dmfa_check.h"
#include "core/array.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct db_decl {
	unsigned long long ed_pid;
	int quarter;
	char noss[16];
};

struct db_occ {
	unsigned long long wr_version, occ_version;
};

struct simd_db {
	FILE *f;                         /* NULL: in memory only */
	struct db_decl *decls;
	size_t n_decls, cap_decls;
	struct simd_db_person *persons;
	size_t n_persons, cap_persons;
	struct simd_db_record *records;
	size_t n_records, cap_records;
	struct db_occ *occs;
	size_t n_occs, cap_occs;
};

/* ---- in memory ---- */

static gw_rc
mem_declaration(struct simd_db *db, unsigned long long ed_pid, int quarter, const char *noss)
{
	if (ARRAY_RESERVE(db->decls, db->n_decls, db->cap_decls, 16) != GW_OK)
		return GW_ENOMEM;
	struct db_decl *d = &db->decls[db->n_decls++];
	d->ed_pid = ed_pid;
	d->quarter = quarter;
	snprintf(d->noss, sizeof d->noss, "%s", noss);
	return GW_OK;
}

static gw_rc
mem_person(struct simd_db *db, unsigned long long ed_pid, const char *inss, unsigned long long np,
           unsigned long long decl)
{
	if (ARRAY_RESERVE(db->persons, db->n_persons, db->cap_persons, 64) != GW_OK)
		return GW_ENOMEM;
	struct simd_db_person *p = &db->persons[db->n_persons++];
	p->ed_pid = ed_pid;
	p->np_pid = np;
	p->decl_np_pid = decl;
	snprintf(p->inss, sizeof p->inss, "%s", inss);
	return GW_OK;
}

/* The newest line of a record wins: a deleted record created again is a
 * new line after the deletion. */
static struct simd_db_record *
find_record(const struct simd_db *db, unsigned long long ed_pid, const char *inss, const char *ec, const char *wc)
{
	for (size_t i = db->n_records; i-- > 0;) {
		struct simd_db_record *w = &db->records[i];
		if (w->ed_pid == ed_pid && strcmp(w->inss, inss) == 0 && strcmp(w->ec, ec) == 0 && strcmp(w->wc, wc) == 0)
			return w;
	}
	return NULL;
}

static gw_rc
mem_record(struct simd_db *db, unsigned long long ed_pid, const char *inss, const char *ec, const char *wc,
           unsigned long long version)
{
	if (ARRAY_RESERVE(db->records, db->n_records, db->cap_records, 64) != GW_OK)
		return GW_ENOMEM;
	struct simd_db_record *w = &db->records[db->n_records++];
	memset(w, 0, sizeof *w);
	w->ed_pid = ed_pid;
	w->version = version;
	snprintf(w->inss, sizeof w->inss, "%s", inss);
	snprintf(w->ec, sizeof w->ec, "%s", ec);
	snprintf(w->wc, sizeof w->wc, "%s", wc);
	return GW_OK;
}

static gw_rc
mem_occupation(struct simd_db *db, unsigned long long wr_version, unsigned long long occ_version)
{
	if (ARRAY_RESERVE(db->occs, db->n_occs, db->cap_occs, 64) != GW_OK)
		return GW_ENOMEM;
	db->occs[db->n_occs].wr_version = wr_version;
	db->occs[db->n_occs++].occ_version = occ_version;
	return GW_OK;
}

static void
mem_delete(struct simd_db *db, unsigned long long ed_pid, const char *inss, const char *ec, const char *wc)
{
	struct simd_db_record *w = find_record(db, ed_pid, inss, ec, wc);
	if (w != NULL)
		w->deleted = 1;
}

/* ---- the file ---- */

/* Replay one line; a line of another shape is skipped (the file is the
 * simulator's own, so only a torn line can be malformed). */
static gw_rc
replay(struct simd_db *db, char *line)
{
	char *f[7], *save = NULL;
	int k = 0;
	for (char *t = strtok_r(line, "\t", &save); t && k < 7; t = strtok_r(NULL, "\t", &save))
		f[k++] = t;
	if (k == 4 && strcmp(f[0], "E") == 0)
		return mem_declaration(db, strtoull(f[1], NULL, 10), (int)strtol(f[2], NULL, 10), f[3]);
	if (k == 5 && strcmp(f[0], "P") == 0)
		return mem_person(db, strtoull(f[1], NULL, 10), f[2], strtoull(f[3], NULL, 10), strtoull(f[4], NULL, 10));
	if (k == 6 && strcmp(f[0], "W") == 0)
		return mem_record(db, strtoull(f[1], NULL, 10), f[2], f[3], f[4], strtoull(f[5], NULL, 10));
	if (k == 3 && strcmp(f[0], "O") == 0)
		return mem_occupation(db, strtoull(f[1], NULL, 10), strtoull(f[2], NULL, 10));
	if (k == 5 && strcmp(f[0], "D") == 0)
		mem_delete(db, strtoull(f[1], NULL, 10), f[2], f[3], f[4]);
	return GW_OK;
}

gw_rc
simd_db_memory(struct simd_db **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? GW_OK : GW_ENOMEM;
}

gw_rc
simd_db_open(const char *path, struct simd_db **out, char *err, size_t errcap)
{
	char line[256];
	gw_rc rc = simd_db_memory(out);
	if (rc != GW_OK)
		return rc;
	FILE *in = fopen(path, "r");
	if (in == NULL && errno != ENOENT) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		simd_db_free(*out);
		*out = NULL;
		return GW_EIO;
	}
	while (in && rc == GW_OK && fgets(line, sizeof line, in) != NULL) {
		size_t n = strlen(line);
		if (n == 0 || line[n - 1] != '\n')
			continue;                /* a torn last line */
		line[n - 1] = '\0';
		rc = replay(*out, line);
	}
	if (in)
		fclose(in);
	if (rc == GW_OK && ((*out)->f = fopen(path, "a")) == NULL) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		rc = GW_EIO;
	}
	if (rc != GW_OK) {
		simd_db_free(*out);
		*out = NULL;
	}
	return rc;
}

void
simd_db_free(struct simd_db *db)
{
	if (db == NULL)
		return;
	if (db->f)
		fclose(db->f);
	free(db->decls);
	free(db->persons);
	free(db->records);
	free(db->occs);
	free(db);
}

gw_rc
simd_db_sync(struct simd_db *db)
{
	if (db->f == NULL)
		return GW_OK;
	return fflush(db->f) == 0 && fsync(fileno(db->f)) == 0 ? GW_OK : GW_EIO;
}

/* Append one line (the memory already holds the fact). */
static gw_rc
put(struct simd_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static gw_rc
put(struct simd_db *db, const char *fmt, ...)
{
	va_list ap;
	if (db->f == NULL)
		return GW_OK;
	va_start(ap, fmt);
	int n = vfprintf(db->f, fmt, ap);
	va_end(ap);
	return n < 0 ? GW_EIO : GW_OK;
}

gw_rc
simd_db_add_declaration(struct simd_db *db, unsigned long long ed_pid, int quarter, const char *noss)
{
	gw_rc rc = mem_declaration(db, ed_pid, quarter, noss);
	return rc != GW_OK ? rc : put(db, "E\t%llu\t%d\t%s\n", ed_pid, quarter, noss);
}

gw_rc
simd_db_add_person(struct simd_db *db, unsigned long long ed_pid, const char *inss, unsigned long long np_pid,
                   unsigned long long decl_np_pid)
{
	gw_rc rc = mem_person(db, ed_pid, inss, np_pid, decl_np_pid);
	return rc != GW_OK ? rc : put(db, "P\t%llu\t%s\t%llu\t%llu\n", ed_pid, inss, np_pid, decl_np_pid);
}

gw_rc
simd_db_add_record(struct simd_db *db, unsigned long long ed_pid, const char *inss, const char *ec, const char *wc,
                   unsigned long long version)
{
	gw_rc rc = mem_record(db, ed_pid, inss, ec, wc, version);
	return rc != GW_OK ? rc : put(db, "W\t%llu\t%s\t%s\t%s\t%llu\n", ed_pid, inss, ec, wc, version);
}

gw_rc
simd_db_add_occupation(struct simd_db *db, unsigned long long wr_version, unsigned long long occ_version)
{
	gw_rc rc = mem_occupation(db, wr_version, occ_version);
	return rc != GW_OK ? rc : put(db, "O\t%llu\t%llu\n", wr_version, occ_version);
}

gw_rc
simd_db_delete_record(struct simd_db *db, unsigned long long ed_pid, const char *inss, const char *ec,
                      const char *wc)
{
	mem_delete(db, ed_pid, inss, ec, wc);
	return put(db, "D\t%llu\t%s\t%s\t%s\n", ed_pid, inss, ec, wc);
}

/* ---- look-ups ---- */

int
simd_db_declaration(const struct simd_db *db, unsigned long long ed_pid, int *quarter, const char **noss)
{
	for (size_t i = 0; db && i < db->n_decls; i++)
		if (db->decls[i].ed_pid == ed_pid) {
			*quarter = db->decls[i].quarter;
			*noss = db->decls[i].noss;
			return 1;
		}
	return 0;
}

const struct simd_db_person *
simd_db_person(const struct simd_db *db, unsigned long long ed_pid, const char *inss)
{
	for (size_t i = 0; db && i < db->n_persons; i++)
		if (db->persons[i].ed_pid == ed_pid && strcmp(db->persons[i].inss, inss) == 0)
			return &db->persons[i];
	return NULL;
}

const struct simd_db_record *
simd_db_record(const struct simd_db *db, unsigned long long ed_pid, const char *inss, const char *ec, const char *wc)
{
	const struct simd_db_record *w = db ? find_record(db, ed_pid, inss, ec, wc) : NULL;
	return w && !w->deleted ? w : NULL;
}

int
simd_db_has_occupation(const struct simd_db *db, unsigned long long wr_version, unsigned long long occ_version)
{
	for (size_t i = 0; db && i < db->n_occs; i++)
		if (db->occs[i].wr_version == wr_version && db->occs[i].occ_version == occ_version)
			return 1;
	return 0;
}

unsigned long long
simd_db_max_id(const struct simd_db *db)
{
	unsigned long long m = 0;
#define GW_MAX(x) do { if ((x) > m) m = (x); } while (0)
	for (size_t i = 0; i < db->n_decls; i++)
		GW_MAX(db->decls[i].ed_pid);
	for (size_t i = 0; i < db->n_persons; i++) {
		GW_MAX(db->persons[i].np_pid);
		GW_MAX(db->persons[i].decl_np_pid);
	}
	for (size_t i = 0; i < db->n_records; i++)
		GW_MAX(db->records[i].version);
	for (size_t i = 0; i < db->n_occs; i++)
		GW_MAX(db->occs[i].occ_version);
#undef GW_MAX
	return m;
}
