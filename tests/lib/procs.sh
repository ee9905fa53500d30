# tests/lib/procs.sh - sourced by the scripts that start servers in the
# background: nothing they start may outlive them.
#
#   no_leftovers DIR   after the script's cleanup killed and waited for what
#                      it started: the processes whose command line names
#                      DIR (every server a script starts is given a file under
#                      its temporary directory: port file, queue, pid file)
#                      must be gone. Those still there are named, killed and
#                      the call fails (return 1).
#
# Why by DIR and not by the pids kept: a function started with `&` is a
# subshell, so $! is the subshell's pid, and killing it leaves the server it
# runs behind (dash does not pass the signal on). The kept pid is then gone
# while the server is not; only its command line still tells it apart.
# Start a server through a function as `(GW_EXEC=exec; fn ARGS) &` with the
# function running `${GW_EXEC-} "$GATEWAY" ...`: the server replaces the
# subshell and $! is its own pid.

no_leftovers() {
	command -v pgrep >/dev/null || { echo "FAIL: pgrep missing (make deps: procps)"; return 1; }
	_left=$(pgrep -f -- "$1/") || return 0
	echo "FAIL: still running after the test's cleanup (started under $1):"
	for _p in $_left; do
		echo "  $_p $(ps -o args= -p "$_p" 2>/dev/null | cut -c1-200)"
	done
	# shellcheck disable=SC2086
	kill $_left 2>/dev/null
	return 1
}
