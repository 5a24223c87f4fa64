"""fleet with schedules against the in-process drone simulator (real UDP sockets)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from broker import free_port
from waits import connected

from fleet.config import parse_config
from fleet.service import FleetService
from simulators.drone import FAST_BOOT, DroneFleetSim, FleetConfig, Home

SPEEDUP = 20.0
HOME = (26.8930, 112.5880)


def square(lat: float, lon: float, half_deg: float) -> list[list[float]]:
    return [[lat + half_deg, lon - half_deg], [lat + half_deg, lon + half_deg],
            [lat - half_deg, lon + half_deg], [lat - half_deg, lon - half_deg]]


def drone_config(port: int, count: int, extra: dict[str, Any]) -> dict[str, Any]:
    """Drones air-1..N in group air1; staleness scaled to the simulator's speed."""
    return {
        "mavlink": {"links": [{"name": "air", "url": f"udpin://127.0.0.1:{port}"}],
                    "command_timeout_s": 0.3, "link_timeout_s": 1.5,
                    "heartbeat_hz": SPEEDUP},
        "kinds": {"drone": {"stale_after_s": 1.5}},
        "groups": [{"id": "air1", "domain": "air"}],
        "units": [{"id": f"air-{i}", "kind": "drone", "group": "air1",
                   "mavlink": {"sysid": i}} for i in range(1, count + 1)],
        **extra,
    }


@contextlib.asynccontextmanager
async def patrol_fleet(extra: dict[str, Any], count: int = 2,
                       wall: Callable[[], float] | None = None, poll_s: float | None = None
                       ) -> AsyncIterator[tuple[FleetService, DroneFleetSim]]:
    """``poll_s``: how often the schedule clock looks at the wall clock (tests that move
    the wall clock want it short)."""
    port = free_port()
    config = parse_config(drone_config(port, count, extra))
    options: dict[str, Any] = {"wall": wall} if wall is not None else {}
    svc = FleetService(config, **options)
    if poll_s is not None:
        svc.schedules.poll_s = poll_s
    async with svc:
        await connected(svc)
        # ArduCopter disarms 10 s after arming on the ground: half a second of wall time at
        # 20x, shorter than arm + mode + MISSION_START on a busy test machine; give it 60 s
        sim_config = FleetConfig(count=count, udpout=("127.0.0.1", port), home=Home(*HOME, 95.0),
                                 speedup=SPEEDUP, boot=FAST_BOOT, params={"DISARM_DELAY": 60})
        async with DroneFleetSim(sim_config) as sim:
            yield svc, sim
