"""Random valid missions, fences and rally lists survive every format we write.

The strategies only build what :func:`validate` accepts (checked first), then each must
come back unchanged from .plan and .waypoints text, and as exactly :func:`quantize` from
the MAVLink wire.
"""

import dataclasses
import math

from hypothesis import given, settings
from hypothesis import strategies as st
from missions_helpers import assert_same_items
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from fleet.missions import (
    MissionType,
    Plan,
    SpeedType,
    change_speed,
    delay,
    dumps_plan,
    dumps_waypoints,
    fence_circle,
    fence_polygon,
    fence_return_point,
    for_ardupilot_upload,
    from_ardupilot_download,
    from_wire,
    home_item,
    jump,
    land,
    loads_plan,
    loads_waypoints,
    loiter_time,
    loiter_turns,
    loiter_unlimited,
    quantize,
    rally_point,
    return_to_launch,
    set_roi,
    takeoff,
    to_wire,
    validate,
    waypoint,
)

lat = st.floats(-90, 90)
lon = st.floats(-180, 180)
alt = st.floats(-500, 20000)
seconds = st.floats(0, 65535)
radius = st.floats(-1000, 1000)
positive = st.floats(0, 1e4, exclude_min=True)
FRAMES = [mavlink2.MAV_FRAME_GLOBAL, mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT,
          mavlink2.MAV_FRAME_GLOBAL_TERRAIN_ALT]

positioned = st.one_of(
    st.builds(waypoint, lat, lon, alt, seconds, st.floats(0, 100)),
    st.builds(loiter_time, lat, lon, alt, seconds, radius),
    st.builds(loiter_turns, lat, lon, alt, st.integers(0, 255), radius),
    st.builds(loiter_unlimited, lat, lon, alt, radius),
    st.builds(land, lat, lon),
    st.builds(set_roi, lat, lon, alt),
    st.builds(takeoff, alt),
)
unpositioned = st.one_of(
    st.builds(change_speed, st.floats(0, 50), st.sampled_from(list(SpeedType))),
    st.builds(delay, st.floats(0, 3600)),
    st.just(return_to_launch()),
)


@st.composite
def any_frame_and_yaw(draw, item_strategy):
    item = draw(item_strategy)
    changes = {"frame": draw(st.sampled_from(FRAMES)), "autocontinue": draw(st.booleans())}
    if item.command in (mavlink2.MAV_CMD_NAV_WAYPOINT, mavlink2.MAV_CMD_NAV_LAND):
        changes["param4"] = draw(st.one_of(st.just(math.nan), st.floats(-360, 360)))
    return dataclasses.replace(item, **changes)


@st.composite
def missions(draw):
    items = draw(st.lists(st.one_of(any_frame_and_yaw(positioned), unpositioned),
                          min_size=1, max_size=25))
    for _ in range(draw(st.integers(0, 3))):  # jumps back to an earlier item
        target = draw(st.integers(1, len(items)))
        items.append(jump(target, draw(st.integers(-1, 20))))
    return items


polygons = st.builds(fence_polygon, st.lists(st.tuples(lat, lon), min_size=3, max_size=8),
                     st.booleans())


@st.composite
def fences(draw):
    """In QGC's order (polygons, circles, return point), which a .plan cannot change."""
    items = [v for polygon in draw(st.lists(polygons, max_size=3)) for v in polygon]
    items += draw(st.lists(st.builds(fence_circle, lat, lon, positive, st.booleans()),
                           max_size=3))
    if draw(st.booleans()):
        items.append(draw(st.builds(fence_return_point, lat, lon, alt)))
    return items


rallies = st.lists(st.builds(rally_point, lat, lon, st.floats(-32768, 32767)), max_size=5)
homes = st.builds(home_item, lat, lon, alt)


@given(missions(), fences(), rallies)
def test_strategies_build_only_valid_lists(mission, fence, rally):
    validate(mission, MissionType.MISSION)
    validate(fence, MissionType.FENCE)
    validate(rally, MissionType.RALLY)


@settings(max_examples=150)
@given(missions(), fences(), rallies, homes, st.floats(0, 100), st.floats(0, 100))
def test_plan_survives_export_and_import(mission, fence, rally, home, cruise, hover):
    plan = Plan(mission, fence, rally, home, cruise, hover, firmware_type=3, vehicle_type=2)
    again = loads_plan(dumps_plan(plan))
    assert_same_items(again.mission, plan.mission)
    assert_same_items(again.fence, plan.fence)
    assert_same_items(again.rally, plan.rally)
    assert again.home == plan.home
    assert (again.cruise_speed_m_s, again.hover_speed_m_s) == (cruise, hover)


@settings(max_examples=150)
@given(missions(), homes)
def test_waypoints_survive_export_and_import(mission, home):
    got_home, items = loads_waypoints(dumps_waypoints(mission, home))
    assert got_home == home
    assert_same_items(items, mission)


@given(missions())
def test_missions_survive_the_wire_as_quantized(mission):
    upload = for_ardupilot_upload(mission)
    sender = mavlink2.MAVLink(None, srcSystem=255, srcComponent=190)
    receiver = mavlink2.MAVLink(None)
    received = []
    for seq, item in enumerate(upload):
        msg = mavlink2.MAVLink_mission_item_int_message(**to_wire(item, seq, 0, 1, 1))
        received.append(from_wire(receiver.decode(bytearray(msg.pack(sender)))))
    _, items = from_ardupilot_download(received)
    assert_same_items(items, [quantize(i) for i in mission])
