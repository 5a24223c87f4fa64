"""Helpers for the simulator tests: a simulator and a raw MAVLink client on loopback,
with a manual clock (deterministic). Fixtures built on them are in conftest.py."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from mavclient import M, MavClient

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
    """GUIDED takeoff to ``alt``, until there: the climb slows down over its last metres."""
    await wait_ready(gcs)
    assert (await gcs.set_mode(4)).result == 0
    assert (await gcs.arm()).result == 0
    assert (await gcs.takeoff(alt)).result == 0
    gcs.request_streams(5, 6)       # POSITION
    await gcs.wait_alt(alt, tol=0.02)


MOTOR_INTERLOCK, LOW, HIGH = 32, 0, 2     # RC aux function and switch positions
HELI_RUNUP_S = 10.0                      # H_RSC_RUNUP_TIME
ARMING_DELAY_S = 2.0                     # a heli's interlock stays off this long after arming


async def interlock(gcs: MavClient, position: int) -> Any:
    """A heli's rotor switch, as fleet sets it: MAV_CMD_DO_AUX_FUNCTION, the COMMAND_ACK."""
    return await gcs.command(M.MAV_CMD_DO_AUX_FUNCTION, MOTOR_INTERLOCK, position)


async def heli_armed_and_running_up(gcs: MavClient) -> float:
    """Ready, interlock off, armed, past the arming delay, interlock on: the run-up's start."""
    await wait_ready(gcs)
    assert (await interlock(gcs, LOW)).result == M.MAV_RESULT_ACCEPTED
    assert (await gcs.arm()).result == M.MAV_RESULT_ACCEPTED
    await gcs.collect(ARMING_DELAY_S + 0.1)
    assert (await interlock(gcs, HIGH)).result == M.MAV_RESULT_ACCEPTED
    return gcs.sim.now


def local(sim: DroneFleetSim, msg: object) -> tuple[float, float]:
    """GLOBAL_POSITION_INT as metres north/east of the configured home."""
    h = sim.config.home
    return north_east(h.lat, h.lon, msg.lat * 1e-7, msg.lon * 1e-7)  # type: ignore[attr-defined]


def positions(msgs: list) -> list:
    return [m for m in msgs if m.get_type() == "GLOBAL_POSITION_INT"]
