"""Every validation rule, with the exact message an operator would read."""

import dataclasses
import math

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from fleet.errors import FleetError
from fleet.missions import (
    MissionItem,
    MissionType,
    MissionValidationError,
    change_speed,
    delay,
    fence_circle,
    fence_polygon,
    fence_return_point,
    jump,
    land,
    loiter_time,
    loiter_turns,
    loiter_unlimited,
    rally_point,
    return_to_launch,
    set_roi,
    takeoff,
    validate,
    waypoint,
)

MISSION, FENCE, RALLY = MissionType.MISSION, MissionType.FENCE, MissionType.RALLY
WP = waypoint(26.89, 112.59, 60)
SQUARE = [(26.91, 112.57), (26.91, 112.64), (26.85, 112.64), (26.85, 112.57)]


def replace(item, **changes):
    return dataclasses.replace(item, **changes)


def test_a_full_patrol_passes():
    validate([
        takeoff(40), change_speed(8), WP, loiter_time(26.88, 112.60, 60, 30),
        loiter_turns(26.88, 112.60, 60, 3, 25), loiter_unlimited(26.88, 112.60, 60),
        set_roi(26.87, 112.59, 0), delay(5), jump(3, 2), return_to_launch(), land(),
        MissionItem(mavlink2.MAV_CMD_DO_SET_ROI, param1=3, lat_deg=1, lon_deg=2),
    ])
    validate([*fence_polygon(SQUARE), *fence_polygon(SQUARE[:3], inclusion=False),
              fence_circle(26.89, 112.62, 150, inclusion=False), fence_return_point(26.9, 112.6)],
             FENCE)
    validate([rally_point(26.9, 112.545, 40)], RALLY)
    validate([], MISSION)


def test_the_error_is_a_fleet_error_carrying_index_and_reason():
    with pytest.raises(MissionValidationError) as caught:
        validate([takeoff(40), WP, replace(WP, lat_deg=95.0)])
    err = caught.value
    assert isinstance(err, FleetError) and isinstance(err, ValueError)
    assert (err.index, err.reason) == (3, "latitude 95.0 out of range -90..90")
    assert str(err) == "item 3: latitude 95.0 out of range -90..90"


