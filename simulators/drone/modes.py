"""ArduCopter flight modes: the real numbers and the properties the firmware gives them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Mode(IntEnum):
    STABILIZE = 0
    ALT_HOLD = 2
    AUTO = 3
    GUIDED = 4
    LOITER = 5
    RTL = 6
    CIRCLE = 7
    LAND = 9
    POSHOLD = 16
    BRAKE = 17


@dataclass(frozen=True)
class ModeInfo:
    requires_position: bool   # Mode::requires_position(): refused when armed without a fix
    allows_arming: bool       # Mode::allows_arming() for a GCS arm request
    pilot_throttle: bool      # altitude follows the throttle stick (no RC = stick low)
    position_control: bool    # sets MAV_MODE_FLAG_GUIDED_ENABLED while flying
    manual_throttle: bool = False   # Mode::has_manual_throttle(): a heli may enter it mid run-up


MODE_INFO: dict[Mode, ModeInfo] = {
    Mode.STABILIZE: ModeInfo(False, True, True, False, manual_throttle=True),
    Mode.ALT_HOLD: ModeInfo(False, True, True, False),
    Mode.AUTO: ModeInfo(True, False, False, True),   # AUTO_OPTIONS=0: not armable
    Mode.GUIDED: ModeInfo(True, True, False, True),
    Mode.LOITER: ModeInfo(True, True, True, True),
    Mode.RTL: ModeInfo(True, False, False, True),
    Mode.CIRCLE: ModeInfo(True, False, True, True),
    Mode.LAND: ModeInfo(False, False, False, True),
    Mode.POSHOLD: ModeInfo(True, True, True, True),
    Mode.BRAKE: ModeInfo(True, False, False, True),
}


def mode_name(number: int) -> str:
    try:
        return Mode(number).name
    except ValueError:
        return f"MODE({number})"
