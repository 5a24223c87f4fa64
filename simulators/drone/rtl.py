"""ArduCopter's return to launch (ModeRTL, also AUTO's NAV_RETURN_TO_LAUNCH), stage by stage.

Climb to the return altitude, fly to home (or the nearest rally point), loiter RTL_LOIT_TIME,
then descend to RTL_ALT_FINAL and hold there, or land.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .physics import step_horizontal

if TYPE_CHECKING:
    from .position_control import PositionControl
    from .vehicle import Vehicle

RTL_ALT_MIN = 2.0      # m, the floor of the RTL cone


class Rtl:
    """One return: its stage (climb, return, loiter, final, land), where to and how high."""

    def __init__(self, v: Vehicle, control: PositionControl) -> None:
        """ModeRTL::compute_return_target: RTL_ALT, shrunk by the cone near home, fence-capped."""
        self.v = v
        self.control = control
        p = v.params
        self.target = v.rtl_destination()
        dist = math.hypot(self.target[0] - v.body.north, self.target[1] - v.body.east)
        alt = p["RTL_ALT"] / 100
        alt = max(min(alt, dist * 3.0), min(alt, RTL_ALT_MIN))      # RTL_CONE_SLOPE = 3
        if p["FENCE_ENABLE"] and int(p["FENCE_TYPE"]) & 1:
            alt = min(alt, p["FENCE_ALT_MAX"] - p["FENCE_MARGIN"])
        self.return_up = max(v.up_from_alt(alt, "rel"), v.body.up)
        self.stage = "climb"
        self.loiter_until = 0.0

    def step(self, dt: float) -> None:
        v, control = self.v, self.control
        p, b = v.params, v.body
        if self.stage == "climb":
            step_horizontal(b, dt, control.accel)
            if control.climb_to(dt, self.return_up) < 0.1:
                self.stage = "return"
        elif self.stage == "return":
            speed = p["RTL_SPEED"] / 100 or control.wp_speed
            if control.fly_to(dt, self.target, self.return_up, speed) < 0.1:
                self.stage, self.loiter_until = "loiter", v.t + p["RTL_LOIT_TIME"] / 1000
        elif self.stage == "loiter":
            control.hold_position(dt, self.target, self.return_up)
            if v.t >= self.loiter_until:
                self.stage = "final" if p["RTL_ALT_FINAL"] > 0 else "land"
        elif self.stage == "final":
            control.hold_position(dt, self.target, v.up_from_alt(p["RTL_ALT_FINAL"] / 100, "rel"))
        else:
            control.land_step(dt, self.target)
