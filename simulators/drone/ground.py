"""Whether the copter is on the ground (ArduCopter's land_complete), and how that changes.

It leaves the ground at the end of a takeoff's throttle ramp (takeoff.cpp): with the motors
spooled up the throttle rises from zero at 1 / TKOFF_SLEW_TIME, and land_complete is cleared
once it reaches the hover throttle, where SITL measures the climb acceleration; with manual
throttle the land detector decides instead, once it has climbed. It is back on the ground when
the land detector (land_detector.cpp) has seen it resting there long enough.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .modes import MODE_INFO

if TYPE_CHECKING:
    from .vehicle import Vehicle

LAND_DETECT_S = 1.0          # LAND_DETECTOR_TRIGGER_SEC
# After touching down under power the position controller takes this long to bring the
# throttle to its lower limit, which the land detector needs (SITL's LDET: 0.58 s at 0.5 m/s)
THROTTLE_WINDDOWN_S = 0.6


class Ground:
    """``landed``, the takeoff's throttle ramp so far and when the vehicle touched down."""

    def __init__(self, v: Vehicle) -> None:
        self.v = v
        self.landed = True
        self.takeoff_throttle = 0.0             # the takeoff's throttle ramp on the ground
        self.touchdown_at: float | None = None

    def reset_takeoff(self) -> None:
        """Not taking off (yet): the ramp starts again from zero."""
        self.takeoff_throttle = 0.0

    def lifted_off(self, dt: float) -> bool:
        """One step of the takeoff's throttle ramp; True once off the ground."""
        v = self.v
        if MODE_INFO[v.mode].manual_throttle:
            return True
        self.takeoff_throttle += dt / v.params["TKOFF_SLEW_TIME"]
        if self.takeoff_throttle < v.hover_throttle:
            return False
        self.takeoff_throttle = 0.0
        self.landed = False
        return True

    def update(self) -> None:
        """Ground contact (the body stops at up = 0) and the land detector."""
        v = self.v
        b = v.body
        if b.up > 0.05:
            if v.armed:
                self.landed = False
            self.touchdown_at = None
            return
        if b.up <= 0.0:
            b.up = 0.0
            b.vu = max(0.0, b.vu)
            b.au = max(0.0, b.au)
            b.vn = b.ve = 0.0
        if self.landed or b.vu > 0:
            return
        if self.touchdown_at is None:
            self.touchdown_at = v.t
        elif v.t - self.touchdown_at >= LAND_DETECT_S + self._throttle_winddown():
            self.landed = True
            self.touchdown_at = None
            v.arming.restart_disarm_timer()

    def _throttle_winddown(self) -> float:
        """Only a descent under the position controller has a throttle to wind down."""
        v = self.v
        powered = v.armed and v.lift_available and not MODE_INFO[v.mode].manual_throttle
        return THROTTLE_WINDDOWN_S if powered else 0.0
