"""``fleet demo``: the simulated Hengyang fleet, a broker and the console, one command.

The simulators run as child processes (``python -m simulators ...``) and meet the core
only on the wire, exactly as real vehicles would: the drones send MAVLink to one UDP
port, the city's 292 vehicles and boats report through the demo broker, and a 110 call
centre places calls on the CAD topics. Everything is started on free loopback ports and
stopped, by pid, when the demo ends; on Linux the children also die with fleet if it is
killed outright. The broker is closed (:mod:`fleet.broker`): each simulated unit logs in
with its own password from this run's credentials file, the call centre and the core
with theirs, and ``demo-cad.env`` in the log directory lets ``fleet incident`` log in as
the operator's CAD account while the demo runs. The call centre cannot import fleet,
so the demo writes the places it needs (key sites, zones, categories, rivers, roads)
to ``demo-places.json`` in the log directory; it resends a call until the core
answers, so it may start before the core.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import socket
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from . import children
from .broker import DemoBroker, demo_broker, use_broker
from .brokerconf import CORE_USER, plan_accounts
from .brokerconf.passwords import write_private
from .config import FleetConfig, MavlinkLinkConfig
from .model import Unit, UnitKind
from .roads_rivers import read_city_map

log = logging.getLogger("fleet.demo")
PLACES_FILE = "demo-places.json"
CAD_ENV_FILE = "demo-cad.env"
CALLS_USER = "cad-calls"  # the 110 call centre simulator
OPERATOR_USER = "cad-operator"  # you, with `fleet incident`


@dataclasses.dataclass(frozen=True, slots=True)
class CallOptions:
    """The demo's 110 call centre: calls per hour (0: none) and whether they are
    dispatched (and later cleared and closed) without the operator."""

    calls_per_hour: float = 12.0
    auto_dispatch: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class SimulatorLogins:
    """How the simulators log in to the closed demo broker: the city's units on the units
    listener, each with its own password from ``unit_credentials``; the call centre on
    the control listener as a CAD account."""

    units_url: str
    unit_credentials: Path
    cad_user: str
    cad_password_file: Path

    @classmethod
    def of(cls, broker: DemoBroker) -> SimulatorLogins:
        return cls(broker.units_url, broker.files.unit_credentials, CALLS_USER,
                   broker.files.secrets[CALLS_USER])


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


def demo_config(config: FleetConfig, udp_port: int, broker_url: str,
                username: str | None = None, password: str | None = None) -> FleetConfig:
    """``config`` listening for the simulated drones on ``udp_port`` and using the demo
    broker (logged in as ``username``)."""
    link = MavlinkLinkConfig("demo-air", f"udpin://127.0.0.1:{udp_port}", "udpin",
                             "127.0.0.1", udp_port, None, None)
    mavlink = dataclasses.replace(config.mavlink, links=(link,))
    return use_broker(dataclasses.replace(config, mavlink=mavlink), broker_url, username,
                      password)


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
                       calls: CallOptions = CallOptions(),
                       logins: SimulatorLogins | None = None) -> list[tuple[str, list[str]]]:
    """(name, argv) of every simulator process the demo runs; the call centre only with
    a places file, a rate above 0, and a CAD interface to call (``[mqtt]``, cad_intake).
    With ``logins`` (a closed broker) the city reaches its listener with its units'
    credentials and the call centre ``broker_url`` with its account; no password is on a
    command line, only the 0600 files that hold them."""
    py = [sys.executable, "-m", "simulators"]
    city_login = ["--broker", broker_url]
    calls_login = ["--broker", broker_url]
    if logins is not None:
        city_login = ["--broker", logins.units_url,
                      "--credentials", str(logins.unit_credentials)]
        calls_login += ["--username", logins.cad_user,
                        "--password-file", str(logins.cad_password_file)]
    commands = []
    for g in drone_groups(config.units):
        commands.append((f"drones-{g.sysid_base}", [
            *py, "drone", "--count", str(g.count), "--sysid-base", str(g.sysid_base),
            "--home", ",".join(f"{v:.6f}" for v in g.home), "--profile", g.profile,
            "--fast-boot", "--udpout", f"127.0.0.1:{udp_port}",
        ]))
    commands.append(("city", [*py, "city", "--registry", str(registry), *city_login]))
    if (places is not None and calls.calls_per_hour > 0 and config.mqtt is not None
            and config.dispatch.cad_intake):
        commands.append(("calls", [
            *py, "calls", "--places", str(places), *calls_login,
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
    accounts = plan_accounts(config, cad_users=(CALLS_USER, OPERATOR_USER))
    with tempfile.TemporaryDirectory(prefix="fleet-demo-broker-") as tmp:
        async with demo_broker(accounts, Path(tmp)) as broker:
            udp_port = free_udp_port()
            procs = []
            cad_env = write_cad_env(log_dir / CAD_ENV_FILE, broker)
            try:
                for name, argv in simulator_commands(config, registry, udp_port,
                                                     broker.control_url, places, calls,
                                                     SimulatorLogins.of(broker)):
                    proc = await children.spawn(argv, log_dir / f"sim-{name}.log")
                    log.info("demo: started %s (pid %d)", name, proc.pid)
                    procs.append(proc)
                yield demo_config(config, udp_port, broker.control_url, CORE_USER,
                                  broker.files.password(CORE_USER))
            finally:
                for proc in procs:
                    await children.stop(proc)
                log.info("demo: simulators stopped")
                with contextlib.suppress(FileNotFoundError):
                    cad_env.unlink()


def write_cad_env(path: Path, broker: DemoBroker) -> Path:
    """A shell file that points ``fleet incident`` at this demo as its operator account
    (the password stays in its 0600 file; this one only names it)."""
    write_private(path, (
        f"# fleet demo (pid {os.getpid()}): `. {path}`, then `fleet incident list` reaches\n"
        f"# this demo's core as the CAD account {OPERATOR_USER}. Gone when the demo ends.\n"
        f"export FLEET_MQTT_URL={broker.control_url}\n"
        f"export FLEET_MQTT_USERNAME={OPERATOR_USER}\n"
        f"export FLEET_MQTT_PASSWORD_FILE={broker.files.secrets[OPERATOR_USER]}\n"))
    log.info("demo: `. %s` lets `fleet incident` reach this demo as %s", path, OPERATOR_USER)
    return path
