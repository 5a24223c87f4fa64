"""One MAVLink vehicle as the core sees it: identity, latest values, readiness.

The router feeds it decoded messages (hot named tuples or pymavlink messages: both carry
the MAVLink field names); it turns them into :class:`fleet.model.Telemetry` reports.
Pure: no I/O, time passed in.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ...model import GpsFix, Position, Telemetry, UnitKind
from .dialect import mavlink2 as m
from .modes import mode_name

EKF_POS_HORIZ_ABS = m.EKF_POS_HORIZ_ABS  # 16
EKF_CONST_POS_MODE = m.EKF_CONST_POS_MODE  # 128
PREARM_CHECK = m.MAV_SYS_STATUS_PREARM_CHECK
NAN = math.nan

_KIND_BY_TYPE = {
    m.MAV_TYPE_HELICOPTER: UnitKind.HELICOPTER,
    m.MAV_TYPE_SURFACE_BOAT: UnitKind.PATROL_BOAT,
    m.MAV_TYPE_GROUND_ROVER: UnitKind.PATROL_CAR,
}


def kind_for(mav_type: int) -> UnitKind:
    """The unit kind an auto-registered vehicle gets from its MAV_TYPE."""
    return _KIND_BY_TYPE.get(mav_type, UnitKind.DRONE)


def is_vehicle_heartbeat(msg: Any) -> bool:
    """A heartbeat from a vehicle, not from a GCS, a camera with no autopilot, etc."""
    return msg.autopilot != m.MAV_AUTOPILOT_INVALID and msg.type != m.MAV_TYPE_GCS


@dataclass(slots=True)
class StatusText:
    time: float  # our monotonic clock
    severity: int
    text: str


@dataclass(slots=True)
class Vehicle:
    sysid: int
    compid: int
    unit_id: str
    mav_type: int
    autopilot: int
    # latest values, None until first heard
    mode: str | None = None
    custom_mode: int | None = None
    armed: bool | None = None
    system_status: int | None = None
    lat: float = NAN
    lon: float = NAN
    alt_m: float | None = None
    relative_alt_m: float | None = None
    heading_deg: float | None = None
    ground_speed_m_s: float | None = None
    battery_pct: float | None = None
    battery_v: float | None = None
    gps_fix: GpsFix | None = None
    satellites: int | None = None
    ekf_flags: int | None = None
    sensors_health: int | None = None
    mission_seq: int | None = None
    mission_total: int | None = None
    reached: list[int] = field(default_factory=list)
    home: Position | None = None
    home_reports: int = 0  # HOME_POSITION messages heard: a read-back waits for a new one
    boot_ms: int | None = None
    unix_offset_s: float | None = None  # vehicle Unix time - its boot time, from SYSTEM_TIME
    position_time: float | None = None  # vehicle Unix time of the latest position
    texts: deque[StatusText] = field(default_factory=lambda: deque(maxlen=20))

    @property
    def address(self) -> str:
        return f"{self.sysid}:{self.compid}"

    @property
    def is_ardupilot(self) -> bool:
        return self.autopilot == m.MAV_AUTOPILOT_ARDUPILOTMEGA

    @property
    def ready(self) -> bool | None:
        """Ready to fly: EKF has an absolute horizontal position (and is not in constant
        position mode), GPS has a 3D fix, and the pre-arm checks pass. None until the
        vehicle has said enough to tell."""
        if self.gps_fix is None or self.sensors_health is None:
            return None
        ekf_ok = True
        if self.ekf_flags is not None:
            ekf_ok = bool(self.ekf_flags & EKF_POS_HORIZ_ABS) and not (
                self.ekf_flags & EKF_CONST_POS_MODE)
        return ekf_ok and self.gps_fix >= GpsFix.FIX_3D and bool(
            self.sensors_health & PREARM_CHECK)

    def recent_text(self, now: float, within_s: float = 3.0) -> str | None:
        """The latest STATUSTEXT of the last few seconds: the reason behind a refusal."""
        if self.texts and now - self.texts[-1].time <= within_s:
            return self.texts[-1].text
        return None

    # -- message handlers ---------------------------------------------------------
    def on_heartbeat(self, msg: Any) -> bool:
        """Returns True when mode or armed changed (worth a report now)."""
        armed = bool(msg.base_mode & m.MAV_MODE_FLAG_SAFETY_ARMED)
        changed = armed != self.armed or msg.custom_mode != self.custom_mode
        self.armed = armed
        self.system_status = msg.system_status
        if msg.custom_mode != self.custom_mode or self.mode is None:
            self.custom_mode = msg.custom_mode
            self.mode = mode_name(self.autopilot, self.mav_type, msg.custom_mode)
        return changed

    def on_global_position_int(self, msg: Any) -> None:
        if msg.lat or msg.lon:  # ArduPilot sends 0, 0 until it has a position
            self.lat = msg.lat * 1e-7
            self.lon = msg.lon * 1e-7
        self.alt_m = msg.alt * 1e-3
        self.relative_alt_m = msg.relative_alt * 1e-3
        if msg.hdg != 65535:
            self.heading_deg = msg.hdg * 0.01
        self.ground_speed_m_s = math.hypot(msg.vx, msg.vy) * 0.01
        self.boot_ms = msg.time_boot_ms
        if self.unix_offset_s is not None:  # fixed here, so later reports never go back
            self.position_time = self.unix_offset_s + msg.time_boot_ms * 1e-3

    def on_sys_status(self, msg: Any) -> None:
        self.sensors_health = msg.onboard_control_sensors_health
        if msg.battery_remaining >= 0:
            self.battery_pct = float(msg.battery_remaining)
        if msg.voltage_battery != 65535:
            self.battery_v = msg.voltage_battery * 1e-3

    def on_gps_raw_int(self, msg: Any) -> None:
        self.gps_fix = GpsFix(min(msg.fix_type, 6))
        self.satellites = msg.satellites_visible if msg.satellites_visible != 255 else None

    def on_vfr_hud(self, msg: Any) -> None:
        self.ground_speed_m_s = float(msg.groundspeed)
        self.heading_deg = float(msg.heading)

    def on_ekf_status_report(self, msg: Any) -> None:
        self.ekf_flags = msg.flags

    def on_mission_current(self, msg: Any) -> None:
        self.mission_seq = msg.seq
        total = getattr(msg, "total", 0)
        if total and total != 65535:
            self.mission_total = total

    def on_item_reached(self, seq: int) -> bool:
        """Record that item ``seq`` was reached; False when already recorded (the same
        news by the other message, or a repeat)."""
        if self.reached and self.reached[-1] == seq:
            return False
        self.reached.append(seq)
        del self.reached[:-100]
        return True

    def on_home_position(self, msg: Any) -> bool:
        """Returns True when home moved (or is heard for the first time)."""
        home = Position(msg.latitude * 1e-7, msg.longitude * 1e-7, msg.altitude * 1e-3)
        self.home_reports += 1
        changed = home != self.home
        self.home = home
        return changed

    def on_battery_status(self, msg: Any) -> None:
        if msg.battery_remaining >= 0:
            self.battery_pct = float(msg.battery_remaining)

    def on_system_time(self, msg: Any) -> None:
        if msg.time_unix_usec:
            self.unix_offset_s = msg.time_unix_usec * 1e-6 - msg.time_boot_ms * 1e-3

    def on_statustext(self, msg: Any, now: float) -> StatusText:
        text = msg.text if isinstance(msg.text, str) else msg.text.decode("utf-8", "replace")
        entry = StatusText(now, msg.severity, text.rstrip("\x00"))
        self.texts.append(entry)
        return entry

    # -- output -------------------------------------------------------------------
    def telemetry(self, received_time: float) -> Telemetry:
        return Telemetry(
            lat_deg=self.lat, lon_deg=self.lon, received_time=received_time,
            alt_m=self.alt_m, relative_alt_m=self.relative_alt_m,
            heading_deg=self.heading_deg, ground_speed_m_s=self.ground_speed_m_s,
            battery_pct=self.battery_pct, mode=self.mode, armed=self.armed,
            gps_fix=self.gps_fix, source_time=self.position_time, battery_v=self.battery_v,
            satellites=self.satellites, ready=self.ready, mission_seq=self.mission_seq,
        )
