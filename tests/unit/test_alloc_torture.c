/* test_alloc_torture.c - allocation-failure injection over the queue and
 * intake, as curl's torture tests do: the Nth allocation made by the
 * gateway's own code fails, for every N until a run makes fewer than N.
 *
 * The binary is linked with -Wl,--wrap=malloc,calloc,... (Makefile), so
 * every call from libgateway.a objects goes through the counting wrappers
 * below; so do jansson's allocations, which the gateway routes through
 * its own malloc (core/json_mem.c).
 * SQLite's and libxml2's own allocations are not: SQLite tests its own.
 *
 * Intake parses in a second thread. A single count over both threads would
 * depend on scheduling, so each thread class is swept on its own: first
 * the Nth allocation of the thread running the scenario, then the Nth of
 * any other thread (the parser); each sequence is deterministic.
 *
 * Each run must succeed or fail cleanly (GW_ENOMEM or GW_ETEMP, with a
 * message), free every allocation it made, leave a queue that reopens and
 * passes its check, and a re-run of the intake must reach the state of a
 * run without failures: nothing lost, nothing duplicated.
 *
 * Env: TORTURE_STEP (default 4: N = 1, 5, 9 ..., the bounded sample that
 * `make check` runs) and TORTURE_MAX (0 = no limit: stop each sweep past
 * that N); `make torture` runs every N (TORTURE_STEP=1). Each sweep ends
 * at the first N that the run does not reach.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "core/config.h"
#include "core/log.h"
#include "queue/queue.h"
#include "store/store.h"
#include "service/intake.h"

/* ---- the counting allocator ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
FILE *__real_open_memstream(char **buf, size_t *len);
ssize_t __real_getline(char **line, size_t *cap, FILE *f);

enum { T_MAIN, T_OTHER };
static pthread_mutex_t tmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t armer;
static int armed;                 /* counting (and maybe failing) */
static int fail_class;            /* T_MAIN or T_OTHER: whose Nth allocation fails */
static unsigned long fail_at;     /* N; 0 = count only */
static unsigned long count[2];
static int injected;
static void *injected_at;         /* caller of the failed allocation */

/* Live allocations made through the wrappers while armed: a leak is one
 * still here when a run is over. Open addressing, deleted = (void *)1. */
#define LIVE_CAP (1u << 16)
static void *live[LIVE_CAP];
static size_t live_n;

static size_t
live_slot(const void *p)
{
	return (size_t)(((uintptr_t)p >> 4) * 2654435761u) & (LIVE_CAP - 1);
}

static void
live_add(void *p)
{
	size_t i = live_slot(p);
	while (live[i] != NULL && live[i] != (void *)1)
		i = (i + 1) & (LIVE_CAP - 1);
	live[i] = p;
	if (++live_n >= LIVE_CAP / 2)
		abort();            /* the scenario is small: a table this full is a bug here */
}

static void
live_del(void *p)
{
	for (size_t i = live_slot(p); live[i] != NULL; i = (i + 1) & (LIVE_CAP - 1)) {
		if (live[i] == p) {
			live[i] = (void *)1;
			live_n--;
			return;
		}
	}
}

static void
live_reset(void)
{
	memset(live, 0, sizeof live);
	live_n = 0;
}

/* Whether this allocation is the one to fail; counts it when armed. */
static int
alloc_fails(void *caller)
{
	int fail = 0;
	pthread_mutex_lock(&tmu);
	if (armed) {
		int cls = pthread_equal(pthread_self(), armer) ? T_MAIN : T_OTHER;
		count[cls]++;
		if (cls == fail_class && count[cls] == fail_at) {
			fail = 1;
			injected = 1;
			injected_at = caller;
		}
	}
	pthread_mutex_unlock(&tmu);
	if (fail)
		errno = ENOMEM;
	return fail;
}

static void
track(void *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&tmu);
	if (armed)
		live_add(p);
	pthread_mutex_unlock(&tmu);
}

static void
untrack(void *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&tmu);
	live_del(p);
	pthread_mutex_unlock(&tmu);
}

#define CALLER __builtin_return_address(0)

void *
__wrap_malloc(size_t n)
{
	if (alloc_fails(CALLER))
		return NULL;
	void *p = __real_malloc(n);
	track(p);
	return p;
}

