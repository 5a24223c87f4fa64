"""How units move, without a broker: speeds per kind, idle behaviour, commands, determinism."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.city.city_map import build_city_map
from simulators.city.geo import haversine_m
from simulators.city.hengyang_map import XIANG
from simulators.city.kinds import PROFILES, edge_speed_m_s
from simulators.city.registry import load_registry
from simulators.city.unit import Activity, NoRoute, SimUnit

REGISTRY = load_registry()
CITY = build_city_map(REGISTRY.units)
SPECS = {u.id: u for u in REGISTRY.units}
STATION = (26.8925, 112.626)       # Railway Station Square, east bank


def make(unit_id: str, seed: int = 1, **kw: object) -> SimUnit:
    spec = SPECS[unit_id]
    return SimUnit(unit_id, spec.kind, CITY.network(spec.on_water), CITY.base_node(spec),
                   random.Random(seed), max_snap_m=CITY.snap_limit_m(spec.on_water),
                   **kw)  # type: ignore[arg-type]


def run_until_arrived(unit: SimUnit, step: float = 1.0, limit: float = 7200.0) -> float:
    start = unit.t
    while unit.t - start < limit:
        if unit.advance_to(unit.t + step):
            return unit.t - start
    raise AssertionError("never arrived")


def test_motorcycles_beat_cars_through_traffic_on_every_road_kind():
    for limit, congestion in ((16.7, 0.35), (13.9, 0.35), (8.3, 0.55), (16.7, 0.45)):
        car = edge_speed_m_s(PROFILES["patrol_car"], limit, congestion, 1.0, 1.0,
                             patrolling=False, urgent=True)
        moto = edge_speed_m_s(PROFILES["motorcycle"], limit, congestion, 1.0, 1.0,
                              patrolling=False, urgent=True)
        assert moto > car * 1.2


def at_base(unit_id: str, **kw: object) -> SimUnit:
    unit = make(unit_id, **kw)
    unit.return_to_base("home")
    run_until_arrived(unit)
    return unit


def test_a_motorcycle_reaches_the_station_first_from_the_same_post():
    times = {}
    for unit_id in ("rp18-pc1", "rp18-mc1", "rp18-cv1"):
        unit = at_base(unit_id)
        unit.speed_factor = 1.0           # the kinds, not the individual vehicles
        unit.goto(*STATION, "c1")
        times[unit.kind] = run_until_arrived(unit)
    assert times["motorcycle"] < times["patrol_car"] < times["command_vehicle"] * 1.05
    assert 300 < times["patrol_car"] < 1500   # ~4 km across the Xiang in city traffic


def test_empty_streets_are_faster_than_rush_hour():
    calm, busy = at_base("rp18-pc1", traffic=0.0), at_base("rp18-pc1", traffic=1.0)
    for unit in (calm, busy):
        unit.goto(*STATION, "c1")
    assert run_until_arrived(calm) < run_until_arrived(busy) * 0.8


def test_command_vehicles_stay_parked_at_their_square_while_patrols_drive_loops():
    cv, car = make("rp08-cv1"), make("rp08-pc1")
    base = (SPECS["rp08-cv1"].base_lat, SPECS["rp08-cv1"].base_lon)
    farthest = 0.0
    for t in range(10, 1800, 10):
        cv.advance_to(t)
        car.advance_to(t)
        assert (cv.truth.lat, cv.truth.lon) == base and cv.truth.speed_m_s == 0.0
        assert cv.truth.status == "available"
        farthest = max(farthest, haversine_m(*base, car.truth.lat, car.truth.lon))
    assert car.truth.status == "patrolling" and car.odometer_m > 5_000
    assert 300 < farthest < PROFILES["patrol_car"].patrol_radius_m + 800


def test_boats_stay_on_the_river():
    boat = make("boat-pb1")
    for t in range(30, 3600, 30):
        boat.advance_to(t)
        off_river = min(haversine_m(boat.truth.lat, boat.truth.lon, *p)
                        for p in _densify(XIANG.points + _zheng_points()))
        assert off_river < 400      # on the water (the pontoon sits at the west bank)
    assert boat.odometer_m > 10_000


def _zheng_points():
    from simulators.city.hengyang_map import WATERWAYS
    return WATERWAYS[1].points


def _densify(points, step=0.0005):
    out = []
    for (a, b), (c, d) in itertools.pairwise(points):
        n = max(1, int(max(abs(c - a), abs(d - b)) / step))
        out += [(a + (c - a) * k / n, b + (d - b) * k / n) for k in range(n + 1)]
    return tuple(out)


def test_goto_arrives_once_and_waits_on_scene():
    unit = make("rp08-mc3")
    unit.goto(26.905, 112.655, "c7")
    arrivals = []
    for t in range(1, 3000):
        arrivals += unit.advance_to(t)
    assert [a.command_id for a in arrivals] == ["c7"]
    assert unit.activity is Activity.STOPPED and unit.truth.status == "on_scene"
    assert haversine_m(unit.truth.lat, unit.truth.lon, 26.905, 112.655) < 5
    assert unit.truth.speed_m_s == 0.0


def test_hold_stops_at_once_and_a_new_goto_continues_from_there():
    unit = make("rp08-pc1")
    unit.advance_to(100)
    unit.hold()
    where = (unit.truth.lat, unit.truth.lon)
    unit.advance_to(400)
    assert (unit.truth.lat, unit.truth.lon) == where and unit.truth.speed_m_s == 0.0
    unit.goto(*STATION, "c2")
    unit.advance_to(401)
    assert haversine_m(*where, unit.truth.lat, unit.truth.lon) < 30   # no teleporting


def test_return_brings_a_unit_home_refuelled_and_available():
    unit = make("rp08-pc2")
    unit.advance_to(900)
    unit.return_to_base("r1")
    run_until_arrived(unit)
    spec = SPECS["rp08-pc2"]
    assert (unit.truth.lat, unit.truth.lon) == (spec.base_lat, spec.base_lon)
    assert unit.truth.status == "available" and unit.truth.fuel_pct == 100.0
    assert unit.activity is Activity.PARKED


def test_a_patrol_route_loops_through_its_points():
    unit = make("rp08-mc1")
    route = ((26.885, 112.641), (26.900, 112.642), (26.900, 112.632))
    unit.patrol(route, True, "p1")
    visits = 0
    near = False
    for t in range(5, 4000, 5):
        assert not unit.advance_to(t)          # a patrol is never completed
        now_near = haversine_m(unit.truth.lat, unit.truth.lon, *route[1]) < 120
        visits += now_near and not near
        near = now_near
    assert visits >= 3 and unit.truth.status == "patrolling"


def test_unreachable_targets_are_refused():
    with pytest.raises(NoRoute):
        make("rp08-pc1").goto(30.0, 100.0, "far")
    with pytest.raises(NoRoute):
        make("boat-pb1").goto(26.889, 112.545, "dry")   # 7 km inland, for a boat


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(0.05, 40.0), min_size=1, max_size=30), st.integers(0, 50))
def test_one_long_step_lands_where_many_short_steps_do(steps, seed):
    fine, coarse = make("rp08-mc2", seed), make("rp08-mc2", seed)
    t = 0.0
    for dt in steps:
        t += dt
        fine.advance_to(t)
    coarse.advance_to(t)
    assert fine.truth.lat == pytest.approx(coarse.truth.lat, abs=1e-9)
    assert fine.truth.lon == pytest.approx(coarse.truth.lon, abs=1e-9)
    assert fine.odometer_m == pytest.approx(coarse.odometer_m, rel=1e-9, abs=1e-6)


def test_the_same_seed_gives_the_same_city():
    a, b, c = make("rp03-pc1", 7), make("rp03-pc1", 7), make("rp03-pc1", 8)
    for unit in (a, b, c):
        unit.advance_to(600)
    assert (a.truth.lat, a.truth.lon) == (b.truth.lat, b.truth.lon)
    assert (a.truth.lat, a.truth.lon) != (c.truth.lat, c.truth.lon)
