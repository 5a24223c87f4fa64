"""The vehicle's plain state records: what it has to say, its mode targets; shared constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rtl import Rtl

# MAV_SEVERITY
CRITICAL, WARNING, INFO = 2, 4, 6
FORCE_ARM_MAGIC = 21196
FENCE_CIRCLE_OR_POLYGON = 2 | 4
MOTOR_INTERLOCK = 32            # RC_Channel::AUX_FUNC

# EKF_STATUS_REPORT flags
EKF_ATTITUDE, EKF_VEL_HORIZ, EKF_VEL_VERT, EKF_POS_HORIZ_REL = 1, 2, 4, 8
EKF_POS_HORIZ_ABS, EKF_POS_VERT_ABS, EKF_CONST_POS_MODE = 16, 32, 128
EKF_PRED_POS_HORIZ_REL, EKF_PRED_POS_HORIZ_ABS = 256, 512
EKF_BASE = EKF_ATTITUDE | EKF_VEL_HORIZ | EKF_VEL_VERT | EKF_POS_VERT_ABS


@dataclass
class Outbox:
    """What the vehicle has to say; the endpoint turns it into messages and clears it."""

    texts: list[tuple[int, str]] = field(default_factory=list)
    reached: list[int] = field(default_factory=list)
    home_changed: bool = False
    mission_changed: bool = False


@dataclass
class Nav:
    """Targets of the current mode (local north/east/up metres, m/s); the heading's are
    ``AutoYaw``'s."""

    kind: str = "idle"              # GUIDED: idle, takeoff, pos, posvel, vel, accel
    target: tuple[float, float] | None = None
    target_up: float | None = None
    velocity: tuple[float, float, float] = (0.0, 0.0, 0.0)    # north, east, up
    accel: tuple[float, float, float] = (0.0, 0.0, 0.0)
    updated_at: float = 0.0         # when the GCS last set a GUIDED target
    hold: tuple[float, float] | None = None
    circle_center: tuple[float, float] = (0.0, 0.0)
    circle_angle: float = 0.0
    rtl: Rtl | None = None          # RTL's progress
