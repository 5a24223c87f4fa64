"""Parameters (list, read by id and index, set, refusals) and stream rates per sim second."""

from __future__ import annotations

from mavclient import M

from simulators.drone.params import SPECS


def _name(msg) -> str:
    return msg.param_id if isinstance(msg.param_id, str) else msg.param_id.decode()


async def test_param_list_sends_every_parameter_with_index_and_count(gcs):
    gcs.send(gcs.mav.param_request_list_encode(1, 1))
    values = await gcs.collect(1.0, lambda m: m.get_type() == "PARAM_VALUE")
    assert len(values) == len(SPECS)
    assert sorted(v.param_index for v in values) == list(range(len(SPECS)))
    assert all(v.param_count == len(SPECS) for v in values)
    names = {_name(v) for v in values}
    assert {"MAV_SYSID", "RTL_ALT", "WPNAV_SPEED", "FS_GCS_TIMEOUT", "SR0_POSITION"} <= names


async def test_read_by_name_and_by_index(gcs):
    gcs.send(gcs.mav.param_request_read_encode(1, 1, b"RTL_ALT", -1))
    by_name = await gcs.wait("PARAM_VALUE")
    assert _name(by_name) == "RTL_ALT" and by_name.param_value == 1500
    assert by_name.param_type == M.MAV_PARAM_TYPE_INT32
    gcs.send(gcs.mav.param_request_read_encode(1, 1, b"", by_name.param_index))
    by_index = await gcs.wait("PARAM_VALUE")
    assert _name(by_index) == "RTL_ALT"
    gcs.send(gcs.mav.param_request_read_encode(1, 1, b"NO_SUCH_PARAM", -1))
    await gcs.wait_text("Unknown parameter NO_SUCH_PARAM")


async def test_set_answers_new_value_and_refuses_out_of_range_with_the_old_one(sim, gcs):
    gcs.send(gcs.mav.param_set_encode(1, 1, b"WPNAV_SPEED", 750.0, M.MAV_PARAM_TYPE_REAL32))
    ok = await gcs.wait("PARAM_VALUE")
    assert _name(ok) == "WPNAV_SPEED" and ok.param_value == 750.0
    assert sim.instances[0].vehicle.wp_speed == 7.5
    gcs.send(gcs.mav.param_set_encode(1, 1, b"WPNAV_SPEED", 99999.0, M.MAV_PARAM_TYPE_REAL32))
    refused = await gcs.wait("PARAM_VALUE")
    assert refused.param_value == 750.0
    gcs.send(gcs.mav.param_set_encode(1, 1, b"DISARM_DELAY", float("nan"), M.MAV_PARAM_TYPE_INT8))
    assert (await gcs.wait("PARAM_VALUE")).param_value == 10


async def test_request_data_stream_rates_are_honoured_per_sim_second(gcs):
    gcs.request_streams(5, M.MAV_DATA_STREAM_POSITION)
    gcs.request_streams(2, M.MAV_DATA_STREAM_EXTRA1)
    await gcs.collect(1.0)                                 # settle
    got = await gcs.collect(10.0)
    count = {t: sum(1 for m in got if m.get_type() == t)
             for t in ("GLOBAL_POSITION_INT", "ATTITUDE", "VFR_HUD", "HEARTBEAT")}
    assert 48 <= count["GLOBAL_POSITION_INT"] <= 52
    assert 19 <= count["ATTITUDE"] <= 21
    assert count["VFR_HUD"] == 0                          # EXTRA2 never asked for
    assert 9 <= count["HEARTBEAT"] <= 11
    gcs.send(gcs.mav.param_request_read_encode(1, 1, b"SR0_POSITION", -1))
    assert (await gcs.wait("PARAM_VALUE")).param_value == 5   # ArduPilot mirrors the rate


async def test_nothing_but_heartbeats_before_any_request(gcs):
    got = await gcs.collect(5.0)
    assert {m.get_type() for m in got} <= {"HEARTBEAT", "STATUSTEXT", "HOME_POSITION",
                                           "GPS_GLOBAL_ORIGIN", "MISSION_CURRENT"}


async def test_set_message_interval_and_request_message(gcs):
    ack = await gcs.command(M.MAV_CMD_SET_MESSAGE_INTERVAL, M.MAVLINK_MSG_ID_BATTERY_STATUS, 250000)
    assert ack.result == 0
    got = await gcs.collect(4.0, lambda m: m.get_type() == "BATTERY_STATUS")
    assert 15 <= len(got) <= 17
    await gcs.command(M.MAV_CMD_SET_MESSAGE_INTERVAL, M.MAVLINK_MSG_ID_BATTERY_STATUS, -1)
    assert await gcs.collect(3.0, lambda m: m.get_type() == "BATTERY_STATUS") == []
    bad = await gcs.command(M.MAV_CMD_SET_MESSAGE_INTERVAL, 60000, 1000)
    assert bad.result == M.MAV_RESULT_DENIED
    ack = await gcs.command(M.MAV_CMD_REQUEST_MESSAGE, M.MAVLINK_MSG_ID_AUTOPILOT_VERSION)
    assert ack.result == 0
    version = await gcs.wait("AUTOPILOT_VERSION")
    assert version.capabilities & M.MAV_PROTOCOL_CAPABILITY_MISSION_INT
    assert version.capabilities & M.MAV_PROTOCOL_CAPABILITY_MAVLINK2


async def test_ready_flags_in_telemetry(gcs):
    gcs.request_streams(2)
    ekf = await gcs.wait(lambda m: m.get_type() == "EKF_STATUS_REPORT" and m.flags & 16)
    assert not ekf.flags & 128
    gcs.skip_pending()                                  # only what is sent from now on
    gps = await gcs.wait("GPS_RAW_INT")
    assert gps.fix_type >= 3 and gps.satellites_visible > 0
    status = await gcs.wait("SYS_STATUS")
    assert status.onboard_control_sensors_health & M.MAV_SYS_STATUS_PREARM_CHECK
    assert status.voltage_battery > 15000 and status.battery_remaining == 100
    await gcs.command(M.MAV_CMD_REQUEST_MESSAGE, M.MAVLINK_MSG_ID_HOME_POSITION)
    home = await gcs.wait("HOME_POSITION")
    assert home.altitude == 584000
    pos = await gcs.wait("GLOBAL_POSITION_INT")
    assert pos.lat != 0 and pos.relative_alt == 0


async def test_reboot_restarts_the_boot_sequence_and_keeps_parameters(sim, gcs):
    gcs.send(gcs.mav.param_set_encode(1, 1, b"MAV_SYSID", 9.0, M.MAV_PARAM_TYPE_INT16))
    await gcs.wait("PARAM_VALUE")
    assert (await gcs.command(M.MAV_CMD_PREFLIGHT_REBOOT_SHUTDOWN, 1)).result == 0
    await gcs.wait_text("ArduCopter V4.7.0-dev")
    gcs.skip_pending()
    hb = await gcs.wait("HEARTBEAT")
    assert hb.get_srcSystem() == 9                     # MAV_SYSID applies at boot
