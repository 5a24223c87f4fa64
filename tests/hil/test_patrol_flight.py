"""The scripted patrol (tests/flight_script.py) on three copters at once, on each backend:
ready, mission upload verified by read-back, arm, takeoff, AUTO, every waypoint reached,
RTL, landed and disarmed."""

from __future__ import annotations

import asyncio

from backend import Backend
from flight_script import full_flight

COPTERS = 3


async def test_three_copters_fly_the_patrol(backend: Backend) -> None:
    async with backend.fleet(model="quad", count=COPTERS) as (svc, ids), \
            asyncio.TaskGroup() as tg:
        scale = backend.wall(100) / 100  # flight_script's waits are in vehicle seconds x scale
        for unit_id in ids:
            tg.create_task(full_flight(svc, unit_id, scale_s=scale))
