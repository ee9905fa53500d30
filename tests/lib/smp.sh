# tests/lib/smp.sh - sourced by the discovery tests: dnsmasq serving
# U-NAPTR records on a loopback port (unprivileged, no DHCP, no upstream),
# and `gateway smp serve`. The NAPTR owner name is computed here with
# Python's hashlib and base64, not by the gateway: an outside oracle.
#
#   smp_zone                       the SML zone the tests use
#   naptr_name ID                  base32(sha256(lowercase(ID))) + ".iso6523-actorid-upis." + zone
#   free_port                      a free loopback port (UDP and TCP)
#   dns_start DIR PORT ID=URL...   dnsmasq on 127.0.0.1:PORT, one U-NAPTR record (Meta:SMP) per ID;
#                                  its pid in DIR/dns.pid
#   dns_stop DIR

smp_zone=participant.sml.test.tech.peppol.org

naptr_name() {
	python3 -c 'import sys,hashlib,base64
print(base64.b32encode(hashlib.sha256(sys.argv[1].lower().encode()).digest()).decode().lower().rstrip("=") + ".iso6523-actorid-upis." + sys.argv[2])' "$1" "$smp_zone"
}

free_port() {
	python3 -c 'import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: u.close(); t.close()'
}

dns_start() {
	_dir=$1 _port=$2; shift 2
	set -- "$@"
	_args=""
	for _r in "$@"; do
		_id=${_r%%=*} _url=${_r#*=}
		_args="$_args --naptr-record=$(naptr_name "$_id"),100,10,U,Meta:SMP,!^.*\$!$_url!"
	done
	# --user: stay who we are (dnsmasq would switch to nobody when root);
	# --local: answer the zone ourselves, NXDOMAIN for the rest of it.
	# shellcheck disable=SC2086
	dnsmasq --keep-in-foreground --port="$_port" --listen-address=127.0.0.1 --bind-interfaces \
		--no-resolv --no-hosts --no-poll --local="/$smp_zone/" --local-ttl=60 \
		--user="$(id -un)" --pid-file="$_dir/dnsmasq.pid" --log-facility="$_dir/dns.log" \
		--log-queries $_args &
	echo $! > "$_dir/dns.pid"
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
		grep -q 'started' "$_dir/dns.log" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "dnsmasq did not start: $(cat "$_dir/dns.log" 2>/dev/null)"
	return 1
}

dns_stop() {
	[ -f "$1/dns.pid" ] && kill "$(cat "$1/dns.pid")" 2>/dev/null
	rm -f "$1/dns.pid"
}
