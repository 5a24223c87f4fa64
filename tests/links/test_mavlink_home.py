"""Home over MAVLink, on real UDP: the link tells the core every home it hears (and asks
again after arming), the core warns once when home leaves the unit's base, and SetHome
goes out as COMMAND_INT (frame GLOBAL, altitude AMSL) and is read back.

Against the drone simulator (ArduCopter's home rules) and, for the failures the simulator
does not produce, a scripted peer."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator

import pytest
from broker import free_port
from mav_peer import ScriptedVehicle, ack
from pymavlink.dialects.v20 import ardupilotmega as m
from waits import connected, until

from fleet.commands import Arm, Goto, Land, SetHome, Takeoff
from fleet.config import parse_config
from fleet.errors import CommandRejectedError
from fleet.geo import displace, distance_m
from fleet.home_watch import CODE_AWAY, CODE_BACK
from fleet.service import FleetService
from simulators.drone import FAST_BOOT, DroneFleetSim, FleetConfig, Home

SPEEDUP = 20.0
PAD = (26.8930, 112.5880, 95.0)  # where the simulated drone boots


def config(port: int, base: tuple[float, float, float], **mavlink: object) -> object:
    return parse_config({
        "mavlink": {"links": [{"name": "air", "url": f"udpin://127.0.0.1:{port}"}],
                    "command_timeout_s": 3.0 / SPEEDUP, "heartbeat_hz": SPEEDUP, **mavlink},
        "bases": [{"id": "hq", "name": "HQ roof", "lat": base[0], "lon": base[1],
                   "alt": base[2]}],
        "units": [{"id": "air-1", "callsign": "Eagle 1", "kind": "drone", "base": "hq",
                   "mavlink": {"sysid": 1}}],
    })


@contextlib.asynccontextmanager
async def fleet_and_sim(base: tuple[float, float, float]) -> AsyncIterator[FleetService]:
    port = free_port()
    async with FleetService(config(port, base)) as svc:
        await connected(svc)
        async with DroneFleetSim(FleetConfig(udpout=("127.0.0.1", port), home=Home(*PAD),
                                             speedup=SPEEDUP, boot=FAST_BOOT)):
            await (await svc.wait_for_unit("air-1", timeout=10)).wait_ready(timeout=20)
            yield svc


def alerts(svc: FleetService, code: str) -> list[str]:
    return [a.message for a in svc.alerts if a.code == code and a.unit_id == "air-1"]


def home_off(svc: FleetService, lat: float, lon: float) -> float:
    home = svc.snapshot("air-1").home
    return float("inf") if home is None else distance_m(home.lat_deg, home.lon_deg, lat, lon)


async def test_arming_away_from_base_moves_home_and_warns_once_until_set_back() -> None:
    async with fleet_and_sim(PAD) as svc:
        await until(svc, lambda: home_off(svc, *PAD[:2]) < 2.0)
        away = displace(PAD[0], PAD[1], 0.0, 80.0)
        tel = lambda: svc.snapshot("air-1").telemetry  # noqa: E731
        await svc.send("air-1", Arm(), timeout=10)
        await svc.send("air-1", Takeoff(10.0), timeout=10)
        await until(svc, lambda: (tel().relative_alt_m or 0.0) > 9.0, 30)  # a goto on the
        await svc.send("air-1", Goto(*away, 10.0), timeout=10)  # ground would not lift off
        await until(svc, lambda: distance_m(tel().lat_deg, tel().lon_deg, *away) < 2.0, 30)
        await svc.send("air-1", Land(), timeout=10)
        await until(svc, lambda: tel().armed is False, 30)
        assert alerts(svc, CODE_AWAY) == []  # armed at base: home stayed there
        await svc.send("air-1", Arm(), timeout=10)
        await until(svc, lambda: home_off(svc, *away) < 3.0)
        [warning] = alerts(svc, CODE_AWAY)
        assert re.fullmatch(r"Eagle 1: home is [78]\d m from its base \(HQ roof\): "
                            r"RTL would land there — set home to base", warning)

        await svc.send("air-1", SetHome(PAD[0], PAD[1], None), timeout=10)
        home = svc.snapshot("air-1").home
        assert home is not None and home_off(svc, *PAD[:2]) < 1.0
        assert home.alt_m == pytest.approx(PAD[2], abs=0.05)  # its own AMSL, kept
        await until(svc, lambda: bool(alerts(svc, CODE_BACK)))
        assert alerts(svc, CODE_BACK) == ["Eagle 1: home is back at its base (HQ roof)"]
        assert len(alerts(svc, CODE_AWAY)) == 1


async def test_set_home_to_a_point_at_an_altitude_and_here() -> None:
    base = (*displace(PAD[0], PAD[1], 0.0, 120.0), 101.5)
    async with fleet_and_sim(base) as svc:
        await until(svc, lambda: bool(alerts(svc, CODE_AWAY)))  # first heard 120 m away
        await svc.send("air-1", SetHome(*base), timeout=10)
        home = svc.snapshot("air-1").home
        assert home is not None and home_off(svc, *base[:2]) < 1.0
        assert home.alt_m == pytest.approx(101.5, abs=0.01)
        await until(svc, lambda: bool(alerts(svc, CODE_BACK)))
        await svc.send("air-1", SetHome(), timeout=10)  # here: 120 m from the base again
        assert home_off(svc, *PAD[:2]) < 2.0
        await until(svc, lambda: len(alerts(svc, CODE_AWAY)) == 2)


# -- a scripted peer: what the simulator will not do -------------------------------------
HOME = (26.8900, 112.5700, 61.25)


def home_message(lat: float, lon: float, alt: float) -> object:
    return m.MAVLink_home_position_message(round(lat * 1e7), round(lon * 1e7), round(alt * 1e3),
                                           0, 0, 0, [1, 0, 0, 0], 0, 0, 0)


@pytest.fixture
async def peer_fleet() -> AsyncIterator[tuple[FleetService, int]]:
    port = free_port()
    async with FleetService(config(port, (26.8900, 112.5700, 0.0), gcs_failsafe="vehicle",
                                   command_timeout_s=0.3, command_attempts=2)) as svc:
        await connected(svc)
        yield svc, port


async def run_peer(svc: FleetService, port: int, peer: ScriptedVehicle) -> asyncio.Task:
    task = asyncio.create_task(peer.run())
    await svc.wait_for_unit("air-1", timeout=10)
    return task


async def test_a_home_that_reads_back_elsewhere_is_an_error(peer_fleet) -> None:
    svc, port = peer_fleet

    def answer(msg):
        if msg.command == m.MAV_CMD_REQUEST_MESSAGE:
            return [ack(msg, m.MAV_RESULT_ACCEPTED), home_message(*HOME)]
        return [ack(msg, m.MAV_RESULT_ACCEPTED)]  # accepts, and keeps its home

    peer = ScriptedVehicle(("127.0.0.1", port), on_command=answer)
    task = await run_peer(svc, port, peer)
    try:
        await until(svc, lambda: svc.snapshot("air-1").home is not None)
        target = displace(HOME[0], HOME[1], 0.0, 100.0)
        with pytest.raises(CommandRejectedError) as err:
            await svc.send("air-1", SetHome(*target), timeout=10)
        assert err.value.result == "home differs"
        assert "100.0 m from" in err.value.reason and "at 61.2 m AMSL" in err.value.reason
        [sent] = [x for x in peer.received if x.get_type() == "COMMAND_INT"
                  and x.command == m.MAV_CMD_DO_SET_HOME]
        assert (sent.frame, sent.param1) == (m.MAV_FRAME_GLOBAL, 0)
        assert (sent.x, sent.y) == (round(target[0] * 1e7), round(target[1] * 1e7))
        assert sent.z == pytest.approx(61.25)  # the home's AMSL altitude, kept
    finally:
        task.cancel()
        peer.close()


async def test_no_home_heard_means_no_altitude_to_keep(peer_fleet) -> None:
    svc, port = peer_fleet
    peer = ScriptedVehicle(("127.0.0.1", port), on_command=lambda msg: [])  # never answers
    task = await run_peer(svc, port, peer)
    try:
        with pytest.raises(CommandRejectedError, match="never sets a home at sea level"):
            await svc.send("air-1", SetHome(26.89, 112.57), timeout=10)
        assert not [x for x in peer.received if getattr(x, "command", None)
                    == m.MAV_CMD_DO_SET_HOME]
    finally:
        task.cancel()
        peer.close()
