"""Wire encoding through real pymavlink packing, and ArduPilot's seq-0-is-home helpers."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from missions_helpers import assert_same_items
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from fleet.missions import (
    MissionItem,
    MissionType,
    change_speed,
    fence_circle,
    fence_polygon,
    from_ardupilot_download,
    from_wire,
    home_item,
    jump,
    loiter_time,
    quantize,
    rally_point,
    return_to_launch,
    same_on_wire,
    takeoff,
    to_wire,
    waypoint,
)
from fleet.missions.wire import ardupilot_seq_offset, encode_deg, for_ardupilot_upload

GCS = dict(srcSystem=255, srcComponent=190)


def over_the_air(msg):
    """Pack with one MAVLink 2 codec, decode with another, as a link would."""
    sender = mavlink2.MAVLink(None, **GCS)
    receiver = mavlink2.MAVLink(None)
    return receiver.decode(bytearray(msg.pack(sender)))


def send_int(item, seq=1, mission_type=MissionType.MISSION):
    kwargs = to_wire(item, seq, mission_type, target_system=1, target_component=1)
    return over_the_air(mavlink2.MAVLink_mission_item_int_message(**kwargs))


def test_to_wire_fills_every_mission_item_int_field():
    kwargs = to_wire(waypoint(26.8930123, 112.5880345, 60.5, hold_s=2), 4,
                     MissionType.MISSION, 1, 1)
    assert kwargs == {
        "target_system": 1, "target_component": 1, "seq": 4, "frame": 3, "command": 16,
        "current": 0, "autocontinue": 1, "param1": 2.0, "param2": 0.0, "param3": 0.0,
        "param4": 0.0, "x": 268930123, "y": 1125880345, "z": 60.5, "mission_type": 0,
    }
    assert set(kwargs) == set(mavlink2.MAVLink_mission_item_int_message.fieldnames)


def test_degrees_round_to_the_nearest_1e7_integer():
    assert encode_deg(47.3977419) == 473977419
    assert encode_deg(-33.8688197) == -338688197
    assert encode_deg(26.89300004) == 268930000
    assert encode_deg(26.89300006) == 268930001
    assert encode_deg(-26.89300006) == -268930001
    assert encode_deg(180.0) == 1_800_000_000
    assert encode_deg(-180.0) == -1_800_000_000
    assert encode_deg(0.0) == 0


@given(st.floats(-180, 180))
def test_rounding_is_symmetric_and_within_half_a_unit(deg):
    assert encode_deg(-deg) == -encode_deg(deg)
    assert abs(encode_deg(deg) - deg * 1e7) <= 0.5 + 1e-6


def test_mission_item_int_round_trip_through_pymavlink():
    item = loiter_time(26.8798834085, 112.6059877872, 60.25, 30, radius_m=-20)
    msg = send_int(item, seq=7, mission_type=MissionType.MISSION)
    assert msg.get_type() == "MISSION_ITEM_INT"
    assert (msg.seq, msg.mission_type, msg.target_system) == (7, 0, 1)
    back = from_wire(msg)
    assert back.command == item.command and back.frame == item.frame
    assert abs(back.lat_deg - item.lat_deg) <= 0.5e-7
    assert abs(back.lon_deg - item.lon_deg) <= 0.5e-7
    assert (back.param1, back.param3, back.alt_m) == (30.0, -20.0, 60.25)
    assert back == quantize(item)


def test_fence_and_rally_items_carry_their_mission_type():
    msg = send_int(fence_circle(26.89, 112.62, 150.5), seq=0, mission_type=MissionType.FENCE)
    assert msg.mission_type == 1
    assert same_on_wire(from_wire(msg), fence_circle(26.89, 112.62, 150.5))
    msg = send_int(rally_point(26.9, 112.545, 40), seq=0, mission_type=MissionType.RALLY)
    assert msg.mission_type == 2
    assert from_wire(msg).autocontinue is False


def test_nan_param4_survives_the_wire():
    item = MissionItem(mavlink2.MAV_CMD_NAV_WAYPOINT, param4=math.nan, lat_deg=1, lon_deg=2)
    back = from_wire(send_int(item))
    assert math.isnan(back.param4)
    assert same_on_wire(back, item)
    assert not same_on_wire(back, waypoint(1, 2, 0))


def test_old_float_mission_item_is_read_in_degrees():
    msg = over_the_air(mavlink2.MAVLink_mission_item_message(
        1, 1, 3, 3, mavlink2.MAV_CMD_NAV_WAYPOINT, 0, 1, 0, 0, 0, 0,
        47.3977419, 8.5455938, 488.0, 0))
    back = from_wire(msg)
    assert msg.get_type() == "MISSION_ITEM"
    # float32 degrees: about 4e-6 deg (0.4 m) of resolution, the reason for MISSION_ITEM_INT
    assert abs(back.lat_deg - 47.3977419) < 4e-6
    assert abs(back.lon_deg - 8.5455938) < 1e-6
    assert back.alt_m == 488.0


def test_deprecated_int_frames_come_back_as_their_twins():
    item = MissionItem(mavlink2.MAV_CMD_NAV_WAYPOINT,
                       mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, lat_deg=1, lon_deg=2)
    back = from_wire(send_int(item))
    assert back.frame == mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT
    assert same_on_wire(back, item)


def test_from_wire_refuses_other_messages():
    with pytest.raises(TypeError, match="expected MISSION_ITEM_INT or MISSION_ITEM, got "
                                        "MISSION_COUNT"):
        from_wire(mavlink2.MAVLink_mission_count_message(1, 1, 3, 0))


# --- seq 0 ----------------------------------------------------------------------------

MISSION = (takeoff(30), waypoint(26.89, 112.59, 60), jump(2, 3), return_to_launch())


def test_seq_offset_is_one_only_for_missions():
    assert ardupilot_seq_offset(MissionType.MISSION) == 1
    assert ardupilot_seq_offset(MissionType.FENCE) == 0
    assert ardupilot_seq_offset(MissionType.RALLY) == 0


def test_upload_puts_a_placeholder_at_seq_0():
    upload = for_ardupilot_upload(MISSION)
    assert len(upload) == len(MISSION) + 1
    assert upload[0] == home_item(0, 0, 0)
    assert upload[1:] == MISSION
    home = home_item(26.893, 112.588, 95.2)
    assert for_ardupilot_upload(MISSION, home)[0] == home


def test_fence_and_rally_uploads_have_no_home():
    fence = fence_polygon([(0, 0), (0, 1), (1, 1)])
    assert for_ardupilot_upload(fence, mission_type=MissionType.FENCE) == tuple(fence)
    rally = [rally_point(0, 0, 40)]
    assert for_ardupilot_upload(rally, home_item(1, 1), MissionType.RALLY) == tuple(rally)


def test_download_splits_home_from_the_items():
    home = home_item(26.893, 112.588, 95.2)
    assert from_ardupilot_download((home, *MISSION)) == (home, MISSION)
    assert from_ardupilot_download(()) == (None, ())
    fence = tuple(fence_polygon([(0, 0), (0, 1), (1, 1)]))
    assert from_ardupilot_download(fence, MissionType.FENCE) == (None, fence)
    rally = (rally_point(0, 0, 40),)
    assert from_ardupilot_download(rally, MissionType.RALLY) == (None, rally)


def test_a_whole_upload_and_read_back_over_the_wire():
    upload = for_ardupilot_upload(MISSION, home_item(26.893, 112.588, 95.2))
    wire = [send_int(item, seq) for seq, item in enumerate(upload)]
    assert [m.seq for m in wire] == list(range(len(MISSION) + 1))
    # DO_JUMP's target, item 2, travels as seq 2: the item numbering is the wire numbering
    assert wire[3].command == mavlink2.MAV_CMD_DO_JUMP and wire[3].param1 == 2
    assert wire[2].command == mavlink2.MAV_CMD_NAV_WAYPOINT
    home, items = from_ardupilot_download([from_wire(m) for m in wire])
    assert same_on_wire(home, home_item(26.893, 112.588, 95.2))
    assert_same_items(items, [quantize(i) for i in MISSION])


# --- quantize -------------------------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(lat=st.floats(-90, 90), lon=st.floats(-180, 180), alt=finite,
       params=st.lists(finite, min_size=4, max_size=4), auto=st.booleans())
def test_the_wire_round_trip_is_exactly_quantize(lat, lon, alt, params, auto):
    item = MissionItem(mavlink2.MAV_CMD_NAV_WAYPOINT, 3, *params, lat, lon, alt, auto)
    back = from_wire(send_int(item))
    assert_same_items([back], [quantize(item)])
    assert quantize(back) == back
    assert same_on_wire(back, item)


def test_quantize_keeps_change_speed_exact():
    assert quantize(change_speed(8)) == change_speed(8)
