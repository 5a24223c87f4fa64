"""Flight-mode names <-> HEARTBEAT.custom_mode, per autopilot and vehicle type.

ArduPilot numbers come from its firmware (copter, plane, rover/boat); PX4 packs a main
mode and a sub mode: ``custom_mode = main << 16 | sub << 24``.
"""

from __future__ import annotations

from .dialect import mavlink2 as m

COPTER = {
    0: "STABILIZE", 1: "ACRO", 2: "ALT_HOLD", 3: "AUTO", 4: "GUIDED", 5: "LOITER", 6: "RTL",
    7: "CIRCLE", 9: "LAND", 11: "DRIFT", 13: "SPORT", 14: "FLIP", 15: "AUTOTUNE",
    16: "POSHOLD", 17: "BRAKE", 18: "THROW", 19: "AVOID_ADSB", 20: "GUIDED_NOGPS",
    21: "SMART_RTL", 22: "FLOWHOLD", 23: "FOLLOW", 24: "ZIGZAG", 25: "SYSTEMID",
    26: "AUTOROTATE", 27: "AUTO_RTL", 28: "TURTLE",
}
PLANE = {
    0: "MANUAL", 1: "CIRCLE", 2: "STABILIZE", 3: "TRAINING", 4: "ACRO", 5: "FBWA", 6: "FBWB",
    7: "CRUISE", 8: "AUTOTUNE", 10: "AUTO", 11: "RTL", 12: "LOITER", 13: "TAKEOFF",
    14: "AVOID_ADSB", 15: "GUIDED", 17: "QSTABILIZE", 18: "QHOVER", 19: "QLOITER",
    20: "QLAND", 21: "QRTL", 22: "QAUTOTUNE", 23: "QACRO", 24: "THERMAL", 25: "LOITER_ALT_QLAND",
}
ROVER = {
    0: "MANUAL", 1: "ACRO", 3: "STEERING", 4: "HOLD", 5: "LOITER", 6: "FOLLOW", 7: "SIMPLE",
    8: "DOCK", 9: "CIRCLE", 10: "AUTO", 11: "RTL", 12: "SMART_RTL", 15: "GUIDED",
    16: "INITIALISING",
}
PX4_MAIN = {1: "MANUAL", 2: "ALTCTL", 3: "POSCTL", 4: "AUTO", 5: "ACRO", 6: "OFFBOARD",
            7: "STABILIZED", 8: "RATTITUDE"}
PX4_AUTO_SUB = {1: "READY", 2: "TAKEOFF", 3: "LOITER", 4: "MISSION", 5: "RTL", 6: "LAND",
                8: "FOLLOW_TARGET", 9: "PRECLAND"}

_COPTER_TYPES = {
    m.MAV_TYPE_QUADROTOR, m.MAV_TYPE_HEXAROTOR, m.MAV_TYPE_OCTOROTOR, m.MAV_TYPE_TRICOPTER,
    m.MAV_TYPE_COAXIAL, m.MAV_TYPE_HELICOPTER, m.MAV_TYPE_DODECAROTOR, m.MAV_TYPE_DECAROTOR,
}
_PLANE_TYPES = {m.MAV_TYPE_FIXED_WING, m.MAV_TYPE_VTOL_DUOROTOR, m.MAV_TYPE_VTOL_QUADROTOR,
                m.MAV_TYPE_VTOL_TILTROTOR}
_ROVER_TYPES = {m.MAV_TYPE_GROUND_ROVER, m.MAV_TYPE_SURFACE_BOAT}


def ardupilot_table(mav_type: int) -> dict[int, str]:
    if mav_type in _PLANE_TYPES:
        return PLANE
    if mav_type in _ROVER_TYPES:
        return ROVER
    return COPTER


def mode_name(autopilot: int, mav_type: int, custom_mode: int) -> str:
    """A readable mode name; unknown numbers read ``MODE(n)`` rather than failing."""
    if autopilot == m.MAV_AUTOPILOT_PX4:
        main = (custom_mode >> 16) & 0xFF
        sub = (custom_mode >> 24) & 0xFF
        name = PX4_MAIN.get(main, f"MODE({main})")
        if main == 4:
            return f"AUTO.{PX4_AUTO_SUB.get(sub, str(sub))}"
        return name
    table = ardupilot_table(mav_type)
    return table.get(custom_mode, f"MODE({custom_mode})")


def mode_number(autopilot: int, mav_type: int, name: str) -> tuple[int, int]:
    """(main, sub) for MAV_CMD_DO_SET_MODE params 2 and 3. Raises KeyError with the
    known names when ``name`` is not a mode of this vehicle."""
    wanted = name.strip().upper()
    if autopilot == m.MAV_AUTOPILOT_PX4:
        if wanted.startswith("AUTO."):
            subs = {v: k for k, v in PX4_AUTO_SUB.items()}
            if wanted[5:] in subs:
                return 4, subs[wanted[5:]]
        mains = {v: k for k, v in PX4_MAIN.items()}
        if wanted in mains:
            return mains[wanted], 0
        known = [*PX4_MAIN.values(), *(f"AUTO.{s}" for s in PX4_AUTO_SUB.values())]
        raise KeyError(f"unknown PX4 mode {name!r}; known: {', '.join(known)}")
    table = {v: k for k, v in ardupilot_table(mav_type).items()}
    if wanted not in table:
        raise KeyError(f"unknown mode {name!r}; known: {', '.join(table)}")
    return table[wanted], 0


def is_copter(mav_type: int) -> bool:
    return mav_type in _COPTER_TYPES


def is_rover(mav_type: int) -> bool:
    return mav_type in _ROVER_TYPES


# -- the mode audit (docs/flight-safety.md) -------------------------------------------
#: ArduCopter (and heli) modes whose climb rate or attitude comes from the pilot's sticks:
#: with no pilot, or SITL's throttle at 1000 µs, they descend or drift. GUIDED_NOGPS
#: needs attitude targets streamed by a companion computer, which fleet does not do.
COPTER_PILOT_MODES = frozenset({
    "STABILIZE", "ACRO", "ALT_HOLD", "LOITER", "CIRCLE", "DRIFT", "SPORT", "FLIP",
    "AUTOTUNE", "POSHOLD", "THROW", "GUIDED_NOGPS", "FLOWHOLD", "ZIGZAG", "SYSTEMID",
    "AUTOROTATE", "TURTLE",
})
#: ArduPlane's manual and pilot-assisted modes (throttle or pitch from the sticks)
PLANE_PILOT_MODES = frozenset({
    "MANUAL", "STABILIZE", "TRAINING", "ACRO", "FBWA", "FBWB", "CRUISE", "AUTOTUNE",
    "QSTABILIZE", "QHOVER", "QLOITER", "QACRO", "QAUTOTUNE",
})
#: PX4's manual modes (main modes): without RC they trigger its RC-loss failsafe
PX4_PILOT_MODES = frozenset({"MANUAL", "ALTCTL", "POSCTL", "ACRO", "STABILIZED", "RATTITUDE"})


def needs_pilot(autopilot: int, mav_type: int, name: str) -> bool:
    """True when ``name`` is an aircraft mode flown from a pilot's sticks (rovers and
    boats stop without a pilot, so none of theirs counts)."""
    wanted = name.strip().upper()
    if autopilot == m.MAV_AUTOPILOT_PX4:
        return not is_rover(mav_type) and wanted in PX4_PILOT_MODES
    if mav_type in _PLANE_TYPES:
        return wanted in PLANE_PILOT_MODES
    if is_rover(mav_type):
        return False
    return wanted in COPTER_PILOT_MODES
