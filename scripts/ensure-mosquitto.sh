#!/bin/sh
# Make sure the Mosquitto broker binary exists (the tests start their own instances, and
# `make demo` runs a closed one: docs/mqtt.md, Security), with mosquitto_passwd (in the
# same package), and its command-line clients (the MQTT tests publish OwnTracks payloads
# with mosquitto_pub, as a phone's gateway script would).
set -eu
have_broker() { command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; }
have_clients() { command -v mosquitto_pub >/dev/null 2>&1; }
if have_broker && have_clients; then
    exit 0
fi
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
echo "installing Debian's mosquitto and mosquitto-clients (the demo and the tests run a real broker)" >&2
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto mosquitto-clients
