"""Over TCP: the helicopter's motor interlock and rotor run-up, as ArduCopter heli SITL shows them
(arducopter-heli with copter-heli.parm: RC8 is the interlock, held at MIDDLE by SITL's RC)."""

from __future__ import annotations

from mavclient import M
from sim_kit import (
    HELI_RUNUP_S,
    HIGH,
    LOW,
    MOTOR_INTERLOCK,
    heli_armed_and_running_up,
    interlock,
    sim_and_gcs,
    wait_ready,
)

HELI = {"profile": "helicopter"}
GUIDED, ALT_HOLD, STABILIZE = 4, 2, 0


async def test_prearm_fails_while_rc8_holds_the_interlock_at_middle():
    async with sim_and_gcs(**HELI) as (_, gcs):
        await gcs.wait_text("RC8: MotorInterlock MIDDLE")
        await wait_ready(gcs)
        assert (await gcs.arm()).result == M.MAV_RESULT_FAILED
        assert (await gcs.wait_text("Arm: ")).text == "Arm: Motor Interlock Enabled"
        report = await gcs.wait_text("PreArm: ", sim_s=31)      # repeated every 30 s
        assert report.text == "PreArm: Motor Interlock Enabled"


async def test_interlock_switched_before_the_first_rc_read_is_overridden():
    async with sim_and_gcs(**HELI) as (_, gcs):
        assert (await interlock(gcs, LOW)).result == M.MAV_RESULT_ACCEPTED   # at power-on
        await gcs.wait_text("RC8: MotorInterlock MIDDLE")
        await wait_ready(gcs)
        assert (await gcs.arm()).result == M.MAV_RESULT_FAILED
        await gcs.wait_text("Arm: Motor Interlock Enabled")


async def test_interlock_off_by_aux_function_then_it_arms():
    async with sim_and_gcs(**HELI) as (_, gcs):
        await wait_ready(gcs)
        assert (await interlock(gcs, LOW)).result == M.MAV_RESULT_ACCEPTED
        assert (await gcs.arm()).result == M.MAV_RESULT_ACCEPTED
        await gcs.wait_text("Arming motors")


async def test_a_switch_position_above_high_is_denied():
    async with sim_and_gcs(**HELI) as (_, gcs):
        ack = await gcs.command(M.MAV_CMD_DO_AUX_FUNCTION, MOTOR_INTERLOCK, 3)
        assert ack.result == M.MAV_RESULT_DENIED


async def test_autopilot_modes_refused_until_the_rotor_has_run_up():
    async with sim_and_gcs(**HELI) as (sim, gcs):
        started = await heli_armed_and_running_up(gcs)
        for mode in (GUIDED, ALT_HOLD):
            assert (await gcs.set_mode(mode)).result == M.MAV_RESULT_FAILED
        texts = [(await gcs.wait_text("Mode change to")).text for _ in range(2)]
        assert texts == ["Mode change to GUIDED failed: runup not complete",
                         "Mode change to ALT_HOLD failed: runup not complete"]
        await gcs.collect(started + HELI_RUNUP_S - 0.5 - sim.now)
        assert (await gcs.set_mode(GUIDED)).result == M.MAV_RESULT_FAILED
        await gcs.collect(1.0)
        assert (await gcs.set_mode(GUIDED)).result == M.MAV_RESULT_ACCEPTED


async def test_after_the_runup_guided_takeoff_climbs():
    async with sim_and_gcs(**HELI) as (_, gcs):
        await heli_armed_and_running_up(gcs)
        await gcs.collect(HELI_RUNUP_S + 0.5)
        assert (await gcs.set_mode(GUIDED)).result == M.MAV_RESULT_ACCEPTED
        assert (await gcs.takeoff(10)).result == M.MAV_RESULT_ACCEPTED
        gcs.request_streams(5, M.MAV_DATA_STREAM_POSITION)
        await gcs.wait_alt(10)


async def test_takeoff_needs_the_interlock_and_waits_on_the_ground_for_the_runup():
    async with sim_and_gcs(**HELI) as (sim, gcs):
        await wait_ready(gcs)
        assert (await gcs.set_mode(GUIDED)).result == M.MAV_RESULT_ACCEPTED  # disarmed: allowed
        assert (await interlock(gcs, LOW)).result == M.MAV_RESULT_ACCEPTED
        assert (await gcs.arm()).result == M.MAV_RESULT_ACCEPTED
        assert (await gcs.takeoff(10)).result == M.MAV_RESULT_FAILED       # interlock off
        await gcs.collect(2.5)                                               # arming delay
        assert (await interlock(gcs, HIGH)).result == M.MAV_RESULT_ACCEPTED
        started = sim.now
        assert (await gcs.takeoff(10)).result == M.MAV_RESULT_ACCEPTED
        gcs.request_streams(5, M.MAV_DATA_STREAM_POSITION)
        await gcs.wait(lambda m: m.get_type() == "GLOBAL_POSITION_INT" and m.relative_alt > 200)
        assert sim.now - started > HELI_RUNUP_S        # on the ground until run up


async def test_stabilize_a_manual_throttle_mode_is_allowed_before_the_runup():
    async with sim_and_gcs(**HELI) as (_, gcs):
        await wait_ready(gcs)
        assert (await gcs.set_mode(GUIDED)).result == M.MAV_RESULT_ACCEPTED
        assert (await interlock(gcs, LOW)).result == M.MAV_RESULT_ACCEPTED
        assert (await gcs.arm()).result == M.MAV_RESULT_ACCEPTED
        assert (await gcs.set_mode(STABILIZE)).result == M.MAV_RESULT_ACCEPTED
        assert (await gcs.set_mode(GUIDED)).result == M.MAV_RESULT_FAILED


async def test_a_quad_takes_the_interlock_function_and_arms_regardless():
    async with sim_and_gcs() as (_, gcs):
        await wait_ready(gcs)
        assert (await interlock(gcs, HIGH)).result == M.MAV_RESULT_ACCEPTED
        assert (await gcs.arm()).result == M.MAV_RESULT_ACCEPTED