void *
__wrap_calloc(size_t n, size_t size)
{
	if (alloc_fails(CALLER))
		return NULL;
	void *p = __real_calloc(n, size);
	track(p);
	return p;
}

void *
__wrap_realloc(void *old, size_t n)
{
	if (alloc_fails(CALLER))
		return NULL;
	void *p = __real_realloc(old, n);
	if (p != NULL) {
		untrack(old);
		track(p);
	}
	return p;
}

void
__wrap_free(void *p)
{
	untrack(p);
	__real_free(p);
}

char *
__wrap_strdup(const char *s)
{
	if (alloc_fails(CALLER))
		return NULL;
	char *p = __real_strdup(s);
	track(p);
	return p;
}

char *
__wrap_strndup(const char *s, size_t n)
{
	if (alloc_fails(CALLER))
		return NULL;
	char *p = __real_strndup(s, n);
	track(p);
	return p;
}

/* The stream's buffer is libc's (freed by the caller after fclose): only
 * the failure is injected, the buffer is not tracked. */
FILE *
__wrap_open_memstream(char **buf, size_t *len)
{
	if (alloc_fails(CALLER))
		return NULL;
	return __real_open_memstream(buf, len);
}

/* getline allocates (or grows) the line: it may fail with ENOMEM, which a
 * reader must not take for the end of the file. */
ssize_t
__wrap_getline(char **line, size_t *cap, FILE *f)
{
	if (alloc_fails(CALLER))
		return -1;
	return __real_getline(line, cap, f);
}

static void
arm(int cls, unsigned long n)
{
	pthread_mutex_lock(&tmu);
	armer = pthread_self();
	fail_class = cls;
	fail_at = n;
	count[0] = count[1] = 0;
	injected = 0;
	injected_at = NULL;
	armed = 1;
	pthread_mutex_unlock(&tmu);
}

static void
disarm(void)
{
	pthread_mutex_lock(&tmu);
	armed = 0;
	pthread_mutex_unlock(&tmu);
}

/* Where the failed allocation was called from, as "file+offset" for
 * addr2line -f -e FILE OFFSET (the callers are mostly static functions,
 * which dladdr cannot name). */
static const char *
where(void)
{
	static char buf[256];
	Dl_info di;
	if (injected_at != NULL && dladdr(injected_at, &di) && di.dli_fname != NULL)
		snprintf(buf, sizeof buf, "%s+0x%lx", di.dli_fname,
		    (unsigned long)((uintptr_t)injected_at - (uintptr_t)di.dli_fbase));
	else
		snprintf(buf, sizeof buf, "%p", injected_at);
	return buf;
}

/* ---- the scenario ---- */

static char dir[64], db[128], contracts[160];
static FILE *rej;

static void
line(FILE *f, const char *id, int rev, const char *status, const char *inss, const char *type,
     const char *jc, const char *day, const char *end)
{
	int ext = strcmp(type, "EXT") == 0;      /* hours only for EXT days */
	fprintf(f, "{\"contract_id\":\"%s\",\"revision\":\"%d\",\"status\":\"%s\","
	    "\"employer_noss\":\"123456749\",\"employer_kbo\":\"0477472701\",\"worker_inss\":"
	    "\"%s\",\"worker_type\":\"%s\",\"joint_committee\":\"%s\",\"worker_code\":\"015\","
	    "\"start_date\":\"%s\",%s\"end_date\":\"%s\",%s"
	    "\"days_worked\":\"1\",\"hours_worked\":\"6\",\"gross_wage_cents\":\"%d\"}\n",
	    id, rev, status, inss, type, jc, day, ext ? "\"start_time\":\"10:00\"," : "", end,
	    ext ? "\"end_time\":\"16:00\"," : "", 8000 + rev);
}

/* A small file: revisions (update, cancel, a wage-only change kept for the
 * DmfA), a Horeca EXT run of three days merged into one period, a lone EXT
 * day, and one bad record. */
