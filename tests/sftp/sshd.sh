# tests/sftp/sshd.sh - a real OpenSSH sshd on loopback, SFTP only, for the
# ONSS batch channel tests and the demo. Source it, then:
#
#   sftp_start            starts sshd on a free port (sshd takes no port 0: a
#                         port found free is tried, and sshd's own "listening"
#                         line is waited for; a port taken meanwhile by another
#                         run makes sshd exit, and the next port is tried, so
#                         two test runs can run at once); sets SFTP_PORT, SFTP_ROOT
#                         (the folder the ONSS side sees: IN, INTEST, INTEST-S,
#                         OUT, OUTTEST, OUTTEST-S), SFTP_USER, SFTP_URL (the
#                         sftp:// base the gateway uses), SFTP_HOST_SHA256 (the
#                         pinned host key), SFTP_KEY (client private key)
#   sftp_pause            kills sshd only (the network "goes away"; files stay)
#   sftp_resume           starts it again on the same port with the same config
#   sftp_stop             kills it and removes everything it made
#
# Everything lives in one temporary folder; the caller's trap must call
# sftp_stop. The host and client keys come from certs/out/ssh (the test PKI).
#
# Account: as root (CI), sshd logs in as root but only with the generated
# client key (AuthorizedKeysFile in the temp folder), only over loopback,
# with ForceCommand internal-sftp (no shell, no forwarding, no tty) and a
# ChrootDirectory on the temp folder: the session sees nothing else. No
# system user is created, so nothing outside the temp folder changes except
# sshd's privilege-separation folder /run/sshd, which sshd needs to start.
# As another user, sshd runs unprivileged and only that user can log in
# (no chroot is possible there; ForceCommand still limits it to SFTP).
#
# Needs: TOP (the checkout). Uses python3 or a bind probe only to find a port.

sftp_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Whether every component of $1 is root-owned and not group/other-writable
# (what sshd demands of a ChrootDirectory).
sftp_chroot_ok() {
	p=$1
	while [ -n "$p" ] && [ "$p" != "/" ]; do
		o=$(stat -c '%u' "$p" 2>/dev/null) || return 1
		m=$(stat -c '%a' "$p" 2>/dev/null) || return 1
		[ "$o" = 0 ] || return 1
		[ $(( 0$m & 022 )) -eq 0 ] || return 1
		p=$(dirname "$p")
	done
	return 0
}

# The sshd configuration for $SFTP_PORT, in $SFTP_CFG.
sftp_write_config() {
	{
		echo "Port $SFTP_PORT"
		echo "ListenAddress 127.0.0.1"
		echo "HostKey $SFTP_TMP/etc/host_ed25519"
		echo "PidFile $SFTP_TMP/sshd.pid"
		echo "AuthorizedKeysFile $SFTP_TMP/etc/authorized_keys"
		echo "AllowUsers $SFTP_USER"
		echo "PubkeyAuthentication yes"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "UsePAM no"
		echo "StrictModes no"
		echo "AllowTcpForwarding no"
		echo "AllowAgentForwarding no"
		echo "X11Forwarding no"
		echo "PermitTTY no"
		echo "PermitTunnel no"
		echo "Subsystem sftp internal-sftp"
		echo "ForceCommand internal-sftp"
		echo "LogLevel VERBOSE"
		if [ "$uid" = 0 ]; then
			echo "PermitRootLogin prohibit-password"
			echo "ChrootDirectory $SFTP_ROOT"
		fi
	} > "$SFTP_CFG"
}

