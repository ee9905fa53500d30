/*
 * queue/worker.c - who this worker is, for the leases it takes (queue.h).
 *
 * Owns the worker's name: [queue] worker, or <host>:<pid>, unique among the
 * processes sharing a queue as long as names are. Knows whether a lease
 * owner named <this host>:<pid> is gone, so that a restart on the same
 * machine takes a dead process's work over at once instead of waiting for
 * its leases to expire. Must never guess about another machine's workers:
 * those wait for their leases to expire.
 */
#include "queue/queue.h"
#include "core/params.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static char worker_name[QUEUE_OWNER_MAX + 1];

/* This host's name, "localhost" when it has none. */
static void
host_name(char *out, size_t cap)
{
	if (gethostname(out, cap) != 0 || out[0] == '\0')
		snprintf(out, cap, "localhost");
	out[cap - 1] = '\0';
}

/* [queue] worker, or <host>:<pid>, made at each call so that a forked
 * child never carries its parent's pid. */
const char *
queue_worker_name(void)
{
	const char *conf = param_str(P_QUEUE_WORKER);
	if (conf != NULL && conf[0] != '\0')
		return conf;
	char host[48];
	host_name(host, sizeof host);
	snprintf(worker_name, sizeof worker_name, "%s:%ld", host, (long)getpid());
	return worker_name;
}

/* An owner "<this host>:<pid>" whose process no longer exists. */
int
queue_owner_is_dead_local(const char *owner)
{
	char host[48];
	size_t hl;
	host_name(host, sizeof host);
	hl = strlen(host);
	if (owner == NULL || strncmp(owner, host, hl) != 0 || owner[hl] != ':')
		return 0;
	const char *p = owner + hl + 1;
	char *end = NULL;
	errno = 0;
	long pid = strtol(p, &end, 10);
	if (errno != 0 || end == p || *end != '\0' || pid <= 1 || pid == (long)getpid())
		return 0;
	/* EPERM: it exists under another user; only ESRCH says it is gone. */
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}
