"""Honest arrivals: a crew drives to the road nearest the call, then covers the last leg to
the call point itself, and only there reports ``completed`` / ``on_scene`` (issue #12)."""

from __future__ import annotations

import math
import random

import pytest

from simulators.city.city_map import build_city_map
from simulators.city.geo import HENGYANG, haversine_m
from simulators.city.kinds import PROFILES
from simulators.city.registry import load_registry
from simulators.city.unit import Activity, NoRoute, SimUnit

REGISTRY = load_registry()
CITY = build_city_map(REGISTRY.units)
SPECS = {u.id: u for u in REGISTRY.units}
STEP_S = 0.5


def make(unit_id: str, seed: int = 1) -> SimUnit:
    spec = SPECS[unit_id]
    return SimUnit(unit_id, spec.kind, CITY.network(spec.on_water), CITY.base_node(spec),
                   random.Random(seed), max_snap_m=CITY.snap_limit_m(spec.on_water))


def beside(node: int, metres: float) -> tuple[float, float]:
    """A point ``metres`` from road node ``node`` whose nearest road node is ``node``."""
    graph = CITY.roads
    x, y = HENGYANG.to_xy(*graph.point(node))
    for bearing in range(0, 360, 15):
        b = math.radians(bearing)
        point = HENGYANG.to_latlon(x + metres * math.sin(b), y + metres * math.cos(b))
        if graph.nearest_node(*point)[0] == node:
            return point
    raise AssertionError(f"no point {metres} m off node {node} is nearest to it")


def beside_far() -> tuple[float, float]:
    """A point in town more than the goto limit (800 m) from every road node."""
    for lat in (26.80 + 0.005 * i for i in range(40)):
        for lon in (112.50 + 0.005 * j for j in range(50)):
            if CITY.roads.nearest_node(lat, lon)[1] > CITY.snap_limit_m(False) + 50:
                return lat, lon
    raise AssertionError("every point is near a road")


def run(unit: SimUnit, limit_s: float = 3600.0) -> float:
    """Sim seconds until the unit's goto completes (in STEP_S steps)."""
    start = unit.t
    while unit.t - start < limit_s:
        if unit.advance_to(unit.t + STEP_S):
            return unit.t - start
    raise AssertionError("never arrived")


def test_a_goto_beside_the_road_ends_at_the_point_after_a_last_leg_of_that_length():
    station_node, _ = CITY.roads.nearest_node(26.8925, 112.626)
    node_point, call = CITY.roads.point(station_node), beside(station_node, 100.0)
    to_road, to_call = make("rp18-pc1"), make("rp18-pc1")   # the same car, twice
    to_road.goto(*node_point, "road")
    to_call.goto(*call, "call")
    road_s, call_s = run(to_road), run(to_call)
    last_leg_s = haversine_m(*node_point, *call) / PROFILES["patrol_car"].offroad_speed_m_s
    assert call_s - road_s == pytest.approx(last_leg_s, abs=2 * STEP_S)
    truth = to_call.truth
    assert haversine_m(truth.lat, truth.lon, *call) < 5.0
    assert truth.status == "on_scene" and truth.speed_m_s == 0.0
    assert to_call.activity is Activity.STOPPED


def test_on_the_last_leg_the_crew_is_moving_and_not_yet_on_scene():
    station_node, _ = CITY.roads.nearest_node(26.8925, 112.626)
    call = beside(station_node, 100.0)
    twin = make("rp18-mc1")
    twin.goto(*CITY.roads.point(station_node), "road")
    road_s = run(twin)
    unit = make("rp18-mc1")
    unit.goto(*call, "call")
    assert not unit.advance_to(road_s + 8.0)            # 8 s into the last leg
    truth = unit.truth
    assert truth.status == "en_route"
    assert truth.speed_m_s == PROFILES["motorcycle"].offroad_speed_m_s
    assert 50.0 < haversine_m(truth.lat, truth.lon, *call) < 70.0   # 100 m - 8 s x 5 m/s


def test_a_parked_command_vehicle_leaves_its_square_for_a_call_beside_it():
    unit = make("rp01-cv1")
    base = CITY.base_node(SPECS["rp01-cv1"])
    home = CITY.roads.point(base)
    call = beside(base, 100.0)          # nearest road node: the square itself
    assert unit.activity is Activity.PARKED
    unit.goto(*call, "c1")
    assert not unit.advance_to(unit.t + 5.0)
    truth = unit.truth
    assert haversine_m(truth.lat, truth.lon, *home) > 10.0
    assert truth.speed_m_s > 0 and truth.status == "en_route"
    taken = 5.0 + run(unit)
    assert taken >= 100.0 / PROFILES["command_vehicle"].offroad_speed_m_s - STEP_S
    assert haversine_m(unit.truth.lat, unit.truth.lon, *call) < 5.0


