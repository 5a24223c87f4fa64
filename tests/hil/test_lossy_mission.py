"""(f) A 100-item mission through a radio that loses 20 % of the frames each way: uploaded,
read back and compared item by item (fleet's verify, within ArduPilot's storage rounding);
the proxy's counters show the loss was real. The mission protocol's resends (fleet's and
the vehicle's) must carry it. Then the stored mission is started and its first waypoints
flown."""

from __future__ import annotations

import asyncio

from backend import Backend
from flying import offset, ready, until_mode, until_telemetry

from fleet.missions import MissionItem, return_to_launch, takeoff, waypoint

LOSS = 0.2
ITEMS = 100
ALT_M = 25.0


def long_patrol(lat: float, lon: float) -> list[MissionItem]:
    """Takeoff, 98 waypoints on a 40 m grid zig-zag (a search pattern), RTL."""
    points = []
    for i in range(ITEMS - 2):
        row, col = divmod(i, 7)
        east = (col if row % 2 == 0 else 6 - col) * 40.0
        points.append(waypoint(*offset(lat, lon, 40.0 + row * 40.0, east), ALT_M))
    return [takeoff(ALT_M), *points, return_to_launch()]


async def test_a_100_item_mission_survives_20_percent_loss(backend: Backend) -> None:
    async with backend.fleet(model="quad", loss=LOSS) as (svc, (uid,)):
        start = await ready(svc, backend, uid)
        unit = svc.unit(uid)
        mission = long_patrol(start.lat_deg, start.lon_deg)
        assert len(mission) == ITEMS
        # verify: fleet reads the mission back and compares every item
        await unit.mission.upload(mission, verify=True, timeout=backend.wall(300))

        radio = backend.proxy(uid)
        for direction in (radio.up, radio.down):
            assert 0.1 < direction.dropped / direction.frames < 0.3, direction

        # the mission that came through is flyable; flown on a clean link, as fleet's
        # commands and parameter writes give up after 3 lost exchanges (docs/hil.md)
        radio.loss_up = radio.loss_down = 0.0
        await unit.action.arm(timeout=backend.wall(20))
        await unit.action.takeoff(ALT_M, timeout=backend.wall(20))
        await unit.mission.start(timeout=backend.wall(20))
        await until_mode(svc, backend, uid, "AUTO", sim_s=20)
        await until_telemetry(svc, backend, uid, lambda t: (t.mission_seq or 0) >= 4, sim_s=120)


async def test_an_upload_survives_a_radio_dropout_halfway(backend: Backend) -> None:
    """The radio goes quiet for 10 vehicle seconds at item 50 of 100, then comes back:
    the vehicle has dropped the upload by then (ArduPilot after 8 s), so fleet starts it
    again from MISSION_COUNT."""
    async with backend.fleet(model="quad") as (svc, (uid,)):
        start = await ready(svc, backend, uid)
        radio = backend.proxy(uid)
        halfway = asyncio.Event()

        def progress(done: int, total: int) -> None:
            if done >= total // 2 and not halfway.is_set():
                radio.cut()
                halfway.set()

        async def dropout() -> None:
            await halfway.wait()
            cut_at = backend.vehicle_time_s(uid) or 0.0
            await backend.until_vehicle_time(uid, cut_at + 10.0)
            radio.restore()

        mission = long_patrol(start.lat_deg, start.lon_deg)
        async with asyncio.TaskGroup() as tg:
            tg.create_task(dropout())
            tg.create_task(svc.unit(uid).mission.upload(mission, progress=progress,
                                                        timeout=backend.wall(120)))
        assert len(await svc.unit(uid).mission.download(timeout=backend.wall(60))) == ITEMS
