"""Response-time coverage against a case worked by hand, and placement suggestions."""

import numpy as np
import pytest

from fleet.commands import Goto
from fleet.model import KIND_DEFAULTS, KeySite, Position, Unit, UnitKind, Zone
from fleet.planning import (
    LocalFrame,
    Responders,
    coverage_table,
    demand_grid,
    recommend,
    weighted_by_incidents,
)

FRAME = LocalFrame(26.9, 112.6)


def latlon(x: float, y: float) -> tuple[float, float]:
    lat, lon = FRAME.to_latlon([(x, y)])[0]
    return float(lat), float(lon)


# a 2000 m × 200 m street, 1 minute target, road factor 1.5; cells of 200 m, so ten
# demand points at x = 100, 300, ..., 1900 (y = 100); a key site at x = 500
STRIP = Zone("strip", "Strip", 1.0, tuple(latlon(x, y) for x, y in
                                          [(0, 0), (2000, 0), (2000, 200), (0, 200)]), 1.5)
SITE = KeySite("square", "Square", Position(*latlon(500, 100)))
CAR = Unit("car", "Car", UnitKind.PATROL_CAR, "g", None, KIND_DEFAULTS[UnitKind.PATROL_CAR])
DRONE = Unit("drone", "Drone", UnitKind.DRONE, "g", None, KIND_DEFAULTS[UnitKind.DRONE])


def demand():
    return demand_grid([STRIP], [SITE], cell_m=200.0, frame=FRAME)


def test_the_grid_is_the_cells_worked_out_by_hand():
    d = demand()
    xs = sorted(np.round(d.xy[d.area == 0, 0]).astype(int))
    assert xs == list(range(100, 2000, 200))
    assert d.weight[d.area == 1].tolist() == [25.0]


def test_shares_match_the_hand_computation():
    d = demand()
    # the car (11 m/s by default: use 10) at x = 0: 60 s × 10 m/s / 1.5 = 400 m of street,
    # cells 100 and 300; the site at 500 m is 500 × 1.5 / 10 = 75 s away
    car = Unit("car", "Car", UnitKind.PATROL_CAR, "g", None,
               KIND_DEFAULTS[UnitKind.PATROL_CAR].__class__(cruise_speed_m_s=10.0,
                                                           endurance_min=480.0))
    units = Responders.at([car], np.array([latlon(0, 100)]), d.frame)
    zone, site = coverage_table(d, units)
    assert zone.share == pytest.approx(0.2) and site.share == 0.0
    assert site.worst_eta_s == pytest.approx(75.0, abs=0.01)
    # a drone (12 m/s, 30 s to launch, no road factor) at x = 1000: (60 - 30) × 12 = 360 m,
    # cells 700, 900, 1100, 1300; to the site: 30 + 500 / 12 = 71.7 s
    both = Responders.at([car, DRONE], np.array([latlon(0, 100), latlon(1000, 100)]), d.frame)
    zone, site = coverage_table(d, both)
    assert zone.share == pytest.approx(0.6)
    assert site.worst_eta_s == pytest.approx(30 + 500 / 12, abs=0.01)


def test_an_idle_car_is_sent_where_it_reaches_the_most():
    d = demand()
    # a car at 11 m/s reaches 60 × 11 / 1.5 = 440 m of street in a minute: from x = 0,
    # cells 100 and 300; placed near the site, the site and five cells (30 of 35 weight)
    idle = Responders.at([CAR], np.array([latlon(0, 100)]), d.frame)
    rec = recommend(d, Responders.empty(), idle)
    assert rec.before == pytest.approx(2 / 35) and rec.after == pytest.approx(30 / 35)
    (move,) = rec.suggestions
    x, _ = FRAME.to_xy([(move.lat_deg, move.lon_deg)])[0]
    assert abs(x - 500) <= 440 and move.share == pytest.approx(28 / 35)
    assert move.command() == Goto(move.lat_deg, move.lon_deg)


def test_a_well_placed_unit_is_left_where_it_is():
    d = demand()
    idle = Responders.at([CAR], np.array([latlon(700, 100)]), d.frame)
    assert recommend(d, Responders.empty(), idle).suggestions == ()


def test_incident_history_weights_the_cells():
    d = weighted_by_incidents(demand(), [latlon(110, 90), latlon(90, 120), latlon(1900, 100)])
    zone = d.weight[d.area == 0]
    assert zone.tolist() == [3.0, 1, 1, 1, 1, 1, 1, 1, 1, 2.0]
