"""ArduCopter's AutoYaw: the heading the autopilot modes ask for, turned at the airframe's rate.

Each mode starts from the default (nose along the path once moving faster than 1 m/s); a GUIDED
target (set_yaw_state_rad) or CONDITION_YAW may ask for an angle, an angle moving at a rate, or
a rate alone. A GUIDED rate stops at the target's timeout (AutoYaw HOLD).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .physics import turn_toward

if TYPE_CHECKING:
    from .physics import Body

YAW_RATE_MAX = 90.0     # deg/s, the simulated airframe's yaw rate limit


@dataclass(frozen=True)
class Yaw:
    """What a target says about heading (set_yaw_state_rad's arguments), in degrees."""

    angle: float | None = None     # heading, None: not given
    rate: float | None = None      # deg/s, None: not given
    relative: bool = False         # angle relative to the current heading (body frames)


DEFAULT_YAW = Yaw()


class AutoYaw:
    """The yaw mode and its target; ``body`` is the airframe it turns."""

    def __init__(self, body: Body) -> None:
        self.body = body
        self.mode = "default"           # default (along the path), angle_rate, rate, hold
        self.target: float | None = None
        self.rate = 0.0                 # deg/s, with mode angle_rate or rate

    def set(self, yaw: Yaw) -> None:
        """set_yaw_state_rad: an angle (absolute or relative), with a rate or not, or a rate."""
        self.rate = 0.0
        if yaw.angle is not None and yaw.relative:
            self.mode, self.target = "angle_rate", (self.body.yaw_deg + yaw.angle) % 360
        elif yaw.angle is not None:
            self.mode, self.target = "angle_rate", yaw.angle % 360
            self.rate = yaw.rate or 0.0
        elif yaw.rate is not None:
            self.mode, self.target, self.rate = "rate", None, yaw.rate
        else:
            self.mode, self.target = "default", None

    def time_out(self) -> None:
        """The target's timeout: a rate stops, the heading is held."""
        if self.mode == "rate":
            self.mode = "hold"
        self.rate = 0.0

    def steer(self, dt: float) -> None:
        """Turn toward the heading asked for, at the airframe's yaw rate."""
        b = self.body
        if self.mode == "hold":
            return
        if self.mode == "rate":
            rate = max(-YAW_RATE_MAX, min(YAW_RATE_MAX, self.rate))
            b.yaw_deg = (b.yaw_deg + rate * dt) % 360
            return
        if self.mode == "angle_rate" and self.target is not None:
            self.target = (self.target + self.rate * dt) % 360
        if self.target is not None:
            turn_toward(b, self.target, dt, YAW_RATE_MAX)
        elif b.ground_speed > 1.0:
            turn_toward(b, math.degrees(math.atan2(b.ve, b.vn)) % 360, dt, YAW_RATE_MAX)
