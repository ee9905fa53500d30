/* test_http_server.c - the embedded server's threading: handlers that
 * block (the intake API waits for its group commit) must not hold other
 * clients back. Eight clients call a route whose handler waits until all
 * eight are inside it at once; with a pool of four threads, each polling
 * many connections, no more than four ever were (the intake API then made
 * groups of at most four requests). The handler's wait is bounded only so
 * that a regression fails instead of hanging; nothing here measures time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "service/http_server.h"

#define CLIENTS 8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int inside, peak, entered;

/* Wait until CLIENTS handlers have entered (or 20 s passed), then answer. */
static void
meet(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	(void)ctx;
	(void)rq;
	int64_t until = clock_monotonic_ms() + 20000;
	pthread_mutex_lock(&mu);
	inside++;
	entered++;
	if (inside > peak)
		peak = inside;
	while (entered < CLIENTS && clock_monotonic_ms() < until) {
		pthread_mutex_unlock(&mu);
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&mu);
	}
	inside--;
	pthread_mutex_unlock(&mu);
	http_reply(rs, 200, "text/plain", "met\n");
}

static int port;

/* One client: a GET on its own connection, the answer read to its end. */
static void *
client(void *arg)
{
	int *ok = arg;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char buf[512];
	size_t got = 0;
	ssize_t r;
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return NULL;
	const char *req = "GET /meet HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
	if (write(fd, req, strlen(req)) == (ssize_t)strlen(req))
		while (got < sizeof buf - 1 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
			got += (size_t)r;
	buf[got] = '\0';
	*ok = strncmp(buf, "HTTP/1.1 200", 12) == 0 && strstr(buf, "met") != NULL;
	close(fd);
	return NULL;
}

static void
test_blocked_handlers_run_side_by_side(void **state)
{
	(void)state;
	static const struct http_route routes[] = { { "GET", "/meet", 1, meet, NULL } };
	struct http_server_opts o = { .listen = "127.0.0.1", .port = 0 };
	struct http_server *s;
	char err[256];
	assert_int_equal(http_server_start(&s, &o, routes, 1, err, sizeof err), GW_OK);
	port = http_server_port(s);
	pthread_t th[CLIENTS];
	int ok[CLIENTS] = { 0 };
	for (int i = 0; i < CLIENTS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, client, &ok[i]), 0);
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(th[i], NULL);
		assert_true(ok[i]);
	}
	http_server_stop(s);
	assert_int_equal(entered, CLIENTS);
	assert_int_equal(peak, CLIENTS);    /* all eight waited in their handlers together */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocked_handlers_run_side_by_side),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
