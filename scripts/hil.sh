#!/usr/bin/env bash
# Hardware in the loop: run tests/hil against ArduPilot SITL built from *your* checkout.
#
#   make hil ARDUPILOT_DIR=~/ardupilot                 # binaries already built there
#   make hil ARDUPILOT_DIR=~/ardupilot HIL_BUILD=1     # ./waf configure --board sitl; ./waf copter rover
#   make hil ARDUPILOT_SITL=.../arducopter ARDUPILOT_SITL_DEFAULTS=.../copter.parm \
#            ARDUROVER_SITL=.../ardurover ARDUROVER_SITL_DEFAULTS=.../rover.parm,.../motorboat.parm
#
# Everything is checked before a test starts (binaries present and runnable, default
# parameters present); then pytest runs with FLEET_HIL_REQUIRE_SITL=1, so a SITL test
# that cannot run fails instead of skipping. Arguments go to pytest (-k, -x, ...).
# Other knobs: ARDUPILOT_SITL_SPEEDUP (5), HIL_WAF_TARGETS ("copter rover"),
# HIL_WAF_CONFIGURE_ARGS (e.g. --no-submodule-update), HIL_BUILD_PYTHON (python3).
# See docs/hil.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
BUILD_DEPS="empy==3.3.4 pexpect future setuptools pymavlink lxml dronecan"

die() {
    echo "hil: $*" >&2
    exit 2
}

if [ -z "${ARDUPILOT_DIR:-}" ] && [ -z "${ARDUPILOT_SITL:-}" ] && [ -z "${ARDUROVER_SITL:-}" ]; then
    die "say where ArduPilot is: ARDUPILOT_DIR=<checkout> (add HIL_BUILD=1 to build SITL there),
     or ARDUPILOT_SITL=<arducopter> and ARDUROVER_SITL=<ardurover> with their *_DEFAULTS"
fi
if [ -n "${ARDUPILOT_DIR:-}" ]; then
    [ -d "$ARDUPILOT_DIR" ] || die "ARDUPILOT_DIR=$ARDUPILOT_DIR is not a directory"
    ARDUPILOT_DIR=$(cd "$ARDUPILOT_DIR" && pwd)
fi

# -- build, only when asked, in the user's checkout, with its own waf -------------------
if [ "${HIL_BUILD:-0}" = 1 ]; then
    [ -n "${ARDUPILOT_DIR:-}" ] || die "HIL_BUILD=1 needs ARDUPILOT_DIR, the checkout to build in"
    [ -f "$ARDUPILOT_DIR/waf" ] || die "$ARDUPILOT_DIR/waf not found: not an ArduPilot checkout"
    build_python=${HIL_BUILD_PYTHON:-python3}
    if ! "$build_python" - <<'EOF'
import sys
missing = []
for module in ("em", "pexpect", "future", "setuptools", "pymavlink", "lxml", "dronecan"):
    try:
        m = __import__(module)
    except ImportError:
        missing.append(module)
        continue
    if module == "em" and not getattr(m, "__version__", "3").startswith("3."):
        missing.append(f"empy==3.3.4 (found {m.__version__}; empy 4 breaks the build)")
sys.exit(f"missing: {', '.join(missing)}" if missing else 0)
EOF
    then
        die "ArduPilot's build needs these Python packages for $build_python:
     $BUILD_DEPS
     e.g. python3 -m venv ~/ap-venv && ~/ap-venv/bin/pip install $BUILD_DEPS
     then HIL_BUILD_PYTHON=~/ap-venv/bin/python"
    fi
    echo "hil: building SITL in $ARDUPILOT_DIR (./waf configure --board sitl; ./waf ${HIL_WAF_TARGETS:-copter rover})"
    # shellcheck disable=SC2086  # word splitting of the optional flags and targets is meant
    (cd "$ARDUPILOT_DIR" &&
        "$build_python" ./waf configure --board sitl ${HIL_WAF_CONFIGURE_ARGS:-} &&
        "$build_python" ./waf ${HIL_WAF_TARGETS:-copter rover}) ||
        die "the SITL build failed in $ARDUPILOT_DIR (see waf's output above)"
fi

