"""fleet commands as MAVLink, per autopilot (ArduPilot first, PX4 where it differs).

No command puts an aircraft in a mode that takes its climb rate from a pilot's stick
(docs/flight-safety.md has the whole mode audit):

- arm/disarm: MAV_CMD_COMPONENT_ARM_DISARM; force (21196) only when asked. An ArduCopter
  on the ground in a mode it refuses to arm in (RTL, LAND, BRAKE, ... after a return
  home: "RTL mode not armable") is put in GUIDED first, as QGroundControl's takeoff does;
  GUIDED holds position with no pilot. Before the first arm, the vehicle's GCS failsafe
  is set as configured (``[mavlink] gcs_failsafe``).
  A helicopter's motor interlock is switched off before arming and on after it
  (MAV_CMD_DO_AUX_FUNCTION), and its takeoff waits for the rotor run-up.
- set mode: MAV_CMD_DO_SET_MODE (custom mode enabled, mode number[, PX4 sub mode]); an
  armed aircraft's stick modes (LOITER, ALT_HOLD, CIRCLE, ...) only with ``pilot=True``.
- takeoff: GUIDED (ArduPilot copter needs it), then MAV_CMD_NAV_TAKEOFF (param 7 = alt).
- goto: MAV_CMD_DO_REPOSITION as COMMAND_INT with the "change mode" flag, so the vehicle
  switches to GUIDED itself and the result is acknowledged (unlike a position target).
- orbit (overwatch): ArduPilot copters join the circle with a reposition and fleet then
  flies it in GUIDED with streamed targets (:mod:`.overwatch`); CIRCLE mode would descend
  without a pilot. PX4 and others get MAV_CMD_DO_ORBIT.
- hold: BRAKE (ArduCopter: stops and holds position and altitude, ignoring the sticks, as
  QGroundControl's pause), HOLD (rover/boat), AUTO.LOITER (PX4).
- return to launch / land: RTL / LAND modes (PX4: AUTO.RTL / AUTO.LAND).
- change speed: MAV_CMD_DO_CHANGE_SPEED (ground speed); during an overwatch, its speed.
- set home: MAV_CMD_DO_SET_HOME as COMMAND_INT, frame GLOBAL (altitude AMSL, as ArduPilot
  reads it; its COMMAND_LONG form assumes the same frame), param1 1 for "here"; then
  HOME_POSITION is read back and must match. A point without an altitude keeps the
  altitude of the vehicle's current home, never sea level. ArduPilot locks a home a GCS
  set: arming no longer moves it (GCS_Common.cpp, AP_Arming_Copter::arm).
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
from ...errors import CommandRejectedError, CommandTimeoutError, UnsupportedCommandError
from ...geo import distance_m
from .command_protocol import CommandClient
from .dialect import mavlink2 as m
from .failsafe import GcsFailsafe
from .mission_protocol import MissionClient
from .modes import is_copter, is_rover, mode_name, mode_number, needs_pilot
from .overwatch import DEFAULT_SPEED_M_S, OrbitPath, Overwatch
from .params import ParamClient
from .vehicle import Vehicle

#: ArduCopter modes whose ``allows_arming`` is false (ArduCopter/mode.h); AUTO arms only
#: with AUTO_OPTIONS set, so it is left to the vehicle to say
COPTER_NOT_ARMABLE = frozenset({"BRAKE", "CIRCLE", "FLIP", "LAND", "RTL", "SMART_RTL",
                                "SYSTEMID", "AVOID_ADSB", "FOLLOW", "AUTOROTATE"})

FORCE_MAGIC = 21196.0
AIRBORNE_M = 1.0
#: RC aux function MOTOR_INTERLOCK: a helicopter's rotor switch, which it must have off to
#: arm and on (then a rotor run-up, H_RSC_RUNUP_TIME) before GUIDED and takeoff
MOTOR_INTERLOCK = 32.0
AUX_LOW, AUX_HIGH = 0.0, 2.0
RUNUP_TRIES = 60
#: commands that leave a running overwatch alone (they do not move the aircraft)
_KEEP_GUIDANCE = (c.UploadMission, c.DownloadMission, c.ClearMission, c.SetMissionCurrent,
                  c.SetSpeed, c.SetHome)
#: a home read back within this of the point asked for is the point (ArduPilot stores
#: 1e-7 degrees and centimetres)
HOME_MATCH_M = 1.0
#: "here": home within this of where the vehicle was when asked, plus 2 s of its speed
HOME_HERE_M = 5.0


class Actions:
    """Carries out fleet commands on one vehicle, and holds its overwatch (if any), which
    the link's guidance loop flies."""

    def __init__(
        self, vehicle: Vehicle, client: CommandClient, missions: MissionClient,
        params: ParamClient, wait_until: Callable[[Callable[[], bool]], Awaitable[None]],
        *, monotonic: Callable[[], float], failsafe: GcsFailsafe,
        request_home: Callable[[], None] = lambda: None,
    ) -> None:
        self.vehicle = vehicle
        self.client = client
        self.missions = missions
        self.params = params
        self._wait_until = wait_until
        self._monotonic = monotonic
        self.failsafe = failsafe
        self.request_home = request_home  # asks the vehicle for HOME_POSITION once
        self.guidance: Overwatch | None = None

    async def execute(self, command: c.Command) -> Any:
        v = self.vehicle
        if not isinstance(command, _KEEP_GUIDANCE):
            self.guidance = None  # the operator's next command takes the aircraft back
        match command:
            case c.Arm(force=force):
                await self.failsafe.ensure(v, self.params)
                if v.is_ardupilot and is_copter(v.mav_type) and v.armed is False and \
                        v.mode in COPTER_NOT_ARMABLE:
                    await self.set_mode("GUIDED")
                await self._interlock(AUX_LOW)
                await self.client.long(m.MAV_CMD_COMPONENT_ARM_DISARM, 1.0,
                                       FORCE_MAGIC if force else 0.0, done=lambda: v.armed)
                await self._settle(lambda: bool(v.armed))
                await self._interlock(AUX_HIGH)  # the rotor runs up while armed
            case c.Disarm(force=force):
                await self.client.long(m.MAV_CMD_COMPONENT_ARM_DISARM, 0.0,
                                       FORCE_MAGIC if force else 0.0,
                                       done=lambda: v.armed is False)
                await self._settle(lambda: v.armed is False)
            case c.SetMode(mode=name, pilot=pilot):
                self._check_pilot(name, pilot)
                await self.set_mode(name)
            case c.Takeoff(relative_alt_m=alt):
                await self.failsafe.ensure(v, self.params)
                if v.is_ardupilot and v.mode != "GUIDED":
                    await self._guided_after_runup()
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
                if self.guidance is not None:
                    self.guidance.set_speed(float(speed))
                    return None
                await self.client.long(m.MAV_CMD_DO_CHANGE_SPEED, 1.0, float(speed), -1.0)
            case c.SetHome():
                await self.set_home(command)
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
        return "HOLD" if is_rover(self.vehicle.mav_type) else "BRAKE"

    @property
    def _heli(self) -> bool:
        return self.vehicle.is_ardupilot and self.vehicle.mav_type == m.MAV_TYPE_HELICOPTER

    async def _interlock(self, position: float) -> None:
        """Set a helicopter's motor interlock as its pilot's switch would (DO_AUX_FUNCTION);
        a frame without one refuses, which is fine."""
        if not self._heli:
            return
        with contextlib.suppress(CommandRejectedError):
            await self.client.long(m.MAV_CMD_DO_AUX_FUNCTION, MOTOR_INTERLOCK, position)

    async def _guided_after_runup(self) -> None:
        """GUIDED; a helicopter refuses it ("runup not complete") until its rotor is up to
        speed, so it is asked again, once per ack timeout, while the rotor runs up."""
        for _ in range(RUNUP_TRIES if self._heli else 1):
            try:
                await self.set_mode("GUIDED")
                return
            except CommandRejectedError as exc:
                if "runup" not in exc.reason:
                    raise
                await asyncio.sleep(self.client.policy.ack_timeout_s)
        await self.set_mode("GUIDED")

    def _check_pilot(self, name: str, pilot: bool) -> None:
        v = self.vehicle
        if pilot or not v.armed or not needs_pilot(v.autopilot, v.mav_type, name):
            return
        raise CommandRejectedError(
            v.unit_id, "set_mode", "refused",
            f"{name.upper()} is flown from a pilot's sticks and descends or drifts without "
            "one; use hold (BRAKE), goto, orbit or RTL, or say a pilot has the sticks")

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
        if not v.is_ardupilot:
            await self.client.int_(
                m.MAV_CMD_DO_ORBIT,
                params=(radius, speed if speed is not None else float("nan"), 0.0,
                        float("nan")),
                lat_deg=lat, lon_deg=lon,
                alt_m=float(alt if alt is not None else (v.relative_alt_m or 0.0)),
            )
            return
        if not is_copter(v.mav_type):
            raise UnsupportedCommandError(v.unit_id, "orbit",
                                          "overwatch is for ArduPilot copters and helicopters")
        if not v.armed or (v.relative_alt_m or 0.0) < AIRBORNE_M:
            raise CommandRejectedError(v.unit_id, "orbit", "refused",
                                       "not flying: take off first")
        if not radius > 0:
            raise CommandRejectedError(v.unit_id, "orbit", "refused",
                                       f"radius must be > 0 m, got {radius:g}")
        await self.failsafe.ensure(v, self.params)
        height = float(alt if alt is not None else (v.relative_alt_m or 0.0))
        path = OrbitPath(lat, lon, float(radius), height,
                         float(speed) if speed else DEFAULT_SPEED_M_S)
        entry = path.entry(v.lat, v.lon)
        await self.goto(*entry, height)
        await self._settle(lambda: v.mode == "GUIDED")
        if v.mode != "GUIDED":
            raise CommandRejectedError(v.unit_id, "orbit", "refused",
                                       f"the aircraft stayed in {v.mode} after the reposition")
        self.guidance = Overwatch(path, entry, self._monotonic())

    # -- home ------------------------------------------------------------------------
    async def set_home(self, command: c.SetHome) -> None:
        """DO_SET_HOME, acked, then HOME_POSITION read back (asked for again each ack
        timeout) until it is the point asked for; a different home is an error."""
        v = self.vehicle
        if command.here:
            lat, lon, alt = v.lat, v.lon, 0.0
            within = HOME_HERE_M + 2.0 * (v.ground_speed_m_s or 0.0)
            if not (math.isfinite(lat) and math.isfinite(lon)):
                raise CommandRejectedError(v.unit_id, "set_home", "refused",
                                           "the vehicle has no position yet")
        else:
            assert command.lat_deg is not None and command.lon_deg is not None
            lat, lon, within = command.lat_deg, command.lon_deg, HOME_MATCH_M
            alt = command.alt_amsl_m
            if alt is None:
                alt = await self._home_altitude()
            if not math.isfinite(alt):
                raise CommandRejectedError(v.unit_id, "set_home", "refused",
                                           f"altitude {alt} is not a number")
        before = v.home_reports
        await self.client.int_(
            m.MAV_CMD_DO_SET_HOME, frame=m.MAV_FRAME_GLOBAL,
            params=(1.0 if command.here else 0.0, 0.0, 0.0, 0.0),
            lat_deg=0.0 if command.here else lat, lon_deg=0.0 if command.here else lon,
            alt_m=float(alt))

        def taken() -> bool:
            h = v.home
            return (v.home_reports > before and h is not None
                    and distance_m(h.lat_deg, h.lon_deg, lat, lon) <= within
                    and (command.here or abs(h.alt_m - alt) <= HOME_MATCH_M))

        for _ in range(self.client.policy.attempts):
            self.request_home()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.client.policy.ack_timeout_s):
                    await self._wait_until(taken)
                    return
        h = v.home
        if v.home_reports == before or h is None:
            raise CommandTimeoutError(v.unit_id, "set_home",
                                      "accepted, but no HOME_POSITION came back to check it")
        raise CommandRejectedError(
            v.unit_id, "set_home", "home differs",
            f"read back {h.lat_deg:.6f}, {h.lon_deg:.6f} at {h.alt_m:.1f} m AMSL, "
            f"{distance_m(h.lat_deg, h.lon_deg, lat, lon):.1f} m from {lat:.6f}, {lon:.6f}"
            + ("" if command.here else f" at {alt:.1f} m AMSL"))

    async def _home_altitude(self) -> float:
        """The altitude (AMSL) of the home the vehicle has now, asked for if not heard."""
        v = self.vehicle
        if v.home is None:
            self.request_home()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.client.policy.ack_timeout_s
                                           * self.client.policy.attempts):
                    await self._wait_until(lambda: v.home is not None)
        if v.home is None:
            raise CommandRejectedError(
                v.unit_id, "set_home", "refused",
                "the vehicle has not reported its home, so the altitude to keep is unknown "
                "(fleet never sets a home at sea level): give the altitude")
        return v.home.alt_m
