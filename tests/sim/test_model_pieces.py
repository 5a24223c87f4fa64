"""Parameters, mission item storage, battery curve, geometry: the small pure parts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.drone import mission_items as m
from simulators.drone.battery import Battery, cell_ocv
from simulators.drone.fence import FenceGeometry
from simulators.drone.geo import north_east, offset
from simulators.drone.params import ParamStore


def test_params_refuse_out_of_range_nan_and_unknown():
    p = ParamStore()
    assert p.set("RTL_ALT", 3000) and p["RTL_ALT"] == 3000
    assert not p.set("RTL_ALT", 10) and p["RTL_ALT"] == 3000
    assert not p.set("RTL_ALT", float("inf"))
    assert not p.set("NOPE", 1)
    assert p.set("DISARM_DELAY", 4.9999) and p["DISARM_DELAY"] == 5   # ArduPilot's +0.01 rounding
    assert p.set("WPNAV_SPEED", 333.3) and p["WPNAV_SPEED"] == pytest.approx(333.3, rel=1e-7)
    with pytest.raises(KeyError):
        ParamStore({"NOPE": 1})


def test_mission_items_are_stored_like_ardupilot():
    item = m.Item(3, m.GLOBAL_RELATIVE_ALT_INT, m.NAV_WAYPOINT, 5.7, 9, 9, 9, 123456789,
                  987654321, 12.3456)
    result, stored = m.normalise(item, 5)
    assert result == m.ACCEPTED and stored is not None
    assert stored.frame == m.GLOBAL_RELATIVE_ALT
    assert (stored.param1, stored.param2, stored.param3) == (5.0, 0.0, 0.0)
    assert stored.z == pytest.approx(12.35, abs=1e-5)
    assert m.normalise(m.Item(1, 0, m.DO_JUMP, 0, 1), 5)[0] == m.ERROR
    assert m.normalise(m.Item(1, 0, m.DO_JUMP, 4, 1), 5)[0] == m.ACCEPTED
    assert m.normalise(m.Item(1, 0, m.DO_JUMP, 5, 1), 5)[0] == m.ERROR


def test_fence_polygons_must_be_complete():
    v = [m.Item(i, 0, m.FENCE_POLYGON_INCLUSION, 3, mission_type=m.FENCE) for i in range(3)]
    assert m.validate_fence(v)
    assert not m.validate_fence(v[:2])


def test_fence_geometry_inclusion_and_exclusion():
    lat0, lon0 = 10.0, 20.0
    square = [offset(lat0, lon0, n, e) for n, e in ((-100, -100), (100, -100), (100, 100),
                                                     (-100, 100))]
    items = [m.Item(i, 0, m.FENCE_POLYGON_INCLUSION, 4, x=int(la * 1e7), y=int(lo * 1e7),
                    mission_type=m.FENCE) for i, (la, lo) in enumerate(square)]
    cla, clo = offset(lat0, lon0, 50, 50)
    items.append(m.Item(4, 0, m.FENCE_CIRCLE_EXCLUSION, 10, x=int(cla * 1e7), y=int(clo * 1e7),
                        mission_type=m.FENCE))
    geo = FenceGeometry.from_items(items, lat0, lon0)
    assert not geo.breached(0, 0)
    assert geo.breached(150, 0)
    assert geo.breached(52, 50)


def test_battery_voltage_falls_with_charge_and_sags_with_load():
    b = Battery(4, 5000, 0.008)
    full = b.voltage
    assert full == pytest.approx(16.8)
    b.update(16.0, 3600 * 2.5 / 16)          # 2.5 Ah at 16 A
    assert b.remaining_pct == 50
    assert b.voltage < b.resting_voltage < full
    b.drop(50)
    assert b.remaining_pct == 25


@given(st.floats(0, 1), st.floats(0, 1))
def test_cell_curve_is_monotonic(a, b):
    lo, hi = sorted((a, b))
    assert cell_ocv(lo) <= cell_ocv(hi)


@given(st.floats(-60, 60), st.floats(-179, 179), st.floats(-5000, 5000), st.floats(-5000, 5000))
def test_offset_and_north_east_round_trip(lat, lon, n, e):
    la, lo = offset(lat, lon, n, e)
    n2, e2 = north_east(lat, lon, la, lo)
    assert math.isclose(n2, n, abs_tol=1e-3) and math.isclose(e2, e, abs_tol=0.05)
