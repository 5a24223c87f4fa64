"""The closed loop with nothing faked: the call centre places calls with auto-dispatch,
fleet's core recommends and sends city-simulator crews, they drive and walk to the call
point, the core sees them on scene, and the call centre clears and closes the incident.
Both simulators run 60x faster than the wall clock."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from waits import connected

from fleet.config import load_config
from fleet.demo import places_document
from fleet.dispatch.incident import IncidentStatus
from fleet.service import FleetService
from simulators.calls import Broker as CallsBroker
from simulators.calls import CallCentre, CallsConfig, parse_places
from simulators.city import Broker, CityConfig, CitySim

pytestmark = pytest.mark.broker
SPEEDUP = 60.0


def write_config(tmp_path, broker) -> str:
    path = tmp_path / "fleet.toml"
    path.write_text(f"""
bases = [
  {{ id = "post-huiyan", name = "Huiyan Peak Square", lat = 26.8800, lon = 112.6060 }},
  {{ id = "post-bubugao", name = "Bubugao Plaza", lat = 26.8900, lon = 112.5970 }},
]
[fleet]
name = "Hengyang"
[mqtt]
url = "{broker.url}"
keepalive_s = 5
[dispatch]
audit_db = "audit.sqlite3"
road_map = "hengyang_map.json"
[[groups]]
id = "rp01"
domain = "land"
base = "post-huiyan"
complement = {{ command_vehicle = 1, patrol_car = 2, motorcycle = 2 }}
[[groups]]
id = "rp02"
domain = "land"
base = "post-bubugao"
complement = {{ command_vehicle = 1, patrol_car = 2, motorcycle = 2 }}
[[zones]]
id = "downtown"
name = "Yanfeng"
target_min = 3
polygon = [[26.895, 112.592], [26.895, 112.612], [26.875, 112.612], [26.875, 112.592]]
""", encoding="utf-8")
    return str(path)


async def test_calls_are_dispatched_reached_honestly_cleared_and_closed(tmp_path, broker):
    path = write_config(tmp_path, broker)
    cfg = load_config(path)
    places = parse_places(places_document(cfg))
    city = CityConfig(broker=Broker(broker.host, broker.port), groups=2, boats=0,
                      registry=Path(path), speedup=SPEEDUP, connect_timeout_s=10.0,
                      rate_hz=10.0)   # a report every 6 sim s: positions fleet sees are fresh
    calls = CallsConfig(broker=CallsBroker(broker.host, broker.port), calls_per_hour=30.0,
                        auto_dispatch=True, speedup=SPEEDUP, max_calls=2, run_id="loop",
                        mix={"theft": 1, "assistance": 1, "traffic": 0, "violent_crime": 0,
                             "crowd": 0, "search": 0, "water_rescue": 0},
                        scene_s=(60.0, 120.0), status_every_s=0)
    async with FleetService(cfg) as svc, CitySim(city):
        await connected(svc)
        center = svc.dispatch
        await asyncio.wait_for(center.cad_listening.wait(), 10)
        centre = CallCentre(calls, places)
        task = asyncio.create_task(centre.run())
        try:
            await centre.wait_until(lambda: centre.stats.accepted == 2, timeout=60)
            await center.wait_for(lambda: sum(i.status is IncidentStatus.CLOSED
                                              for i in center.incidents()) == 2, timeout=90)
            await centre.wait_until(lambda: centre.closer.stats.closed == 2)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert centre.closer.stats.cleared == 2
    for inc in center.incidents():
        assert inc.disposition and inc.on_scene_at > inc.dispatched_at
        reached = [a for a in inc.assignments if a.on_scene_at is not None]
        assert reached and not any(a.beyond_radius for a in reached), reached

