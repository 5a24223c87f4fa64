#!/bin/sh
# Create .venv with the system python3 and install fleet with its test extras.
# On Debian, python3 without the python3-venv package cannot make a venv: install it
# (with sudo when not root) and try again.
set -eu
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        echo "python3 cannot create a venv here; installing Debian's python3-venv" >&2
        ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv \
            || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python$ver-venv"
        "$PY" -m venv "$VENV"
    fi
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e '.[test]'
