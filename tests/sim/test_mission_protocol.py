"""Mission, fence and rally transfer, with ArduPilot's quirks, and AUTO execution."""

from __future__ import annotations

from mavclient import M
from sim_kit import fly_to_altitude, wait_ready

HOME = (-35.363261, 149.165230)
WP1 = (-35.362761, 149.165230)       # ~55 m north
WP2 = (-35.362761, 149.165830)       # then ~55 m east


def mission(gcs, *, placeholder=(1.0, 2.0)) -> list:
    return [
        gcs.item_int(0, M.MAV_CMD_NAV_WAYPOINT, *placeholder, 0.0),
        gcs.item_int(1, M.MAV_CMD_NAV_TAKEOFF, 0, 0, 10.0),
        gcs.item_int(2, M.MAV_CMD_NAV_WAYPOINT, *WP1, 15.123456),
        gcs.item_int(3, M.MAV_CMD_NAV_WAYPOINT, *WP2, 15.0),
        gcs.item_int(4, M.MAV_CMD_NAV_RETURN_TO_LAUNCH),
    ]


async def test_upload_is_requested_with_old_mission_request_and_seq0_reads_back_as_home(gcs):
    await wait_ready(gcs)
    result, kinds = await gcs.upload(mission(gcs))
    assert result == M.MAV_MISSION_ACCEPTED
    assert kinds == ["MISSION_REQUEST"] * 5          # never MISSION_REQUEST_INT
    items = await gcs.download()
    assert [i.command for i in items] == [16, 22, 16, 16, 20]
    home = items[0]
    assert home.frame == M.MAV_FRAME_GLOBAL and abs(home.z - 584.0) < 0.01
    assert abs(home.x - int(HOME[0] * 1e7)) < 100 and abs(home.y - int(HOME[1] * 1e7)) < 100
    wp = items[2]
    assert wp.frame == M.MAV_FRAME_GLOBAL_RELATIVE_ALT      # *_INT frames read back without _INT
    assert (wp.x, wp.y) == (int(WP1[0] * 1e7), int(WP1[1] * 1e7))
    assert abs(wp.z - 15.12) < 1e-4                          # stored in cm, as ArduPilot does
    old_style = await gcs.download(use_int=False)
    assert old_style[2].get_type() == "MISSION_ITEM"
    assert abs(old_style[2].x - WP1[0]) < 1e-5                # float32 degrees: ~1 m


async def test_clear_all_then_count_is_zero(gcs):
    await gcs.upload(mission(gcs))
    gcs.send(gcs.mav.mission_clear_all_encode(1, 1, 0))
    ack = await gcs.wait("MISSION_ACK")
    assert ack.type == M.MAV_MISSION_ACCEPTED
    assert await gcs.download() == []


async def test_invalid_items_get_the_right_mission_ack(gcs):
    cases = [
        (gcs.item_int(1, 31000, *WP1, 10), M.MAV_MISSION_UNSUPPORTED),
        (gcs.item_int(1, M.MAV_CMD_NAV_WAYPOINT, 95.0, 10.0, 10), M.MAV_MISSION_INVALID_PARAM5_X),
        (gcs.item_int(1, M.MAV_CMD_NAV_WAYPOINT, 10.0, 190.0, 10), M.MAV_MISSION_INVALID_PARAM6_Y),
        (gcs.item_int(1, M.MAV_CMD_NAV_WAYPOINT, *WP1, 10, frame=M.MAV_FRAME_LOCAL_NED),
         M.MAV_MISSION_UNSUPPORTED_FRAME),
    ]
    for bad, expected in cases:
        result, _ = await gcs.upload([gcs.item_int(0, 16, *HOME, 0), bad])
        assert result == expected


async def test_too_many_items_and_wrong_sequence(gcs):
    gcs.send(gcs.mav.mission_count_encode(1, 1, 5000, 0))
    assert (await gcs.wait("MISSION_ACK")).type == M.MAV_MISSION_NO_SPACE
    gcs.send(gcs.mav.mission_count_encode(1, 1, 2, 0))
    await gcs.wait("MISSION_REQUEST")
    gcs.send(gcs.item_int(1, 16, *WP1, 10))                  # seq 1 while 0 was asked for
    assert (await gcs.wait("MISSION_ACK")).type == M.MAV_MISSION_INVALID_SEQUENCE


async def test_vehicle_re_requests_then_cancels_a_stalled_upload(gcs):
    gcs.send(gcs.mav.mission_count_encode(1, 1, 3, 0))
    first = await gcs.wait("MISSION_REQUEST")
    again = await gcs.wait("MISSION_REQUEST", sim_s=2)       # no answer: asked again after ~1 s
    assert first.seq == again.seq == 0
    ack = await gcs.wait("MISSION_ACK", sim_s=10)
    assert ack.type == M.MAV_MISSION_OPERATION_CANCELLED


