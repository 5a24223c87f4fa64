"""Where a call is: zones, key sites, default target, city extent, bad coordinates."""

import math

import pytest
from dispatch_helpers import config
from hypothesis import given
from hypothesis import strategies as st

from fleet.dispatch.errors import BadLocationError, OutsideCityError, UnknownCategoryError
from fleet.dispatch.intake import Intake
from fleet.dispatch.places import (
    OUTSIDE_ZONE_ID,
    check_coordinates,
    point_in_polygon,
    polyline_distance_m,
)
from fleet.geo import haversine_m as distance_m


@pytest.fixture
def intake():
    cfg = config()
    return Intake(cfg.dispatch, cfg.zones, cfg.key_sites, list(cfg.bases.values()), "Testcity")


def test_downtown_wins_over_the_wider_urban_zone(intake):
    _, _, p = intake.place(26.88, 112.60)
    assert (p.zone_id, p.target_s, p.road_factor) == ("downtown", 180.0, 1.4)
    assert p.key_site_id is None and p.note == ""


def test_urban_outside_downtown(intake):
    _, _, p = intake.place(26.95, 112.55)
    assert (p.zone_id, p.target_s, p.road_factor) == ("urban", 300.0, 1.5)


def test_a_key_site_within_its_radius_takes_precedence_with_one_minute(intake):
    _, _, p = intake.place(26.8960, 112.5790)  # ~150 m from Wanda Plaza (radius 300 m)
    assert (p.key_site_id, p.target_s, p.zone_id) == ("wanda", 60.0, "downtown")
    assert "Wanda" in p.target_source
    _, _, far = intake.place(26.8990, 112.5780)  # ~450 m: outside the radius
    assert far.key_site_id is None and far.target_s == 180.0


def test_outside_every_zone_gets_the_default_urban_target_and_says_so(intake):
    _, _, p = intake.place(26.80, 112.50)  # inside the city extent, in no zone
    assert p.zone_id == OUTSIDE_ZONE_ID and p.target_s == 300.0
    assert "outside every zone" in p.note and "5 min" in p.note


@pytest.mark.parametrize("lat, lon, message", [
    (float("nan"), 112.6, "latitude must be in"),
    (26.9, float("inf"), "longitude must be in"),
    (91.0, 112.6, "latitude must be in -90..90"),
    (26.9, -181.0, "longitude must be in -180..180"),
    ("26.9", 112.6, "latitude must be a number"),
    (True, 112.6, "latitude must be a number"),
    (0.0, 0.0, "not a location"),
])
def test_bad_coordinates_are_refused_with_the_reason(intake, lat, lon, message):
    with pytest.raises(BadLocationError, match=message):
        intake.place(lat, lon)


def test_valid_coordinates_outside_the_city_extent_are_refused(intake):
    with pytest.raises(OutsideCityError, match="outside the Testcity area"):
        intake.place(28.19, 112.97)  # Changsha, 150 km north
    intake.place(26.80, 112.50)  # 3 km out of the urban zone: within the 10 km margin


def test_unknown_category_suggests_the_nearest(intake):
    with pytest.raises(UnknownCategoryError, match="did you mean 'theft'"):
        intake.check(26.88, 112.60, "thef")
    with pytest.raises(UnknownCategoryError, match="known: assistance"):
        intake.check(26.88, 112.60, "zzz")


@pytest.mark.parametrize("priority", [0, 6, 2.5, "1", True])
def test_priority_must_be_1_to_5(intake, priority):
    from fleet.dispatch.errors import BadIncidentError
    with pytest.raises(BadIncidentError, match="priority"):
        intake.check(26.88, 112.60, "theft", priority)


def test_priority_defaults_to_the_category(intake):
    assert intake.check(26.88, 112.60, "violent_crime").priority == 1
    assert intake.check(26.88, 112.60, "assistance").priority == 4


def test_river_distance():
    line = [(26.90, 112.60), (26.91, 112.60)]
    # 0.001 deg of longitude east of a north-south segment at 26.905 N
    d = polyline_distance_m(26.905, 112.601, line)
    assert d == pytest.approx(111_195 * 0.001 * math.cos(math.radians(26.905)), rel=1e-3)
    assert polyline_distance_m(26.92, 112.60, line) == pytest.approx(1112, rel=1e-2)
    assert polyline_distance_m(26.9, 112.6, []) == math.inf


def test_hengyang_river_reaches_the_water_police_pontoon(intake):
    _, _, p = intake.place(26.8950, 112.6180)  # on the Xiang, near the pontoon
    assert p.river_m < 100
    _, _, dry = intake.place(26.8950, 112.5780)
    assert dry.river_m > 3000


@given(st.floats(-89, 89), st.floats(-179, 179))
def test_coordinates_in_range_pass(lat, lon):
    if (lat, lon) != (0.0, 0.0):
        assert check_coordinates(lat, lon) == (lat, lon)


@given(st.floats(0.01, 0.99), st.floats(0.01, 0.99))
def test_point_in_a_rectangle(u, v):
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
    assert point_in_polygon(u, v, square)
    assert not point_in_polygon(u + 1.0, v, square)


def test_haversine_city_scale():
    assert distance_m(26.89, 112.57, 26.90, 112.57) == pytest.approx(1111.95, rel=1e-4)
