"""``fleet demo``: the simulated Hengyang fleet, a broker and the console, one command.

The simulators run as child processes (``python -m simulators ...``) and meet the core
only on the wire, exactly as real vehicles would: the drones send MAVLink to one UDP
port, the city's 292 vehicles and boats report through the demo broker, and a 110 call
centre places calls on the CAD topics. Everything is started on free loopback ports and
stopped, by pid, when the demo ends; on Linux the children also die with fleet if it is
killed outright. The call centre cannot import fleet, so the demo writes the places it
needs (key sites, zones, categories, rivers, roads) to ``demo-places.json`` in the log
directory; it resends a call until the core answers, so it may start before the core.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from . import children
from .broker import demo_broker, use_broker
from .citymap import read_city_map
from .config import FleetConfig, MavlinkLinkConfig
from .model import Unit, UnitKind

log = logging.getLogger("fleet.demo")
PLACES_FILE = "demo-places.json"


@dataclasses.dataclass(frozen=True, slots=True)
class CallOptions:
    """The demo's 110 call centre: calls per hour (0: none) and whether they are
    dispatched (and later cleared and closed) without the operator."""

    calls_per_hour: float = 12.0
    auto_dispatch: bool = False


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


def places_document(config: FleetConfig) -> dict[str, Any]:
    """What the call centre needs to know about the city (simulators/calls/places.py)."""
    def line(points: Any) -> list[list[float]]:
        return [[round(lat, 6), round(lon, 6)] for lat, lon in points]

    d = config.dispatch
    doc: dict[str, Any] = {
        "v": 1, "name": config.name,
        "key_sites": [{"id": s.id, "name": s.name, "lat": s.position.lat_deg,
                       "lon": s.position.lon_deg, "radius_m": s.radius_m}
                      for s in config.key_sites],
        "zones": [{"id": z.id, "name": z.name, "target_min": z.target_min,
                   "polygon": line(z.polygon)} for z in config.zones],
        "categories": [{"id": c.id, "name": c.name, "priority": c.priority}
                       for c in d.categories.values()],
        "rivers": [line(r) for r in d.rivers],
    }
    if d.road_map is not None:
        try:
            doc["roads"] = [line(w.points) for w in read_city_map(d.road_map).roads]
        except (OSError, ValueError) as exc:
            log.warning("demo: calls placed without roads: %s: %s", d.road_map, exc)
    return doc


def simulator_commands(config: FleetConfig, registry: Path, udp_port: int,
                       broker_url: str, places: Path | None = None,
                       calls: CallOptions = CallOptions()) -> list[tuple[str, list[str]]]:
    """(name, argv) of every simulator process the demo runs; the call centre only with
    a places file, a rate above 0, and a CAD interface to call (``[mqtt]``, cad_intake)."""
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
    if (places is not None and calls.calls_per_hour > 0 and config.mqtt is not None
            and config.dispatch.cad_intake):
        commands.append(("calls", [
            *py, "calls", "--places", str(places), "--broker", broker_url,
            "--prefix", config.mqtt.topic_prefix, "--calls-per-hour", f"{calls.calls_per_hour:g}",
            *(["--auto-dispatch"] if calls.auto_dispatch else []),
        ]))
    return commands


@contextlib.asynccontextmanager
async def demo_environment(config: FleetConfig, registry: Path, log_dir: Path,
                           calls: CallOptions = CallOptions()) -> AsyncIterator[FleetConfig]:
    """Start the broker and the simulators; yield the config that reaches them."""
    places = log_dir / PLACES_FILE
    places.write_text(json.dumps(places_document(config)), encoding="utf-8")
    async with demo_broker() as broker_url:
        udp_port = free_udp_port()
        procs = []
        try:
            for name, argv in simulator_commands(config, registry, udp_port, broker_url,
                                                 places, calls):
                proc = await children.spawn(argv, log_dir / f"sim-{name}.log")
                log.info("demo: started %s (pid %d)", name, proc.pid)
                procs.append(proc)
            yield demo_config(config, udp_port, broker_url)
        finally:
            for proc in procs:
                await children.stop(proc)
            log.info("demo: simulators stopped")
