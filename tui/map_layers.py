"""What the map draws, in fleet terms: city layers, key sites, routes and unit glyphs.

Pure (no Textual): turns the city map, the config and the units into the polyline layers
and glyphs :mod:`tui.map_canvas` rasterises. Style names are Rich style strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import isfinite

import numpy as np

from fleet.events import UnitSnapshot
from fleet.model import Base, KeySite, LinkState, UnitKind, UnitStatus, Zone
from fleet.roads_rivers import CityMap
from tui.cells import STATUS_STYLE
from tui.map_canvas import Grid, LatLon, Viewport, closed, raster
from tui.map_labels import Labels, short_name
from tui.map_markers import BASE_GLYPH, BASE_STYLE, SITE_GLYPH

KIND_GLYPH: dict[UnitKind, str] = {
    UnitKind.DRONE: "^", UnitKind.HELICOPTER: "H", UnitKind.COMMAND_VEHICLE: "C",
    UnitKind.PATROL_CAR: "P", UnitKind.MOTORCYCLE: "m", UnitKind.COMMAND_BOAT: "B",
    UnitKind.PATROL_BOAT: "b",
}
CROSSHAIR = "+"

ZONE_STYLE = "#3a4a6a"
MINOR_ROAD_STYLE = "#6c6c6c"
MAJOR_ROAD_STYLE = "#a8a8a8"
RIVER_STYLE = "bold #3f8fff"
ROUTE_STYLE = "#d75fd7"
SITE_STYLE = "bold yellow"
SITE_LABEL_STYLE = "yellow"
UNIT_LABEL_STYLE = "bold"
LOST_STYLE = "bold white on red"
SELECTED_STYLE = "bold reverse"
MARKED_STYLE = "bold underline"
NOT_HEARD_STYLE = "dim"
CROSSHAIR_STYLE = "bold magenta"
MAJOR_ROADS = frozenset({"avenue", "highway", "bridge"})


@dataclass(frozen=True, slots=True)
class Scenery:
    """The still part of the map: city ways, zones, key sites, bases."""

    layers: tuple[tuple[str, tuple[tuple[LatLon, ...], ...]], ...]
    sites: tuple[KeySite, ...]
    bases: tuple[Base, ...] = ()

    @classmethod
    def build(cls, city: CityMap | None, zones: Iterable[Zone] = (),
              sites: Iterable[KeySite] = (), bases: Iterable[Base] = ()) -> Scenery:
        ways = city.ways if city is not None else ()
        minor = tuple(w.points for w in ways if w.kind in ("street", "old_town"))
        major = tuple(w.points for w in ways if w.kind in MAJOR_ROADS)
        rivers = tuple(w.points for w in ways if w.kind == "river")
        zone_lines = tuple(tuple(closed(z.polygon)) for z in zones if len(z.polygon) >= 3)
        return cls(((ZONE_STYLE, zone_lines), (MINOR_ROAD_STYLE, minor),
                    (MAJOR_ROAD_STYLE, major), (RIVER_STYLE, rivers)), tuple(sites),
                   tuple(bases))

    def home_points(self) -> list[LatLon]:
        """Where the first view looks: the rivers (the city grew along them), else all."""
        for style, lines in reversed(self.layers):
            if style == RIVER_STYLE and lines:
                return [p for line in lines for p in line]
        return [p for _, lines in self.layers for line in lines for p in line]


def base_grid(scenery: Scenery, routes: Sequence[Sequence[LatLon]], view: Viewport,
              w: int, h: int) -> Grid:
    """Scenery and patrol routes, rasterised; bases, then key sites, on top."""
    layers = [*scenery.layers, (ROUTE_STYLE, tuple(tuple(r) for r in routes))]
    grid = raster(layers, view, w, h)
    for glyph, style, kind, places in ((BASE_GLYPH, BASE_STYLE, "base", scenery.bases),
                                       (SITE_GLYPH, SITE_STYLE, "site", scenery.sites)):
        for place in places:
            x, y = _cell(view, place.position.lat_deg, place.position.lon_deg, w, h)
            if 0 <= x < w and 0 <= y < h:
                grid.put(x, y, glyph, style)
                grid.legend.add(kind)
    return grid


def _cell(view: Viewport, lat: float, lon: float, w: int, h: int) -> tuple[int, int]:
    x, y = view.project_one(lat, lon, w * 2, h * 4)
    return int(x // 2), int(y // 4)


def site_labels(labels: Labels, scenery: Scenery, view: Viewport, w: int, h: int) -> None:
    """Ask for a name beside each key site in view (placed where there is room)."""
    for site in scenery.sites:
        x, y = _cell(view, site.position.lat_deg, site.position.lon_deg, w, h)
        if 0 <= x < w and 0 <= y < h:
            labels.add(x, y, short_name(site.name), SITE_LABEL_STYLE)


def unit_style(snap: UnitSnapshot, selected: bool, marked: bool) -> str:
    return _unit_style(snap.link_state, snap.status, selected, marked)


def _draw_order(snap: UnitSnapshot, selected: str | None, marked: set[str]) -> int:
    """Which glyph wins a shared cell: selected, then lost, then marked."""
    if snap.id == selected:
        return 3
    return 2 if snap.link_state is LinkState.LOST else 1


@lru_cache(maxsize=256)
def _unit_style(link: LinkState, status: UnitStatus, selected: bool, marked: bool) -> str:
    if link is LinkState.LOST:
        style = LOST_STYLE
    elif link is LinkState.NEVER_SEEN:
        style = NOT_HEARD_STYLE
    else:
        style = STATUS_STYLE.get(status, "") or "white"
    if selected:
        return f"{style} {SELECTED_STYLE}"
    return f"{style} {MARKED_STYLE}" if marked else style


def place_units(grid: Grid, units: Mapping[str, UnitSnapshot], view: Viewport, w: int,
                h: int, selected: str | None, marked: set[str],
                labels: Labels | None = None) -> tuple[int, int] | None:
    """Draw every placed unit's glyph (and the selected unit's callsign) on ``grid``;
    returns the selected unit's cell if it is in view.

    Ordinary units first, then marked, lost and the selected one, so what matters wins a
    shared cell. One pass over the fleet: this runs every frame that any unit moved. The
    callsign goes to ``labels``, placed once every glyph is down; without it, at once.
    """
    placed = []
    lats = []
    lons = []
    for snap in units.values():
        tel = snap.telemetry
        if tel is not None and isfinite(tel.lat_deg) and isfinite(tel.lon_deg):
            placed.append(snap)
            lats.append(tel.lat_deg)
            lons.append(tel.lon_deg)
    if not placed:
        return None
    xs, ys = view.project(np.array(lats), np.array(lons), w * 2, h * 4)
    cx = np.floor(xs / 2).astype(np.int64).tolist()
    cy = np.floor(ys / 4).astype(np.int64).tolist()
    later: list[tuple[int, int]] = []  # (order, index) of those drawn over the others
    chars, styles, hits = grid.chars, grid.styles, grid.hits
    lost = LinkState.LOST
    for i, snap in enumerate(placed):
        x, y = cx[i], cy[i]
        if not (0 <= x < w and 0 <= y < h):
            continue
        unit_id = snap.id
        if unit_id == selected or unit_id in marked or snap.link_state is lost:
            later.append((_draw_order(snap, selected, marked), i))
            continue
        chars[y][x] = KIND_GLYPH.get(snap.unit.kind, "?")
        styles[y][x] = _unit_style(snap.link_state, snap.status, False, False)
        hits[(x, y)] = unit_id
    own = labels if labels is not None else Labels()
    selected_at = None
    for _, i in sorted(later):
        x, y, snap = cx[i], cy[i], placed[i]
        chars[y][x] = KIND_GLYPH.get(snap.unit.kind, "?")
        styles[y][x] = _unit_style(snap.link_state, snap.status, snap.id == selected,
                                   snap.id in marked)
        hits[(x, y)] = snap.id
        if snap.id == selected:
            selected_at = (x, y)
            own.add(x, y, str(snap.unit.callsign or snap.id), UNIT_LABEL_STYLE, force=True)
    if labels is None:
        own.draw(grid)
    return selected_at


def hit(grid: Grid, x: int, y: int, radius: int = 1) -> str | None:
    """The unit drawn at cell (x, y), or nearest within ``radius`` cells."""
    if (x, y) in grid.hits:
        return grid.hits[(x, y)]
    best: tuple[int, str] | None = None
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            unit_id = grid.hits.get((x + dx, y + dy))
            if unit_id is not None:
                d = dx * dx + dy * dy
                if best is None or d < best[0]:
                    best = (d, unit_id)
    return best[1] if best else None
