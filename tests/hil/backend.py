"""One HIL test, two vehicle backends: fleet's own simulator and ArduPilot SITL.

A backend starts vehicles (child processes serving MAVLink on TCP), puts a
:class:`LossyProxy` in front of each, and runs a :class:`FleetService` connected through
the proxies. Tests speak in vehicle (sim) seconds and ask :meth:`Backend.wall` for a
wall-clock budget, so the same test runs at the simulator's 20x and SITL's 5x.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lossy_proxy import LossyProxy
from vehicle_process import VehicleProcess

from fleet.config import parse_config
from fleet.geo import displace
from fleet.service import FleetService

#: Hengyang: a rooftop drone base, and the water police pontoon on the Xiang
COPTER_HOME = (26.8900, 112.5700, 60.0, 0.0)
BOAT_HOME = (26.8880, 112.6170, 50.0, 0.0)
KINDS = {"quad": "drone", "heli": "helicopter", "motorboat": "patrol_boat"}


def is_boat(model: str) -> bool:
    return KINDS[model] == "patrol_boat"


def unit_ids(model: str, count: int) -> list[str]:
    prefix = "boat" if is_boat(model) else "air"
    return [f"{prefix}-{i}" for i in range(1, count + 1)]


def home_of(model: str) -> tuple[float, float, float, float]:
    return BOAT_HOME if is_boat(model) else COPTER_HOME


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A started vehicle: where its MAVLink TCP port is and which process serves it."""

    sysid: int
    port: int
    process: VehicleProcess


