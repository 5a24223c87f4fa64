"""ArduCopter's arming: pre-arm and arm checks, arming and disarming, the automatic disarm.

Worded as AP_Arming_Copter words them: a failure is reported "Arm: <reason>" (severity CRITICAL)
when a GCS asks to arm (and repeated as "PreArm: <reason>" every 30 s while disarmed, see
``VehicleBase``); SITL says "Arming motors"/"Disarming motors".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .modes import MODE_INFO
from .state import CRITICAL, FENCE_CIRCLE_OR_POLYGON, INFO

if TYPE_CHECKING:
    from .vehicle import Vehicle


class Arming:
    """``auto_armed`` (ap.auto_armed: an auto mode may take off, set by a takeoff or
    MISSION_START) and the DISARM_DELAY count (Copter::auto_disarm_check)."""

    def __init__(self, v: Vehicle) -> None:
        self.v = v
        self.auto_armed = False
        self.disarm_timer_from = 0.0

    # ----------------------------------------------------------------- checks

    def prearm_failure(self) -> str | None:
        """The first failing pre-arm check (without the prefix)."""
        v = self.v
        if not v.initialised:
            return "System not initialised"
        if v.failsafe.gcs:
            return "GCS failsafe on"
        if v.failsafe.battery:
            return "Battery failsafe"
        if v.t < v.cfg.boot.prearm_ok_s:
            return "AHRS: not using configured AHRS type"
        return self.position_failure()

    def position_failure(self) -> str | None:
        """The mandatory position checks: they survive a forced arm."""
        v = self.v
        fence_on = v.params["FENCE_ENABLE"] > 0
        needs_fence = fence_on and int(v.params["FENCE_TYPE"]) & FENCE_CIRCLE_OR_POLYGON
        if MODE_INFO[v.mode].requires_position and not v.position_ok:
            return "Need Position Estimate"
        if needs_fence and not v.position_ok:
            return "Fence enabled, need position estimate"
        if fence_on and v.failsafe.fence_breach_type():
            return "Fence: vehicle outside the fence"
        return None

    # ----------------------------------------------------------------- arm and disarm

    def arm(self, force: bool = False) -> bool:
        """A forced arm skips all but the position checks; ``v.prearm_failure`` is the frame's
        (a heli adds its interlock)."""
        v = self.v
        if v.armed:
            return True
        if force:
            reason = self.position_failure()
        else:
            reason = v.prearm_failure()
            if reason is None and not MODE_INFO[v.mode].allows_arming:
                reason = f"{v.mode.name} mode not armable"
        if reason:
            v.text(CRITICAL, f"Arm: {reason}")
            return False
        v.armed = True
        v.arm_time = self.disarm_timer_from = v.t
        v.text(INFO, "Arming motors")
        if v.home is not None and not v.home_locked:
            v.set_home_here()          # home is re-set at arming unless a GCS set (locked) it
        return True

    def disarm(self, force: bool = False, *, from_gcs: bool = True) -> bool:
        v = self.v
        if not v.armed:
            return True
        if from_gcs and not force and not v.landed:
            return False               # "do not allow disarm via mavlink if we think we are flying"
        v.armed = False
        self.auto_armed = False
        v.ground.landed = True         # ArduPilot sets land_complete at disarm, even aloft
        v.text(INFO, "Disarming motors")
        v.runner.reset()
        return True

    # ----------------------------------------------------------------- automatic disarm

    def restart_disarm_timer(self) -> None:
        self.disarm_timer_from = self.v.t

    def auto_disarm(self) -> None:
        """Copter::auto_disarm_check: disarm after DISARM_DELAY of nothing keeping it armed."""
        v = self.v
        delay = v.params["DISARM_DELAY"]
        if not v.armed or delay <= 0:
            return
        if v.auto_disarm_blocked:
            self.restart_disarm_timer()
            return
        if v.t - self.disarm_timer_from >= delay:
            self.disarm(from_gcs=False)
