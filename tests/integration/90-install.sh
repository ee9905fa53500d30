#!/bin/sh
# 90-install.sh - `make install` as a packager and an administrator use it:
# staged under DESTDIR with PREFIX=/usr, the tree holds the binary, the man
# page, the project's schemas, the documentation, a production configuration
# with absolute paths only (accepted by the installed binary) and a systemd
# unit; a second install keeps the edited configuration and writes the new
# sample beside it. Where systemd-analyze exists, the unit verifies and its
# sandbox exposure is printed.
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}"
cd "$TOP"
w=$(mktemp -d "${TMPDIR:-/tmp}/gw90.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
# -o: the binary under test is taken as it is, never rebuilt here.
inst() { make -s --no-print-directory -o "$GATEWAY" install BIN="$GATEWAY" "$@"; }

d=$w/stage
inst DESTDIR="$d" PREFIX=/usr > "$w/out1" || fail "make install: $(cat "$w/out1")"
for f in usr/bin/gateway usr/share/man/man1/gateway.1 lib/systemd/system/gateway.service \
	etc/gateway/gateway.conf usr/share/gateway/schemas/dimona/Dimona.xsd \
	usr/share/gateway/schemas/dmfa/params.txt usr/share/doc/gateway/gateway.conf \
	usr/share/doc/gateway/operations.md; do
	[ -f "$d/$f" ] || fail "not installed: /$f"
done
[ -x "$d/usr/bin/gateway" ] || fail "the binary is not executable"
[ "$(stat -c %a "$d/etc/gateway/gateway.conf")" = 640 ] || fail "the configuration is not 0640"
grep -q "@[A-Z]*@" "$d/etc/gateway/gateway.conf" "$d/lib/systemd/system/gateway.service" &&
	fail "a placeholder was left: $(grep -h "@[A-Z]*@" "$d/etc/gateway/gateway.conf" "$d/lib/systemd/system/gateway.service")"
grep -q "^ExecStart=/usr/bin/gateway --config /etc/gateway/gateway.conf" "$d/lib/systemd/system/gateway.service" ||
	fail "ExecStart: $(grep ExecStart "$d/lib/systemd/system/gateway.service")"
for k in NoNewPrivileges=yes PrivateTmp=yes ProtectSystem=strict StateDirectory=gateway; do
	grep -qx "$k" "$d/lib/systemd/system/gateway.service" || fail "the unit lacks $k"
done

# The installed binary accepts the installed configuration, and every path
# it names is absolute (the service must not depend on where it starts).
"$d/usr/bin/gateway" --config "$d/etc/gateway/gateway.conf" config > "$w/config" ||
	fail "the installed configuration is refused"
awk -F '\t' '$1 ~ /(dir|_ca|ca_file|cert|key|dsn|schema|params|outbox|answers)$/ && $5 != "-" && $5 != "" && $5 !~ /^\// {
	print $1 " = " $5; bad = 1 } END { exit bad }' "$w/config" > "$w/relative" ||
	fail "relative paths in the production configuration: $(cat "$w/relative")"
if command -v man > /dev/null 2>&1; then
	# man is an outside reader, not the gateway: run it without the time
	# shift of make check's second pass (libfaketime breaks its pipeline).
	env -u LD_PRELOAD -u FAKETIME MANWIDTH=80 man -l "$d/usr/share/man/man1/gateway.1" 2>/dev/null |
		grep -q "list" ||
		fail "the installed man page does not render"
fi

# A second install keeps the operator's configuration.
echo "# edited by the operator" >> "$d/etc/gateway/gateway.conf"
inst DESTDIR="$d" PREFIX=/usr > "$w/out2"
grep -q "edited by the operator" "$d/etc/gateway/gateway.conf" || fail "the configuration was overwritten"
[ -f "$d/etc/gateway/gateway.conf.new" ] || fail "no .new sample beside the kept configuration"

# The unit against systemd itself: installed for real under a prefix (so
# that ExecStart exists), verified, and its sandbox exposure printed.
if command -v systemd-analyze > /dev/null 2>&1; then
	p=$w/prefix/usr
	inst PREFIX="$p" > /dev/null
	systemd-analyze verify --man=no "$p/lib/systemd/system/gateway.service" > "$w/verify" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$w/verify")"
	exposure=$(systemd-analyze security --offline=yes "$p/lib/systemd/system/gateway.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for gateway.service: \([0-9.]*\).*/\1/p')
	echo "install: systemd-analyze verify ok, sandbox exposure ${exposure:-?} (0 = locked down, 10 = none)"
fi
echo "install: binary, man page, schemas, docs, production configuration (absolute paths, kept on upgrade) and systemd unit"