class Backend:
    """What a HIL test gets from the ``backend`` fixture; see tests/hil/conftest.py."""

    name: str = "?"
    speedup: float = 1.0
    #: wall budget = sim seconds / speedup x this, plus ``wall_slack_s`` (start-up, load)
    wall_factor: float = 2.0
    wall_slack_s: float = 5.0
    #: wall seconds for a vehicle process to open its TCP port
    port_timeout_s: float = 30.0

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.proxies: dict[str, LossyProxy] = {}
        self.processes: list[VehicleProcess] = []

    def wall(self, sim_seconds: float) -> float:
        """A wall-clock timeout for ``sim_seconds`` of vehicle time, with margin."""
        return sim_seconds / self.speedup * self.wall_factor + self.wall_slack_s

    def proxy(self, unit_id: str) -> LossyProxy:
        """The radio between fleet and ``unit_id``: ``cut()``, ``restore()``, loss, clock."""
        return self.proxies[unit_id]

    def vehicle_time_s(self, unit_id: str) -> float | None:
        """The vehicle's own clock (time_boot_ms), seconds since it booted."""
        ms = self.proxies[unit_id].boot_ms
        return None if ms is None else ms / 1000.0

    async def until_vehicle_time(self, unit_id: str, seconds: float) -> None:
        """Until the vehicle's own clock reads ``seconds`` (it keeps running, and is read
        off the wire, while the radio is cut); a wall budget to match."""
        now = self.vehicle_time_s(unit_id) or 0.0
        async with asyncio.timeout(self.wall(max(0.0, seconds - now))):
            await self.proxies[unit_id].wait_boot_ms(int(seconds * 1000))

    # -- what each backend provides ---------------------------------------------------
    def vehicles(self, model: str, count: int, params: Mapping[str, float],
                 fast_boot: bool) -> contextlib.AbstractAsyncContextManager[list[Endpoint]]:
        raise NotImplementedError

    # -- the fleet ------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def fleet(self, *, model: str = "quad", count: int = 1,
                    params: dict[str, float] | None = None, loss: float = 0.0,
                    config: dict | None = None, fast_boot: bool = True, seed: int = 1,
                    ) -> AsyncIterator[tuple[FleetService, list[str]]]:
        """``count`` vehicles of ``model`` ("quad", "heli", "motorboat") with ``params``,
        ``loss`` (frame loss each way, seeded by ``seed``) between fleet and each, and a
        FleetService connected to them over TCP; yields (svc, unit ids). ``config`` merges
        extra top-level tables ([dispatch], [[bases]], keys of [mavlink], units by id).
        ``fast_boot=False`` gives the simulator SITL's boot timings (SITL ignores it)."""
        async with self.radios(model=model, count=count, params=params, loss=loss,
                               config=config, fast_boot=fast_boot, seed=seed,
                               ) as (raw_config, ids):
            svc = FleetService(parse_config(raw_config))
            async with svc:
                try:
                    yield svc, ids
                except BaseException as exc:
                    self._explain(exc, svc)
                    raise

    @contextlib.asynccontextmanager
    async def radios(self, *, model: str = "quad", count: int = 1,
                     params: dict[str, float] | None = None, loss: float = 0.0,
                     config: dict | None = None, fast_boot: bool = True, seed: int = 1,
                     ) -> AsyncIterator[tuple[dict[str, Any], list[str]]]:
        """The vehicles and their radios as :meth:`fleet` starts them, without a core:
        yields fleet's config (a dict, as ``parse_config`` takes it) and the unit ids, for
        a test that runs its cores itself (in child processes it kills, say). Each proxy
        serves one core at a time; a new connection replaces the old."""
        if model not in KINDS:
            raise ValueError(f"unknown model {model!r} (have {', '.join(KINDS)})")
        ids = unit_ids(model, count)
        async with contextlib.AsyncExitStack() as stack:
            endpoints = await stack.enter_async_context(
                self.vehicles(model, count, dict(params or {}), fast_boot))
            self.processes = [e.process for e in endpoints]
            for i, (unit_id, endpoint) in enumerate(zip(ids, endpoints, strict=True)):
                reader, writer = await endpoint.process.connect(endpoint.port,
                                                                self.port_timeout_s)
                self.proxies[unit_id] = await stack.enter_async_context(
                    LossyProxy(reader, writer, loss=loss, seed=seed * 100 + i, name=unit_id))
            yield merge_config(self.base_config(model, ids, [e.sysid for e in endpoints]),
                               config or {}), ids

    def base_config(self, model: str, ids: list[str], sysids: list[int]) -> dict[str, Any]:
        """fleet's config for these vehicles, its timeouts scaled to vehicle time: a
        command's ACK wait and the GCS heartbeat (ArduPilot's FS_GCS_TIMEOUT counts vehicle
        seconds) follow the speed-up; silence is noticed after ~5 vehicle s (1 s wall at
        least, so a busy machine's pause is not a lost link)."""
        silence_s = max(1.0, 5.0 / self.speedup)
        kind = KINDS[model]
        return {
            "mavlink": {
                "links": [{"name": f"link-{uid}", "url": f"tcp://127.0.0.1:{self.proxies[uid].port}"}
                          for uid in ids],
                "command_timeout_s": max(0.25, 3.0 / self.speedup),
                "heartbeat_hz": min(50.0, max(1.0, self.speedup)),
                "link_timeout_s": silence_s,
            },
            "kinds": {kind: {"stale_after_s": silence_s}},
            "units": [{"id": uid, "callsign": uid.replace("-", " ").title(), "kind": kind,
                       "mavlink": {"sysid": sysid}}
                      for uid, sysid in zip(ids, sysids, strict=True)],
        }

    def _explain(self, exc: BaseException, svc: FleetService) -> None:
        """On a failure, add what the vehicles said last and any process that died."""
        texts = [a.message for a in svc.alerts if a.code == "mavlink.statustext"][-8:]
        if texts:
            exc.add_note("last STATUSTEXT:\n  " + "\n  ".join(texts))
        for proc in self.processes:
            if proc.exited is not None and not proc.stopped_by_us:
                exc.add_note(str(proc.failure("exited during the test")))


def merge_config(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra``'s top-level tables: tables merge key by key (one level, so
    ``{"mavlink": {"gcs_failsafe": "land"}}`` keeps the links), ``units`` merge by id
    (new ids are added), anything else replaces."""
    out = dict(base)
    for key, value in extra.items():
        if key == "units":
            out["units"] = _merge_units(out.get("units", []), value)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            merged = dict(out[key])
            for k, v in value.items():
                both = isinstance(v, Mapping) and isinstance(merged.get(k), Mapping)
                merged[k] = {**merged[k], **v} if both else v
            out[key] = merged
        else:
            out[key] = value
    return out


def _merge_units(base: list[dict[str, Any]], extra: list[Mapping[str, Any]]) -> list[dict]:
    units = {u["id"]: dict(u) for u in base}
    for unit in extra:
        units[unit["id"]] = {**units.get(unit["id"], {}), **unit}
    return list(units.values())


def grid_home(home: tuple[float, float, float, float], index: int,
              spacing_m: float = 5.0) -> tuple[float, float, float, float]:
    """Instance ``index``'s home, ``spacing_m`` east of the previous one (SITL instances
    would otherwise all stand on one spot)."""
    lat, lon, alt, yaw = home
    return (*displace(lat, lon, index * spacing_m, 0.0), alt, yaw)
