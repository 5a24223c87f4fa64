"""Incidents on the map: a marker per incident, coloured by its state, and a line from
each unit on its way to the incident it is assigned to.

Pure (no Textual): draws into the :class:`~tui.map_canvas.Grid` the map widget shows.
The lines are braille dots laid over the city's (a cell keeps the city's dots, takes the
line's colour); the markers go on top of the unit glyphs, since the desk is about them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from fleet.dispatch.incident import Incident, IncidentStatus
from fleet.events import UnitSnapshot
from tui.desk_book import is_late
from tui.map_canvas import BRAILLE_BLANK, BrailleLayer, Grid, LatLon, Viewport, concat_lines
from tui.map_labels import Labels

INCIDENT_GLYPH = "@"
ASSIGNMENT_STYLE = "#ffaf00"
LATE_STYLE = "bold white on red"
SELECTED_STYLE = "reverse"
INCIDENT_STYLE: dict[IncidentStatus, str] = {
    IncidentStatus.RECEIVED: "bold red",
    IncidentStatus.DISPATCHED: "bold yellow",
    IncidentStatus.EN_ROUTE: "bold yellow",
    IncidentStatus.ON_SCENE: "bold magenta",
    IncidentStatus.CLEARED: "bold green",
}


def incident_style(inc: Incident, now: float, selected: bool) -> str:
    style = LATE_STYLE if is_late(inc, now) else INCIDENT_STYLE.get(inc.status, "dim")
    return f"{style} {SELECTED_STYLE}" if selected else style


def assignment_lines(incidents: Sequence[Incident], units: Mapping[str, UnitSnapshot]
                     ) -> list[tuple[LatLon, LatLon]]:
    """(unit position, incident) for every active assignment of a placed unit."""
    out = []
    for inc in incidents:
        for a in inc.active:
            snap = units.get(a.unit_id)
            tel = snap.telemetry if snap is not None else None
            if tel is not None and math.isfinite(tel.lat_deg) and math.isfinite(tel.lon_deg):
                out.append(((tel.lat_deg, tel.lon_deg), (inc.lat, inc.lon)))
    return out


def overlay_lines(grid: Grid, lines: Sequence[Sequence[LatLon]], view: Viewport, w: int,
                  h: int, style: str, stride: int = 1) -> None:
    """Add polylines' dots to the braille (or blank) cells of ``grid``, in ``style``;
    cells holding a glyph (a key site, a crosshair) keep it. ``stride`` > 1: dotted."""
    pts, joins = concat_lines(lines)
    if not len(pts) or w <= 0 or h <= 0:
        return
    layer = BrailleLayer(w, h)
    xs, ys = view.project(pts[:, 0], pts[:, 1], w * 2, h * 4)
    layer.polyline(xs, ys, joins, stride)
    rows, cols = np.nonzero(layer.mask)
    for y, x in zip(rows.tolist(), cols.tolist(), strict=True):
        ch = grid.chars[y][x]
        code = ord(ch)
        if ch == " ":
            bits = 0
        elif BRAILLE_BLANK <= code <= BRAILLE_BLANK + 0xFF:
            bits = code - BRAILLE_BLANK
        else:
            continue
        grid.chars[y][x] = chr(BRAILLE_BLANK | bits | int(layer.mask[y, x]))
        grid.styles[y][x] = style


def place_incidents(grid: Grid, incidents: Sequence[Incident], view: Viewport, w: int,
                    h: int, selected: str | None, now: float,
                    labels: Labels | None = None) -> None:
    """A marker per incident; the selected one reversed, with its id beside it (asked of
    ``labels``, placed once every glyph is down; without it, at once)."""
    own = labels if labels is not None else Labels()
    for inc in sorted(incidents, key=lambda i: i.id == selected):  # the selected one last
        x, y = view.project_one(inc.lat, inc.lon, w * 2, h * 4)
        cx, cy = int(x // 2), int(y // 4)
        if not (0 <= cx < w and 0 <= cy < h):
            continue
        grid.put(cx, cy, INCIDENT_GLYPH, incident_style(inc, now, inc.id == selected))
        grid.legend.add("incident")
        if inc.id == selected:
            own.add(cx, cy, inc.id, "bold", force=True)
    if labels is None:
        own.draw(grid)