def test_leaving_the_scene_goes_back_to_the_road_before_driving_home():
    base = CITY.base_node(SPECS["rp01-cv1"])
    unit = make("rp01-cv1")
    call = beside(base, 100.0)
    unit.goto(*call, "c1")
    run(unit)
    unit.return_to_base("r1")
    unit.advance_to(unit.t + 10.0)
    walked = haversine_m(unit.truth.lat, unit.truth.lon, *call)
    assert walked == pytest.approx(10.0 * PROFILES["command_vehicle"].offroad_speed_m_s,
                                   rel=0.01)
    run(unit)
    spec = SPECS["rp01-cv1"]
    assert (unit.truth.lat, unit.truth.lon) == (spec.base_lat, spec.base_lon)
    assert unit.activity is Activity.PARKED


def test_a_hold_on_the_last_leg_stops_there_and_the_next_goto_starts_from_there():
    station_node, _ = CITY.roads.nearest_node(26.8925, 112.626)
    call = beside(station_node, 100.0)
    unit = make("rp18-pc2")
    unit.goto(*call, "c1")
    while haversine_m(unit.truth.lat, unit.truth.lon, *call) > 60.0:
        assert not unit.advance_to(unit.t + STEP_S)
    unit.hold()
    where = (unit.truth.lat, unit.truth.lon)
    unit.advance_to(unit.t + 60.0)
    assert (unit.truth.lat, unit.truth.lon) == where
    unit.goto(26.8900, 112.5970, "c2")
    unit.advance_to(unit.t + 1.0)
    assert haversine_m(*where, unit.truth.lat, unit.truth.lon) < 5.0   # no teleporting
    run(unit)
    assert haversine_m(unit.truth.lat, unit.truth.lon, 26.8900, 112.5970) < 5.0


def test_a_point_too_far_from_any_road_is_still_refused():
    node, _ = CITY.roads.nearest_node(26.8925, 112.626)
    unit = make("rp18-pc1")
    with pytest.raises(NoRoute):
        unit.goto(*beside_far(), "far")
    unit.goto(*beside(node, 100.0), "near")              # the limit is not the last leg's



def test_one_long_step_into_the_last_leg_lands_where_many_short_steps_do():
    station_node, _ = CITY.roads.nearest_node(26.8925, 112.626)
    twin = make("rp18-pc1")
    twin.goto(*CITY.roads.point(station_node), "road")
    when = run(twin) + 12.0                          # 12 s into the last leg
    call = beside(station_node, 100.0)
    coarse, fine = make("rp18-pc1"), make("rp18-pc1")
    for unit in (coarse, fine):
        unit.goto(*call, "c1")
    coarse.advance_to(when)
    t = 0.0
    while t < when:
        t = min(when, t + 0.37)
        fine.advance_to(t)
    assert fine.truth.lat == pytest.approx(coarse.truth.lat, abs=1e-9)
    assert fine.truth.lon == pytest.approx(coarse.truth.lon, abs=1e-9)
    assert fine.odometer_m == pytest.approx(coarse.odometer_m, rel=1e-9)
    assert 40.0 < haversine_m(coarse.truth.lat, coarse.truth.lon, *call) < 60.0


def test_released_from_a_call_the_crew_leaves_the_scene():
    """fleet's clear sends set_status available: patrol units resume their beat, command
    vehicles drive home and park."""
    station_node, _ = CITY.roads.nearest_node(26.8925, 112.626)
    call = beside(station_node, 60.0)
    car = make("rp18-pc2")
    car.goto(*call, "c1")
    run(car)
    assert (car.activity, car.truth.status) == (Activity.STOPPED, "on_scene")
    car.advance_to(car.t + 60.0)
    assert haversine_m(car.truth.lat, car.truth.lon, *call) < 5.0  # stays until released
    car.set_status("available")
    assert car.activity is Activity.PATROL and car.truth.status == "available"
    car.advance_to(car.t + 60.0)
    assert haversine_m(car.truth.lat, car.truth.lon, *call) > 50.0

    base = CITY.base_node(SPECS["rp01-cv1"])
    cv = make("rp01-cv1")
    cv.goto(*beside(base, 100.0), "c2")
    run(cv)
    cv.set_status("available")
    assert cv.activity is Activity.RETURN
    cv.advance_to(cv.t + 600.0)
    spec = SPECS["rp01-cv1"]
    assert (cv.truth.lat, cv.truth.lon) == (spec.base_lat, spec.base_lon)
    assert (cv.activity, cv.truth.status) == (Activity.PARKED, "available")