# -- find the binaries and their default parameters ---------------------------------------
checkout_of() {  # .../build/sitl/bin/<binary> -> the checkout, else nothing
    local dir
    dir=$(cd "$(dirname "$1")" 2>/dev/null && pwd) || return 0
    case "$dir" in */build/sitl/bin) echo "${dir%/build/sitl/bin}" ;; esac
}
bin_dir=${ARDUPILOT_DIR:+$ARDUPILOT_DIR/build/sitl/bin}
ARDUPILOT_SITL=${ARDUPILOT_SITL:-${bin_dir:+$bin_dir/arducopter}}
ARDUROVER_SITL=${ARDUROVER_SITL:-${bin_dir:+$bin_dir/ardurover}}
[ -n "$ARDUPILOT_SITL" ] || die "ARDUPILOT_SITL is not set (the arducopter binary)"
[ -n "$ARDUROVER_SITL" ] || die "ARDUROVER_SITL is not set (the ardurover binary, for the boat)"
checkout=${ARDUPILOT_DIR:-$(checkout_of "$ARDUPILOT_SITL")}
params=${checkout:+$checkout/Tools/autotest/default_params}

if [ -z "${ARDUPILOT_SITL_DEFAULTS:-}" ]; then
    [ -n "$params" ] || die "ARDUPILOT_SITL_DEFAULTS is not set: give Tools/autotest/default_params/copter.parm
     (without it a copter never arms: PreArm: Motors: Check frame class and type)"
    ARDUPILOT_SITL_DEFAULTS=$params/copter.parm
fi
if [ -z "${ARDUROVER_SITL_DEFAULTS:-}" ]; then
    [ -n "$params" ] || die "ARDUROVER_SITL_DEFAULTS is not set: give default_params/rover.parm,motorboat.parm"
    ARDUROVER_SITL_DEFAULTS=$params/rover.parm
    if [ -f "$params/motorboat.parm" ]; then
        ARDUROVER_SITL_DEFAULTS=$ARDUROVER_SITL_DEFAULTS,$params/motorboat.parm
    fi
fi
if [ -z "${ARDUCOPTER_HELI_SITL:-}" ] && [ -n "$bin_dir" ] && [ -x "$bin_dir/arducopter-heli" ]; then
    ARDUCOPTER_HELI_SITL=$bin_dir/arducopter-heli  # optional: ./waf heli
    ARDUCOPTER_HELI_SITL_DEFAULTS=${ARDUCOPTER_HELI_SITL_DEFAULTS:-$params/copter-heli.parm}
fi

check_binary() {  # name path
    [ -f "$2" ] || die "$1: $2 does not exist (build it: ./waf configure --board sitl && ./waf copter rover, or HIL_BUILD=1)"
    [ -x "$2" ] || die "$1: $2 is not executable"
    local status=0
    "$2" --help >/dev/null 2>&1 </dev/null || status=$?
    if [ "$status" -ge 126 ]; then
        die "$1: $2 does not run on this machine (exit status $status)"
    fi
}
check_defaults() {  # name comma-separated-paths
    local file
    IFS=, read -r -a files <<<"$2"
    for file in "${files[@]}"; do
        [ -f "$file" ] || die "$1: default parameters $file not found"
    done
}
check_binary ARDUPILOT_SITL "$ARDUPILOT_SITL"
check_defaults ARDUPILOT_SITL_DEFAULTS "$ARDUPILOT_SITL_DEFAULTS"
check_binary ARDUROVER_SITL "$ARDUROVER_SITL"
check_defaults ARDUROVER_SITL_DEFAULTS "$ARDUROVER_SITL_DEFAULTS"
if [ -n "${ARDUCOPTER_HELI_SITL:-}" ]; then
    check_binary ARDUCOPTER_HELI_SITL "$ARDUCOPTER_HELI_SITL"
    check_defaults ARDUCOPTER_HELI_SITL_DEFAULTS "${ARDUCOPTER_HELI_SITL_DEFAULTS:-}"
fi
speedup=${ARDUPILOT_SITL_SPEEDUP:-5}
[[ "$speedup" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "ARDUPILOT_SITL_SPEEDUP=$speedup is not a number"
[ -x "$PYTHON" ] || die "$PYTHON not found: run make first (it creates .venv)"

echo "hil: copter $ARDUPILOT_SITL ($ARDUPILOT_SITL_DEFAULTS)"
echo "hil: boat   $ARDUROVER_SITL ($ARDUROVER_SITL_DEFAULTS)"
echo "hil: speed-up $speedup"
export ARDUPILOT_SITL ARDUPILOT_SITL_DEFAULTS ARDUROVER_SITL ARDUROVER_SITL_DEFAULTS
export ARDUCOPTER_HELI_SITL ARDUCOPTER_HELI_SITL_DEFAULTS
export ARDUPILOT_SITL_SPEEDUP=$speedup FLEET_HIL_REQUIRE_SITL=1
[ -z "${ARDUPILOT_DIR:-}" ] || export ARDUPILOT_DIR
cd "$ROOT"
exec "$PYTHON" -m pytest tests/hil -v -rs "$@"
