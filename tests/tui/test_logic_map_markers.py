"""The map's names, markers, pan steps and the screen's width shares, pure: labels placed
where there is room, the selection's home/target/route, a pan step as a share of the
view, and which table columns give way to the map."""

from __future__ import annotations

import pytest
from fake_service import FakeService

from fleet.geo import METRES_PER_DEG
from fleet.model import Position
from fleet.tasking import Tasking
from tui.layout import MAP_MIN_W, NARROW_W, left_width
from tui.map_canvas import BRAILLE_BLANK, Grid, Viewport, pan_step
from tui.map_incidents import place_incidents
from tui.map_labels import Labels, short_name
from tui.map_layers import Scenery, base_grid, place_units, site_labels
from tui.map_markers import (
    HOME_GLYPH,
    MARK_STYLE,
    PATH_STYLE,
    TARGET_GLYPH,
    WAYPOINT_GLYPH,
    draw_intents,
    intent_of,
    legend_text,
)
from tui.table_rows import COLUMNS
from tui.widgets.unit_table import WIDTH, columns_for, table_width

CENTRE = (26.90, 112.61)


def row(grid: Grid, y: int) -> str:
    return "".join(grid.chars[y])


def text(grid: Grid) -> str:
    return "\n".join(map("".join, grid.chars))


def cells_of(grid: Grid, style: str) -> list[tuple[int, int]]:
    return [(x, y) for y, srow in enumerate(grid.styles) for x, s in enumerate(srow)
            if s == style]


# -- labels -----------------------------------------------------------------------------
def test_a_label_goes_right_else_left_else_above_and_below() -> None:
    grid = Grid.blank(30, 5)
    labels = Labels()
    labels.add(10, 2, "Wanda", "yellow")
    assert labels.draw(grid) == {"Wanda": (12, 2)}
    assert row(grid, 2)[12:17] == "Wanda"
    grid = Grid.blank(30, 5)
    grid.put(14, 2, "m", "")  # a unit where the name would go: it goes left
    labels = Labels()
    labels.add(10, 2, "Wanda", "yellow")
    assert labels.draw(grid) == {"Wanda": (4, 2)} and row(grid, 2)[4:9] == "Wanda"
    grid = Grid.blank(11, 5)  # no room either side: the row above
    labels = Labels()
    labels.add(5, 2, "Wanda", "yellow")
    assert labels.draw(grid) == {"Wanda": (6, 1)}


def test_labels_cover_city_dots_but_never_a_glyph_or_another_name() -> None:
    grid = Grid.blank(40, 3)
    dots = chr(BRAILLE_BLANK | 0xFF)
    grid.put(0, 1, dots * 40, "road")
    labels = Labels()
    labels.add(2, 1, "Alpha", "yellow")  # at 4..8
    labels.add(9, 1, "Beta", "yellow")  # right of it is free, but touches Alpha: not there
    placed = labels.draw(grid)
    assert placed["Alpha"] == (4, 1)
    start, y = placed["Beta"]
    taken = {(x, 1) for x in range(3, 10)}  # Alpha and a blank either side
    assert not {(x, y) for x in range(start, start + 4)} & taken
    assert row(grid, 1).count("Alpha") == 1 and "Beta" in text(grid)


def test_a_label_with_no_room_is_left_out_unless_it_is_the_selection() -> None:
    grid = Grid.blank(8, 1)
    labels = Labels()
    labels.add(3, 0, "Hengyang Railway Station", "yellow")
    assert labels.draw(grid) == {} and row(grid, 0).strip() == ""
    grid = Grid.blank(12, 1)
    grid.put(6, 0, "m", "")
    grid.hits[(6, 0)] = "moto"
    labels = Labels()
    labels.add(3, 0, "Eagle 1", "bold", force=True)
    assert labels.draw(grid) == {"Eagle 1": (5, 0)}
    assert row(grid, 0)[5:12] == "Eagle 1" and (6, 0) not in grid.hits  # hidden: no click


