"""Over TCP: the ArduRover motorboat (and rover) profile as ArduRover 4.7 behaves.

Identity and boot (INITIALISING, then MANUAL), arming without takeoff, GUIDED by DO_REPOSITION
and SET_POSITION_TARGET_GLOBAL_INT, AUTO missions with Rover's texts, RTL that stays in RTL,
HOLD, speeds (WP_SPEED, DO_CHANGE_SPEED), no altitude, and the GCS failsafe's default HOLD.
"""

from __future__ import annotations

import math

import pytest
from mavclient import M
from sim_kit import local, positions, sim_and_gcs, wait_ready

from simulators.drone import BootTimes
from simulators.drone.geo import offset

BOAT = {"profile": "motorboat"}
REPOSITION_CHANGE_MODE = M.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE
GUIDED, HOLD, AUTO, RTL, MANUAL = 15, 4, 10, 11, 0


def latlon(sim, north: float, east: float) -> tuple[float, float]:
    h = sim.config.home
    return offset(h.lat, h.lon, north, east)


async def reposition(gcs, sim, north: float, east: float, *, speed: float = -1.0,
                     flags: int = REPOSITION_CHANGE_MODE):
    lat, lon = latlon(sim, north, east)
    return await gcs.command_int(M.MAV_CMD_DO_REPOSITION, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
                                 speed, flags, x=int(lat * 1e7), y=int(lon * 1e7))


async def ready_and_armed(gcs) -> None:
    await wait_ready(gcs)
    gcs.request_streams(10, M.MAV_DATA_STREAM_POSITION)
    assert (await gcs.arm()).result == 0
    await gcs.wait_text("Throttle armed")


async def mode_is(gcs, mode: int) -> None:
    gcs.skip_pending()
    assert (await gcs.wait("HEARTBEAT")).custom_mode == mode


async def test_boat_heartbeat_boots_initialising_then_manual():
    async with sim_and_gcs(**BOAT) as (_, gcs):
        first = await gcs.wait("HEARTBEAT")
        assert first.type == M.MAV_TYPE_SURFACE_BOAT
        assert first.autopilot == M.MAV_AUTOPILOT_ARDUPILOTMEGA
        assert first.custom_mode == 16 and first.system_status == M.MAV_STATE_CALIBRATING
        assert first.base_mode == (M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
                                   | M.MAV_MODE_FLAG_MANUAL_INPUT_ENABLED)
        await gcs.wait_text("ArduRover V4.7.0-dev")
        later = await gcs.wait(lambda m: m.get_type() == "HEARTBEAT" and m.custom_mode == MANUAL)
        assert later.system_status == M.MAV_STATE_ACTIVE


async def test_rover_profile_is_a_ground_rover():
    async with sim_and_gcs(profile="rover") as (_, gcs):
        assert (await gcs.wait("HEARTBEAT")).type == M.MAV_TYPE_GROUND_ROVER


async def test_takeoff_and_copter_commands_are_unsupported():
    async with sim_and_gcs(**BOAT) as (_, gcs):
        await wait_ready(gcs)
        for cmd in (M.MAV_CMD_NAV_TAKEOFF, M.MAV_CMD_NAV_LAND, M.MAV_CMD_DO_PAUSE_CONTINUE,
                    M.MAV_CMD_CONDITION_YAW, M.MAV_CMD_NAV_LOITER_UNLIM, M.MAV_CMD_DO_ORBIT):
            assert (await gcs.command(cmd, 0, 0, 0, 0, 0, 0, 10)).result == \
                M.MAV_RESULT_UNSUPPORTED


async def test_arming_needs_a_position_only_in_modes_that_navigate():
    async with sim_and_gcs(boot=BootTimes().scaled(0.1), **BOAT) as (_, gcs):
        await gcs.wait_text("ArduRover")
        assert (await gcs.set_mode(GUIDED)).result == 0          # disarmed: any mode
        assert (await gcs.arm()).result == M.MAV_RESULT_FAILED
        assert (await gcs.wait_text("Arm: ")).text in (
            "Arm: GPS 1: Bad fix", "Arm: AHRS: not using configured AHRS type")
        assert (await gcs.set_mode(MANUAL)).result == 0
        assert (await gcs.arm()).result == 0                      # no GPS needed in MANUAL
        await gcs.wait_text("Throttle armed")
        assert (await gcs.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 0)).result == 0
        await gcs.wait_text("Throttle disarmed")
        await gcs.wait_text("EKF3 IMU0 is using GPS")
        assert (await gcs.set_mode(RTL)).result == 0
        assert (await gcs.arm()).result == M.MAV_RESULT_FAILED
        await gcs.wait_text("Arm: Mode not armable")


