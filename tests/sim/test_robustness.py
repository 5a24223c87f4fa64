"""Bad input never crashes the simulator: garbage, truncation, bad CRC, wrong targets."""

from __future__ import annotations

import random

from mavclient import M


async def test_garbage_bytes_never_crash_and_the_link_keeps_working(sim, gcs):
    rng = random.Random(4)
    for _ in range(200):
        gcs.write_raw(rng.randbytes(rng.randrange(1, 300)))
    frame = bytearray(gcs.mav.command_long_encode(1, 1, 400, 0, 1, 0, 0, 0, 0, 0, 0).pack(gcs.mav))
    gcs.write_raw(bytes(frame[:9]))                          # truncated frame
    frame[-1] ^= 0xFF
    gcs.write_raw(bytes(frame))                              # bad CRC
    gcs.write_raw(b"\xfd\xff" + bytes(300))                 # absurd length
    await gcs.collect(1.0)
    assert sim.instances[0].endpoint.bad_data > 0
    ack = await gcs.command(M.MAV_CMD_REQUEST_MESSAGE, M.MAVLINK_MSG_ID_AUTOPILOT_VERSION)
    assert ack.result == 0


async def test_commands_for_another_system_are_ignored(gcs):
    gcs.target = 7
    gcs.send(gcs.mav.command_long_encode(7, 1, 400, 0, 1, 0, 0, 0, 0, 0, 0))
    assert await gcs.collect(2.0, lambda m: m.get_type() == "COMMAND_ACK") == []


async def test_mavlink1_frames_are_understood(gcs):
    msg = gcs.mav.command_long_encode(1, 1, M.MAV_CMD_REQUEST_MESSAGE, 0,
                                      M.MAVLINK_MSG_ID_AUTOPILOT_VERSION, 0, 0, 0, 0, 0, 0)
    gcs.write_raw(msg.pack(gcs.mav, force_mavlink1=True))
    ack = await gcs.wait("COMMAND_ACK")
    assert ack.result == 0


async def test_absurd_values_in_valid_frames_are_refused_not_fatal(gcs):
    for mode in (-5, 2**31, 255):
        await gcs.command(M.MAV_CMD_DO_SET_MODE, 1, mode)
    await gcs.command(M.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, float("nan"))
    await gcs.command(M.MAV_CMD_DO_CHANGE_SPEED, 9, float("inf"))
    gcs.send(gcs.mav.set_position_target_global_int_encode(0, 1, 1, 6, 0, 2**31 - 1, 2**31 - 1,
                                                           1e30, 0, 0, 0, 0, 0, 0, 0, 0))
    gcs.send(gcs.mav.mission_request_int_encode(1, 1, 65000, 7))
    gcs.send(gcs.mav.param_request_read_encode(1, 1, b"\xff\xfe", -1))
    gcs.send(gcs.mav.param_request_read_encode(1, 1, b"", 30000))
    ack = await gcs.command(M.MAV_CMD_REQUEST_MESSAGE, M.MAVLINK_MSG_ID_AUTOPILOT_VERSION)
    assert ack.result == 0