def test_the_selected_callsign_is_never_cut_by_a_glyph_drawn_after_it() -> None:
    """It read "Eam": a motorcycle, then an incident, drawn over "Eagle 1"."""
    svc = FakeService()
    view = Viewport(*CENTRE, 10.0)
    svc.report("air-1", *CENTRE)
    x, y = view.project_one(*CENTRE, 80, 40)
    beside = view.unproject(x + 8, y, 80, 40)  # 4 cells right: where the label would be
    svc.report("rp02-pc1", *beside)
    units = {s.id: s for s in svc.snapshots()}
    grid = Grid.blank(40, 10)
    labels = Labels()
    at = place_units(grid, units, view, 40, 10, "air-1", set(), labels)
    assert at is not None
    place_incidents(grid, [], view, 40, 10, None, 0.0, labels)
    labels.draw(grid)
    assert "Eagle 1" in text(grid)  # whole, somewhere beside its glyph
    ax, ay = at
    assert grid.chars[ay][ax] == "^" and "P" in text(grid)  # and the car still shows


def test_key_sites_are_named_where_there_is_room_and_never_on_each_other() -> None:
    svc = FakeService()
    assert short_name("Hengyang East Station (high-speed rail)") == "Hengyang East Station"
    sites = [*svc.config.key_sites]
    scenery = Scenery.build(None, sites=sites, bases=svc.config.bases.values())
    view = Viewport(26.8950, 112.5780, 20.0)
    grid = base_grid(scenery, [], view, 40, 12)
    labels = Labels()
    site_labels(labels, scenery, view, 40, 12)
    assert labels.draw(grid) == {"Wanda Plaza": (22, 6)}
    assert row(grid, 6)[20:33] == "* Wanda Plaza"
    # zoomed out over a crowded corner: every name placed is whole and apart
    crowd = [type(sites[0])(f"s{i}", f"Site number {i}",
                            Position(26.8950 + i * 0.0004, 112.5780)) for i in range(8)]
    scenery = Scenery.build(None, sites=crowd)
    view = Viewport(26.8960, 112.5800, 25.0)
    grid = base_grid(scenery, [], view, 30, 12)
    labels = Labels()
    site_labels(labels, scenery, view, 30, 12)
    placed = labels.draw(grid)
    assert 0 < len(placed) < 8  # some left out: no room
    for text, (x0, y0) in placed.items():
        assert row(grid, y0)[x0:x0 + len(text)] == text


# -- markers ------------------------------------------------------------------------------
def test_a_units_markers_come_from_its_home_tasking_and_mission() -> None:
    svc = FakeService()
    snap = svc.report("air-1", *CENTRE)
    it = intent_of(snap, with_route=True)
    assert it.home == (26.8930, 112.5880) and it.target is None and it.route == ()  # its base
    mission = ((26.901, 112.611), (26.903, 112.613), (26.901, 112.615))
    snap = svc.update("air-1", home=Position(26.9, 112.6, 50.0), mission=mission,
                      tasking=Tasking("operator", "goto", 0.0, (26.905, 112.62)))
    it = intent_of(snap, with_route=True)
    assert it.home == (26.9, 112.6) and it.target == (26.905, 112.62)
    assert it.radius_m is None and it.route == mission
    assert intent_of(snap).route == ()  # a marked unit: no route
    patrol = ((26.91, 112.60), (26.92, 112.60))
    snap = svc.update("air-1", tasking=Tasking("schedule", "patrol", 0.0, route=patrol))
    assert intent_of(snap, with_route=True).route == patrol  # what it follows now
    snap = svc.update("air-1", tasking=Tasking("operator", "overwatch", 0.0, (26.9, 112.6)))
    assert intent_of(snap).radius_m == 50.0  # the console's default circle
    snap = svc.update("air-1", tasking=Tasking("operator", "return", 0.0))
    assert intent_of(snap).target is None


