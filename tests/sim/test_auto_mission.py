"""AUTO mode's executor stepped directly: DO commands, jumps, loiter, land, rally RTL."""

from __future__ import annotations

import math

import pytest
from vehicles import airborne, ready, run, texts

from simulators.drone import Mode
from simulators.drone import mission_items as m
from simulators.drone.geo import offset


def _loc(v, north: float, east: float) -> tuple[int, int]:
    h = v.cfg.home
    lat, lon = offset(h.lat, h.lon, north, east)
    return int(lat * 1e7), int(lon * 1e7)


def _wp(v, seq: int, north: float, east: float, alt: float, cmd: int = m.NAV_WAYPOINT,
        p1: float = 0) -> m.Item:
    x, y = _loc(v, north, east)
    return m.Item(seq, m.GLOBAL_RELATIVE_ALT, cmd, p1, x=x, y=y, z=alt)


def test_jump_change_speed_loiter_time_and_land():
    v = ready()
    v.stores[m.MISSION] = [
        m.Item(0, 0, m.NAV_WAYPOINT),
        m.Item(1, m.GLOBAL_RELATIVE_ALT, m.NAV_TAKEOFF, z=10),
        m.Item(2, 0, m.DO_CHANGE_SPEED, 1, 5.0),
        _wp(v, 3, 40, 0, 10),
        _wp(v, 4, 40, 40, 10, m.NAV_LOITER_TIME, p1=3),
        m.Item(5, 0, m.DO_JUMP, 3, 1),
        _wp(v, 6, 0, 40, 10, m.NAV_LAND),
    ]
    assert v.set_mode(Mode.GUIDED) and v.arm()
    assert v.set_mode(Mode.AUTO)
    v.arming.auto_armed = True                   # what MISSION_START does
    speeds = []
    assert run(v, 300, lambda v: speeds.append(v.body.ground_speed) or not v.armed)
    assert max(speeds) == pytest.approx(5.0, abs=0.01)
    assert v.outbox.reached == [1, 2, 3, 4, 3, 4, 6]         # DO commands too; one jump
    assert texts(v).count("Reached command #3") == 2
    n, e = v.body.north, v.body.east
    assert math.hypot(n - 0, e - 40) < 1.0 and v.landed


def test_auto_from_the_ground_needs_a_takeoff_first():
    v = ready()
    v.stores[m.MISSION] = [m.Item(0, 0, 16), _wp(v, 1, 30, 0, 10)]
    assert v.set_mode(Mode.GUIDED) and v.arm()
    assert not v.set_mode(Mode.AUTO)
    assert "Auto: Missing Takeoff Cmd" in texts(v)


def test_rtl_goes_to_the_nearest_rally_point_and_lands_there():
    v = airborne(10)
    x, y = _loc(v, 200, 0)
    v.stores[m.RALLY] = [m.Item(0, m.GLOBAL_RELATIVE_ALT, m.RALLY_POINT, x=x, y=y, z=20,
                                mission_type=m.RALLY)]
    v.guided_goto(180.0, 0.0, v.body.up)
    run(v, 40)
    v.set_mode(Mode.RTL)
    assert run(v, 120, lambda v: not v.armed)
    assert math.hypot(v.body.north - 200, v.body.east) < 1.0
