"""Checks a mission passes before it is sent, so a bad item is named here, not by a NACK.

ArduPilot answers a bad item with one MAV_MISSION_RESULT code after the upload has
started, and some mistakes (a jump to itself, a 70000 s hold that wraps to 4464 s) it
accepts silently. :func:`validate` finds them first and names the item as a user numbers
it (1-based; for a MISSION on ArduPilot that is also its seq).

Rules (limits marked * are ArduPilot storage sizes):

* the command is one fleet supports for that list (:data:`catalog.SUPPORTED`): fence
  commands only in a FENCE, NAV_RALLY_POINT only in a RALLY;
* lat/lon finite and within -90..90 / -180..180, altitude finite, positions in a global
  frame (rally points: GLOBAL_RELATIVE_ALT only*);
* params finite and within float32; NaN only in param4 of NAV_WAYPOINT, NAV_TAKEOFF and
  NAV_LAND, where it means "keep the yaw behaviour" (ArduPilot refuses any other NaN);
* waypoint hold and loiter time 0..65535 s*, loiter turns 0..255*, acceptance radius
  and speeds non-negative (speed -1 = unchanged, -2 = default), delay >= 0 (or -1);
* DO_JUMP: a whole item number in 1..N other than its own, repeat a whole number >= -1;
* fence: polygons of >= 3 vertices whose vertex items are consecutive and agree on the
  count, circle radius > 0, at most one return point; rally altitude within int16 m*;
* at most ``max_items`` items (default 700, about what ArduPilot boards store).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from fleet.missions import catalog as c
from fleet.missions.errors import MissionValidationError
from fleet.missions.items import MissionItem, MissionType, SpeedType

DEFAULT_MAX_ITEMS = 700
_FLOAT32_MAX = 3.4028234663852886e38
_UINT16_MAX = 65535


def validate(items: Iterable[MissionItem], mission_type: MissionType = MissionType.MISSION,
             *, max_items: int = DEFAULT_MAX_ITEMS) -> None:
    """Raise :class:`MissionValidationError` for the first item that fails a rule."""
    items = tuple(items)
    mission_type = MissionType(mission_type)
    if len(items) > max_items:
        raise MissionValidationError(
            None, f"{mission_type.name.lower()} has {len(items)} items, more than the "
                  f"{max_items} allowed")
    for number, item in enumerate(items, start=1):
        _check_item(number, item, mission_type, len(items))
    if mission_type is MissionType.FENCE:
        _check_fence_structure(items)


def _fail(number: int | None, reason: str) -> MissionValidationError:
    return MissionValidationError(number, reason)


def _check_item(n: int, item: MissionItem, mission_type: MissionType, count: int) -> None:
    if item.command not in c.SUPPORTED[mission_type]:
        home = [t.name for t, cmds in c.SUPPORTED.items() if item.command in cmds]
        hint = f"; it belongs in a {home[0]} upload" if home else ""
        raise _fail(n, f"{c.command_name(item.command)} is not supported in a "
                       f"{mission_type.name}{hint}")
    _check_numbers(n, item)
    if item.command in c.POSITIONAL:
        _check_frame(n, item)
    check = _COMMAND_CHECKS.get(item.command)
    if check is not None:
        check(n, item, count)


def _check_numbers(n: int, item: MissionItem) -> None:
    for i, value in enumerate((item.param1, item.param2, item.param3, item.param4), start=1):
        if math.isnan(value) and i == 4 and item.command in c.NAN_PARAM4_OK:
            continue
        if not math.isfinite(value):
            raise _fail(n, f"param{i} must be a finite number, got {value}")
        if abs(value) > _FLOAT32_MAX:
            raise _fail(n, f"param{i} {value} does not fit a 32-bit float")
    for name, value, limit in (("latitude", item.lat_deg, 90), ("longitude", item.lon_deg, 180)):
        if not math.isfinite(value):
            raise _fail(n, f"{name} must be a finite number, got {value}")
        if not -limit <= value <= limit:
            raise _fail(n, f"{name} {value} out of range -{limit}..{limit}")
    if not math.isfinite(item.alt_m):
        raise _fail(n, f"altitude must be a finite number, got {item.alt_m}")
    if abs(item.alt_m) > _FLOAT32_MAX:
        raise _fail(n, f"altitude {item.alt_m} does not fit a 32-bit float")


def _check_frame(n: int, item: MissionItem) -> None:
    if item.command == c.RALLY_POINT:
        if item.frame not in c.RALLY_FRAMES:
            raise _fail(n, f"rally points must be in GLOBAL_RELATIVE_ALT (3), not "
                           f"{c.frame_name(item.frame)}")
    elif item.frame not in c.GLOBAL_FRAMES:
        raise _fail(n, f"{c.frame_name(item.frame)} cannot carry a position; use GLOBAL (0), "
                       f"GLOBAL_RELATIVE_ALT (3) or GLOBAL_TERRAIN_ALT (10)")


def _whole(value: float) -> bool:
    return float(value).is_integer()


def _check_range(n: int, what: str, value: float, unit: str, high: float) -> None:
    if value < 0:
        raise _fail(n, f"{what} {value}{unit} is negative")
    if value > high:
        raise _fail(n, f"{what} {value}{unit} is more than the {high}{unit} ArduPilot stores")


def _waypoint(n: int, item: MissionItem, _count: int) -> None:
    _check_range(n, "hold time", item.param1, " s", _UINT16_MAX)
    if item.param2 < 0:
        raise _fail(n, f"acceptance radius {item.param2} m is negative")


def _loiter_time(n: int, item: MissionItem, _count: int) -> None:
    _check_range(n, "loiter time", item.param1, " s", _UINT16_MAX)


def _loiter_turns(n: int, item: MissionItem, _count: int) -> None:
    _check_range(n, "loiter turns", item.param1, "", 255)


def _delay(n: int, item: MissionItem, _count: int) -> None:
    if item.param1 < 0 and item.param1 != -1:
        raise _fail(n, f"delay {item.param1} s is negative (-1 = wait for a time of day)")


def _change_speed(n: int, item: MissionItem, _count: int) -> None:
    if item.param1 not in {float(t) for t in SpeedType}:
        raise _fail(n, f"speed type {item.param1} is not one of 0 air, 1 ground, 2 climb, "
                       f"3 descent")
    if item.param2 < 0 and item.param2 not in (-1, -2):
        raise _fail(n, f"speed {item.param2} m/s is negative (-1 = unchanged, -2 = default)")


def _jump(n: int, item: MissionItem, count: int) -> None:
    target, repeat = item.param1, item.param2
    if not _whole(target) or not 1 <= target <= count:
        raise _fail(n, f"DO_JUMP target {target} is not an item number 1..{count}")
    if int(target) == n:
        raise _fail(n, f"DO_JUMP target {int(target)} is the jump itself")
    if not _whole(repeat) or repeat < -1:
        raise _fail(n, f"DO_JUMP repeat {repeat} is not a whole number >= -1 (-1 = forever)")


def _polygon_vertex(n: int, item: MissionItem, _count: int) -> None:
    if not _whole(item.param1) or item.param1 < 3:
        raise _fail(n, f"polygon vertex count {item.param1} is not a whole number >= 3")


def _circle(n: int, item: MissionItem, _count: int) -> None:
    if not item.param1 > 0:
        raise _fail(n, f"fence circle radius {item.param1} m is not positive")


def _rally(n: int, item: MissionItem, _count: int) -> None:
    if not -32768 <= item.alt_m <= 32767:
        raise _fail(n, f"rally altitude {item.alt_m} m is outside the -32768..32767 m "
                       f"ArduPilot stores")


_COMMAND_CHECKS = {
    c.NAV_WAYPOINT: _waypoint,
    c.NAV_LOITER_TIME: _loiter_time,
    c.NAV_LOITER_TURNS: _loiter_turns,
    c.NAV_DELAY: _delay,
    c.DO_CHANGE_SPEED: _change_speed,
    c.DO_JUMP: _jump,
    c.FENCE_POLYGON_INCLUSION: _polygon_vertex,
    c.FENCE_POLYGON_EXCLUSION: _polygon_vertex,
    c.FENCE_CIRCLE_INCLUSION: _circle,
    c.FENCE_CIRCLE_EXCLUSION: _circle,
    c.RALLY_POINT: _rally,
}


def _check_fence_structure(items: Sequence[MissionItem]) -> None:
    """Vertex items must come in complete runs: ``count`` consecutive items, same command."""
    i = 0
    return_point: int | None = None
    while i < len(items):
        first = items[i]
        if first.command in c.FENCE_POLYGONS:
            size = int(first.param1)
            for k in range(1, size):
                j = i + k
                if (j >= len(items) or items[j].command != first.command
                        or items[j].param1 != first.param1):
                    raise _fail(min(j + 1, len(items)),
                                f"polygon from item {i + 1} declares {size} vertices but has {k}")
            i += size
            continue
        if first.command == c.FENCE_RETURN_POINT:
            if return_point is not None:
                raise _fail(i + 1, f"second fence return point (the first is item {return_point})")
            return_point = i + 1
        i += 1
