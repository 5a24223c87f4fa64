"""Builders produce the MAVLink commands and params the protocol defines."""

import math

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from fleet.missions import (
    Mission,
    MissionItem,
    MissionType,
    Plan,
    SpeedType,
    change_speed,
    delay,
    fence_circle,
    fence_polygon,
    fence_return_point,
    home_item,
    jump,
    land,
    loiter_time,
    loiter_turns,
    loiter_unlimited,
    rally_point,
    return_to_launch,
    set_roi,
    takeoff,
    waypoint,
)
from fleet.model import Position

REL = mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT
GLOBAL = mavlink2.MAV_FRAME_GLOBAL
NO_FRAME = mavlink2.MAV_FRAME_MISSION


def test_enums_follow_mavlink_numbering():
    assert [int(t) for t in MissionType] == [0, 1, 2]
    assert MissionType.FENCE == mavlink2.MAV_MISSION_TYPE_FENCE
    assert SpeedType.GROUNDSPEED == mavlink2.SPEED_TYPE_GROUNDSPEED == 1


def test_item_defaults_are_a_relative_altitude_waypoint_slot():
    item = MissionItem(mavlink2.MAV_CMD_NAV_WAYPOINT)
    assert item.frame == REL == 3
    assert item.params == (0.0,) * 7
    assert item.autocontinue is True


def test_item_params_and_position_expose_param5_to_7():
    item = waypoint(26.89, 112.59, 60.0, hold_s=2)
    assert item.params == (2.0, 0.0, 0.0, 0.0, 26.89, 112.59, 60.0)
    assert item.position == Position(26.89, 112.59, 60.0)


def test_takeoff():
    assert takeoff(40) == MissionItem(mavlink2.MAV_CMD_NAV_TAKEOFF, REL, alt_m=40.0)
    assert isinstance(takeoff(40).alt_m, float)


def test_waypoint_puts_hold_and_acceptance_radius_in_param1_and_2():
    item = waypoint(26.89, 112.59, 60, hold_s=5, accept_radius_m=3)
    assert item == MissionItem(mavlink2.MAV_CMD_NAV_WAYPOINT, REL, param1=5.0, param2=3.0,
                               lat_deg=26.89, lon_deg=112.59, alt_m=60.0)


def test_loiters_put_time_or_turns_in_param1_and_radius_in_param3():
    assert loiter_time(1, 2, 30, 45, radius_m=-20) == MissionItem(
        mavlink2.MAV_CMD_NAV_LOITER_TIME, REL, param1=45.0, param3=-20.0,
        lat_deg=1.0, lon_deg=2.0, alt_m=30.0)
    assert loiter_turns(1, 2, 30, 3, radius_m=25) == MissionItem(
        mavlink2.MAV_CMD_NAV_LOITER_TURNS, REL, param1=3.0, param3=25.0,
        lat_deg=1.0, lon_deg=2.0, alt_m=30.0)
    assert loiter_unlimited(1, 2, 30, radius_m=15) == MissionItem(
        mavlink2.MAV_CMD_NAV_LOITER_UNLIM, REL, param3=15.0, lat_deg=1.0, lon_deg=2.0,
        alt_m=30.0)


def test_return_to_launch_and_land():
    assert return_to_launch() == MissionItem(mavlink2.MAV_CMD_NAV_RETURN_TO_LAUNCH, NO_FRAME)
    assert land() == MissionItem(mavlink2.MAV_CMD_NAV_LAND, REL)
    assert land(26.9, 112.6) == MissionItem(mavlink2.MAV_CMD_NAV_LAND, REL, lat_deg=26.9,
                                            lon_deg=112.6)


def test_change_speed_is_ground_speed_with_throttle_unchanged_by_default():
    assert change_speed(8) == MissionItem(mavlink2.MAV_CMD_DO_CHANGE_SPEED, NO_FRAME,
                                          param1=1.0, param2=8.0, param3=-1.0)
    assert change_speed(20, SpeedType.AIRSPEED).param1 == 0.0


