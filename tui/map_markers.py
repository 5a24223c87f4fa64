"""What the selected (and marked) units are about, on the map: where each goes home to,
the point it was sent to (with a line from the unit) or circles (with the circle when
the scale shows it), and the selected unit's mission or patrol route, dotted, a ``o`` at
each waypoint. And the legend: the marker glyphs on screen, in words.

All in one colour, the selection's, so they read as belonging to the highlighted unit
and not as more units. Lines go under every glyph; the glyphs go under the units (drawn
after), so a unit at its target still shows. Pure (no Textual).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from fleet import geo
from fleet.events import UnitSnapshot
from tui.map_canvas import BRAILLE_BLANK, Grid, LatLon, Viewport
from tui.map_incidents import INCIDENT_GLYPH, overlay_lines

HOME_GLYPH = "⌂"
BASE_GLYPH = "⌂"  # a base is a home the vehicle did not report: the same house, dim
TARGET_GLYPH = "×"
WAYPOINT_GLYPH = "o"
SITE_GLYPH = "*"

MARK_STYLE = "bold #87d7ff"  # the selection's: home, target, waypoints
PATH_STYLE = "#87d7ff"  # its route (dotted), goto line, overwatch circle
BASE_STYLE = "#87875f"
DOTTED = 3  # one dot in three: the route, told apart from roads and patrol routes
OVERWATCH_RADIUS_M = 50.0  # what the console's overwatch asks for when none is known
MIN_RING_DOTS = 3.0  # a circle smaller than this (in dots) is just its centre
MAX_WAYPOINTS = 40  # more points than this is a road's shape, not waypoints
RING_POINTS = 48

#: legend entry -> its words, in the order the legend lists them
LEGEND: dict[str, str] = {
    "home": f"{HOME_GLYPH} home", "base": f"{BASE_GLYPH} base",
    "target": f"{TARGET_GLYPH} target", "route": f"{WAYPOINT_GLYPH} route",
    "site": f"{SITE_GLYPH} site", "incident": f"{INCIDENT_GLYPH} incident",
}


@dataclass(frozen=True, slots=True)
class Intent:
    """What is drawn for one unit: where it is, goes home to, goes to or circles, and
    (the selected unit only) the route it flies or drives."""

    at: LatLon | None
    home: LatLon | None
    target: LatLon | None = None
    radius_m: float | None = None  # set for an overwatch: the circle around target
    route: tuple[LatLon, ...] = ()


def _finite(p: LatLon | None) -> LatLon | None:
    if p is None or not (math.isfinite(p[0]) and math.isfinite(p[1])):
        return None
    return float(p[0]), float(p[1])


def intent_of(snap: UnitSnapshot, with_route: bool = False) -> Intent:
    """The unit's markers: its vehicle's home (its base if the vehicle reported none);
    the goto or overwatch target of its last command; with ``with_route``, the route of
    its patrol or mission, else the mission on the vehicle."""
    tel = snap.telemetry
    at = _finite((tel.lat_deg, tel.lon_deg)) if tel is not None else None
    place = snap.home or (snap.unit.base.position if snap.unit.base is not None else None)
    home = _finite((place.lat_deg, place.lon_deg)) if place is not None else None
    task = snap.tasking
    target = radius = None
    if task is not None and task.command in ("goto", "overwatch"):
        target = _finite(task.target)
        if task.command == "overwatch":
            radius = task.radius_m or OVERWATCH_RADIUS_M
    route: tuple[LatLon, ...] = ()
    if with_route:
        raw = (task.route if task is not None and task.route else None) or snap.mission or ()
        route = tuple(p for p in map(_finite, raw) if p is not None)
    return Intent(at, home, target, radius, route)


def ring(centre: LatLon, radius_m: float, n: int = RING_POINTS) -> list[LatLon]:
    """A circle of ``radius_m`` around ``centre`` as a closed polyline."""
    lat, lon = centre
    return [geo.displace(lat, lon, radius_m * math.cos(a), radius_m * math.sin(a))
            for a in (2 * math.pi * i / n for i in range(n + 1))]


def _far(a: LatLon, b: LatLon, metres: float) -> bool:
    return geo.distance_m(a[0], a[1], b[0], b[1]) > metres


def draw_intents(grid: Grid, intents: Iterable[Intent], view: Viewport, w: int, h: int
                 ) -> None:
    """Lines (routes dotted, goto lines, overwatch circles), then the glyphs (waypoints,
    homes, targets), each added to ``grid.legend`` when it shows."""
    intents = list(intents)
    lines: list[list[LatLon]] = []
    dotted: list[tuple[LatLon, ...]] = []
    for it in intents:
        if len(it.route) >= 2:
            dotted.append(it.route)
        if it.target is None:
            continue
        if it.radius_m is not None and it.radius_m / view.m_per_dot >= MIN_RING_DOTS:
            lines.append(ring(it.target, it.radius_m))
        if it.at is not None and (it.radius_m is None or _far(it.at, it.target,
                                                              2 * it.radius_m)):
            lines.append([it.at, it.target])
    overlay_lines(grid, dotted, view, w, h, PATH_STYLE, stride=DOTTED)
    overlay_lines(grid, lines, view, w, h, PATH_STYLE)
    for it in intents:
        if it.route and _visible(it.route, view, w, h):
            grid.legend.add("route")
        if len(it.route) <= MAX_WAYPOINTS:
            for p in it.route:  # never over a key site or a base
                _mark(grid, p, WAYPOINT_GLYPH, "route", view, w, h, PATH_STYLE, under=True)
    for it in intents:
        if it.home is not None:
            _mark(grid, it.home, HOME_GLYPH, "home", view, w, h, MARK_STYLE)
        if it.target is not None:
            _mark(grid, it.target, TARGET_GLYPH, "target", view, w, h, MARK_STYLE)


def _cell(p: LatLon, view: Viewport, w: int, h: int) -> tuple[int, int]:
    x, y = view.project_one(p[0], p[1], w * 2, h * 4)
    return math.floor(x / 2), math.floor(y / 4)


def _visible(points: Iterable[LatLon], view: Viewport, w: int, h: int) -> bool:
    return any(0 <= x < w and 0 <= y < h for x, y in (_cell(p, view, w, h) for p in points))


def _mark(grid: Grid, p: LatLon, glyph: str, kind: str, view: Viewport, w: int, h: int,
          style: str, under: bool = False) -> None:
    """``glyph`` at ``p`` if in view; ``under``: only over city dots or nothing."""
    x, y = _cell(p, view, w, h)
    if 0 <= x < w and 0 <= y < h:
        ch = grid.chars[y][x]
        if under and ch != " " and not BRAILLE_BLANK <= ord(ch) <= BRAILLE_BLANK + 0xFF:
            return
        grid.put(x, y, glyph, style)
        grid.legend.add(kind)


def legend_text(kinds: Iterable[str]) -> str:
    """``⌂ home · × target · * key site``: the marker glyphs on screen, in words (a
    base and a home share the house, bright for the selection's home)."""
    shown, words = set(kinds), dict(LEGEND)
    if {"home", "base"} <= shown:
        shown.discard("base")
        words["home"] = f"{HOME_GLYPH} base/home"
    return " · ".join(words[kind] for kind in LEGEND if kind in shown)
