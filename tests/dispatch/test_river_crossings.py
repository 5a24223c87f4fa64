"""Ground units on the other bank drive by a bridge: the model, the ranking, the config."""

import json
import math

import numpy as np
import pytest
from dispatch_helpers import haversine_m, state_with, unit
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fleet.config import demo_config_path, load_config, parse_config
from fleet.dispatch import recommend as rec_module
from fleet.dispatch.categories import DEFAULT_CATEGORIES, Category, Requirement
from fleet.dispatch.explain import recommendation_lines
from fleet.dispatch.places import Placement
from fleet.dispatch.recommend import Recommender
from fleet.dispatch.river_crossings import Bridge, Crossings
from fleet.dispatch.settings import DispatchSettings
from fleet.errors import ConfigError
from fleet.model import Domain, UnitKind
from fleet.roads_rivers import load_city_map, parse_city_map

# a river running north along lon 112.61; bridges 2 km apart at lat 26.88 and 26.90
RIVER = ((26.85, 112.61), (26.95, 112.61))
SOUTH = Bridge("South Bridge", (26.88, 112.605), (26.88, 112.615))
NORTH = Bridge("North Bridge", (26.90, 112.605), (26.90, 112.615))
MAP = {"name": "test", "ways": [
    {"name": "River", "kind": "river", "navigable": True, "points": [list(p) for p in RIVER]},
    *({"name": b.name, "kind": "bridge", "points": [list(b.a), list(b.b)]}
      for b in (SOUTH, NORTH))]}
SCENE = (26.898, 112.600)  # west bank, near the north bridge
ONE_CAR = Category("x", "x", 1, (Requirement(1, domain=Domain.LAND, role="violent_crime"),))


def crossings() -> Crossings:
    return Crossings([RIVER], [SOUTH, NORTH])


def route(lat, lon, *units, factor=1.4):
    metres, which = crossings().route(lat, lon, np.array([u[0] for u in units]),
                                      np.array([u[1] for u in units]), factor)
    return metres, which


def test_a_unit_on_the_same_bank_is_not_routed():
    metres, which = route(*SCENE, (26.86, 112.605))
    assert math.isnan(metres[0]) and which[0] == -1


def test_a_unit_on_the_other_bank_goes_by_the_bridge_that_makes_the_trip_shortest():
    east_north = (26.905, 112.62)
    east_south = (26.875, 112.62)
    metres, which = route(*SCENE, east_north, east_south)
    assert list(which) == [1, 0]  # north bridge, then the south one
    c = crossings()
    expected = (haversine_m(*east_north, *NORTH.b) + haversine_m(*NORTH.a, *SCENE)) * 1.4 \
        + haversine_m(*NORTH.a, *NORTH.b)
    assert metres[0] == pytest.approx(expected, rel=0.01)
    assert metres[1] == pytest.approx(
        (haversine_m(*east_south, *SOUTH.b) + haversine_m(*SOUTH.a, *SCENE)) * 1.4
        + haversine_m(*SOUTH.a, *SOUTH.b), rel=0.01)
    assert c.bridges[which[1]].name == "South Bridge"


def test_a_meander_crossed_twice_leaves_the_unit_on_the_same_bank():
    bend = ((26.85, 112.61), (26.89, 112.61), (26.89, 112.59), (26.91, 112.59),
            (26.91, 112.61), (26.95, 112.61))  # loops west between 26.89 and 26.91
    c = Crossings([bend], [SOUTH])
    # from (26.88, 112.60) to (26.92, 112.60): the line crosses the loop twice
    metres, which = c.route(26.92, 112.60, np.array([26.88]), np.array([112.60]), 1.4)
    assert which[0] == -1 and math.isnan(metres[0])


def test_a_bridge_that_spans_no_river_is_ignored():
    dry = Bridge("Flyover", (26.88, 112.58), (26.88, 112.59))
    assert [b.name for b in Crossings([RIVER], [dry, NORTH]).bridges] == ["North Bridge"]


def test_the_shipped_map_routes_a_car_across_the_xiang_by_a_real_bridge():
    c = Crossings.from_map(load_city_map())
    assert len(c.bridges) == 7
    west, east = (26.893, 112.600), (26.893, 112.630)
    metres, which = c.route(*west, np.array([east[0], 26.893]),
                            np.array([east[1], 112.595]), 1.4)
    assert "Xiang" in c.bridges[which[0]].name and metres[0] > haversine_m(*west, *east)
    assert which[1] == -1


