"""Helpers for the simulator tests: a simulator and a raw MAVLink client on loopback,
with a manual clock (deterministic). Fixtures built on them are in conftest.py."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from mavclient import MavClient

from simulators.drone import FAST_BOOT, DroneFleetSim, FleetConfig, ManualClock
from simulators.drone.geo import north_east


def tcp_config(**kw: object) -> FleetConfig:
    return FleetConfig(**{"count": 1, "tcp_base": 0, "boot": FAST_BOOT, **kw})  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def sim_and_gcs(**kw: object) -> AsyncIterator[tuple[DroneFleetSim, MavClient]]:
    """A one-off simulator (custom config) with a TCP ground station attached."""
    async with DroneFleetSim(tcp_config(**kw), clock=ManualClock()) as s:
        client = await MavClient.tcp(s, s.instances[0].port)
        try:
            yield s, client
        finally:
            client.close()


async def wait_ready(gcs: MavClient) -> None:
    """Until the EKF uses GPS (home set), as a careful GCS would check."""
    gcs.request_streams(4, 12)      # EXTRA3 carries EKF_STATUS_REPORT
    await gcs.wait(lambda m: m.get_type() == "EKF_STATUS_REPORT" and m.flags & 16
                   and not m.flags & 128)


async def fly_to_altitude(gcs: MavClient, alt: float = 10.0) -> None:
    await wait_ready(gcs)
    assert (await gcs.set_mode(4)).result == 0
    assert (await gcs.arm()).result == 0
    assert (await gcs.takeoff(alt)).result == 0
    gcs.request_streams(5, 6)       # POSITION
    await gcs.wait_alt(alt)


def local(sim: DroneFleetSim, msg: object) -> tuple[float, float]:
    """GLOBAL_POSITION_INT as metres north/east of the configured home."""
    h = sim.config.home
    return north_east(h.lat, h.lon, msg.lat * 1e-7, msg.lon * 1e-7)  # type: ignore[attr-defined]


def positions(msgs: list) -> list:
    return [m for m in msgs if m.get_type() == "GLOBAL_POSITION_INT"]
