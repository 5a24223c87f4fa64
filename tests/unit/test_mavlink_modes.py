"""Flight-mode names and numbers for ArduPilot copter, plane, rover/boat and PX4."""

import pytest

from fleet.links.mavlink.dialect import mavlink2 as m
from fleet.links.mavlink.modes import mode_name, mode_number, needs_pilot

AP = m.MAV_AUTOPILOT_ARDUPILOTMEGA
PX4 = m.MAV_AUTOPILOT_PX4


@pytest.mark.parametrize(("mav_type", "number", "name"), [
    (m.MAV_TYPE_QUADROTOR, 0, "STABILIZE"), (m.MAV_TYPE_QUADROTOR, 4, "GUIDED"),
    (m.MAV_TYPE_QUADROTOR, 6, "RTL"), (m.MAV_TYPE_QUADROTOR, 9, "LAND"),
    (m.MAV_TYPE_QUADROTOR, 17, "BRAKE"), (m.MAV_TYPE_QUADROTOR, 21, "SMART_RTL"),
    (m.MAV_TYPE_HELICOPTER, 5, "LOITER"),
    (m.MAV_TYPE_FIXED_WING, 10, "AUTO"), (m.MAV_TYPE_FIXED_WING, 15, "GUIDED"),
    (m.MAV_TYPE_FIXED_WING, 11, "RTL"),
    (m.MAV_TYPE_GROUND_ROVER, 4, "HOLD"), (m.MAV_TYPE_SURFACE_BOAT, 16, "INITIALISING"),
    (m.MAV_TYPE_SURFACE_BOAT, 15, "GUIDED"),
])
def test_ardupilot_modes_both_ways(mav_type, number, name):
    assert mode_name(AP, mav_type, number) == name
    assert mode_number(AP, mav_type, name.lower()) == (number, 0)


def test_px4_main_and_sub_modes():
    assert mode_name(PX4, m.MAV_TYPE_QUADROTOR, 4 << 16 | 4 << 24) == "AUTO.MISSION"
    assert mode_name(PX4, m.MAV_TYPE_QUADROTOR, 6 << 16) == "OFFBOARD"
    assert mode_number(PX4, m.MAV_TYPE_QUADROTOR, "AUTO.RTL") == (4, 5)
    assert mode_number(PX4, m.MAV_TYPE_QUADROTOR, "POSCTL") == (3, 0)


def test_unknown_numbers_and_names():
    assert mode_name(AP, m.MAV_TYPE_QUADROTOR, 99) == "MODE(99)"
    with pytest.raises(KeyError, match="unknown mode 'HOVER'; known: STABILIZE"):
        mode_number(AP, m.MAV_TYPE_QUADROTOR, "HOVER")


@pytest.mark.parametrize(("autopilot", "mav_type", "name", "pilot"), [
    (AP, m.MAV_TYPE_QUADROTOR, "LOITER", True), (AP, m.MAV_TYPE_QUADROTOR, "circle", True),
    (AP, m.MAV_TYPE_QUADROTOR, "ALT_HOLD", True), (AP, m.MAV_TYPE_QUADROTOR, "POSHOLD", True),
    (AP, m.MAV_TYPE_HELICOPTER, "STABILIZE", True),
    (AP, m.MAV_TYPE_QUADROTOR, "GUIDED", False), (AP, m.MAV_TYPE_QUADROTOR, "BRAKE", False),
    (AP, m.MAV_TYPE_QUADROTOR, "AUTO", False), (AP, m.MAV_TYPE_QUADROTOR, "RTL", False),
    (AP, m.MAV_TYPE_QUADROTOR, "LAND", False), (AP, m.MAV_TYPE_QUADROTOR, "SMART_RTL", False),
    (AP, m.MAV_TYPE_SURFACE_BOAT, "MANUAL", False), (AP, m.MAV_TYPE_SURFACE_BOAT, "HOLD", False),
    (AP, m.MAV_TYPE_FIXED_WING, "FBWA", True), (AP, m.MAV_TYPE_FIXED_WING, "LOITER", False),
    (PX4, m.MAV_TYPE_QUADROTOR, "POSCTL", True), (PX4, m.MAV_TYPE_QUADROTOR, "AUTO.LOITER", False),
])
def test_the_mode_audit_names_every_stick_mode(autopilot, mav_type, name, pilot):
    assert needs_pilot(autopilot, mav_type, name) is pilot


def test_no_mode_fleet_commands_by_itself_needs_a_pilot():
    # the modes fleet's actions choose on their own (docs/flight-safety.md)
    for name in ("GUIDED", "AUTO", "RTL", "LAND", "BRAKE"):
        assert not needs_pilot(AP, m.MAV_TYPE_QUADROTOR, name)
        assert not needs_pilot(AP, m.MAV_TYPE_HELICOPTER, name)
