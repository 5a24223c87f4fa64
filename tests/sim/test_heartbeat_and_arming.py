"""Over TCP: identity, boot readiness and the arming trap, as ArduCopter SITL shows them."""

from __future__ import annotations

from itertools import pairwise

from mavclient import M
from sim_kit import fly_to_altitude, sim_and_gcs, wait_ready

from simulators.drone import BootTimes


async def test_heartbeat_identifies_an_ardupilot_copter(gcs):
    hb = await gcs.wait("HEARTBEAT")
    assert hb.get_srcSystem() == 1 and hb.get_srcComponent() == 1
    assert hb.type == M.MAV_TYPE_QUADROTOR
    assert hb.autopilot == M.MAV_AUTOPILOT_ARDUPILOTMEGA
    assert hb.custom_mode == 0                       # boots in STABILIZE
    assert hb.base_mode & M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    assert not hb.base_mode & M.MAV_MODE_FLAG_SAFETY_ARMED
    assert hb.system_status == M.MAV_STATE_STANDBY
    assert hb.get_header().mlen and hb.get_msgbuf()[0] == 0xFD   # MAVLink 2


async def test_heartbeats_come_at_one_hertz_with_continuous_sequence(gcs):
    beats = await gcs.collect(10.0, lambda m: m.get_type() == "HEARTBEAT")
    assert 9 <= len(beats) <= 11
    seqs = [m.get_seq() for m in gcs.received]
    assert all((b - a) % 256 == 1 for a, b in pairwise(seqs))


async def test_arm_refused_before_ready_with_the_reason(gcs):
    ack = await gcs.arm()
    assert ack.result == M.MAV_RESULT_FAILED
    text = await gcs.wait_text("Arm: ")
    assert text.text == "Arm: System not initialised"
    assert text.severity == M.MAV_SEVERITY_CRITICAL


async def test_takeoff_refused_until_ekf_uses_gps():
    # SITL's proportions (prearm at 23 s, EKF on GPS at 41 s), a tenth as long
    async with sim_and_gcs(boot=BootTimes().scaled(0.1)) as (sim, gcs):
        assert (await gcs.arm()).result == M.MAV_RESULT_FAILED
        await gcs.wait_text("Arm: System not initialised")
        await gcs.wait_text("EKF3 IMU0 tilt")           # prearm passes from here on
        assert sim.now < 4.1
        assert (await gcs.set_mode(4)).result == 0
        assert (await gcs.arm()).result == 0             # armable before the EKF has GPS
        assert (await gcs.takeoff(10)).result == M.MAV_RESULT_FAILED
        await gcs.wait_text("EKF3 IMU0 is using GPS")
        assert (await gcs.takeoff(10)).result == M.MAV_RESULT_ACCEPTED


async def test_ready_arm_guided_takeoff_reaches_altitude(gcs):
    await fly_to_altitude(gcs, 12.0)
    gcs.skip_pending()
    hb = await gcs.wait("HEARTBEAT")
    assert hb.custom_mode == 4
    assert hb.base_mode & M.MAV_MODE_FLAG_SAFETY_ARMED
    assert hb.base_mode & M.MAV_MODE_FLAG_GUIDED_ENABLED
    assert hb.system_status == M.MAV_STATE_ACTIVE


async def test_auto_disarm_when_armed_on_the_ground(gcs):
    await wait_ready(gcs)
    assert (await gcs.set_mode(4)).result == 0
    assert (await gcs.arm()).result == 0
    await gcs.wait_text("Arming motors")
    text = await gcs.wait_text("Disarming motors", sim_s=15)
    assert text is not None
    gcs.skip_pending()
    hb = await gcs.wait("HEARTBEAT")
    assert not hb.base_mode & M.MAV_MODE_FLAG_SAFETY_ARMED


async def test_unknown_mode_fails_and_unarmable_mode_refuses_arming(gcs):
    await wait_ready(gcs)
    assert (await gcs.set_mode(42)).result == M.MAV_RESULT_FAILED
    await gcs.wait_text("No such mode 42")
    assert (await gcs.set_mode(6)).result == 0           # RTL while disarmed: allowed
    assert (await gcs.arm()).result == M.MAV_RESULT_FAILED
    await gcs.wait_text("Arm: RTL mode not armable")


async def test_set_mode_message_is_acked_with_its_message_id(gcs):
    gcs.send(gcs.mav.set_mode_encode(1, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 5))
    ack = await gcs.wait("COMMAND_ACK")
    assert ack.command == M.MAVLINK_MSG_ID_SET_MODE and ack.result == 0
    hb = await gcs.wait(lambda m: m.get_type() == "HEARTBEAT" and m.custom_mode == 5)
    assert hb


async def test_unknown_command_is_unsupported(gcs):
    ack = await gcs.command(31337)
    assert ack.result == M.MAV_RESULT_UNSUPPORTED
    assert (await gcs.command(M.MAV_CMD_DO_ORBIT, 20)).result == M.MAV_RESULT_UNSUPPORTED


async def test_duplicate_commands_are_executed_again_like_ardupilot(gcs):
    await fly_to_altitude(gcs, 5.0)
    again = await gcs.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 1, confirmation=1)
    assert again.result == M.MAV_RESULT_ACCEPTED     # already armed: still ACCEPTED
    takeoff_again = await gcs.command(M.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, 5,
                                      confirmation=1)
    assert takeoff_again.result == M.MAV_RESULT_FAILED   # airborne: ArduPilot says FAILED


async def test_disarm_refused_in_flight_unless_forced(gcs):
    await fly_to_altitude(gcs, 5.0)
    assert (await gcs.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 0)).result == M.MAV_RESULT_FAILED
    assert (await gcs.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 0, 21196)).result == 0