CASES = [
    # command supported for the list
    ([WP, fence_circle(1, 2, 100)], MISSION,
     "item 2: NAV_FENCE_CIRCLE_INCLUSION (5003) is not supported in a MISSION; it belongs "
     "in a FENCE upload"),
    ([rally_point(1, 2, 30)], MISSION,
     "item 1: NAV_RALLY_POINT (5100) is not supported in a MISSION; it belongs in a RALLY "
     "upload"),
    ([WP], FENCE, "item 1: NAV_WAYPOINT (16) is not supported in a FENCE; it belongs in a "
                  "MISSION upload"),
    ([fence_circle(1, 2, 100)], RALLY,
     "item 1: NAV_FENCE_CIRCLE_INCLUSION (5003) is not supported in a RALLY; it belongs in "
     "a FENCE upload"),
    ([MissionItem(mavlink2.MAV_CMD_DO_SET_SERVO, param1=9, param2=1900)], MISSION,
     "item 1: DO_SET_SERVO (183) is not supported in a MISSION"),
    ([MissionItem(60000)], MISSION, "item 1: command 60000 is not supported in a MISSION"),
    # positions
    ([replace(WP, lat_deg=-90.5)], MISSION, "item 1: latitude -90.5 out of range -90..90"),
    ([replace(WP, lon_deg=180.25)], MISSION,
     "item 1: longitude 180.25 out of range -180..180"),
    ([replace(WP, lat_deg=math.nan)], MISSION, "item 1: latitude must be a finite number, "
                                               "got nan"),
    ([replace(WP, lon_deg=math.inf)], MISSION, "item 1: longitude must be a finite number, "
                                               "got inf"),
    ([replace(WP, alt_m=math.nan)], MISSION, "item 1: altitude must be a finite number, "
                                             "got nan"),
    ([replace(WP, alt_m=1e39)], MISSION, "item 1: altitude 1e+39 does not fit a 32-bit float"),
    ([replace(WP, frame=mavlink2.MAV_FRAME_LOCAL_NED)], MISSION,
     "item 1: LOCAL_NED (1) cannot carry a position; use GLOBAL (0), GLOBAL_RELATIVE_ALT (3) "
     "or GLOBAL_TERRAIN_ALT (10)"),
    ([replace(rally_point(1, 2, 30), frame=mavlink2.MAV_FRAME_GLOBAL)], RALLY,
     "item 1: rally points must be in GLOBAL_RELATIVE_ALT (3), not GLOBAL (0)"),
    # params
    ([replace(WP, param1=math.nan)], MISSION, "item 1: param1 must be a finite number, got nan"),
    ([replace(WP, param4=math.inf)], MISSION, "item 1: param4 must be a finite number, got inf"),
    ([replace(loiter_unlimited(1, 2, 3), param4=math.nan)], MISSION,
     "item 1: param4 must be a finite number, got nan"),
    ([replace(change_speed(5), param3=-1e39)], MISSION,
     "item 1: param3 -1e+39 does not fit a 32-bit float"),
    # per command
    ([waypoint(1, 2, 3, hold_s=-1)], MISSION, "item 1: hold time -1.0 s is negative"),
    ([waypoint(1, 2, 3, hold_s=70000)], MISSION,
     "item 1: hold time 70000.0 s is more than the 65535 s ArduPilot stores"),
    ([waypoint(1, 2, 3, accept_radius_m=-2)], MISSION,
     "item 1: acceptance radius -2.0 m is negative"),
    ([loiter_time(1, 2, 3, -5)], MISSION, "item 1: loiter time -5.0 s is negative"),
    ([loiter_time(1, 2, 3, 65536)], MISSION,
     "item 1: loiter time 65536.0 s is more than the 65535 s ArduPilot stores"),
    ([loiter_turns(1, 2, 3, -1)], MISSION, "item 1: loiter turns -1.0 is negative"),
    ([loiter_turns(1, 2, 3, 300)], MISSION,
     "item 1: loiter turns 300.0 is more than the 255 ArduPilot stores"),
    ([delay(-3)], MISSION, "item 1: delay -3.0 s is negative (-1 = wait for a time of day)"),
    ([change_speed(-3)], MISSION,
     "item 1: speed -3.0 m/s is negative (-1 = unchanged, -2 = default)"),
    ([replace(change_speed(5), param1=7.0)], MISSION,
     "item 1: speed type 7.0 is not one of 0 air, 1 ground, 2 climb, 3 descent"),
    ([WP, jump(3, 1)], MISSION, "item 2: DO_JUMP target 3.0 is not an item number 1..2"),
    ([WP, jump(0, 1)], MISSION, "item 2: DO_JUMP target 0.0 is not an item number 1..2"),
    ([WP, replace(jump(1, 1), param1=1.5)], MISSION,
     "item 2: DO_JUMP target 1.5 is not an item number 1..2"),
    ([WP, jump(2, 1)], MISSION, "item 2: DO_JUMP target 2 is the jump itself"),
    ([WP, jump(1, -2)], MISSION,
     "item 2: DO_JUMP repeat -2.0 is not a whole number >= -1 (-1 = forever)"),
    ([WP, replace(jump(1, 1), param2=0.5)], MISSION,
     "item 2: DO_JUMP repeat 0.5 is not a whole number >= -1 (-1 = forever)"),
    # fence
    ([replace(i, param1=2.0) for i in fence_polygon(SQUARE[:3])][:2], FENCE,
     "item 1: polygon vertex count 2.0 is not a whole number >= 3"),
    ([replace(i, param1=3.5) for i in fence_polygon(SQUARE[:3])], FENCE,
     "item 1: polygon vertex count 3.5 is not a whole number >= 3"),
    (fence_polygon(SQUARE)[:3], FENCE, "item 3: polygon from item 1 declares 4 vertices but "
                                       "has 3"),
    ([*fence_polygon(SQUARE)[:2], fence_circle(1, 2, 100)], FENCE,
     "item 3: polygon from item 1 declares 4 vertices but has 2"),
    ([*fence_polygon(SQUARE)[:2], *fence_polygon(SQUARE, inclusion=False)[2:]], FENCE,
     "item 3: polygon from item 1 declares 4 vertices but has 2"),
    ([*fence_polygon(SQUARE)[:3], fence_polygon(SQUARE[:3])[0]], FENCE,
     "item 4: polygon from item 1 declares 4 vertices but has 3"),
    ([fence_circle(1, 2, 0)], FENCE, "item 1: fence circle radius 0.0 m is not positive"),
    ([fence_circle(1, 2, -5, inclusion=False)], FENCE,
     "item 1: fence circle radius -5.0 m is not positive"),
    ([fence_return_point(1, 2), fence_circle(1, 2, 50), fence_return_point(1, 2)], FENCE,
     "item 3: second fence return point (the first is item 1)"),
    ([rally_point(1, 2, 40000)], RALLY,
     "item 1: rally altitude 40000.0 m is outside the -32768..32767 m ArduPilot stores"),
]


@pytest.mark.parametrize(("items", "mission_type", "message"), CASES,
                         ids=[m.split(": ", 1)[1][:50] for _, _, m in CASES])
def test_each_rule_names_the_item_and_the_reason(items, mission_type, message):
    with pytest.raises(MissionValidationError) as caught:
        validate(items, mission_type)
    assert str(caught.value) == message
    assert caught.value.index == int(message.split(":")[0].removeprefix("item "))


def test_nan_param4_means_keep_yaw_for_waypoint_takeoff_and_land():
    for item in (WP, takeoff(30), land()):
        validate([replace(item, param4=math.nan)])


def test_speed_sentinels_and_time_of_day_delay_are_accepted():
    validate([change_speed(-1), change_speed(-2), replace(delay(0), param1=-1.0)])


def test_jump_forever_is_accepted():
    validate([WP, jump(1, -1)])


def test_deprecated_int_frames_are_accepted():
    validate([replace(WP, frame=mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT)])
    validate([replace(rally_point(1, 2, 3), frame=mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT)],
             RALLY)


def test_mission_size_limit_is_configurable():
    validate([WP] * 700)
    with pytest.raises(MissionValidationError) as caught:
        validate([WP] * 701)
    assert str(caught.value) == "mission has 701 items, more than the 700 allowed"
    assert caught.value.index is None
    with pytest.raises(MissionValidationError, match="fence has 4 items, more than the 3"):
        validate(fence_polygon(SQUARE), FENCE, max_items=3)
    validate([WP] * 900, max_items=1000)


def test_mission_type_may_be_given_as_its_number():
    validate(fence_polygon(SQUARE), 1)
