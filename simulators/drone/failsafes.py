"""Failsafes: what both firmwares latch and report, and ArduCopter's battery, GCS-loss, EKF
(GPS loss) and geofence failsafes with its reactions to them (ArduRover's: ``rover_failsafes``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .fence import (
    BREACH_BOUNDARY,
    BREACH_MAXALT,
    BREACH_NONE,
    TYPE_ALT_MAX,
    TYPE_CIRCLE,
    TYPE_POLYGON,
)
from .modes import MODE_INFO, Mode

if TYPE_CHECKING:
    from .vehicle import Vehicle
    from .vehicle_base import VehicleBase

CRITICAL, WARNING, INFO = 2, 4, 6

# FS_OPTIONS bits
OPT_GCS_CONTINUE_IF_AUTO, OPT_CONTINUE_IF_LANDING = 4, 8


class FailsafeState:
    """The failsafes in force, as SYS_STATUS, HEARTBEAT, BATTERY_STATUS and FENCE_STATUS report
    them, and AP_BattMonitor's low and critical levels (latched, as ArduPilot latches them)."""

    def __init__(self) -> None:
        self.gcs = False
        self.battery = 0          # 0 none, 1 low, 2 critical
        self.ekf = False
        self.fence_breach = BREACH_NONE   # FENCE_BREACH of the current breach
        self.fence_breach_count = 0
        self.fence_breach_time = 0.0
        self._low_volt_since: float | None = None
        self._crit_volt_since: float | None = None

    @property
    def any(self) -> bool:
        return self.gcs or self.battery > 0 or self.ekf

    def battery_event(self, v: VehicleBase) -> int | None:
        """AP_BattMonitor: a new low/critical level (latched) -> its BATT_FS_*_ACT, else None."""
        if not v.armed:
            return None
        p, bat = v.params, v.battery
        volts = bat.voltage

        def below(limit: float, since: float | None) -> tuple[bool, float | None]:
            if limit <= 0 or volts >= limit:
                return False, None
            since = v.t if since is None else since
            return v.t - since >= p["BATT_LOW_TIMER"], since

        low, self._low_volt_since = below(p["BATT_LOW_VOLT"], self._low_volt_since)
        crit, self._crit_volt_since = below(p["BATT_CRT_VOLT"], self._crit_volt_since)
        low |= p["BATT_LOW_MAH"] > 0 and bat.remaining_mah < p["BATT_LOW_MAH"]
        crit |= p["BATT_CRT_MAH"] > 0 and bat.remaining_mah < p["BATT_CRT_MAH"]
        level = 2 if crit else 1 if low else 0
        if level <= self.battery:
            return None
        self.battery = level
        kind = "critical" if level == 2 else "low"
        v.text(WARNING, f"Battery 1 is {kind} {volts:.2f}V used {bat.consumed_mah:.0f} mAh")
        return int(p["BATT_FS_CRT_ACT"] if level == 2 else p["BATT_FS_LOW_ACT"])


# BATT_FS_*_ACT: 0 none, 1 land, 2 RTL, 3 SmartRTL->RTL, 4 SmartRTL->land, 5 terminate,
# 6 DO_LAND_START->RTL (SmartRTL and landing sequences are not simulated: their fallbacks run)
_BATT_ACTIONS = {0: "none", 1: "land", 2: "rtl", 3: "rtl", 4: "land", 5: "terminate", 6: "rtl"}
# FS_GCS_ENABLE: 1 RTL, 2 (removed) RTL, 3 SmartRTL->RTL, 4 SmartRTL->land, 5 land; other: RTL
_GCS_ACTIONS = {1: "rtl", 2: "rtl", 3: "rtl", 4: "land", 5: "land"}
# FENCE_ACTION: 0 report, 1 RTL->land, 2 land, 3 SmartRTL->RTL->land, 4 brake->land,
# 5 SmartRTL->land
_FENCE_ACTIONS = {0: "none", 1: "rtl", 2: "land", 3: "rtl", 4: "brake", 5: "land"}