def recommender(tmp_path, road_map=True):
    path = tmp_path / "map.json"
    path.write_text(json.dumps(MAP))
    settings = DispatchSettings(road_map=str(path) if road_map else None)
    near_across = unit("car-east", UnitKind.PATROL_CAR)  # 1.1 km, but across the river
    far_same = unit("car-west", UnitKind.PATROL_CAR)  # 2.2 km on the scene's bank
    state = state_with([(near_across, 26.870, 112.6115, None),
                        (far_same, 26.852, 112.600, None)])
    return Recommender(state, settings)


def test_ranking_prefers_the_car_on_the_same_bank_and_says_which_bridge(tmp_path):
    place = Placement("z", "Z", 300.0, 1.4)
    with_map = recommender(tmp_path).recommend(26.872, 112.600, ONE_CAR, place)
    assert with_map.unit_ids == ("car-west",)
    east = with_map.fills[0].alternates[0]
    assert east.unit_id == "car-east" and east.via == "South Bridge"
    assert "via South Bridge" in "\n".join(recommendation_lines(with_map))
    without = recommender(tmp_path, road_map=False).recommend(26.872, 112.600, ONE_CAR, place)
    assert without.unit_ids == ("car-east",)  # the straight line says it is nearer


def test_config_road_map_is_checked_when_loaded(tmp_path):
    good = tmp_path / "city.json"
    good.write_text(json.dumps(MAP))
    cfg = parse_config({"dispatch": {"road_map": str(good)}, "units": []})
    assert cfg.dispatch.road_map == str(good)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="road_map"):
        parse_config({"dispatch": {"road_map": str(bad)}, "units": []})
    with pytest.raises(ConfigError, match="road_map"):
        parse_config({"dispatch": {"road_map": str(tmp_path / "missing.json")}, "units": []})
    assert parse_city_map(MAP).name == "test"


@settings(max_examples=60, deadline=None, derandomize=True)  # the same cases in CI
@given(st.lists(st.tuples(st.floats(26.80, 27.00), st.floats(112.55, 112.70)),
                min_size=1, max_size=40),
       st.tuples(st.floats(26.80, 27.00), st.floats(112.55, 112.70)))
def test_the_one_sided_shortcut_agrees_with_testing_every_segment(units, target):
    c = Crossings.from_map(load_city_map())
    u = c.frame.to_xy(units)
    t = c.frame.point(*target)
    assert [r.axis for r in c._rivers] == [1, 0]  # the Xiang runs north, the Zheng east
    for river in c._rivers:
        assume(off_river_m(river, t[None, :])[0] > 1.0)
        generic = off_river_m(river, u) > 1.0  # a point on the river has no side
        assert (river.crossed(u, t) == river._exact(u, t))[generic].all()


def off_river_m(river, pts):
    """Distance from each point to the river polyline (metres)."""
    e = river.q - river.p
    s = np.clip(np.einsum("nmk,mk->nm", pts[:, None, :] - river.p[None], e)
                / np.einsum("mk,mk->m", e, e), 0, 1)
    nearest = river.p[None] + s[..., None] * e[None]
    return np.linalg.norm(pts[:, None, :] - nearest, axis=2).min(axis=1)


def test_config_road_map_by_name_finds_the_shipped_map(tmp_path):
    config = tmp_path / "fleet.toml"
    config.write_text('[dispatch]\nroad_map = "hengyang_map.json"\n')
    path = load_config(config).dispatch.road_map
    assert path is not None and path.endswith("fleet/data/hengyang_map.json")


def test_routing_only_the_nearest_land_units_gives_the_same_recommendation(monkeypatch):
    rng = np.random.default_rng(5)
    kinds = [UnitKind.PATROL_CAR, UnitKind.MOTORCYCLE, UnitKind.COMMAND_VEHICLE,
             UnitKind.DRONE]
    units = [(unit(f"u{i}", kinds[i % 4]), 26.89 + rng.uniform(-0.06, 0.06),
              112.61 + rng.uniform(-0.06, 0.06), None) for i in range(400)]
    state = state_with(units)
    settings = DispatchSettings(road_map=str(demo_config_path().with_name("hengyang_map.json")))
    category = DEFAULT_CATEGORIES["violent_crime"]
    place = Placement("z", "Z", 180.0, 1.4)
    points = [(26.89 + rng.uniform(-0.05, 0.05), 112.61 + rng.uniform(-0.05, 0.05))
              for _ in range(40)]

    def picks(limit):
        monkeypatch.setattr(rec_module, "BRIDGE_ROWS", limit)
        r = Recommender(state, settings)
        return [[(o.unit_id, round(o.eta_s, 6), o.via) for f in rec.fills
                 for o in (*f.chosen, *f.alternates)]
                for rec in (r.recommend(lat, lon, category, place) for lat, lon in points)]

    assert picks(8) == picks(10_000)
    assert any(via for rec in picks(10_000) for _, _, via in rec)  # bridges were used
