"""fleet against the drone simulator, both in this process, meeting only on real sockets."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from broker import free_port
from waits import connected

from fleet.config import parse_config
from fleet.service import FleetService
from simulators.drone import FAST_BOOT, DroneFleetSim, FleetConfig

SPEEDUP = 20.0


def units(n: int) -> list[dict]:
    return [{"id": f"air-{i}", "callsign": f"Eagle {i}", "kind": "drone",
             "mavlink": {"sysid": i}} for i in range(1, n + 1)]


@contextlib.asynccontextmanager
async def fleet_with_sim(count: int = 1, mavlink: dict | None = None,
                         **sim_options) -> AsyncIterator[
        tuple[FleetService, DroneFleetSim]]:
    """fleet listening on one UDP port; ``count`` simulated drones sending to it;
    ``mavlink`` adds keys to fleet's ``[mavlink]`` table.

    fleet's command timeout is scaled to the simulator's speed: at 20x, QGroundControl's
    3 s would be a minute of vehicle time, long enough for ArduCopter to disarm."""
    port = free_port()
    speedup = sim_options.setdefault("speedup", SPEEDUP)
    config = parse_config({
        "mavlink": {"links": [{"name": "air", "url": f"udpin://127.0.0.1:{port}"}],
                    "command_timeout_s": max(0.15, 3.0 / speedup), "heartbeat_hz": speedup,
                    **(mavlink or {})},
        "units": units(count),
    })
    sim_options.setdefault("boot", FAST_BOOT)
    async with FleetService(config) as svc:
        await connected(svc)
        async with DroneFleetSim(FleetConfig(count=count, udpout=("127.0.0.1", port),
                                             home=_home(), **sim_options)) as sim:
            yield svc, sim


def _home():
    from simulators.drone import Home
    return Home(26.8930, 112.5880, 95.0)
