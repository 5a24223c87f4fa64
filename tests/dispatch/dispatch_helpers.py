"""Builders for the dispatch tests: fleets at known places, a scripted link, configs."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from fleet.commands import Command
from fleet.config import parse_config
from fleet.errors import CommandRejectedError
from fleet.events import ConnectionState
from fleet.model import KIND_DEFAULTS, Telemetry, Unit, UnitKind
from fleet.service import FleetService
from fleet.state import FleetState

# A small Hengyang: downtown (3 min) inside urban (5 min), one key site, the river.
DOWNTOWN = [[26.910, 112.575], [26.910, 112.635], [26.868, 112.635], [26.868, 112.575]]
URBAN = [[26.960, 112.510], [26.960, 112.720], [26.830, 112.720], [26.830, 112.510]]
WANDA = (26.8950, 112.5780)
PLACES: dict[str, Any] = {
    "zones": [
        {"id": "downtown", "name": "Downtown", "target_min": 3, "road_factor": 1.4,
         "polygon": DOWNTOWN},
        {"id": "urban", "name": "Urban", "target_min": 5, "road_factor": 1.5,
         "polygon": URBAN},
    ],
    "key_sites": [{"id": "wanda", "name": "Wanda Plaza", "lat": WANDA[0], "lon": WANDA[1]}],
}


def unit(uid: str, kind: UnitKind, **caps: Any) -> Unit:
    base = KIND_DEFAULTS[kind]
    if caps:
        from dataclasses import replace
        base = replace(base, **caps)
    return Unit(uid, uid.upper(), kind, "g", None, base)


def state_with(units: Iterable[tuple[Unit, float, float, float | None]]) -> FleetState:
    """A FleetState whose units are heard at (lat, lon) with battery (None: unknown)."""
    items = list(units)
    st = FleetState([u for u, *_ in items])
    for u, lat, lon, battery in items:
        st.ingest(u.id, Telemetry(lat, lon, time.time(), battery_pct=battery), 1.0)
    return st


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * \
        math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


UNITS = [
    {"id": "car-1", "callsign": "Car 1", "kind": "patrol_car"},
    {"id": "car-2", "callsign": "Car 2", "kind": "patrol_car"},
    {"id": "moto-1", "callsign": "Moto 1", "kind": "motorcycle"},
    {"id": "cv-1", "callsign": "Command 1", "kind": "command_vehicle"},
    {"id": "boat-1", "callsign": "River 1", "kind": "patrol_boat"},
]


def config(units: list[dict] | None = None, **dispatch: Any):
    dispatch.setdefault("ack_timeout_s", 0.5)
    return parse_config({"fleet": {"name": "Testcity"}, **PLACES,
                         "units": UNITS if units is None else units, "dispatch": dispatch})


class ScriptLink:
    """An in-process link: reports what the test says, accepts every command unless the
    unit is told to refuse (``refuse``) or to never answer (``silent``)."""

    name = "script"

    def __init__(self, unit_ids: Iterable[str]) -> None:
        self.unit_ids = list(unit_ids)
        self.ctx: Any = None
        self.ready = asyncio.Event()
        self.commands: list[tuple[str, Command]] = []
        self.refuse: dict[str, str] = {}
        self.silent: set[str] = set()

    async def run(self, ctx: Any) -> None:
        self.ctx = ctx
        for u in self.unit_ids:
            ctx.route(u, self)
        ctx.connection(ConnectionState.CONNECTED)
        self.ready.set()
        await asyncio.Event().wait()

    async def execute(self, unit_id: str, command: Command) -> None:
        self.commands.append((unit_id, command))
        if unit_id in self.silent:
            await asyncio.Event().wait()
        if unit_id in self.refuse:
            raise CommandRejectedError(unit_id, type(command).__name__.lower(), "rejected",
                                       self.refuse[unit_id])

    def report(self, unit_id: str, lat: float, lon: float, **kw: Any) -> None:
        self.ctx.telemetry(unit_id, Telemetry(lat, lon, time.time(), **kw))

    def sent(self, unit_id: str) -> list[Command]:
        return [c for u, c in self.commands if u == unit_id]


@contextlib.asynccontextmanager
async def running(cfg, link: ScriptLink) -> AsyncIterator[FleetService]:
    async with FleetService(cfg, links=[link]) as svc:
        async with asyncio.timeout(5):
            await link.ready.wait()
        yield svc


@contextlib.asynccontextmanager
async def drones_with_dispatch(count: int, **dispatch: Any) -> AsyncIterator[tuple[Any, Any]]:
    """tests/integration/sim_fleet.py's pattern, with the city's zones and a [dispatch]
    section: fleet on one UDP port, ``count`` simulated drones at the police HQ roof."""
    from broker import free_port
    from waits import connected

    from simulators.drone import FAST_BOOT, DroneFleetSim, Home
    from simulators.drone import FleetConfig as SimConfig

    speedup = 20.0
    port = free_port()
    cfg = parse_config({
        "fleet": {"name": "Testcity"}, **PLACES,
        "mavlink": {"links": [{"name": "air", "url": f"udpin://127.0.0.1:{port}"}],
                    "command_timeout_s": 0.15, "heartbeat_hz": speedup},
        "units": [{"id": f"air-{i}", "callsign": f"Eagle {i}", "kind": "drone",
                   "mavlink": {"sysid": i}} for i in range(1, count + 1)],
        "dispatch": dispatch,
    })
    async with FleetService(cfg) as svc:
        await connected(svc)
        sim_cfg = SimConfig(count=count, udpout=("127.0.0.1", port), speedup=speedup,
                            boot=FAST_BOOT, home=Home(26.8930, 112.5880, 95.0))
        async with DroneFleetSim(sim_cfg) as sim:
            for i in range(1, count + 1):
                drone = await svc.wait_for_unit(f"air-{i}", timeout=10)
                await drone.wait_ready(timeout=20)
            yield svc, sim
