"""fleet commands as MAVLink, per autopilot (ArduPilot first, PX4 where it differs).

- arm/disarm: MAV_CMD_COMPONENT_ARM_DISARM; force (21196) only when asked.
- set mode: MAV_CMD_DO_SET_MODE (custom mode enabled, mode number[, PX4 sub mode]).
- takeoff: GUIDED (ArduPilot copter needs it), then MAV_CMD_NAV_TAKEOFF (param 7 = alt).
- goto: MAV_CMD_DO_REPOSITION as COMMAND_INT with the "change mode" flag, so the vehicle
  switches to GUIDED itself and the result is acknowledged (unlike a position target).
- orbit: ArduCopter has no MAV_CMD_DO_ORBIT, and its CIRCLE mode centres the circle
  CIRCLE_RADIUS ahead of the nose. So: set CIRCLE_RADIUS, fly (GUIDED) straight towards
  the centre and stop one radius short of it, nose on the centre; then CIRCLE. PX4 and
  others get MAV_CMD_DO_ORBIT.
- hold: LOITER (copter), HOLD (rover/boat), AUTO.LOITER (PX4).
- return to launch / land: RTL / LAND modes (PX4: AUTO.RTL / AUTO.LAND).
- change speed: MAV_CMD_DO_CHANGE_SPEED (ground speed).
- missions: upload/download/clear through the mission protocol; start = AUTO (plus
  MAV_CMD_MISSION_START when armed, which ArduCopter needs to leave the ground); pause
  = hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable
from typing import Any

from ... import commands as c
from ...errors import CommandRejectedError, UnsupportedCommandError
from .command_protocol import CommandClient
from .dialect import mavlink2 as m
from .mission_protocol import MissionClient
from .modes import is_rover, mode_name, mode_number
from .vehicle import Vehicle

FORCE_MAGIC = 21196.0


class Actions:
    """Carries out fleet commands on one vehicle."""

    def __init__(
        self, vehicle: Vehicle, client: CommandClient, missions: MissionClient,
        set_param: Callable[[str, float], Awaitable[None]],
        wait_until: Callable[[Callable[[], bool]], Awaitable[None]],
    ) -> None:
        self.vehicle = vehicle
        self.client = client
        self.missions = missions
        self._set_param = set_param
        self._wait_until = wait_until

    async def execute(self, command: c.Command) -> Any:
        v = self.vehicle
        match command:
            case c.Arm(force=force):
                await self.client.long(m.MAV_CMD_COMPONENT_ARM_DISARM, 1.0,
                                       FORCE_MAGIC if force else 0.0, done=lambda: v.armed)
                await self._settle(lambda: bool(v.armed))
            case c.Disarm(force=force):
                await self.client.long(m.MAV_CMD_COMPONENT_ARM_DISARM, 0.0,
                                       FORCE_MAGIC if force else 0.0,
                                       done=lambda: v.armed is False)
                await self._settle(lambda: v.armed is False)
            case c.SetMode(mode=name):
                await self.set_mode(name)
            case c.Takeoff(relative_alt_m=alt):
                if v.is_ardupilot and v.mode != "GUIDED":
                    await self.set_mode("GUIDED")
                await self.client.long(
                    m.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, float("nan"), 0, 0, float(alt),
                    done=lambda: bool(v.armed) and (v.relative_alt_m or 0.0) > 0.3)
            case c.Goto(lat_deg=lat, lon_deg=lon, alt_m=alt):
                await self.goto(lat, lon, alt)
            case c.Orbit(lat_deg=lat, lon_deg=lon, radius_m=radius, alt_m=alt,
                         velocity_m_s=speed):
                await self.orbit(lat, lon, radius, alt, speed)
            case c.Hold():
                await self.set_mode(self._hold_mode())
            case c.ReturnToLaunch():
                await self.set_mode("AUTO.RTL" if self._px4 else "RTL")
            case c.Land():
                if is_rover(v.mav_type):
                    raise UnsupportedCommandError(v.unit_id, "land", "a rover or boat cannot land")
                await self.set_mode("AUTO.LAND" if self._px4 else "LAND")
            case c.SetSpeed(speed_m_s=speed):
                await self.client.long(m.MAV_CMD_DO_CHANGE_SPEED, 1.0, float(speed), -1.0)
            case c.UploadMission(items=items, mission_type=kind, verify=verify,
                                 progress=progress):
                await self.missions.upload(items, kind, verify=verify, progress=progress)
            case c.DownloadMission(mission_type=kind, progress=progress):
                return await self.missions.download(kind, progress)
            case c.ClearMission(mission_type=kind):
                await self.missions.clear(kind)
            case c.SetMissionCurrent(index=index):
                await self.missions.set_current(index, lambda: v.mission_seq, self._wait_until)
            case c.StartMission():
                await self.set_mode("AUTO.MISSION" if self._px4 else "AUTO")
                if v.is_ardupilot and v.armed:
                    await self.client.long(m.MAV_CMD_MISSION_START, 0.0, 0.0)
            case c.PauseMission():
                await self.set_mode(self._hold_mode())
            case _:
                raise UnsupportedCommandError(v.unit_id, type(command).__name__,
                                              "not a MAVLink command")
        return None

    async def _settle(self, predicate: Callable[[], bool]) -> None:
        """After an accepted command, wait (briefly) for the heartbeat that shows it, so
        the next command sees the vehicle as it now is (the ACK can beat the heartbeat)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.client.policy.ack_timeout_s):
                await self._wait_until(predicate)

    @property
    def _px4(self) -> bool:
        return self.vehicle.autopilot == m.MAV_AUTOPILOT_PX4

    def _hold_mode(self) -> str:
        if self._px4:
            return "AUTO.LOITER"
        return "HOLD" if is_rover(self.vehicle.mav_type) else "LOITER"

    async def set_mode(self, name: str) -> None:
        v = self.vehicle
        try:
            main, sub = mode_number(v.autopilot, v.mav_type, name)
        except KeyError as exc:
            raise CommandRejectedError(v.unit_id, "set_mode", "unknown mode", exc.args[0]) from None
        custom = (main << 16 | sub << 24) if self._px4 else main
        wanted = mode_name(v.autopilot, v.mav_type, custom)
        await self.client.long(m.MAV_CMD_DO_SET_MODE, float(m.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED),
                               float(main), float(sub), done=lambda: v.mode == wanted)

    async def goto(self, lat: float, lon: float, alt: float | None) -> None:
        v = self.vehicle
        if alt is None:
            alt = v.relative_alt_m or 0.0
        await self.client.int_(
            m.MAV_CMD_DO_REPOSITION,
            params=(-1.0, float(m.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE), 0.0, float("nan")),
            lat_deg=lat, lon_deg=lon, alt_m=float(alt),
        )

    async def orbit(self, lat: float, lon: float, radius: float, alt: float | None,
                    speed: float | None) -> None:
        v = self.vehicle
        if v.is_ardupilot:
            await self._set_param("CIRCLE_RADIUS", radius * 100.0)  # cm on ArduCopter
            entry = circle_entry(v.lat, v.lon, lat, lon, radius)
            await self.goto(*entry, alt)
            await self._wait_until(
                lambda: _distance_m(v.lat, v.lon, *entry) < max(2.0, radius * 0.1))
            await self.set_mode("CIRCLE")
            return
        await self.client.int_(
            m.MAV_CMD_DO_ORBIT,
            params=(radius, speed if speed is not None else float("nan"), 0.0, float("nan")),
            lat_deg=lat, lon_deg=lon,
            alt_m=float(alt if alt is not None else (self.vehicle.relative_alt_m or 0.0)),
        )


def _local(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """East, north metres of (lat, lon) from (lat0, lon0): flat earth, fine for a city."""
    k = math.pi / 180.0 * 6_371_008.8
    return (lon - lon0) * k * math.cos(math.radians(lat0)), (lat - lat0) * k


def _distance_m(lat0: float, lon0: float, lat: float, lon: float) -> float:
    if lat0 != lat0:  # no position yet
        return math.inf
    return math.hypot(*_local(lat0, lon0, lat, lon))


def circle_entry(lat: float, lon: float, c_lat: float, c_lon: float,
                 radius_m: float) -> tuple[float, float]:
    """The point one radius short of the centre on the line from (lat, lon): arriving
    there, an ArduCopter faces the centre, which CIRCLE then takes as its centre."""
    east, north = _local(c_lat, c_lon, lat, lon)
    d = math.hypot(east, north)
    if d < 1e-6 or lat != lat:
        east, north, d = 0.0, -1.0, 1.0  # on top of the centre: enter from the south
    k = math.pi / 180.0 * 6_371_008.8
    e = east / d * radius_m
    n = north / d * radius_m
    return c_lat + n / k, c_lon + e / (k * math.cos(math.radians(c_lat)))