sftp_start() {
	: "${TOP:?TOP must name the checkout}"
	ssh_keys="$TOP/certs/out/ssh"
	[ -f "$ssh_keys/host_ed25519" ] || { echo "sftp_start: no test PKI (sh certs/gen-test-pki.sh)" >&2; return 1; }
	SSHD=${SSHD:-/usr/sbin/sshd}
	[ -x "$SSHD" ] || { echo "sftp_start: $SSHD missing (apt-get install openssh-server)" >&2; return 1; }
	uid=$(id -u)
	base=""
	if [ "$uid" = 0 ]; then
		for cand in "$TOP/${BUILD:-build}" /run /var/lib; do
			mkdir -p "$cand" 2>/dev/null
			if sftp_chroot_ok "$cand"; then base=$cand; break; fi
		done
		[ -n "$base" ] || { echo "sftp_start: no root-owned folder for the chroot" >&2; return 1; }
		mkdir -p /run/sshd && chmod 755 /run/sshd
	else
		base=${TMPDIR:-/tmp}
	fi
	SFTP_TMP=$(mktemp -d "$base/gw-sftp.XXXXXX") || return 1
	chmod 755 "$SFTP_TMP"
	SFTP_ROOT="$SFTP_TMP/root"
	mkdir -p "$SFTP_ROOT" "$SFTP_TMP/etc"
	chmod 755 "$SFTP_ROOT"
	for d in IN INTEST INTEST-S OUT OUTTEST OUTTEST-S; do mkdir -p "$SFTP_ROOT/$d"; done
	cp "$ssh_keys/host_ed25519" "$SFTP_TMP/etc/host_ed25519"
	chmod 600 "$SFTP_TMP/etc/host_ed25519"
	cp "$ssh_keys/client_ed25519.pub" "$SFTP_TMP/etc/authorized_keys"
	chmod 644 "$SFTP_TMP/etc/authorized_keys"
	SFTP_KEY="$ssh_keys/client_ed25519"
	SFTP_USER=$(id -un)
	SFTP_CFG="$SFTP_TMP/etc/sshd_config"
	tries=0
	while :; do
		SFTP_PORT=$(sftp_free_port)
		sftp_write_config
		"$SSHD" -t -f "$SFTP_CFG" || { echo "sftp_start: sshd refuses the generated config" >&2; return 1; }
		sftp_run
		case $? in
		0) break ;;
		2) tries=$((tries + 1)); [ $tries -lt 10 ] || { echo "sftp_start: no free port after $tries tries" >&2; return 1; } ;;
		*) return 1 ;;
		esac
	done
	if [ "$uid" = 0 ]; then SFTP_URL="sftp://127.0.0.1:$SFTP_PORT/"
	else SFTP_URL="sftp://127.0.0.1:$SFTP_PORT$SFTP_ROOT/"; fi
	SFTP_HOST_SHA256=$(ssh-keygen -l -E sha256 -f "$ssh_keys/host_ed25519.pub" | awk '{print $2}' | sed 's/^SHA256://')
	export SFTP_PORT SFTP_ROOT SFTP_USER SFTP_URL SFTP_HOST_SHA256 SFTP_KEY SFTP_PID SFTP_TMP
}

# Start sshd on $SFTP_PORT with $SFTP_CFG and wait until sshd itself says it
# listens there (no fixed sleep; a bound port is not proof, another run's
# sshd could hold it). Returns 2 when sshd could not bind the port.
sftp_run() {
	n0=$(cat "$SFTP_TMP/sshd.log" 2>/dev/null | wc -l)
	"$SSHD" -D -e -f "$SFTP_CFG" 2>>"$SFTP_TMP/sshd.log" &
	SFTP_PID=$!
	i=0
	until tail -n +$((n0 + 1)) "$SFTP_TMP/sshd.log" | grep -q "Server listening on 127.0.0.1 port $SFTP_PORT\."; do
		i=$((i + 1))
		if ! kill -0 "$SFTP_PID" 2>/dev/null; then
			wait "$SFTP_PID" 2>/dev/null; SFTP_PID=""
			tail -n +$((n0 + 1)) "$SFTP_TMP/sshd.log" | grep -q "Bind to port $SFTP_PORT .* failed\|Cannot bind any address" && return 2
			echo "sftp: sshd did not start:" >&2; tail -n 20 "$SFTP_TMP/sshd.log" >&2
			return 1
		fi
		if [ $i -gt 100 ]; then
			echo "sftp: sshd did not start:" >&2; tail -n 20 "$SFTP_TMP/sshd.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

sftp_pause() {
	[ -n "${SFTP_PID:-}" ] && kill "$SFTP_PID" 2>/dev/null && wait "$SFTP_PID" 2>/dev/null
	SFTP_PID=""
}

sftp_resume() {
	sftp_run
}

sftp_stop() {
	if [ -n "${SFTP_PID:-}" ]; then
		kill "$SFTP_PID" 2>/dev/null
		wait "$SFTP_PID" 2>/dev/null
		SFTP_PID=""
	fi
	if [ -n "${SFTP_TMP:-}" ] && [ -d "$SFTP_TMP" ]; then
		rm -rf "$SFTP_TMP"
		SFTP_TMP=""
	fi
}
