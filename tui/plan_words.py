"""A mission in words and figures for the operator: ``Upload 42 items (3.1 km, 12 min
at 8 m/s) from wanda.plan``. Pure: the confirmation and the tests read it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from fleet.geo import distance_m
from fleet.missions import MissionItem
from fleet.missions import catalog as cat
from fleet.tasking import route_of

LatLon = tuple[float, float]
_HOLDS = frozenset({cat.NAV_WAYPOINT, cat.NAV_LOITER_TIME})  # param1: seconds held there


@dataclass(frozen=True, slots=True)
class Part:
    """One mission to upload: its items, where it starts, and the speed it flies."""

    name: str  # the file's name, or "patrol ring (part 1 of 2)"
    items: tuple[MissionItem, ...]
    home: LatLon | None = None  # the plan's planned home: where its first leg begins
    speed_m_s: float | None = None  # the plan's cruise speed when it sets none itself


def placed(items: Iterable[MissionItem]) -> list[LatLon]:
    """The points a mission flies through (:func:`fleet.tasking.route_of`), in order."""
    return list(route_of(items))


def route_figures(part: Part, default_speed_m_s: float | None = None
                  ) -> tuple[float, float | None, float | None]:
    """(length m, duration s or None, speed m/s or None): from the planned home through
    every placed item, back home after an RTL; the time at the mission's own speed (its
    first DO_CHANGE_SPEED), else the plan's cruise speed, else ``default_speed_m_s``,
    with every hold added."""
    points = ([part.home] if part.home else []) + placed(part.items)
    if part.home and any(it.command == cat.NAV_RETURN_TO_LAUNCH for it in part.items):
        points.append(part.home)
    length = sum(distance_m(*a, *b) for a, b in pairwise(points))
    speed = next((it.param2 for it in part.items
                  if it.command == cat.DO_CHANGE_SPEED and it.param2 > 0), None)
    speed = speed or part.speed_m_s or default_speed_m_s
    holds = sum(max(it.param1, 0.0) for it in part.items
                if it.command in _HOLDS and math.isfinite(it.param1))
    return length, (length / speed + holds if speed else None), speed


def upload_words(part: Part, default_speed_m_s: float | None = None) -> str:
    """``Upload 42 items (3.1 km, 12 min at 8 m/s) from wanda.plan``."""
    length, duration, speed = route_figures(part, default_speed_m_s)
    figures = [f"{length / 1000:.1f} km"]
    if duration is not None and speed:
        figures.append(f"{max(1, round(duration / 60))} min at {speed:g} m/s")
    n = len(part.items)
    return f"Upload {n} item{'s' if n != 1 else ''} ({', '.join(figures)}) from {part.name}"
