"""Pre-arm and arm checks, arming and disarming, worded as AP_Arming_Copter words them.

Failures are reported "Arm: <reason>" (severity CRITICAL) when a GCS asks to arm and repeated
as "PreArm: <reason>" every 30 s while disarmed; SITL says "Arming motors"/"Disarming motors".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import failsafes
from .modes import MODE_INFO
from .state import CRITICAL, FENCE_CIRCLE_OR_POLYGON, INFO

if TYPE_CHECKING:
    from .vehicle import Vehicle
    from .vehicle_base import VehicleBase


def prearm_failure(v: Vehicle) -> str | None:
    """The first failing pre-arm check (without the prefix)."""
    if not v.initialised:
        return "System not initialised"
    if v.failsafe.gcs:
        return "GCS failsafe on"
    if v.failsafe.battery:
        return "Battery failsafe"
    if v.t < v.cfg.boot.prearm_ok_s:
        return "AHRS: not using configured AHRS type"
    return position_failure(v)


def position_failure(v: Vehicle) -> str | None:
    """The mandatory position checks: they survive a forced arm."""
    fence_on = v.params["FENCE_ENABLE"] > 0
    needs_fence = fence_on and int(v.params["FENCE_TYPE"]) & FENCE_CIRCLE_OR_POLYGON
    if MODE_INFO[v.mode].requires_position and not v.position_ok:
        return "Need Position Estimate"
    if needs_fence and not v.position_ok:
        return "Fence enabled, need position estimate"
    if fence_on and failsafes.fence_breach_type(v):
        return "Fence: vehicle outside the fence"
    return None


def arm(v: Vehicle, force: bool = False) -> bool:
    if v.armed:
        return True
    if force:
        reason = position_failure(v)
    else:
        reason = v.prearm_failure()
        if reason is None and not MODE_INFO[v.mode].allows_arming:
            reason = f"{v.mode.name} mode not armable"
    if reason:
        v.text(CRITICAL, f"Arm: {reason}")
        return False
    v.armed = True
    v.arm_time = v.disarm_timer_from = v.t
    v.text(INFO, "Arming motors")
    if v.home is not None and not v.home_locked:
        v.set_home_here()          # home is re-set at arming unless a GCS set (locked) it
    return True


def disarm(v: Vehicle, force: bool = False, *, from_gcs: bool = True) -> bool:
    if not v.armed:
        return True
    if from_gcs and not force and not v.landed:
        return False               # "do not allow disarm via mavlink if we think we are flying"
    v.armed = False
    v.auto_armed = False
    v.landed = True                # ArduPilot sets land_complete at disarm, even aloft
    v.text(INFO, "Disarming motors")
    v.runner.reset()
    return True


def report_prearm(v: VehicleBase) -> None:
    """ArduPilot repeats the first pre-arm failure every 30 s while disarmed."""
    if v.armed or v.t < v._next_prearm_report:
        return
    v._next_prearm_report = v.t + 30.0
    reason = v.prearm_failure()
    if reason:
        v.text(CRITICAL, f"PreArm: {reason}")