def test_home_target_line_and_dotted_route_are_drawn_with_the_legend() -> None:
    svc = FakeService()
    view = Viewport(*CENTRE, 10.0)
    w, h = 60, 20
    mission = ((26.9005, 112.6110), (26.9020, 112.6130), (26.9005, 112.6150))
    snap = svc.report("air-1", *CENTRE)
    snap = svc.update("air-1", home=Position(26.8990, 112.6090), mission=mission,
                      tasking=Tasking("operator", "goto", 0.0, (26.8985, 112.6040)))
    grid = Grid.blank(w, h)
    draw_intents(grid, [intent_of(snap, with_route=True)], view, w, h)
    drawn = text(grid)
    assert drawn.count(HOME_GLYPH) == 1 and drawn.count(TARGET_GLYPH) == 1
    assert drawn.count(WAYPOINT_GLYPH) == 3
    assert len(cells_of(grid, MARK_STYLE)) == 2
    assert len(cells_of(grid, PATH_STYLE)) > 10  # the goto line and the route's dots
    assert grid.legend == {"home", "target", "route"}
    assert legend_text(grid.legend) == "⌂ home · × target · o route"
    assert legend_text({"home", "base", "site", "incident"}) == \
        "⌂ base/home · * site · @ incident"


def test_an_overwatch_circle_shows_only_when_the_scale_can_draw_it() -> None:
    svc = FakeService()
    svc.report("air-1", *CENTRE)
    snap = svc.update("air-1", tasking=Tasking("operator", "overwatch", 0.0, CENTRE,
                                               radius_m=120.0))
    near = Grid.blank(40, 20)
    draw_intents(near, [intent_of(snap)], Viewport(*CENTRE, 5.0), 40, 20)
    far = Grid.blank(40, 20)
    draw_intents(far, [intent_of(snap)], Viewport(*CENTRE, 500.0), 40, 20)
    assert len(cells_of(near, PATH_STYLE)) > 20  # a ring 48 dots across
    assert cells_of(far, PATH_STYLE) == []  # smaller than a cell: the × alone
    assert text(far).count(TARGET_GLYPH) == 1


# -- pan and zoom -------------------------------------------------------------------------
def test_a_pan_step_is_a_share_of_the_view_the_same_across_and_down() -> None:
    w, h = 92, 120  # dots: a map 46 cells wide, 30 high
    assert pan_step(1, 0, w, h) == (23.0, 0.0) and pan_step(0, -1, w, h) == (0.0, -23.0)
    assert pan_step(-1, 0, w, h, big=True) == (-69.0, 0.0)  # a page, a quarter kept
    assert pan_step(0, 1, w, h, big=True) == (0.0, 90.0)
    city = Viewport(*CENTRE, 300.0)  # the whole city in view, a street
    street = Viewport(*CENTRE, 3.0)
    for view in (city, street):
        lat0 = view.lat
        view.pan_dots(*pan_step(0, 1, w, h), w, h)
        moved_m = (lat0 - view.lat) * METRES_PER_DEG  # the map draws fleet.geo's Earth
        assert moved_m == pytest.approx(23 * view.m_per_dot)  # a quarter of 92 dots
    view = Viewport(*CENTRE, 40.0)
    view.pan_dots(*pan_step(1, 1, w, h), w, h)
    view.pan_dots(*pan_step(-1, -1, w, h), w, h)
    assert (view.lat, view.lon) == pytest.approx(CENTRE)


def test_zoom_keeps_the_centre() -> None:
    view = Viewport(*CENTRE, 40.0)
    view.zoom(1.5)
    view.zoom(1 / 1.5 / 1.5)
    assert (view.lat, view.lon) == CENTRE and view.m_per_dot == pytest.approx(60.0)


# -- the screen's width shares ------------------------------------------------------------
def test_the_map_keeps_its_share_and_the_table_its_most_needed_columns() -> None:
    assert NARROW_W == 120
    assert left_width(120, WIDTH) == 120 - MAP_MIN_W  # the map: 46 columns and a border
    assert left_width(160, WIDTH) == 96  # the map and the detail: 64 columns
    assert left_width(200, WIDTH) == WIDTH + 1  # the whole table, the map the rest
    keys = [c.key for c in columns_for(left_width(120, WIDTH) - 1)]
    assert {"callsign", "status", "battery", "age"} <= set(keys)
    assert "mode" not in keys and "group" not in keys
    assert table_width(columns_for(71)) <= 71
    assert columns_for(WIDTH) == COLUMNS
    assert [c.key for c in columns_for(20)] == [c.key for c in COLUMNS if c.key in
                                                {"callsign", "status", "battery", "age"}]