async def test_reposition_drives_there_at_wp_speed_reports_it_and_loiters():
    async with sim_and_gcs(**BOAT) as (sim, gcs):
        await ready_and_armed(gcs)
        gcs.request_streams(10, M.MAV_DATA_STREAM_EXTRA2)
        assert (await reposition(gcs, sim, 150, 60, flags=0)).result == M.MAV_RESULT_DENIED
        ack = await gcs.command_int(M.MAV_CMD_DO_REPOSITION, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
                                    -1, REPOSITION_CHANGE_MODE)        # lat/lon 0
        assert ack.result == M.MAV_RESULT_DENIED
        gcs.skip_pending()
        assert (await reposition(gcs, sim, 150, 60)).result == M.MAV_RESULT_ACCEPTED
        await mode_is(gcs, GUIDED)
        await gcs.wait(lambda m: m.get_type() == "MISSION_ITEM_REACHED" and m.seq == 0,
                       sim_s=90)
        seen = await gcs.collect(10.0)
        speeds = [m.groundspeed for m in gcs.received if m.get_type() == "VFR_HUD"]
        assert max(speeds) == pytest.approx(5.0, abs=0.01)          # WP_SPEED 5 (rover.parm)
        last = positions(seen)[-1]
        n, e = local(sim, last)
        assert math.hypot(n - 150, e - 60) < 3.0 and last.vx == 0 and last.vy == 0
        assert all(m.relative_alt == 0 for m in positions(gcs.received))
        assert (await gcs.wait("HEARTBEAT")).custom_mode == GUIDED


async def test_a_speed_with_reposition_fails_while_a_boat_loiters_then_applies():
    async with sim_and_gcs(**BOAT) as (sim, gcs):
        await ready_and_armed(gcs)
        gcs.request_streams(10, M.MAV_DATA_STREAM_EXTRA2)
        # ModeGuided starts a boat loitering, where set_desired_speed is refused
        assert (await reposition(gcs, sim, 100, 0, speed=3)).result == M.MAV_RESULT_FAILED
        await mode_is(gcs, GUIDED)
        assert (await reposition(gcs, sim, 100, 0)).result == 0
        assert (await reposition(gcs, sim, 100, 0, speed=3)).result == 0   # now driving
        await gcs.collect(10.0)
        gcs.skip_pending()
        hud = await gcs.wait("VFR_HUD")
        assert hud.groundspeed == pytest.approx(3.0, abs=0.01)
        change = await gcs.command(M.MAV_CMD_DO_CHANGE_SPEED, 1, 4.0)
        assert change.result == 0
        assert (await gcs.command(M.MAV_CMD_DO_CHANGE_SPEED, 2, 1.0)).result == \
            M.MAV_RESULT_DENIED                                          # climb speed
        assert (await gcs.set_mode(HOLD)).result == 0
        assert (await gcs.command(M.MAV_CMD_DO_CHANGE_SPEED, 1, 4.0)).result == \
            M.MAV_RESULT_FAILED
        stopped = positions(await gcs.collect(10.0))
        assert stopped[-1].vx == 0 and stopped[-1].vy == 0
        gcs.skip_pending()
        assert (await gcs.wait("HEARTBEAT")).system_status == M.MAV_STATE_STANDBY


def _target(gcs, sim, mask: int, north: float = 0.0, east: float = 0.0,
            vel: tuple[float, float] = (0.0, 0.0)) -> None:
    lat, lon = latlon(sim, north, east)
    gcs.send(gcs.mav.set_position_target_global_int_encode(
        0, 1, 1, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, mask, int(lat * 1e7), int(lon * 1e7),
        0, vel[0], vel[1], 0, 0, 0, 0, 0, 0))


POS_ONLY = 0b110111111000
VEL_ONLY = 0b110111000111
POS_WITH_ACCEL = 0b110000111000
ACC_REFUSED = "Ignoring SET_POSITION_TARGET_GLOBAL_INT; set ACC_IGNORE in mask"


