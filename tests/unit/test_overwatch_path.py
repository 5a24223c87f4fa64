"""The overwatch circle flown in GUIDED: geometry and the step that streams its targets."""

import math

import pytest

from fleet.geo import distance_m
from fleet.links.mavlink.dialect import mavlink2 as m
from fleet.links.mavlink.overwatch import Ended, OrbitPath, Overwatch, position_target

CENTRE = (26.8930, 112.6100)


def path(**kw) -> OrbitPath:
    return OrbitPath(*CENTRE, kw.pop("radius_m", 50.0), kw.pop("alt_m", 40.0), **kw)


@pytest.mark.parametrize("phase", [0.0, 0.7, math.pi / 2, 3.0, 5.5])
def test_a_target_lies_on_the_circle_moving_clockwise_nose_on_the_centre(phase):
    p = path(speed_m_s=5.0)
    t = p.target(phase)
    assert distance_m(*CENTRE, t.lat, t.lon) == pytest.approx(50.0, abs=0.01)
    assert t.alt_m == 40.0
    assert math.hypot(t.v_north, t.v_east) == pytest.approx(5.0)
    # velocity is perpendicular to the radius, towards increasing bearing (clockwise)
    ahead = p.target(phase + 0.01)
    assert p.phase_of(ahead.lat, ahead.lon) == pytest.approx((phase + 0.01) % math.tau)
    radial = (math.cos(phase), math.sin(phase))  # north, east
    assert t.v_north * radial[0] + t.v_east * radial[1] == pytest.approx(0.0, abs=1e-9)
    assert -t.v_north * radial[1] + t.v_east * radial[0] > 0  # clockwise seen from above
    # the nose points from the target back to the centre
    back = math.atan2(-math.sin(phase), -math.cos(phase)) % math.tau
    assert t.yaw_rad == pytest.approx(back)


def test_the_entry_is_the_nearest_point_of_the_circle():
    p = path()
    lat, lon = p.entry(CENTRE[0] + 0.01, CENTRE[1])  # 1.1 km north
    assert distance_m(*CENTRE, lat, lon) == pytest.approx(50.0, abs=0.01)
    assert p.phase_of(lat, lon) == pytest.approx(0.0, abs=1e-9)
    below = p.entry(*CENTRE)  # on top of the centre: join from the south
    assert p.phase_of(*below) == pytest.approx(math.pi)


def test_nothing_is_streamed_until_the_aircraft_has_joined():
    p = path()
    entry = p.entry(CENTRE[0] + 0.01, CENTRE[1])
    ow = Overwatch(p, entry, started=0.0)
    assert ow.step(0.25, CENTRE[0] + 0.005, CENTRE[1], "GUIDED", True) is None
    first = ow.step(0.5, *entry, "GUIDED", True)
    assert first is not None and not isinstance(first, Ended)
    assert distance_m(first.lat, first.lon, *entry) < 0.5


def test_the_target_advances_at_the_circle_speed_and_never_runs_away():
    p = path(speed_m_s=4.0)
    entry = p.entry(CENTRE[0] + 0.01, CENTRE[1])
    ow = Overwatch(p, entry, started=0.0)
    ow.step(0.0, *entry, "GUIDED", True)
    # the aircraft keeps up: the target leads it by one step (rate x dt)
    t = ow.step(0.25, *entry, "GUIDED", True)
    assert p.phase_of(t.lat, t.lon) == pytest.approx(4.0 / 50.0 * 0.25)
    # the aircraft is held back (wind): the lead stays bounded
    for k in range(2, 40):
        t = ow.step(k * 0.25, *entry, "GUIDED", True)
    lead = p.phase_of(t.lat, t.lon)
    assert lead <= 4.0 / 50.0 * 2.0 + 1e-9


@pytest.mark.parametrize(("mode", "armed", "why"), [
    ("RTL", True, "left GUIDED for RTL"), ("LAND", True, "left GUIDED for LAND"),
    ("GUIDED", False, "disarmed"),
])
def test_it_ends_when_something_else_takes_the_aircraft(mode, armed, why):
    p = path()
    entry = p.entry(*CENTRE)
    ow = Overwatch(p, entry, started=0.0)
    ended = ow.step(1.0, *entry, mode, armed)
    assert isinstance(ended, Ended) and why in ended.reason


def test_the_message_uses_position_velocity_and_yaw_relative_to_home():
    t = path().target(1.0)
    msg = position_target(3, 1, t)
    assert (msg.target_system, msg.target_component) == (3, 1)
    assert msg.coordinate_frame == m.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
    mask = msg.type_mask
    assert not mask & (m.POSITION_TARGET_TYPEMASK_X_IGNORE | m.POSITION_TARGET_TYPEMASK_VX_IGNORE
                       | m.POSITION_TARGET_TYPEMASK_YAW_IGNORE)
    assert mask & m.POSITION_TARGET_TYPEMASK_AX_IGNORE
    assert mask & m.POSITION_TARGET_TYPEMASK_YAW_RATE_IGNORE
    assert msg.lat_int == round(t.lat * 1e7) and msg.alt == pytest.approx(40.0)
    assert (msg.vx, msg.vy, msg.vz) == pytest.approx((t.v_north, t.v_east, 0.0))
    assert msg.yaw == pytest.approx(t.yaw_rad)
    msg.pack(m.MAVLink(None, 255, 190))  # encodes