def test_jump_delay_and_roi():
    assert jump(3, 2) == MissionItem(mavlink2.MAV_CMD_DO_JUMP, NO_FRAME, param1=3.0,
                                     param2=2.0)
    assert delay(10) == MissionItem(mavlink2.MAV_CMD_NAV_DELAY, NO_FRAME, param1=10.0,
                                    param2=-1.0, param3=-1.0, param4=-1.0)
    assert set_roi(1, 2, 3) == MissionItem(mavlink2.MAV_CMD_DO_SET_ROI_LOCATION, REL,
                                           lat_deg=1.0, lon_deg=2.0, alt_m=3.0)


def test_fence_polygon_is_one_item_per_vertex_with_the_count_in_param1():
    vertices = [(26.91, 112.57), (26.91, 112.64), (26.85, 112.64), (26.85, 112.57)]
    items = fence_polygon(vertices)
    assert [i.command for i in items] == [
        mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION] * 4
    assert {i.param1 for i in items} == {4.0}
    assert [(i.lat_deg, i.lon_deg) for i in items] == vertices
    assert {(i.frame, i.autocontinue, i.alt_m) for i in items} == {(GLOBAL, False, 0.0)}
    exclusion = fence_polygon(vertices[:3], inclusion=False)
    assert {i.command for i in exclusion} == {
        mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION}
    assert {i.param1 for i in exclusion} == {3.0}


def test_fence_polygon_needs_three_vertices():
    with pytest.raises(ValueError, match="at least 3 vertices, got 2"):
        fence_polygon([(0, 0), (1, 1)])


def test_fence_circle_return_point_and_rally_point():
    assert fence_circle(1, 2, 150) == MissionItem(
        mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION, GLOBAL, param1=150.0, lat_deg=1.0,
        lon_deg=2.0, autocontinue=False)
    assert fence_circle(1, 2, 150, inclusion=False).command == (
        mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION)
    assert fence_return_point(1, 2, 40) == MissionItem(
        mavlink2.MAV_CMD_NAV_FENCE_RETURN_POINT, REL, lat_deg=1.0, lon_deg=2.0, alt_m=40.0,
        autocontinue=False)
    assert rally_point(1, 2, 40) == MissionItem(
        mavlink2.MAV_CMD_NAV_RALLY_POINT, REL, lat_deg=1.0, lon_deg=2.0, alt_m=40.0,
        autocontinue=False)


def test_home_item_is_an_amsl_waypoint():
    assert home_item(26.893, 112.588, 95.2) == MissionItem(
        mavlink2.MAV_CMD_NAV_WAYPOINT, GLOBAL, lat_deg=26.893, lon_deg=112.588, alt_m=95.2)


def test_mission_stores_a_tuple_and_a_mission_type():
    mission = Mission([takeoff(10), return_to_launch()], 1)
    assert mission.items == (takeoff(10), return_to_launch())
    assert mission.mission_type is MissionType.FENCE
    assert len(mission) == 2
    assert list(mission) == [takeoff(10), return_to_launch()]


def test_plan_parts_by_mission_type():
    plan = Plan(mission=[takeoff(10)], fence=fence_polygon([(0, 0), (0, 1), (1, 1)]),
                rally=[rally_point(0, 0, 30)])
    assert plan.get(MissionType.MISSION) == Mission((takeoff(10),))
    assert plan.get(MissionType.FENCE).mission_type is MissionType.FENCE
    assert len(plan.get(MissionType.FENCE)) == 3
    assert plan.get(MissionType.RALLY).items == (rally_point(0, 0, 30),)


def test_items_are_immutable_and_hashable():
    item = takeoff(10)
    with pytest.raises(AttributeError):
        item.alt_m = 20  # type: ignore[misc]
    assert {item, takeoff(10)} == {item}


def test_nan_is_a_legal_value_to_hold():
    item = MissionItem(mavlink2.MAV_CMD_NAV_WAYPOINT, param4=math.nan)
    assert math.isnan(item.param4)
