"""The same scripted flight against ArduPilot SITL and against the simulator, compared.

Set ``ARDUPILOT_SITL`` to an ``arducopter`` binary (and optionally ``ARDUPILOT_SITL_DEFAULTS``
to a copter.parm) to run the comparison; without it only the simulator half runs, checked
against what SITL was observed to do (docs/simulators.md, /work/shared/MAVLINK_NOTES.md).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from mavclient import M, MavClient

from simulators.drone import SITL_BOOT, DroneFleetSim, FleetConfig, Home, ManualClock

HOME = (-35.363261, 149.165230, 584.0, 353.0)
WP = (-35.362991, 149.165230)          # ~30 m north of home
SPEEDUP = 10
INSTANCE = 7                            # TCP 5760 + 10 * 7 = 5830


class WallClockPeer:
    """What MavClient needs of a 'sim' when the peer is a real SITL running at ``speedup``."""

    def __init__(self, speedup: float) -> None:
        self.speedup = speedup
        self._t0 = time.monotonic()

    @property
    def now(self) -> float:
        return (time.monotonic() - self._t0) * self.speedup

    async def advance(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speedup)


async def scripted_flight(gcs: MavClient) -> dict[str, Any]:
    """Unknown command, GUIDED, mission upload, arm, takeoff, AUTO to RTL, landed and disarmed."""
    acks: dict[str, int] = {}
    gcs.request_streams(4)
    await gcs.wait(lambda m: m.get_type() == "EKF_STATUS_REPORT" and m.flags & 16
                   and not m.flags & 128, sim_s=120)
    acks["unknown"] = (await gcs.command(31337)).result
    acks["guided"] = (await gcs.set_mode(4)).result
    items = [gcs.item_int(0, 16, 0, 0, 0),
             gcs.item_int(1, M.MAV_CMD_NAV_TAKEOFF, 0, 0, 10),
             gcs.item_int(2, M.MAV_CMD_NAV_WAYPOINT, *WP, 10),
             gcs.item_int(3, M.MAV_CMD_NAV_RETURN_TO_LAUNCH)]
    upload_result, request_kinds = await gcs.upload(items)
    acks["arm"] = (await gcs.arm()).result
    acks["takeoff"] = (await gcs.takeoff(10)).result
    await gcs.wait_alt(10, sim_s=60, tol=1.0)
    acks["auto"] = (await gcs.set_mode(3)).result
    gcs.skip_pending()                    # only heartbeats from now on (all stay in .received)
    await gcs.wait(lambda m: m.get_type() == "HEARTBEAT"
                   and not m.base_mode & M.MAV_MODE_FLAG_SAFETY_ARMED, sim_s=240)
    modes: list[int] = []
    reached: list[int] = []
    texts: list[str] = []
    for m in gcs.received:
        t = m.get_type()
        if t == "HEARTBEAT" and (not modes or modes[-1] != m.custom_mode):
            modes.append(m.custom_mode)
        elif t == "MISSION_ITEM_REACHED" and (not reached or reached[-1] != m.seq):
            reached.append(m.seq)
        elif t == "STATUSTEXT" and m.text.startswith("Reached command"):
            texts.append(m.text)
    return {"acks": acks, "upload": upload_result, "request_kinds": sorted(set(request_kinds)),
            "modes": modes[modes.index(4):] if 4 in modes else modes, "reached": reached,
            "reached_texts": texts}


EXPECTED = {
    "acks": {"unknown": M.MAV_RESULT_UNSUPPORTED, "guided": 0, "arm": 0, "takeoff": 0, "auto": 0},
    "upload": M.MAV_MISSION_ACCEPTED,
    "request_kinds": ["MISSION_REQUEST"],
    "modes": [4, 3],
    "reached": [1, 2, 3],
    "reached_texts": ["Reached command #2"],
}


async def fly_simulator() -> dict[str, Any]:
    cfg = FleetConfig(count=1, tcp_base=0, boot=SITL_BOOT, home=_home())
    async with DroneFleetSim(cfg, clock=ManualClock()) as sim:
        gcs = await MavClient.tcp(sim, sim.instances[0].port)
        try:
            return await scripted_flight(gcs)
        finally:
            gcs.close()


def _home() -> Home:
    return Home(*HOME)


async def test_scripted_flight_on_the_simulator_matches_sitl_observations():
    assert await fly_simulator() == EXPECTED


async def fly_sitl(binary: str, defaults: str | None, workdir: Path) -> dict[str, Any]:
    args = [binary, "--model", "quad", "--speedup", str(SPEEDUP), "-I", str(INSTANCE),
            "--sysid", "1", "--home", ",".join(str(x) for x in HOME)]
    if defaults:
        args += ["--defaults", defaults]
    proc = await asyncio.create_subprocess_exec(*args, cwd=workdir,
                                                stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)
    try:
        peer = WallClockPeer(SPEEDUP)
        port = 5760 + 10 * INSTANCE
        for _ in range(100):
            try:
                gcs = await MavClient.tcp(peer, port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("SITL never listened on its TCP port")
        try:
            return await scripted_flight(gcs)
        finally:
            gcs.close()
    finally:
        proc.terminate()                     # stop by pid: the one we started
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def sitl_binary() -> str:
    binary = os.environ.get("ARDUPILOT_SITL")
    if not binary:
        pytest.skip("ARDUPILOT_SITL is not set to an arducopter SITL binary")
    if not (Path(binary).is_file() or shutil.which(binary)):
        pytest.skip(f"ARDUPILOT_SITL={binary!r} is not an executable")
    return binary


async def test_sitl_contract(tmp_path):
    binary = sitl_binary()
    real = await fly_sitl(binary, os.environ.get("ARDUPILOT_SITL_DEFAULTS"), tmp_path)
    simulated = await fly_simulator()
    assert simulated == real
