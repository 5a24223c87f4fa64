"""Mission Planner ``.waypoints`` text ("QGC WPL 110"): a mission laid out as ArduPilot's list.

The first line is ``QGC WPL 110``; every other line is one item, twelve tab-separated
fields: index, current, frame, command, param1-4, lat, lon, alt, autocontinue. Line index
0 is home, so indexes are ArduPilot sequence numbers and DO_JUMP targets need no
translation. Only missions: Mission Planner keeps fences and rally points in other files.

Reading follows pymavlink's ``mavwp`` and QGC's text loader: blank lines and ``#``
comments are skipped, fields may be split by any whitespace, and a home line with command
0 (an old Mission Planner habit) is read as a NAV_WAYPOINT. Unlike them, indexes must
count up from 0, because DO_JUMP targets refer to them. Numbers are written in the
shortest form that reads back to the same float, and NaN as ``NaN`` (.NET's spelling).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from decimal import Decimal

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from fleet.missions.errors import MissionFileError
from fleet.missions.fileio import read_text, write_text
from fleet.missions.items import MissionItem, MissionType
from fleet.missions.wire import for_ardupilot_upload, from_ardupilot_download

HEADER = "QGC WPL 110"
_FIELDS = ("index", "current", "frame", "command", "param1", "param2", "param3", "param4",
           "latitude", "longitude", "altitude", "autocontinue")


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    text = repr(float(value))
    if "e" in text:
        text = format(Decimal(text), "f")
    return text.removesuffix(".0")


def dumps_waypoints(items: Iterable[MissionItem], home: MissionItem | None = None) -> str:
    """The mission as ``.waypoints`` text; ``home`` (or 0, 0, 0) becomes line index 0."""
    lines = [HEADER]
    for seq, item in enumerate(for_ardupilot_upload(items, home, MissionType.MISSION)):
        fields = [str(seq), "1" if seq == 0 else "0", str(item.frame), str(item.command),
                  *(_fmt(p) for p in item.params), str(int(bool(item.autocontinue)))]
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def _parse_line(source: str, lineno: int, fields: list[str]) -> list[float]:
    if len(fields) != len(_FIELDS):
        raise MissionFileError(source, f"line {lineno}: {len(fields)} fields, expected 12 "
                                       f"(index, current, frame, command, param1-4, lat, "
                                       f"lon, alt, autocontinue)")
    values = []
    for name, text in zip(_FIELDS, fields, strict=True):
        try:
            value = float(text)
        except ValueError:
            raise MissionFileError(source, f"line {lineno}: {name} {text!r} is not a "
                                           f"number") from None
        if name in ("index", "current", "frame", "command", "autocontinue") and not (
                value.is_integer()):
            raise MissionFileError(source, f"line {lineno}: {name} {text!r} is not a "
                                           f"whole number")
        values.append(value)
    return values


def loads_waypoints(
    text: str, source: str = "<string>",
) -> tuple[MissionItem | None, tuple[MissionItem, ...]]:
    """(home, items) from ``.waypoints`` text; home is None only for a header-only file."""
    lines = text.splitlines()
    first = lines[0].strip() if lines else ""
    if first != HEADER:
        if first.startswith("QGC WPL"):
            raise MissionFileError(source, f"line 1: version {first!r} is not supported "
                                           f"(only {HEADER!r})")
        raise MissionFileError(source, f"line 1: expected {HEADER!r}, found {first[:40]!r}")
    rows: list[MissionItem] = []
    for lineno, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        index, _current, frame, command, *params, auto = _parse_line(
            source, lineno, stripped.split())
        if index != len(rows):
            raise MissionFileError(source, f"line {lineno}: index {index:g}, expected "
                                           f"{len(rows)}")
        if index == 0 and command == 0:
            command = mavlink2.MAV_CMD_NAV_WAYPOINT
        rows.append(MissionItem(int(command), int(frame), *params, autocontinue=auto != 0))
    return from_ardupilot_download(rows, MissionType.MISSION)


def read_waypoints(
    path: str | os.PathLike[str],
) -> tuple[MissionItem | None, tuple[MissionItem, ...]]:
    """Read a ``.waypoints`` file; any problem is a one-line :class:`MissionFileError`."""
    return loads_waypoints(read_text(path), str(path))


def write_waypoints(items: Iterable[MissionItem], path: str | os.PathLike[str],
                    home: MissionItem | None = None) -> None:
    write_text(path, dumps_waypoints(items, home))
