"""DO_SET_HOME and home at arming: the same script against ArduPilot SITL and against the
simulator, compared (as test_sitl_contract does for a flight).

Set ``ARDUPILOT_SITL`` (and ``ARDUPILOT_SITL_DEFAULTS``) to run the SITL half; without it
the simulator's answers are checked against what SITL answered (recorded below).
"""

from __future__ import annotations

import asyncio
import os
import struct
from pathlib import Path
from typing import Any

from mavclient import M, MavClient
from test_sitl_contract import HOME, SPEEDUP, WallClockPeer, sitl_binary

from simulators.drone import SITL_BOOT, DroneFleetSim, FleetConfig, Home, ManualClock
from simulators.drone.geo import offset

INSTANCE = 8  # TCP 5840: not test_sitl_contract's


def f32(value: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", value))[0])


def as_long_param(degrees: float) -> int:
    """What ArduPilot makes of degrees sent in COMMAND_LONG (convert_COMMAND_LONG_loc_param):
    a float, times 1e7 as a float (-fsingle-precision-constant), truncated: steps of 128
    (1e-5 degree, about 1 m) at 149 E. Seen on SITL: 149.1652300 arrived as 149.1652352."""
    return int(f32(f32(degrees) * 1e7))


async def home_now(gcs: MavClient, pred: Any = None) -> Any:
    """The HOME_POSITION the vehicle sends after this (asked for; older ones skipped)."""
    gcs.skip_pending()
    gcs.send(gcs.mav.command_long_encode(1, 1, M.MAV_CMD_REQUEST_MESSAGE, 0,
                                         M.MAVLINK_MSG_ID_HOME_POSITION, 0, 0, 0, 0, 0, 0))
    return await gcs.wait(lambda m: m.get_type() == "HOME_POSITION"
                          and (pred is None or pred(m)), sim_s=10)


async def scripted_home(gcs: MavClient) -> dict[str, Any]:
    """Every DO_SET_HOME answer, and where home is after each step, as plain values."""
    gcs.request_streams(4)
    await gcs.wait(lambda m: m.get_type() == "EKF_STATUS_REPORT" and m.flags & 16
                   and not m.flags & 128, sim_s=120)
    boot = await home_now(gcs)
    lat, lon = offset(HOME[0], HOME[1], 100.0, 0.0)
    x, y = round(lat * 1e7), round(lon * 1e7)
    out: dict[str, Any] = {}

    async def int_(z: float, frame: int = M.MAV_FRAME_GLOBAL, p1: float = 0.0,
                   xy: tuple[int, int] = (x, y)) -> int:
        ack = await gcs.command_int(M.MAV_CMD_DO_SET_HOME, frame, p1, x=xy[0], y=xy[1], z=z)
        return int(ack.result)

    ack = await gcs.command(M.MAV_CMD_DO_SET_HOME, 0, 0, 0, 0, lat, lon, 600.0)
    h = await home_now(gcs, lambda m: m.altitude == 600_000)
    out["long, AMSL"] = (ack.result, (h.latitude, h.longitude) == (as_long_param(lat),
                                                                   as_long_param(lon)))
    out["int, relative"] = await int_(10.0, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT)
    h = await home_now(gcs, lambda m: m.altitude == 610_000)
    out["int, relative, read back"] = (h.latitude, h.longitude) == (x, y)
    out["param1 2"] = await int_(600.0, p1=2.0)
    out["NaN altitude"] = await int_(float("nan"))
    out["LOCAL_NED"] = await int_(600.0, M.MAV_FRAME_LOCAL_NED)
    out["latitude 91"] = await int_(600.0, xy=(91 * 10**7, y))
    ack = await gcs.command(M.MAV_CMD_DO_REPOSITION, -1, 1, 0, 0, lat, lon, 10)
    out["reposition as COMMAND_LONG"] = ack.result
    out["int, AMSL"] = await int_(600.0)
    out["guided"] = (await gcs.set_mode(4)).result
    out["arm"] = (await gcs.arm()).result
    h = await home_now(gcs)  # locked by the GCS: arming left it where it was set
    out["after arming"] = (h.latitude, h.longitude, h.altitude) == (x, y, 600_000)
    out["disarm"] = (await gcs.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 0)).result
    out["here (0, 0)"] = await int_(0.0, xy=(0, 0))
    h = await home_now(gcs, lambda m: m.altitude != 600_000)
    out["here, near boot"] = (abs(h.altitude - boot.altitude) < 1000
                              and abs(h.latitude - boot.latitude) < 50)
    return out


EXPECTED = {
    "long, AMSL": (M.MAV_RESULT_ACCEPTED, True),
    "int, relative": M.MAV_RESULT_ACCEPTED,
    "int, relative, read back": True,
    "param1 2": M.MAV_RESULT_FAILED,
    "NaN altitude": M.MAV_RESULT_DENIED,
    "LOCAL_NED": M.MAV_RESULT_DENIED,
    "latitude 91": M.MAV_RESULT_FAILED,
    "reposition as COMMAND_LONG": M.MAV_RESULT_UNSUPPORTED,
    "int, AMSL": M.MAV_RESULT_ACCEPTED,
    "guided": M.MAV_RESULT_ACCEPTED,
    "arm": M.MAV_RESULT_ACCEPTED,
    "after arming": True,
    "disarm": M.MAV_RESULT_ACCEPTED,
    "here (0, 0)": M.MAV_RESULT_ACCEPTED,
    "here, near boot": True,
}


async def on_simulator() -> dict[str, Any]:
    cfg = FleetConfig(count=1, tcp_base=0, boot=SITL_BOOT, home=Home(*HOME))
    async with DroneFleetSim(cfg, clock=ManualClock()) as sim:
        gcs = await MavClient.tcp(sim, sim.instances[0].port)
        try:
            return await scripted_home(gcs)
        finally:
            gcs.close()


async def on_sitl(binary: str, defaults: str | None, workdir: Path) -> dict[str, Any]:
    args = [binary, "--model", "quad", "--speedup", str(SPEEDUP), "-I", str(INSTANCE),
            "--sysid", "1", "--home", ",".join(str(v) for v in HOME)]
    if defaults:
        args += ["--defaults", defaults]
    proc = await asyncio.create_subprocess_exec(*args, cwd=workdir,
                                                stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                gcs = await MavClient.tcp(WallClockPeer(SPEEDUP), 5760 + 10 * INSTANCE)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("SITL never listened on its TCP port")
        try:
            return await scripted_home(gcs)
        finally:
            gcs.close()
    finally:
        proc.terminate()  # the one we started, by pid
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def test_set_home_on_the_simulator_answers_as_sitl_did() -> None:
    assert await on_simulator() == EXPECTED


async def test_set_home_contract_with_sitl(tmp_path: Path) -> None:
    binary = sitl_binary()
    real = await on_sitl(binary, os.environ.get("ARDUPILOT_SITL_DEFAULTS"), tmp_path)
    assert real == EXPECTED
    assert await on_simulator() == real