static void
write_contracts(void)
{
	FILE *f = fopen(contracts, "w");
	assert_non_null(f);
	line(f, "A-1", 1, "active", "88092303720", "OTH", "304", "2026-12-03", "2026-12-04");
	line(f, "A-1", 2, "active", "88092303720", "OTH", "304", "2026-12-03", "2026-12-06");
	line(f, "B-1", 1, "active", "91041218437", "OTH", "304", "2026-12-05", "2026-12-05");
	line(f, "B-1", 2, "cancelled", "91041218437", "OTH", "304", "2026-12-05", "2026-12-05");
	line(f, "C-1", 1, "active", "66083073796", "OTH", "304", "2026-12-07", "2026-12-07");
	line(f, "C-1", 2, "active", "66083073796", "OTH", "304", "2026-12-07", "2026-12-07");
	line(f, "R-2", 1, "active", "80040573349", "EXT", "302", "2026-04-25", "2026-04-25");
	line(f, "R-1", 1, "active", "80040573349", "EXT", "302", "2026-04-24", "2026-04-24");
	line(f, "R-3", 1, "active", "80040573349", "EXT", "302", "2026-04-26", "2026-04-26");
	line(f, "G-1", 1, "active", "89072273538", "EXT", "302", "2026-04-06", "2026-04-06");
	line(f, "X-1", 1, "active", "12345678901", "OTH", "304", "2026-12-03", "2026-12-03");
	fclose(f);
}

static const char *const RECORDS[] = { "A-1", "B-1", "C-1", "R-1", "R-2", "R-3", "G-1", "X-1" };

/* What a run did, step by step. */
struct outcome {
	gw_rc rc;                 /* first failure, GW_OK when every step passed */
	const char *step;         /* the step that failed */
	char err[512];
	struct intake_stats st;
};

/* A failing step must fail cleanly: out of memory or try-again-later. */
#define STEP(name, call)                                                   \
	do {                                                                   \
		o->step = name;                                                    \
		if ((o->rc = (call)) != GW_OK)                                     \
			goto out;                                                      \
	} while (0)

/* Open, take the file in, then the runner's moves: claim, build, a move
 * into sending with a note, close. */
static void
scenario(struct outcome *o)
{
	struct queue *q = NULL;
	struct queue_msg got[4];
	size_t n = 0;
	struct intake_opts io;

	memset(o, 0, sizeof *o);
	memset(got, 0, sizeof got);
	intake_opts_default(&io);
	io.batch = 3;                 /* several commits in one small file */
	STEP("open", queue_sqlite_ops.open(&q, db, o->err, sizeof o->err));
	STEP("intake", intake_contracts(q, contracts, &io, &o->st, rej, o->err, sizeof o->err));
	STEP("claim", q->ops->claim(q, io.channel, QS_PENDING, QS_BUILDING, "torture", 0,
	    queue_now_ms(), 3, got, &n));
	for (size_t i = 0; i < n; i++)
		STEP("transition", queue_transition(q, got[i].id, QS_BUILDING, QS_READY, "torture",
		    "built"));
	if (n > 0) {
		struct queue_move mv[2] = {
			{ .id = got[0].id, .from = QS_READY, .to = QS_SENDING, .why = "send" },
			{ .id = got[0].id, .from = QS_SENDING, .to = QS_SENDING, .what = "note",
			  .why = "torture" },
		};
		size_t done = 0;
		STEP("move_many", queue_move_many(q, mv, 2, "torture", &done));
		assert_int_equal(done, 2);
		assert_int_equal(mv[0].rc, GW_OK);
		assert_int_equal(mv[1].rc, GW_OK);
	}
	o->step = NULL;
out:
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&got[i]);
	if (q != NULL)
		q->ops->close(q);
}

/* The queue's contents as text: per message its identity, what it depends
 * on, its payload, and its state class (the runner's moves of the scenario
 * stay within pending..sending, "active"); per record its revision and
 * hash, and its run row when it is a day of a Horeca run. */
