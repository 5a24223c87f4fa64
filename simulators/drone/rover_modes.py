"""ArduRover modes (Rover/mode.h): the real numbers and the properties the firmware gives them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class RoverMode(IntEnum):
    MANUAL = 0
    ACRO = 1
    STEERING = 3
    HOLD = 4
    LOITER = 5
    FOLLOW = 6
    SIMPLE = 7
    CIRCLE = 9
    AUTO = 10
    RTL = 11
    SMART_RTL = 12
    GUIDED = 15
    INITIALISING = 16


@dataclass(frozen=True)
class RoverModeInfo:
    requires_position: bool   # Mode::requires_position(): refused when armed without one
    requires_velocity: bool   # Mode::requires_velocity()
    allows_arming: bool       # "Mode not armable" otherwise
    manual_input: bool        # has_manual_input(): MAV_MODE_FLAG_MANUAL_INPUT_ENABLED
    autopilot: bool           # is_autopilot_mode(): MAV_MODE_FLAG_GUIDED_ENABLED
    simulated: bool = True    # False: entering it is refused ("Flight mode change failed"):
    #                           FOLLOW (FOLL_ENABLE 0 refuses it too), CIRCLE, SMART_RTL


MODE_INFO: dict[RoverMode, RoverModeInfo] = {
    RoverMode.MANUAL: RoverModeInfo(False, False, True, True, False),
    RoverMode.ACRO: RoverModeInfo(False, True, True, True, False),     # not skid-steered
    RoverMode.STEERING: RoverModeInfo(False, True, True, True, False),
    RoverMode.HOLD: RoverModeInfo(False, False, True, False, False),
    RoverMode.LOITER: RoverModeInfo(True, True, True, False, True),
    RoverMode.FOLLOW: RoverModeInfo(True, True, True, False, True, simulated=False),
    RoverMode.SIMPLE: RoverModeInfo(True, True, True, False, False),
    RoverMode.CIRCLE: RoverModeInfo(True, True, True, False, True, simulated=False),
    RoverMode.AUTO: RoverModeInfo(True, True, True, False, True),
    RoverMode.RTL: RoverModeInfo(True, True, False, False, True),
    RoverMode.SMART_RTL: RoverModeInfo(True, True, False, False, True, simulated=False),
    RoverMode.GUIDED: RoverModeInfo(True, True, True, False, True),
    RoverMode.INITIALISING: RoverModeInfo(True, True, False, True, False, simulated=False),
}
