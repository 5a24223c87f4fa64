"""Where the ArduPilot SITL binaries and their default parameters are, from the environment.

``scripts/hil.sh`` sets these (docs/hil.md); they can also be set by hand:

==============================  =============================================================
``ARDUPILOT_DIR``               an ArduPilot checkout with a SITL build: binaries in
                                ``build/sitl/bin``, defaults in ``Tools/autotest/default_params``
``ARDUPILOT_SITL``              ``arducopter`` (quad)
``ARDUPILOT_SITL_DEFAULTS``     its defaults, ``copter.parm`` (comma-separated list allowed)
``ARDUROVER_SITL``              ``ardurover`` (motorboat)
``ARDUROVER_SITL_DEFAULTS``     ``rover.parm,motorboat.parm``
``ARDUCOPTER_HELI_SITL``        ``arducopter-heli`` (``./waf heli``)
``ARDUCOPTER_HELI_SITL_DEFAULTS``  ``copter-heli.parm``
``ARDUPILOT_SITL_SPEEDUP``      SITL ``--speedup`` (default 5)
==============================  =============================================================

A binary set explicitly wins over the checkout's. Defaults are required: without
``copter.parm`` (FRAME_CLASS) a copter repeats "PreArm: Motors: Check frame class and
type" and never arms, so a SITL with no defaults is refused before it starts. When only a
binary is given and it lies in a checkout's ``build/sitl/bin``, that checkout's defaults are
used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SPEEDUP = 5.0


@dataclass(frozen=True, slots=True)
class ModelSpec:
    binary: str                       # name in build/sitl/bin
    sitl_model: str                   # SITL --model
    defaults: tuple[str, ...]         # in Tools/autotest/default_params
    optional: tuple[str, ...] = ()    # used when the checkout has them
    binary_env: str = ""
    defaults_env: str = ""
    waf_target: str = ""


MODELS: dict[str, ModelSpec] = {
    "quad": ModelSpec("arducopter", "quad", ("copter.parm",), (),
                      "ARDUPILOT_SITL", "ARDUPILOT_SITL_DEFAULTS", "copter"),
    "heli": ModelSpec("arducopter-heli", "heli", ("copter-heli.parm",), (),
                      "ARDUCOPTER_HELI_SITL", "ARDUCOPTER_HELI_SITL_DEFAULTS", "heli"),
    # SITL's motorboat: sim_vehicle.py loads rover.parm then motorboat.parm (FRAME_CLASS 2)
    "motorboat": ModelSpec("ardurover", "motorboat", ("rover.parm",), ("motorboat.parm",),
                           "ARDUROVER_SITL", "ARDUROVER_SITL_DEFAULTS", "rover"),
}


class SitlConfigError(RuntimeError):
    """SITL is asked for but something it needs is missing; the message says what to set."""


@dataclass(frozen=True, slots=True)
class SitlTarget:
    model: str
    sitl_model: str
    binary: Path
    defaults: tuple[Path, ...]


def sitl_configured(env: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment points at SITL at all (else the SITL backend is skipped)."""
    return any(env.get(name) for name in (
        "ARDUPILOT_DIR", *(spec.binary_env for spec in MODELS.values())))


def sitl_speedup(env: Mapping[str, str] = os.environ) -> float:
    return float(env.get("ARDUPILOT_SITL_SPEEDUP") or DEFAULT_SPEEDUP)


def sitl_required(env: Mapping[str, str] = os.environ) -> bool:
    return env.get("FLEET_HIL_REQUIRE_SITL", "") not in ("", "0")


def _checkout_of(binary: Path) -> Path | None:
    """The checkout a ``build/sitl/bin/<binary>`` belongs to, if it is one."""
    parts = binary.resolve().parts
    if len(parts) >= 4 and parts[-4:-1] == ("build", "sitl", "bin"):
        return Path(*parts[:-4])
    return None


def sitl_target(model: str, env: Mapping[str, str] = os.environ) -> SitlTarget:
    """The binary and defaults for ``model``, checked; SitlConfigError says what is wrong."""
    if model not in MODELS:
        raise SitlConfigError(f"no SITL model {model!r} (have {', '.join(MODELS)})")
    spec = MODELS[model]
    checkout = Path(env["ARDUPILOT_DIR"]).expanduser() if env.get("ARDUPILOT_DIR") else None
    if env.get(spec.binary_env):
        binary = Path(env[spec.binary_env]).expanduser()
        checkout = checkout or _checkout_of(binary)
    elif checkout is not None:
        binary = checkout / "build" / "sitl" / "bin" / spec.binary
    else:
        raise SitlConfigError(
            f"SITL {model}: set {spec.binary_env} to the {spec.binary} binary or "
            f"ARDUPILOT_DIR to an ArduPilot checkout with a SITL build")
    if not binary.is_file():
        raise SitlConfigError(
            f"SITL {model}: {binary} does not exist (build it in the ArduPilot checkout: "
            f"./waf configure --board sitl && ./waf {spec.waf_target})")
    if not os.access(binary, os.X_OK):
        raise SitlConfigError(f"SITL {model}: {binary} is not executable")
    return SitlTarget(model, spec.sitl_model, binary, _defaults(model, spec, checkout, env))


def _defaults(model: str, spec: ModelSpec, checkout: Path | None,
              env: Mapping[str, str]) -> tuple[Path, ...]:
    if env.get(spec.defaults_env):
        files = tuple(Path(p).expanduser() for p in env[spec.defaults_env].split(",") if p)
    elif checkout is not None:
        folder = checkout / "Tools" / "autotest" / "default_params"
        files = tuple(folder / name for name in spec.defaults)
        files += tuple(folder / name for name in spec.optional if (folder / name).is_file())
    else:
        raise SitlConfigError(
            f"SITL {model}: no default parameters: set {spec.defaults_env} to "
            f"Tools/autotest/default_params/{spec.defaults[0]} (without them "
            "ArduPilot refuses to arm: FRAME_CLASS is unset)")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise SitlConfigError(f"SITL {model}: default parameters not found: {', '.join(missing)}")
    return files