async def test_position_and_velocity_targets_in_guided_only():
    async with sim_and_gcs(**BOAT) as (sim, gcs):
        await ready_and_armed(gcs)
        _target(gcs, sim, POS_ONLY, 80, 0)                        # MANUAL: ignored
        still = positions(await gcs.collect(5.0))
        assert abs(local(sim, still[-1])[0]) < 0.5
        assert (await gcs.set_mode(GUIDED)).result == 0
        _target(gcs, sim, POS_WITH_ACCEL, 80, 0)
        first = await gcs.wait_text(ACC_REFUSED[:50])         # 63 characters: two chunks
        rest = await gcs.wait(lambda m: m.get_type() == "STATUSTEXT" and m.id == first.id)
        assert first.id != 0 and (first.chunk_seq, rest.chunk_seq) == (0, 1)
        assert first.text + rest.text == ACC_REFUSED
        _target(gcs, sim, POS_ONLY, 80, 0)
        await gcs.wait(lambda m: m.get_type() == "MISSION_ITEM_REACHED" and m.seq == 0,
                       sim_s=60)
        _target(gcs, sim, VEL_ONLY, vel=(0.0, 9.0))               # east, capped at WP_SPEED
        moving = positions(await gcs.collect(2.9))
        assert moving[-1].vy > 0 and abs(moving[-1].vx) < 50
        await gcs.wait_text("target not received last 3secs, stopping")
        stopped = positions(await gcs.collect(15.0))
        assert stopped[-1].vx == 0 and stopped[-1].vy == 0
        assert local(sim, stopped[-1]) == local(sim, stopped[-10])


async def test_auto_mission_reached_texts_then_complete_and_loiter():
    async with sim_and_gcs(**BOAT) as (sim, gcs):
        await ready_and_armed(gcs)
        legs = [(40, 0), (40, 40), (0, 40)]
        items = [gcs.item_int(0, M.MAV_CMD_NAV_WAYPOINT)] + [
            gcs.item_int(k, M.MAV_CMD_NAV_WAYPOINT, *latlon(sim, n, e))
            for k, (n, e) in enumerate(legs, start=1)]
        assert (await gcs.upload(items))[0] == M.MAV_MISSION_ACCEPTED
        assert (await gcs.command(M.MAV_CMD_MISSION_START)).result == 0
        await mode_is(gcs, AUTO)
        for k in (1, 2, 3):
            await gcs.wait_text(f"Reached waypoint #{k}", sim_s=60)
            reached = await gcs.wait("MISSION_ITEM_REACHED")
            assert reached.seq == k
        await gcs.wait_text("Mission Complete")
        settled = positions(await gcs.collect(10.0))
        n, e = local(sim, settled[-1])
        assert math.hypot(n - 0, e - 40) < 4.0 and settled[-1].vx == 0
        assert (await gcs.wait("HEARTBEAT")).custom_mode == AUTO    # boats loiter in AUTO


async def test_rtl_drives_home_and_stays_in_rtl():
    async with sim_and_gcs(**BOAT) as (sim, gcs):
        await ready_and_armed(gcs)
        assert (await reposition(gcs, sim, 60, -40)).result == 0
        await gcs.wait(lambda m: m.get_type() == "MISSION_ITEM_REACHED", sim_s=60)
        assert (await gcs.command(M.MAV_CMD_NAV_RETURN_TO_LAUNCH)).result == 0
        await gcs.wait_text("Reached destination", sim_s=60)
        after = positions(await gcs.collect(15.0))
        assert math.hypot(*local(sim, after[-1])) < 4.0 and after[-1].vx == 0
        assert (await gcs.wait("HEARTBEAT")).custom_mode == RTL


async def test_gcs_failsafe_default_action_is_hold():
    async with sim_and_gcs(params={"FS_GCS_ENABLE": 1}, **BOAT) as (sim, gcs):
        gcs.heartbeat()
        await ready_and_armed(gcs)
        gcs.heartbeat()
        lost_at = sim.now
        assert (await reposition(gcs, sim, 300, 0)).result == 0
        # announced by the radio check that runs first (FS_THR_ENABLE 1), as SITL says it
        await gcs.wait_text("Radio Failsafe", sim_s=20)
        assert sim.now - lost_at >= 6.5                       # FS_GCS_TIMEOUT 5 + FS_TIMEOUT 1.5
        hb = await gcs.wait(lambda m: m.get_type() == "HEARTBEAT" and m.custom_mode == HOLD)
        assert hb.system_status == M.MAV_STATE_CRITICAL
        gcs.heartbeat()
        await gcs.wait_text("GCS Failsafe Cleared")
        await mode_is(gcs, HOLD)
