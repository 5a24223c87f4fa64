"""The map's pure parts: the city data, the viewport, the braille raster, patrol routes."""

from __future__ import annotations

import numpy as np
import pytest
from fake_service import FakeService

from fleet.planning.runs import PatrolRoute
from fleet.roads_rivers import load_city_map, parse_city_map
from tui.map_canvas import BRAILLE_BLANK, BrailleLayer, Grid, Viewport, clip_segments, raster
from tui.map_layers import Scenery, base_grid, hit, place_units
from tui.patrol_routes import distance_m, patrol_route


def test_the_packaged_city_map() -> None:
    city = load_city_map()
    assert city.name == "Hengyang"
    assert [w.name for w in city.rivers] == ["Xiang River", "Zheng River"]
    assert [w.name for w in city.waterways] == ["Xiang River", "Zheng River (lower reach)"]
    assert len(city.roads) == 42 and {w.kind for w in city.roads} == {
        "avenue", "street", "old_town", "bridge", "highway"}
    lat0, lon0, lat1, lon1 = city.bounds()
    assert 26.8 < lat0 < lat1 < 27.3 and 112.5 < lon0 < lon1 < 112.8


@pytest.mark.parametrize(("doc", "message"), [
    ({"ways": [{"name": "A", "kind": "canal", "points": [[1, 2], [3, 4]]}]}, "unknown kind"),
    ({"ways": [{"name": "A", "kind": "street", "points": [[1, 2]]}]}, "at least 2 points"),
    ({"ways": [{"name": "A", "kind": "street", "points": [[91, 2], [3, 4]]}]}, "latitude"),
    ({"ways": []}, "no ways"),
])
def test_a_bad_map_is_refused_with_the_way_named(doc: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_city_map(doc)


def test_viewport_projects_both_ways_pans_zooms_and_fits() -> None:
    view = Viewport(26.9, 112.6, 10.0)
    x, y = view.project_one(26.91, 112.61, 200, 100)
    assert view.unproject(x, y, 200, 100) == pytest.approx((26.91, 112.61))
    assert x > 100 and y < 50  # north-east of the centre: right and up
    view.pan(0.25, 0, 200, 100)
    assert view.lon > 112.6 and view.lat == pytest.approx(26.9)
    view.zoom(2)
    assert view.m_per_dot == 5.0
    view.zoom(1e9)
    assert view.m_per_dot == Viewport.MIN_M_PER_DOT
    points = [(26.85, 112.55), (26.95, 112.70)]
    fit = Viewport.fit(points, 120, 80)
    assert fit is not None
    for lat, lon in points:
        px, py = fit.project_one(lat, lon, 120, 80)
        assert 0 <= px <= 120 and 0 <= py <= 80
    assert Viewport.fit([(float("nan"), 1.0)], 10, 10) is None


def test_clipping_keeps_what_crosses_the_view_and_drops_the_rest() -> None:
    x0, y0, x1, y1 = (np.array(v, dtype=float) for v in
                      ([-10, 2, 50], [5, 2, 50], [30, 4, 60], [5, 4, 60]))
    cx0, _, cx1, _ = clip_segments(x0, y0, x1, y1, 20, 10)
    assert len(cx0) == 2  # the third lies wholly outside
    assert cx0[0] == pytest.approx(0) and cx1[0] == pytest.approx(20)


def test_braille_dots_and_lines() -> None:
    layer = BrailleLayer(2, 1)
    layer.dots(np.array([0.0, 1.0, 3.5]), np.array([0.0, 3.0, 1.0]))
    assert layer.mask.tolist() == [[0x01 | 0x80, 0x10]]
    grid = raster([("red", [((0.0, -1.0), (0.0, 1.0))])], Viewport(0.0, 0.0, 10_000.0), 20, 5)
    row = "".join(grid.chars[2])
    assert row.strip() and all(BRAILLE_BLANK <= ord(c) <= BRAILLE_BLANK + 255
                               for c in row.strip())
    assert {s for s in grid.styles[2] if s} == {"red"}


def test_units_are_placed_hit_and_the_selection_labelled() -> None:
    svc = FakeService()
    svc.report("air-1", 26.90, 112.60)
    svc.report("air-2", 26.90, 112.62)
    svc.lose("air-2")
    units = {s.id: s for s in svc.snapshots()}
    view = Viewport(26.90, 112.61, 50.0)
    grid = Grid.blank(40, 10)
    place_units(grid, units, view, 40, 10, selected="air-1", marked=set())
    where = {u: xy for xy, u in grid.hits.items()}
    assert set(where) == {"air-1", "air-2"}  # never-heard units are not placed
    x, y = where["air-1"]
    assert grid.chars[y][x] == "^" and "reverse" in grid.styles[y][x]
    assert "".join(grid.chars[y][x + 2:x + 9]) == "Eagle 1"
    x2, y2 = where["air-2"]
    assert "on red" in grid.styles[y2][x2]  # lost stands out
    assert hit(grid, x + 1, y) == "air-1" and hit(grid, 0, 0) is None


def test_scenery_draws_rivers_over_roads_and_sites_on_top() -> None:
    svc = FakeService()
    scenery = Scenery.build(load_city_map(), svc.config.zones, svc.config.key_sites)
    view = Viewport.fit(scenery.home_points(), 120, 120)
    assert view is not None
    grid = base_grid(scenery, [], view, 60, 30)
    styles = {s for row in grid.styles for s in row if s}
    assert {"bold #3f8fff", "#a8a8a8", "bold yellow"} <= styles


def test_patrol_routes_come_from_config_else_the_nearest_road_or_river() -> None:
    svc = FakeService()
    city = load_city_map()
    car = svc.report("rp02-pc1", 26.8890, 112.5970)
    route = patrol_route(car, city)
    assert route is not None and len(route) >= 2
    assert min(distance_m(p, (26.889, 112.597)) for p in route) < 300
    boat = svc.report("boat-pb1", 26.8950, 112.6180)
    river = patrol_route(boat, city)
    xiang = next(w for w in city.waterways if w.name == "Xiang River")
    assert river is not None and set(river) <= set(xiang.points)
    configured = [PatrolRoute("p", "P", ((26.88, 112.59), (26.89, 112.60)), ("rp02-pc1",))]
    assert patrol_route(car, city, configured) == ((26.88, 112.59), (26.89, 112.60))
    assert patrol_route(svc.snapshot("rp02-pc2"), None) is None
