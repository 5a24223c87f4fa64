"""``fleet demo``: the simulated Hengyang fleet, a broker and the console, one command.

The simulators run as child processes (``python -m simulators ...``) and meet the core
only on the wire, exactly as real vehicles would: the drones send MAVLink to one UDP
port, the city's 292 vehicles and boats report through the demo broker. Everything is
started on free loopback ports and stopped, by pid, when the demo ends; on Linux the
children also die with fleet if it is killed outright.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from . import children
from .broker import demo_broker, use_broker
from .config import FleetConfig, MavlinkLinkConfig
from .model import Unit, UnitKind

log = logging.getLogger("fleet.demo")


@dataclasses.dataclass(frozen=True, slots=True)
class DroneGroup:
    """Consecutive MAVLink ids flying from one base: one simulator process."""

    sysid_base: int
    count: int
    home: tuple[float, float, float]
    profile: str


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drone_groups(units: tuple[Unit, ...]) -> list[DroneGroup]:
    """The aircraft of the registry, grouped into runs of consecutive sysids that share a
    base and a profile (the simulator numbers its instances from ``--sysid-base``)."""
    aircraft = []
    for unit in units:
        address = unit.addresses.get("mavlink")
        if address is None or unit.base is None:
            continue
        sysid = int(address.split(":")[0])
        profile = "helicopter" if unit.kind is UnitKind.HELICOPTER else "quad"
        pos = unit.base.position
        aircraft.append((sysid, (pos.lat_deg, pos.lon_deg, pos.alt_m), profile))
    aircraft.sort()
    groups: list[DroneGroup] = []
    for sysid, home, profile in aircraft:
        last = groups[-1] if groups else None
        if (last is not None and last.home == home and last.profile == profile
                and last.sysid_base + last.count == sysid):
            groups[-1] = dataclasses.replace(last, count=last.count + 1)
        else:
            groups.append(DroneGroup(sysid, 1, home, profile))
    return groups


def demo_config(config: FleetConfig, udp_port: int, broker_url: str) -> FleetConfig:
    """``config`` listening for the simulated drones on ``udp_port`` and using the demo
    broker."""
    link = MavlinkLinkConfig("demo-air", f"udpin://127.0.0.1:{udp_port}", "udpin",
                             "127.0.0.1", udp_port, None, None)
    mavlink = dataclasses.replace(config.mavlink, links=(link,))
    return use_broker(dataclasses.replace(config, mavlink=mavlink), broker_url)


def simulator_commands(config: FleetConfig, registry: Path, udp_port: int,
                       broker_url: str) -> list[tuple[str, list[str]]]:
    """(name, argv) of every simulator process the demo runs."""
    py = [sys.executable, "-m", "simulators"]
    commands = []
    for g in drone_groups(config.units):
        commands.append((f"drones-{g.sysid_base}", [
            *py, "drone", "--count", str(g.count), "--sysid-base", str(g.sysid_base),
            "--home", ",".join(f"{v:.6f}" for v in g.home), "--profile", g.profile,
            "--fast-boot", "--udpout", f"127.0.0.1:{udp_port}",
        ]))
    commands.append(("city", [*py, "city", "--registry", str(registry),
                              "--broker", broker_url]))
    return commands


@contextlib.asynccontextmanager
async def demo_environment(config: FleetConfig, registry: Path,
                           log_dir: Path) -> AsyncIterator[FleetConfig]:
    """Start the broker and the simulators; yield the config that reaches them."""
    async with demo_broker() as broker_url:
        udp_port = free_udp_port()
        procs = []
        try:
            for name, argv in simulator_commands(config, registry, udp_port, broker_url):
                proc = await children.spawn(argv, log_dir / f"sim-{name}.log")
                log.info("demo: started %s (pid %d)", name, proc.pid)
                procs.append(proc)
            yield demo_config(config, udp_port, broker_url)
        finally:
            for proc in procs:
                await children.stop(proc)
            log.info("demo: simulators stopped")
