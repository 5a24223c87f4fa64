"""GCS, battery and EKF failsafes as ArduRover reacts to them (Rover/failsafe.cpp, ekf_check.cpp).

GCS: with FS_GCS_ENABLE, once a GCS heartbeat has been seen, no heartbeat for FS_GCS_TIMEOUT
(5 s) sets the failsafe; FS_TIMEOUT (1.5 s) later FS_ACTION (default 2, Hold) - unless already
in RTL, or in HOLD without FS_OPTIONS bit 0. Armed or not. failsafe_trigger acts in whichever
caller first sees the timeout passed, and with FS_THR_ENABLE (default 1) that is the radio check
(50 Hz, before the 10 Hz GCS check): it says "Radio Failsafe" and lets AUTO go on only with
FS_THR_ENABLE 2, as ArduRover SITL does; with FS_THR_ENABLE 0 "GCS Failsafe" and FS_GCS_ENABLE 2
("Failsafe - Continuing Auto Mode"). "GCS Failsafe Cleared" when heartbeats return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .failsafes import FailsafeState
from .rover_modes import MODE_INFO, RoverMode

if TYPE_CHECKING:
    from .rover import Rover

CRITICAL, WARNING, INFO = 2, 4, 6
OPT_ACTIVE_IN_HOLD = 1

# FailsafeAction (FS_ACTION, BATT_FS_*_ACT): the modes tried in turn; "terminate" disarms
_ACTIONS: dict[int, tuple[RoverMode | str, ...]] = {
    0: (),
    1: (RoverMode.RTL, RoverMode.HOLD),
    2: (RoverMode.HOLD,),
    3: (RoverMode.SMART_RTL, RoverMode.RTL, RoverMode.HOLD),
    4: (RoverMode.SMART_RTL, RoverMode.HOLD),
    5: ("terminate",),
    6: (RoverMode.LOITER, RoverMode.HOLD),
}


class RoverFailsafes(FailsafeState):
    """ArduRover's failsafe checks and actions; ``gcs_since`` (when the GCS was first found
    lost) and ``triggered`` (failsafe_trigger has acted, until the GCS is back) are its own."""

    def __init__(self, v: Rover) -> None:
        super().__init__()
        self.v = v
        self.gcs_since: float | None = None
        self.triggered = False

    def check(self) -> None:
        self._gcs()
        act = self.battery_event(self.v)
        if act is not None:
            self.do_action(act)
        self._ekf()

    def do_action(self, action: int) -> None:
        v = self.v
        for step in _ACTIONS.get(action, ()):
            if step == "terminate":
                v.disarm(force=True, from_gcs=False)
                return
            if v.set_mode(int(step)):
                return

    def _gcs(self) -> None:
        """gcs_failsafe_check + failsafe_trigger for FAILSAFE_EVENT_GCS."""
        v = self.v
        p = v.params
        enable = int(p["FS_GCS_ENABLE"])
        if enable == 0 or v.gcs_last_seen is None:
            return
        lost = v.t - v.gcs_last_seen >= p["FS_GCS_TIMEOUT"]
        if lost and not self.gcs:
            self.gcs_since = v.t
        self.gcs = lost
        if self.triggered and not lost:
            self.triggered = False
            v.text(INFO, "GCS Failsafe Cleared")
        if self.triggered or not lost or self.gcs_since is None:
            return
        if v.t - self.gcs_since <= p["FS_TIMEOUT"] or v.mode == RoverMode.RTL:
            return
        if v.mode == RoverMode.HOLD and not int(p["FS_OPTIONS"]) & OPT_ACTIVE_IN_HOLD:
            return
        self.triggered = True
        radio = int(p["FS_THR_ENABLE"])
        v.text(WARNING, "Radio Failsafe" if radio else "GCS Failsafe")
        v.set_rc_throttle(0)                          # RC_Channels::clear_overrides
        if v.mode == RoverMode.AUTO and (radio == 2 or (not radio and enable == 2)):
            v.text(WARNING, "Failsafe - Continuing Auto Mode")
        else:
            self.do_action(int(p["FS_ACTION"]))

    def _ekf(self) -> None:
        """ekf_check: armed, origin set, no absolute position for a second -> failsafe_ekf_event."""
        v = self.v
        bad = v.armed and v.origin_set and not v.ekf_abs and v.t - v.gps_changed_at >= 2.0
        if not bad:
            if self.ekf and (v.ekf_abs or not v.armed):
                self.ekf = False
                v.text(CRITICAL, "EKF failsafe cleared")
            return
        if self.ekf:
            return
        self.ekf = True
        v.text(CRITICAL, "EKF variance")
        action = int(v.params["FS_EKF_ACTION"])
        if not MODE_INFO[v.mode].requires_position or action == 0:
            return
        if action == 1:
            v.set_mode(RoverMode.HOLD)
        v.text(CRITICAL, "EKF failsafe")
