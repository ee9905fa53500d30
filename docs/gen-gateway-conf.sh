#!/bin/sh
# Writes docs/gateway.conf, the reference configuration, from the per-area
# fragments in docs/config/ (each area documents its own keys next to its
# code's owners). tests/integration/01-config-doc.sh checks it is current.
set -eu
cd "$(dirname "$0")"
{
	echo "# gateway.conf - every configuration key of the gateway, with its default."
	echo "#"
	echo "# Generated from docs/config/*.conf by docs/gen-gateway-conf.sh; edit those."
	echo "# Format: [section] headers, key = value, '#' comments. A key is"
	echo "# addressed as section.key, e.g. --set queue.dsn=/srv/gateway/queue.db."
	echo "# A commented key shows its default; an uncommented one is set to its"
	echo "# default explicitly. Use: gateway --config FILE COMMAND."
	for f in config/*.conf; do
		echo
		echo "# ---- $(basename "$f" .conf) ----"
		cat "$f"
	done
} > gateway.conf
