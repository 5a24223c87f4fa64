"""The map: the city in braille dots, units as coloured glyphs, pan/zoom/follow/fit.

Drawn line by line from a cached grid: the city (with bases and key sites) is rasterised
only when the view moves; over a copy of it, when units change, at the app's refresh
rate: the selection's home, target and route, incident lines, the units, incidents, and
last the names (the selected unit's first, then key sites where there is room). The
bottom border is the legend of the marker glyphs on screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui.guard import guarded
from tui.map_canvas import Grid, LatLon, Viewport, pan_step
from tui.map_incidents import ASSIGNMENT_STYLE, assignment_lines, overlay_lines, place_incidents
from tui.map_labels import Labels
from tui.map_layers import (
    CROSSHAIR,
    CROSSHAIR_STYLE,
    Scenery,
    base_grid,
    hit,
    place_units,
    site_labels,
)
from tui.map_markers import Intent, draw_intents, intent_of, legend_text
from tui.model import ConsoleModel
from tui.patrol_routes import where

ZOOM_STEP = 1.5


class CityMapView(Widget, can_focus=True):
    """See the module docstring. ``picking`` turns the next click (or enter) into a
    :class:`PointPicked` instead of a unit selection."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "pan(-1, 0)", "Pan left", show=False),
        Binding("right,l", "pan(1, 0)", "Pan right", show=False),
        Binding("up,k", "pan(0, -1)", "Pan up", show=False),
        Binding("down,j", "pan(0, 1)", "Pan down", show=False),
        Binding("shift+left", "pan(-1, 0, True)", "Pan left a page", show=False),
        Binding("shift+right", "pan(1, 0, True)", "Pan right a page", show=False),
        Binding("shift+up", "pan(0, -1, True)", "Pan up a page", show=False),
        Binding("shift+down", "pan(0, 1, True)", "Pan down a page", show=False),
        Binding("enter", "pick_centre", "Pick centre", show=False),
    ]

    class UnitClicked(Message):
        def __init__(self, unit_id: str) -> None:
            super().__init__()
            self.unit_id = unit_id

    class PointPicked(Message):
        def __init__(self, lat: float, lon: float) -> None:
            super().__init__()
            self.lat = lat
            self.lon = lon

    def __init__(self, model: ConsoleModel, scenery: Scenery,
                 routes: Callable[[], Sequence[Sequence[LatLon]]] = list,
                 wall: Callable[[], float] = time.time, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.scenery = scenery
        self.routes = routes
        self.wall = wall
        self.view: Viewport | None = None
        self.selected: str | None = None
        self.selected_incident: str | None = None
        self.follow = False
        self.picking = False
        self.pick_purpose = "goto"
        self._base: Grid | None = None
        self._base_key: tuple | None = None
        self._grid: Grid | None = None
        self._lines: list[Strip] = []
        self._styles: dict[str, Style] = {}
        self._title = ""
        self._legend = ""
        self._fit_when_shown = False

    # -- geometry --------------------------------------------------------------------
    @property
    def dots(self) -> tuple[int, int]:
        return self.size.width * 2, self.size.height * 4

    def _ensure_view(self) -> Viewport | None:
        if self.view is None and self.size.width > 0 and self.size.height > 0:
            self.view = Viewport.fit(self.scenery.home_points(), *self.dots) or \
                Viewport(26.89, 112.6, 50.0)
            self._update_title()
        return self.view

    # -- data in ---------------------------------------------------------------------
    def update_units(self, changed: Iterable[str]) -> None:
        changed = set(changed)
        if not changed:
            return
        if self.follow and self.selected in changed:
            self._keep_followed_in_view()
        self._recompose()

    def _recompose(self) -> None:
        """Re-place the glyphs now; repaint only the rows that differ."""
        if self._base is None or self._grid is None:
            self._grid = None
            self.refresh()
            return
        before = self._lines
        self._compose_grid()
        for y, (old, new) in enumerate(zip(before, self._lines, strict=False)):
            if old is not new:
                self.refresh(Region(0, y, self.size.width, 1))

    def incidents_changed(self) -> None:
        """Incidents (or the units on their way) moved on: markers and lines again."""
        self._recompose()

    def set_selected_incident(self, incident_id: str | None) -> None:
        if incident_id != self.selected_incident:
            self.selected_incident = incident_id
            self._recompose()

    def fit_points(self, points: Sequence[LatLon]) -> None:
        """Show these points (an incident and its units), at most zoomed to the street."""
        w, h = self.dots
        view = Viewport.fit(points, w, h, margin=0.15)
        if view is not None and w > 0 and h > 0:
            self.view = view
            self.follow = False
            self._moved()

    def show_point(self, lat: float, lon: float) -> None:
        """Centre on the point unless it is already in the middle half of the view."""
        view = self._ensure_view()
        if view is None:
            return
        w, h = self.dots
        x, y = view.project_one(lat, lon, w, h)
        if not (w / 4 <= x <= 3 * w / 4 and h / 4 <= y <= 3 * h / 4):
            view.lat, view.lon = lat, lon
            self.follow = False
            self._moved()

    def set_selected(self, unit_id: str | None) -> None:
        if unit_id != self.selected:
            self.selected = unit_id
            if self.follow:
                self._centre_on_selected()
            self._grid = None
            self._update_title()
            self.refresh()

    def routes_changed(self) -> None:
        self._base = None
        self._grid = None
        self.refresh()

    # -- actions -------------------------------------------------------------------
    def action_pan(self, dx: int, dy: int, big: bool = False) -> None:
        """A share of the view (:func:`tui.map_canvas.pan_step`); ``big``: a page."""
        view = self._ensure_view()
        if view is not None:
            view.pan_dots(*pan_step(dx, dy, *self.dots, big=big), *self.dots)
            self.follow = False
            self._moved()

    def zoom(self, factor: float) -> None:
        view = self._ensure_view()
        if view is not None:
            view.zoom(factor)
            if self.follow:
                self._centre_on_selected()
            self._moved()

    def fit_all(self) -> None:
        """Show every placed unit (the city if none is placed yet); a map not laid out
        yet (just brought up on a narrow screen) does it once it has its size."""
        if not (self.size.width and self.size.height):
            self._fit_when_shown = True
            return
        points = [p for s in self.model.units.values()
                  if s.telemetry is not None and (p := where(s)) is not None]
        w, h = self.dots
        view = Viewport.fit(points, w, h) or Viewport.fit(self.scenery.home_points(), w, h)
        if view is not None:
            self.view = view
            self.follow = False
            self._moved()

    def toggle_follow(self) -> bool:
        self.follow = not self.follow
        if self.follow:
            self._centre_on_selected()
        self._moved()
        return self.follow

    def start_picking(self, purpose: str = "goto") -> None:
        self.picking = True
        self.pick_purpose = purpose
        self._moved()

    def stop_picking(self) -> None:
        if self.picking:
            self.picking = False
            self._moved()

    def action_pick_centre(self) -> None:
        view = self._ensure_view()
        if self.picking and view is not None:
            self.picking = False
            self._moved()
            self.post_message(self.PointPicked(view.lat, view.lon))

    def _centre_on_selected(self) -> None:
        snap = self.model.units.get(self.selected or "")
        view = self._ensure_view()
        point = where(snap) if snap is not None and snap.telemetry is not None else None
        if view is not None and point is not None:
            view.lat, view.lon = point

    def _keep_followed_in_view(self) -> None:
        """Re-centre only when the followed unit leaves the middle half of the view,
        so following does not re-draw the city on every report."""
        snap = self.model.units.get(self.selected or "")
        view = self.view
        point = where(snap) if snap is not None else None
        if view is None or point is None:
            return
        w, h = self.dots
        x, y = view.project_one(point[0], point[1], w, h)
        if not (w / 4 <= x <= 3 * w / 4 and h / 4 <= y <= 3 * h / 4):
            view.lat, view.lon = point
            self._base = None

    def _moved(self) -> None:
        self._base = None
        self._grid = None
        self._update_title()
        self.refresh()

    # -- mouse -----------------------------------------------------------------------
    @guarded()
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        view = self._ensure_view()
        if offset is None or view is None:
            return
        if self.picking:
            self.picking = False
            self._moved()
            lat, lon = view.unproject(offset.x * 2 + 1, offset.y * 4 + 2, *self.dots)
            self.post_message(self.PointPicked(lat, lon))
            return
        grid = self._grid or self._compose_grid()
        unit_id = hit(grid, offset.x, offset.y) if grid is not None else None
        if unit_id is not None:
            self.post_message(self.UnitClicked(unit_id))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.zoom(ZOOM_STEP)
        event.stop()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.zoom(1 / ZOOM_STEP)
        event.stop()

    # -- drawing ---------------------------------------------------------------------
    def on_resize(self) -> None:
        if self._fit_when_shown and self.size.width and self.size.height:
            self._fit_when_shown = False
            self.fit_all()
        self._moved()

    def _compose_grid(self) -> Grid | None:
        view = self._ensure_view()
        w, h = self.size.width, self.size.height
        if view is None or w <= 0 or h <= 0:
            self._lines = []
            return None
        key = (view.lat, view.lon, view.m_per_dot, w, h)
        if self._base is None or self._base_key != key:
            self._base = base_grid(self.scenery, self.routes(), view, w, h)
            self._base_key = key
        grid = self._base.copy()
        labels = Labels()
        draw_intents(grid, self._intents(), view, w, h)
        incidents = self.model.incidents.on_map()
        if incidents:
            overlay_lines(grid, assignment_lines(incidents, self.model.units), view, w, h,
                          ASSIGNMENT_STYLE)
        at = place_units(grid, self.model.units, view, w, h, self.selected,
                         self.model.marked, labels)
        if incidents:
            glyph = (grid.chars[at[1]][at[0]], grid.styles[at[1]][at[0]]) if at else None
            place_incidents(grid, incidents, view, w, h, self.selected_incident, self.wall(),
                            labels)
            if at is not None and glyph is not None:  # the selected unit stays on top
                grid.put(*at, *glyph)
        site_labels(labels, self.scenery, view, w, h)
        labels.draw(grid)
        if self.picking:
            grid.put(w // 2, h // 2, CROSSHAIR, CROSSHAIR_STYLE)
        legend = legend_text(grid.legend)
        if legend != self._legend:
            self._legend = self.border_subtitle = legend
        old, old_lines = self._grid, self._lines
        self._grid = grid
        if old is not None and len(old_lines) == h and len(old.chars) == h:
            # only the rows whose glyphs moved are new strips (and repainted)
            self._lines = [old_lines[i] if old.chars[i] == grid.chars[i]
                           and old.styles[i] == grid.styles[i]
                           else self._strip(grid.chars[i], grid.styles[i]) for i in range(h)]
        else:
            self._lines = [self._strip(grid.chars[i], grid.styles[i]) for i in range(h)]
        return grid

    def _intents(self) -> list[Intent]:
        """Home and target of the marked units, then of the selected one (drawn last, on
        top); its route too (a hundred marked units' routes would hide the city)."""
        units = self.model.units
        ids = sorted(self.model.marked - {self.selected or ""})
        if self.selected is not None:
            ids.append(self.selected)
        return [intent_of(snap, with_route=unit_id == self.selected) for unit_id in ids
                if (snap := units.get(unit_id)) is not None]

    def _update_title(self) -> None:
        view = self.view
        if view is None:
            return
        metres = view.m_per_dot * 2
        scale = f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"
        title = f"Map · 1 cell ≈ {scale}"
        if self.follow:
            title += f" · following {self.model.callsign(self.selected or '')}"
        if self.picking:  # the prompt first: a narrow title is cut at the end
            title = f"{self.pick_purpose}: click, or enter at + (esc cancels) · {title}"
        if title != self._title:
            self._title = title
            self.border_title = title

    @guarded(lambda self, y: Strip.blank(self.size.width))
    def render_line(self, y: int) -> Strip:
        if self._grid is None or len(self._lines) != self.size.height:
            self._compose_grid()
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._grid = None

    def _strip(self, chars: list[str], styles: list[str]) -> Strip:
        segments = []
        start = 0
        for x in range(1, len(chars) + 1):
            if x == len(chars) or styles[x] != styles[start]:
                segments.append(Segment("".join(chars[start:x]), self._style(styles[start])))
                start = x
        return Strip(segments, len(chars))

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.rich_style + Style.parse(name) if name \
                else self.rich_style
        return style
