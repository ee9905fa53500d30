# pg.sh - sourced by tests that need a PostgreSQL server: a throwaway
# cluster (initdb in a temp folder, a free loopback port, its unix socket in
# that folder, fsync on), stopped and removed by pg_stop.
#
#   pg_available        true when Debian's postgresql (initdb) is installed
#   pg_start            sets PG_DIR, PG_PORT, PG_DSN (database "gateway")
#   pg_restart          pg_ctl restart (connections are cut; the cluster keeps its data)
#   pg_stop             stop the server and remove PG_DIR (call it from the caller's trap)
#   pg_sql SQL          run SQL in the test database, unaligned output
#
# initdb and postgres refuse to run as root: as root, the cluster belongs to
# the unprivileged "postgres" user (Debian's package creates it), or nobody.

pg_bin() {
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pg_available() {
	# The time-shifted pass of make check runs under libfaketime's preload,
	# where the server hangs (seen: test_queue_postgres stuck for 11 minutes);
	# the backend reads no date of its own, so that pass leaves it out.
	if [ -n "${GW_TIMESHIFTED:-}" ]; then
		PG_WHY="not under the time-shifted pass (the server hangs under libfaketime)"
		return 1
	fi
	PG_WHY="no /usr/lib/postgresql/*/bin/initdb (make deps installs it)"
	b=$(pg_bin)
	[ -n "$b" ] && [ -x "$b/initdb" ] && [ -x "$b/pg_ctl" ]
}

# Run a server program as the cluster's owner.
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_OWNER" -- "$@"
	else
		"$@"
	fi
}

pg_ctl_() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 "$@"
}

pg_start() {
	PG_BIN=$(pg_bin)
	[ -n "$PG_BIN" ] || { echo "pg.sh: no /usr/lib/postgresql/*/bin/initdb" >&2; return 1; }
	PG_DIR=$(mktemp -d /tmp/gwpg.XXXXXX) || return 1
	chmod 755 "$PG_DIR"
	PG_OWNER=$(id -un)
	if [ "$(id -u)" -eq 0 ]; then
		PG_OWNER=postgres
		id postgres >/dev/null 2>&1 || PG_OWNER=nobody
		chown "$PG_OWNER" "$PG_DIR"
	fi
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U gateway --auth=trust -E UTF8 --locale=C \
		>"$PG_DIR/initdb.log" 2>&1 || { echo "pg.sh: initdb failed:" >&2; cat "$PG_DIR/initdb.log" >&2; return 1; }
	tries=0
	while :; do
		PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
		# fsync on (the default, said anyway): a test of durability must not run on a server that lies.
		if pg_ctl_ -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=on -c max_connections=60 -c deadlock_timeout=100ms" \
			start >/dev/null 2>&1; then
			break
		fi
		tries=$((tries + 1))
		[ $tries -lt 5 ] || { echo "pg.sh: the server did not start:" >&2; tail -n 20 "$PG_DIR/server.log" >&2; return 1; }
	done
	pg_as "$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U gateway gateway ||
		{ echo "pg.sh: createdb failed" >&2; return 1; }
	PG_DSN="postgresql://gateway@127.0.0.1:$PG_PORT/gateway"
	export PG_DIR PG_PORT PG_DSN PG_BIN PG_OWNER
}

pg_restart() {
	pg_ctl_ -m fast -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=on -c max_connections=60 -c deadlock_timeout=100ms" \
		restart >/dev/null
}

pg_sql() {
	"$PG_BIN/psql" -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U gateway -d gateway -c "$1"
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
	pg_ctl_ -m immediate stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=
}