static void
dump(char *out, size_t cap)
{
	char err[256];
	struct queue *q;
	struct queue_msg *l = NULL;
	size_t n = 0, off = 0;
	assert_int_equal(queue_sqlite_ops.open(&q, db, err, sizeof err), GW_OK);
	struct queue_filter f = { .state = -1, .with_bodies = 1 };
	assert_int_equal(q->ops->list(q, &f, &l, &n), GW_OK);
	/* list() orders by next attempt: sort by id for a stable text. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(l[j - 1].id, l[j].id) > 0; j--) {
			struct queue_msg t = l[j];
			l[j] = l[j - 1];
			l[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		char h[65] = "";
		if (l[i].payload != NULL)
			queue_sha256_hex(l[i].payload, strlen(l[i].payload), h);
		const char *s = l[i].state <= QS_SENDING ? "active" : queue_state_name(l[i].state);
		off += (size_t)snprintf(out + off, cap - off, "%s %s %u %s %s dep=%s %s %s\n", l[i].id,
		    l[i].record_id, l[i].revision, l[i].kind, l[i].channel, l[i].depends_on, s, h);
		assert_true(off < cap);
		queue_msg_free(&l[i]);
	}
	free(l);
	for (size_t i = 0; i < sizeof RECORDS / sizeof *RECORDS; i++) {
		uint32_t rev = 0;
		char h[65] = "";
		gw_rc rc = store_record_get(q, RECORDS[i], &rev, h);
		off += (size_t)snprintf(out + off, cap - off, "record %s %s %u %s\n", RECORDS[i],
		    gw_rc_name(rc), rev, h);
		assert_true(off < cap);
		/* Its Horeca run row, when it is a day of a run. */
		struct store *sto;
		struct store_run_member m;
		assert_int_equal(store_of(q, &sto), GW_OK);
		if (sto->ops->run_get(sto, RECORDS[i], &m) == GW_OK) {
			off += (size_t)snprintf(out + off, cap - off, "run-member %s %u of %s head=%d\n",
			    m.record_id, m.revision, m.msg_id, m.head);
			assert_true(off < cap);
		}
	}
	q->ops->close(q);
}

static unsigned long n_bad;

/* A run that breaks a promise: said, counted, and the sweep goes on, so
 * that one pass lists every failing N (the test fails at the end). */
static void __attribute__((format(printf, 1, 2)))
bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	n_bad++;
}

/* The queue opens and passes its own check (PRAGMA integrity_check). */
static void
check_queue(unsigned long n)
{
	char err[256];
	struct queue *q;
	gw_rc rc = queue_sqlite_ops.open(&q, db, err, sizeof err);
	if (rc != GW_OK) {
		bad("N=%lu: the queue does not reopen: %s", n, err);
		return;
	}
	if ((rc = q->ops->check(q, err, sizeof err)) != GW_OK)
		bad("N=%lu: queue check: %s", n, err);
	q->ops->close(q);
}

/* Intake alone, without failures (the operator's re-run). */
static void
rerun_intake(unsigned long n)
{
	char err[512];
	struct queue *q;
	struct intake_opts io;
	struct intake_stats st;
	intake_opts_default(&io);
	io.batch = 3;
	assert_int_equal(queue_sqlite_ops.open(&q, db, err, sizeof err), GW_OK);
	gw_rc rc = intake_contracts(q, contracts, &io, &st, rej, err, sizeof err);
	if (rc != GW_OK)
		bad("N=%lu: the re-run of the intake failed: %s", n, err);
	q->ops->close(q);
}

static void
fresh_queue(void)
{
	unlink(db);
	char p[200];
	snprintf(p, sizeof p, "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db);
	unlink(p);
}

static char want_dump[16384];
static struct intake_stats want_st;

/* One run with the Nth allocation of thread class cls failing; 1 when no
 * failure was injected (the run made fewer than n allocations). */
static int
one_run(int cls, unsigned long n)
{
	static char got_dump[16384];
	struct outcome o;
	const char *who = cls == T_MAIN ? "main" : "parser";

	fresh_queue();
	live_reset();
	arm(cls, n);
	scenario(&o);
	disarm();
	int hit = injected;
	if (live_n != 0)
		bad("%s N=%lu: %zu allocation(s) not freed (injected at %s, step %s)", who, n,
		    live_n, hit ? where() : "-", o.step != NULL ? o.step : "none");
#if defined(__SANITIZE_ADDRESS__)
	if (__lsan_do_recoverable_leak_check() != 0)
		bad("%s N=%lu: LeakSanitizer found a leak (injected at %s)", who, n, where());
#endif
	if (o.rc != GW_OK) {
		if (!hit)
			bad("%s N=%lu: step %s failed without an injected failure: %s (%s)", who, n,
			    o.step, gw_rc_name(o.rc), o.err);
		if (o.rc != GW_ENOMEM && o.rc != GW_ETEMP)
			bad("%s N=%lu: step %s failed with %s, not a clean out-of-memory (%s; "
			    "injected at %s)", who, n, o.step, gw_rc_name(o.rc), o.err, where());
		if ((strcmp(o.step, "open") == 0 || strcmp(o.step, "intake") == 0) && o.err[0] == '\0')
			bad("%s N=%lu: step %s failed with %s and no message (injected at %s)", who,
			    n, o.step, gw_rc_name(o.rc), where());
	} else if (memcmp(&o.st, &want_st, sizeof want_st) != 0) {
		/* A run that says it succeeded must have done what a run without
		 * failures does: an allocation failure is not a bad record. */
		bad("%s N=%lu: succeeded with other figures (read %lu rejected %lu messages %lu,"
		    " want %lu %lu %lu; injected at %s)", who, n, o.st.read, o.st.rejected,
		    o.st.messages, want_st.read, want_st.rejected, want_st.messages, where());
	}
	check_queue(n);
	if (o.rc != GW_OK)
		rerun_intake(n);
	dump(got_dump, sizeof got_dump);
	if (strcmp(got_dump, want_dump) != 0)
		bad("%s N=%lu: the queue after the run (step %s: %s) and a re-run differs from a "
		    "run without failures (injected at %s):\n--- got\n%s--- want\n%s", who, n,
		    o.step != NULL ? o.step : "none", gw_rc_name(o.rc), where(), got_dump, want_dump);
	return !hit;
}

static unsigned long
env_ul(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);
	char *end;
	if (v == NULL || *v == '\0')
		return dflt;
	unsigned long x = strtoul(v, &end, 10);
	return *end == '\0' ? x : dflt;
}