async def test_auto_mission_reports_current_reached_items_and_rtl_lands(gcs):
    await wait_ready(gcs)
    result, _ = await gcs.upload(mission(gcs))
    assert result == M.MAV_MISSION_ACCEPTED
    gcs.request_streams(2, M.MAV_DATA_STREAM_EXTENDED_STATUS)
    assert (await gcs.set_mode(4)).result == 0
    assert (await gcs.arm()).result == 0
    gcs.skip_pending()
    assert (await gcs.command(M.MAV_CMD_MISSION_START)).result == 0
    current = await gcs.wait("MISSION_CURRENT")
    assert current.seq == 1
    await gcs.wait_text("Mission: 1 Takeoff")
    assert (await gcs.wait("MISSION_ITEM_REACHED", sim_s=30)).seq == 1
    assert (await gcs.wait("MISSION_ITEM_REACHED", sim_s=60)).seq == 2
    await gcs.wait_text("Reached command #3", sim_s=60)
    assert (await gcs.wait("MISSION_ITEM_REACHED")).seq == 3
    gcs.send(gcs.mav.mission_clear_all_encode(1, 1, 0))
    assert (await gcs.wait("MISSION_ACK")).type == M.MAV_MISSION_ERROR   # not while in AUTO
    assert (await gcs.wait("MISSION_ITEM_REACHED", sim_s=120)).seq == 4  # RTL done: landed
    await gcs.wait_text("Disarming motors", sim_s=10)


async def test_set_current_jumps_ahead(gcs):
    await gcs.upload(mission(gcs))
    gcs.skip_pending()
    gcs.send(gcs.mav.mission_set_current_encode(1, 1, 3))
    assert (await gcs.wait("MISSION_CURRENT")).seq == 3


async def test_fence_round_trip(gcs):
    poly = [(-35.3640, 149.1640), (-35.3620, 149.1640), (-35.3620, 149.1665), (-35.3640, 149.1665)]
    items = [gcs.item_int(i, M.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION, lat, lon, 0,
                          frame=M.MAV_FRAME_GLOBAL, params=(4, 0, 0, 0), mission_type=1)
             for i, (lat, lon) in enumerate(poly)]
    items.append(gcs.item_int(4, M.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION, -35.3630, 149.1650, 0,
                              frame=M.MAV_FRAME_GLOBAL, params=(20, 0, 0, 0), mission_type=1))
    result, kinds = await gcs.upload(items, mission_type=1)
    assert result == M.MAV_MISSION_ACCEPTED and set(kinds) == {"MISSION_REQUEST"}
    back = await gcs.download(mission_type=1)
    assert [i.command for i in back] == [5001] * 4 + [5004]
    assert back[4].param1 == 20 and back[0].param1 == 4
    assert all(b.mission_type == 1 for b in back)
    bad, _ = await gcs.upload([gcs.item_int(0, M.MAV_CMD_NAV_WAYPOINT, *WP1, 10, mission_type=1)],
                              mission_type=1)
    assert bad == M.MAV_MISSION_UNSUPPORTED


async def test_rally_round_trip_rounds_altitude_to_metres(gcs):
    items = [gcs.item_int(0, M.MAV_CMD_NAV_RALLY_POINT, *WP1, 30.7, mission_type=2),
             gcs.item_int(1, M.MAV_CMD_NAV_RALLY_POINT, *WP2, 25.0, mission_type=2)]
    result, _ = await gcs.upload(items, mission_type=2)
    assert result == M.MAV_MISSION_ACCEPTED
    back = await gcs.download(mission_type=2)
    assert [b.command for b in back] == [5100, 5100]
    assert back[0].z == 30.0 and back[0].frame == M.MAV_FRAME_GLOBAL_RELATIVE_ALT
    # the mission is untouched by rally and fence transfers
    assert await gcs.download() == []


async def test_goto_change_speed_and_rtl_over_commands(sim, gcs):
    await fly_to_altitude(gcs, 10.0)
    assert (await gcs.command(M.MAV_CMD_DO_CHANGE_SPEED, 1, 4.0)).result == 0
    ack = await gcs.command_int(M.MAV_CMD_DO_REPOSITION, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
                                -1, 0, 0, 0, x=int(WP1[0] * 1e7), y=int(WP1[1] * 1e7), z=20.0)
    assert ack.result == 0
    await gcs.wait(lambda m: m.get_type() == "GLOBAL_POSITION_INT"
                   and abs(m.lat - int(WP1[0] * 1e7)) < 20 and abs(m.relative_alt - 20000) < 300,
                   sim_s=60)
    v = sim.instances[0].vehicle
    assert v.wp_speed == 4.0
    assert (await gcs.command(M.MAV_CMD_NAV_RETURN_TO_LAUNCH)).result == 0
    await gcs.wait_text("Disarming motors", sim_s=120)
    assert v.landed and not v.armed
    assert abs(v.body.north) < 0.5 and abs(v.body.east) < 0.5


async def test_items_without_an_upload_get_error_and_guided_items_move_the_drone(sim, gcs):
    gcs.send(gcs.item_int(1, M.MAV_CMD_NAV_WAYPOINT, *WP1, 10))
    assert (await gcs.wait("MISSION_ACK")).type == M.MAV_MISSION_ERROR
    await fly_to_altitude(gcs, 10.0)
    guided = gcs.mav.mission_item_int_encode(1, 1, 0, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, 16, 2,
                                             1, 0, 0, 0, 0, int(WP1[0] * 1e7),
                                             int(WP1[1] * 1e7), 12.0)
    gcs.send(guided)                                    # MAVProxy's "guided" command
    assert (await gcs.wait("MISSION_ACK")).type == M.MAV_MISSION_ACCEPTED
    await gcs.wait(lambda m: m.get_type() == "GLOBAL_POSITION_INT"
                   and abs(m.lat - int(WP1[0] * 1e7)) < 20, sim_s=60)
