"""Run simulated ArduCopter drones (or ArduRover boats and rovers).

  python -m simulators drone --count 10 --speedup 5 --fast-boot --tcp-base 5760
  python -m simulators drone --count 50 --udpout 127.0.0.1:14550 --home 26.89,112.57,60
  python -m simulators drone --profile motorboat --count 2 --home 26.88,112.61,50

Each instance serves MAVLink 2 on its own TCP port (5760 + 10*i, like SITL's -I) or sends to a
UDP peer and reads the replies on the same socket. Ctrl-C or SIGTERM stops cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import signal
import sys
from pathlib import Path

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from .config import FAST_BOOT, PROFILES, SITL_BOOT, FleetConfig, Home
from .faults import FaultConfig
from .fleet_sim import DroneFleetSim

PARAM_NAMES = {s.name for p in PROFILES.values() for s in p.specs}


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("expected HOST:PORT")
    return host, int(port)


def _pair(text: str) -> tuple[float, float | None]:
    at, _, rest = text.partition(":")
    return float(at), (float(rest) if rest else None)


def _command(text: str) -> int:
    if text.isdigit():
        return int(text)
    name = text.upper()
    name = name if name.startswith("MAV_CMD_") else "MAV_CMD_" + name
    value = getattr(mavlink2, name, None)
    if not isinstance(value, int):
        raise argparse.ArgumentTypeError(f"unknown command {text!r}")
    return value


def _param(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if name not in PARAM_NAMES:             # the profile's own table is checked by FleetConfig
        raise argparse.ArgumentTypeError(f"unknown parameter {name!r}")
    return name, float(value)


def signing_key(text: str) -> bytes:
    """64 hex digits are the key itself; anything else is a passphrase (SHA-256, as MAVProxy)."""
    try:
        if len(text) == 64:
            return bytes.fromhex(text)
    except ValueError:
        pass
    return hashlib.sha256(text.encode()).digest()


def read_parm_file(path: Path, names: set[str]) -> dict[str, float]:
    """ArduPilot .parm: ``NAME VALUE`` or ``NAME,VALUE`` per line, # comments; other names
    than ``names`` (the parameters simulated) are skipped."""
    out: dict[str, float] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, value = line.replace(",", " ").split()[:2]
        if name in names:
            out[name] = float(value)
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("fleet")
    g.add_argument("--count", type=int, default=1, help="number of instances (default 1)")
    g.add_argument("--sysid-base", type=int, default=1, help="sysid of instance 0 (default 1)")
    g.add_argument("--speedup", type=float, default=1.0, help="sim time / wall time (default 1)")
    g.add_argument("--home", type=Home.parse, default=FleetConfig.home,
                   help="LAT,LON[,ALT[,YAW]] of instance 0 (default SITL's CMAC)")
    g.add_argument("--spacing", type=float, default=5.0, help="metres between instances")
    g.add_argument("--profile", choices=sorted(PROFILES), default="quad")
    g.add_argument("--fast-boot", action="store_true",
                   help="ready to fly within 1.5 sim s instead of SITL's ~41 s")
    g.add_argument("--boot-scale", type=float, default=None,
                   help="multiply SITL's readiness delays by this factor")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--wind", type=float, default=0.0, help="mean wind speed, m/s")
    g.add_argument("--position-noise", type=float, default=0.0, help="position noise sigma, m")
    g.add_argument("--param", type=_param, action="append", default=[], metavar="NAME=VALUE",
                   help="parameter override (repeatable), e.g. FS_GCS_ENABLE=1")
    g.add_argument("--params", type=Path, help="ArduPilot .parm file of overrides")
    g.add_argument("--rc-throttle", type=int, default=None,
                   help="throttle stick PWM without RC override (SITL: copter 1000, rover 1500; "
                        "1500 holds a copter's height)")
    e = p.add_argument_group("endpoints (one of)")
    e.add_argument("--tcp-base", type=int, default=None,
                   help="serve TCP on PORT + 10*i (default 5760; 0 = OS-chosen ports)")
    e.add_argument("--tcp-host", default="127.0.0.1")
    e.add_argument("--udpout", type=_host_port, help="all instances send to HOST:PORT")
    e.add_argument("--udpout-base", type=_host_port, help="instance i sends to HOST:PORT+i")
    s = p.add_argument_group("signing")
    s.add_argument("--signing-key", type=signing_key, help="64 hex digits or a passphrase")
    s.add_argument("--allow-unsigned", action="store_true",
                   help="accept unsigned packets although signing is on")
    f = p.add_argument_group("fault injection")
    f.add_argument("--loss", type=float, default=0.0, help="frame loss probability, both ways")
    f.add_argument("--duplicate", type=float, default=0.0, help="frame duplication probability")
    f.add_argument("--latency-ms", type=float, default=0.0)
    f.add_argument("--jitter-ms", type=float, default=0.0)
    f.add_argument("--corrupt", type=float, default=0.0, help="probability to flip a sent byte")
    f.add_argument("--garbage", type=float, default=0.0, help="probability to inject junk bytes")
    f.add_argument("--link-drop", type=_pair, metavar="AT:FOR", help="link dead from AT for FOR s")
    f.add_argument("--gps-loss", type=_pair, metavar="AT[:FOR]", help="GPS fix lost at AT s")
    f.add_argument("--battery-drop", type=_pair, metavar="AT:PCT",
                   help="lose PCT %% of the remaining charge at AT s")
    f.add_argument("--ignore-command", type=_command, action="append", default=[],
                   metavar="CMD", help="never answer this MAV_CMD (id or name, repeatable)")
    f.add_argument("--fault-instances", type=lambda s: tuple(int(x) for x in s.split(",")),
                   help="comma-separated instance indexes the faults apply to (default all)")
    f.add_argument("--sysid-collision", action="store_true",
                   help="the last instance claims instance 0's sysid")
    p.add_argument("--log-level", default="WARNING")


def build_config(args: argparse.Namespace) -> FleetConfig:
    boot = FAST_BOOT if args.fast_boot else SITL_BOOT
    if args.boot_scale is not None:
        boot = SITL_BOOT.scaled(args.boot_scale)
    names = {s.name for s in PROFILES[args.profile].specs}
    params = read_parm_file(args.params, names) if args.params else {}
    params.update(dict(args.param))
    faults = FaultConfig(
        loss=args.loss, duplicate=args.duplicate, latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms, corrupt=args.corrupt, garbage=args.garbage,
        link_drop_at_s=args.link_drop[0] if args.link_drop else None,
        link_drop_for_s=(args.link_drop[1] or 10.0) if args.link_drop else 10.0,
        gps_loss_at_s=args.gps_loss[0] if args.gps_loss else None,
        gps_loss_for_s=args.gps_loss[1] if args.gps_loss else None,
        battery_drop_at_s=args.battery_drop[0] if args.battery_drop else None,
        battery_drop_pct=(args.battery_drop[1] or 50.0) if args.battery_drop else 50.0,
        ignore_commands=frozenset(args.ignore_command))
    tcp_base = args.tcp_base
    if tcp_base is None and args.udpout is None and args.udpout_base is None:
        tcp_base = 5760
    return FleetConfig(
        count=args.count, sysid_base=args.sysid_base, home=args.home, spacing_m=args.spacing,
        speedup=args.speedup, profile=args.profile, boot=boot, params=params, seed=args.seed,
        wind_m_s=args.wind, position_noise_m=args.position_noise,
        pilot_throttle_pwm=args.rc_throttle, tcp_base=tcp_base, tcp_host=args.tcp_host,
        udpout=args.udpout, udpout_base=args.udpout_base, faults=faults,
        fault_instances=args.fault_instances, sysid_collision=args.sysid_collision,
        signing_key=args.signing_key, allow_unsigned=args.allow_unsigned)


async def serve(config: FleetConfig) -> None:
    async with DroneFleetSim(config) as sim:
        for inst in sim.instances:
            print(f"instance {inst.index}: sysid {inst.sysid} {inst.description}", flush=True)
        print(f"running {config.count} {config.profile} at speedup {config.speedup:g}; "
              "Ctrl-C stops", flush=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, sim.stop)
        await sim.wait_stopped()
    print("stopped", flush=True)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    try:
        config = build_config(args)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(config))
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0