static int
setup(void **state)
{
	(void)state;
	/* Thousands of runs, each a few durable commits: on tmpfs when there
	 * is one, where fsync costs nothing (durability is the crash test's). */
	snprintf(dir, sizeof dir, "%s/gwtortXXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/q.db", dir);
	snprintf(contracts, sizeof contracts, "%s/c.jsonl", dir);
	gw_cfg = config_new();
	log_set_level(LOG_LVL_WARN);          /* thousands of runs: their info lines say nothing */
	rej = fopen(getenv("TORTURE_REJ") != NULL ? getenv("TORTURE_REJ") : "/dev/null", "w");
	write_contracts();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	fclose(rej);
	config_free(gw_cfg);
	gw_cfg = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

/* The reference run, then every N of each thread class. */
static void
test_sweep(void **state)
{
	(void)state;
	struct outcome o;
	unsigned long max = env_ul("TORTURE_MAX", 0), step = env_ul("TORTURE_STEP", 4), runs = 0;

	/* Reference: no failure (a first run warms whatever is set up once). */
	fresh_queue();
	scenario(&o);
	fresh_queue();
	live_reset();
	arm(T_MAIN, 0);
	scenario(&o);
	disarm();
	assert_int_equal(o.rc, GW_OK);
	assert_int_equal(live_n, 0);
	unsigned long total[2] = { count[T_MAIN], count[T_OTHER] };
	want_st = o.st;
	/* The file is what the scenario says: 11 read, X-1 rejected, the
	 * run merged, C-1's wage change kept without a Dimona message. */
	assert_int_equal(want_st.read, 11);
	assert_int_equal(want_st.rejected, 1);
	assert_true(want_st.messages >= 5);
	dump(want_dump, sizeof want_dump);
	assert_non_null(strstr(want_dump, "run-member"));
	assert_non_null(strstr(want_dump, "dimona-cancel"));
	assert_non_null(strstr(want_dump, "dimona-update"));
	print_message("reference run: %lu allocations in the scenario's thread, %lu in others\n",
	    total[T_MAIN], total[T_OTHER]);

	for (int cls = T_MAIN; cls <= T_OTHER; cls++) {
		unsigned long n = 1;
		if (step == 0)
			step = 1;
		while (max == 0 || n <= max) {
			runs++;
			if (one_run(cls, n))
				break;
			n += step;
		}
		print_message("%s thread: swept N = 1..%lu step %lu%s\n",
		    cls == T_MAIN ? "scenario" : "parser", n, step,
		    max != 0 && n > max ? " (TORTURE_MAX)" : ", the last without a failure");
	}
	print_message("%lu runs with a failed allocation, %lu broke a promise\n", runs - 2, n_bad);
	if (n_bad != 0)
		fail_msg("%lu run(s) broke a promise (above)", n_bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
