#!/bin/sh
# Installs the Debian packages the gateway needs to build, test and demo.
# A no-op when every package is already there; apt-get update runs only when
# something is missing, so repeated `make check` calls stay fast.
set -eu
pkgs="build-essential pkg-config clang libclang-rt-14-dev
libxml2-dev libxml2-utils libxmlsec1-dev libssl-dev openssl libcurl4-openssl-dev
libsqlite3-dev sqlite3 libpq-dev postgresql libjansson-dev libmicrohttpd-dev libgnutls28-dev
libcmocka-dev libc-ares-dev openssh-server openssh-client dnsmasq-base zlib1g-dev
faketime tzdata chromium softhsm2 libengine-pkcs11-openssl procps"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