class Failsafes(FailsafeState):
    """ArduCopter's failsafe checks, each tick before the mode runs, and what they do."""

    def __init__(self, v: Vehicle) -> None:
        super().__init__()
        self.v = v

    def check(self) -> None:
        self._battery()
        self._gcs()
        self._ekf()
        self._fence()

    def _act(self, action: str) -> None:
        """do_failsafe_action: on the ground disarm; RTL falls back to LAND without position."""
        v = self.v
        if action == "none" or not v.armed:
            return
        if v.landed:
            v.disarm(from_gcs=False)
        elif action == "terminate":
            v.disarm(force=True, from_gcs=False)
        elif action == "rtl":
            if v.mode != Mode.RTL:
                v.force_mode(Mode.RTL)
        elif action == "brake":
            if v.mode not in (Mode.BRAKE, Mode.LAND):
                v.force_mode(Mode.BRAKE)
        elif v.mode != Mode.LAND:
            v.force_mode(Mode.LAND)

    def _battery(self) -> None:
        act = self.battery_event(self.v)
        if act is not None:
            self._act(_BATT_ACTIONS.get(act, "none"))

    def _gcs(self) -> None:
        v = self.v
        p = v.params
        enable = int(p["FS_GCS_ENABLE"])
        if enable == 0 or v.gcs_last_seen is None:
            return
        lost = v.t - v.gcs_last_seen > p["FS_GCS_TIMEOUT"]
        if not lost:
            if self.gcs:
                self.gcs = False
                v.text(WARNING, "GCS Failsafe Cleared")
            return
        if self.gcs:
            return
        self.gcs = True
        options = int(p["FS_OPTIONS"])
        rtl = v.nav.rtl
        landing = v.mode == Mode.LAND or (v.mode == Mode.RTL and rtl is not None
                                          and rtl.stage == "land")
        if not v.armed:
            v.text(WARNING, "GCS Failsafe")
        elif v.landed:
            v.text(WARNING, "GCS Failsafe - Disarming")
            v.disarm(from_gcs=False)
        elif landing and options & OPT_CONTINUE_IF_LANDING:
            v.text(WARNING, "GCS Failsafe - Continuing Landing")
        elif v.mode == Mode.AUTO and options & OPT_GCS_CONTINUE_IF_AUTO:
            v.text(WARNING, "GCS Failsafe - Continuing Auto Mode")
        else:
            v.text(WARNING, "GCS Failsafe")
            self._act(_GCS_ACTIONS.get(enable, "rtl"))

    def _ekf(self) -> None:
        """GPS gone long enough that the EKF has no absolute position: LAND (FS_EKF_ACTION 1)."""
        v = self.v
        bad = v.origin_set and not v.ekf_abs and v.t - v.gps_changed_at >= 2.0
        if not bad:
            if self.ekf and v.ekf_abs:
                self.ekf = False
                v.text(INFO, "EKF Failsafe Cleared")
            return
        if self.ekf:
            return
        self.ekf = True
        v.text(CRITICAL, "EKF variance")
        if not v.armed:
            return
        action = int(v.params["FS_EKF_ACTION"])
        if not MODE_INFO[v.mode].requires_position and action != 3:
            return
        if action == 2 and v.set_mode(Mode.ALT_HOLD):
            return
        if v.mode != Mode.LAND:
            v.force_mode(Mode.LAND)

    def fence_breach_type(self) -> int:
        """Which fence the vehicle is outside now (FENCE_BREACH), whether enabled or not."""
        v = self.v
        p = v.params
        types = int(p["FENCE_TYPE"])
        if types & TYPE_ALT_MAX and v.rel_alt > p["FENCE_ALT_MAX"]:
            return BREACH_MAXALT
        if v.home is None:
            return BREACH_NONE
        hn, he = v.home_local()
        b = v.body
        if types & TYPE_CIRCLE and math.hypot(b.north - hn, b.east - he) > p["FENCE_RADIUS"]:
            return BREACH_BOUNDARY
        if types & TYPE_POLYGON and v.fence_geometry.breached(b.north, b.east):
            return BREACH_BOUNDARY
        return BREACH_NONE

    def _fence(self) -> None:
        v = self.v
        if not v.params["FENCE_ENABLE"] or not v.armed or v.landed:
            self.fence_breach = BREACH_NONE
            return
        breach = self.fence_breach_type()
        if breach == BREACH_NONE or breach == self.fence_breach:
            self.fence_breach = breach
            return
        self.fence_breach = breach
        self.fence_breach_count += 1
        self.fence_breach_time = v.t
        if breach == BREACH_MAXALT:
            name = "Max Alt"
        elif v.fence_geometry.breached(v.body.north, v.body.east):
            name = "Polygon"
        else:
            name = "Circle"
        v.text(CRITICAL, f"{name} fence breached")
        self._act(_FENCE_ACTIONS.get(int(v.params["FENCE_ACTION"]), "rtl"))
