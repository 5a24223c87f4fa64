"""The kinematic model and ArduCopter's mode logic, stepped directly (no sockets)."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from vehicles import DT, airborne, ready, run, texts

from simulators.drone import Mode
from simulators.drone.physics import Body, step_horizontal, step_vertical


def test_climb_rate_is_wpnav_speed_up_and_takeoff_stops_at_altitude():
    v = ready()
    assert v.set_mode(Mode.GUIDED) and v.arm() and v.takeoff(20)
    rates = []
    run(v, 30, lambda v: rates.append(v.body.vu) or v.nav.kind != "takeoff")
    assert max(rates) == pytest.approx(2.5, abs=0.01)       # WPNAV_SPEED_UP 250 cm/s
    run(v, 5)
    assert v.rel_alt == pytest.approx(20, abs=0.01) and v.flying


def test_takeoff_leaves_the_ground_after_arming_delay_spool_up_and_throttle_ramp():
    """2 s ARMING_DELAY_SEC, MOT_SPOOL_TIME 0.5 s, then the throttle ramps at 1/TKOFF_SLEW_TIME
    (2 s) to MOT_THST_HOVER (copter.parm 0.39): SITL lifts off 3.28 s after arming."""
    for spool, expected in ((0.5, 3.28), (1.0, 3.78)):
        v = ready(MOT_SPOOL_TIME=spool)
        assert v.set_mode(Mode.GUIDED) and v.arm() and v.takeoff(40)
        armed_at = v.t
        assert run(v, 10, lambda v: v.body.up > 0 or not v.landed)
        assert v.t - armed_at == pytest.approx(expected, abs=2 * DT)
        assert v.body.up < 0.01


def test_takeoff_climb_is_jerk_limited_and_slows_into_its_altitude_like_sitl():
    """AC_PosControl's shaping: WPNAV_ACCEL_Z 1 m/s², PSC_JERK_Z 5 m/s³, braking toward the
    target at half the acceleration. SITL (4.7, copter.parm) is at 38 m of a 40 m takeoff
    20.1 s after arming, climbing at 1.45 m/s."""
    v = ready()
    assert v.set_mode(Mode.GUIDED) and v.arm() and v.takeoff(40)
    armed_at, accels = v.t, [0.0]
    assert run(v, 40, lambda v: accels.append(v.body.au) or v.rel_alt >= 38)
    assert v.t - armed_at == pytest.approx(20.1, abs=0.3)
    assert v.body.vu == pytest.approx(1.45, abs=0.1)
    assert max(map(abs, accels)) <= 1.0 + 1e-9
    assert max(abs(b - a) for a, b in pairwise(accels)) <= 5.0 * DT + 1e-9
    run(v, 10, lambda v: v.nav.kind != "takeoff")
    assert v.rel_alt == pytest.approx(40, abs=0.05)


def test_goto_reaches_target_at_cruise_speed_within_acceleration_limits():
    v = airborne(10)
    assert v.guided_goto(200.0, 0.0, v.body.up)
    speeds = []
    assert run(v, 60, lambda v: speeds.append(v.body.ground_speed)
               or math.hypot(v.body.north - 200, v.body.east) < 0.01)
    assert max(speeds) == pytest.approx(10.0, abs=0.01)      # WPNAV_SPEED 1000 cm/s
    steps = [b - a for a, b in pairwise(speeds)]
    assert max(steps) <= 2.5 * DT + 1e-9                     # WPNAV_ACCEL 250 cm/s²
    run(v, 1)
    assert v.body.ground_speed == 0.0 and (v.body.north, v.body.east) == (200.0, 0.0)


def test_step_helpers_never_overshoot():
    b = Body()
    for _ in range(100):
        step_horizontal(b, 0.5, 5.0, target=(3.0, 4.0), speed=20.0)
        assert math.hypot(b.north, b.east) <= 5.0 + 1e-9
    assert (b.north, b.east) == (3.0, 4.0)
    for _ in range(50):
        step_vertical(b, 0.5, 5.0, target_up=7.0, climb=9.0)
        assert b.up <= 7.0
    assert b.up == 7.0


def test_rtl_climbs_to_rtl_alt_returns_lands_and_disarms():
    v = airborne(5)
    v.guided_goto(80.0, 60.0, v.body.up)
    run(v, 40)
    assert v.set_mode(Mode.RTL)
    alts = []
    assert run(v, 200, lambda v: alts.append(v.rel_alt) or not v.armed)
    assert max(alts) == pytest.approx(15.0, abs=0.05)        # RTL_ALT 1500 cm
    assert math.hypot(v.body.north, v.body.east) < 0.5
    assert v.landed and "Disarming motors" in texts(v)


def test_rtl_above_rtl_alt_keeps_its_altitude():
    v = airborne(30)
    v.guided_goto(50.0, 0.0, v.body.up)
    run(v, 20)
    v.set_mode(Mode.RTL)
    alts = []
    run(v, 200, lambda v: alts.append(v.rel_alt) or not v.armed)
    assert max(alts) <= 30.01


def test_land_slows_to_land_speed_near_the_ground_and_disarms():
    v = airborne(20)
    assert v.set_mode(Mode.LAND)
    samples = []
    assert run(v, 100, lambda v: samples.append((v.rel_alt, v.body.vu)) or not v.armed)
    high = [vu for alt, vu in samples if alt > 12]
    low = [vu for alt, vu in samples if 0.5 < alt < 8]
    assert min(high) == pytest.approx(-1.5, abs=0.01)        # WPNAV_SPEED_DN above LAND_ALT_LOW
    assert min(low) == pytest.approx(-0.5, abs=0.01)         # LAND_SPEED below it


def test_land_disarms_after_throttle_winddown_land_detector_and_spool_down():
    """SITL: touchdown at LAND_SPEED, 0.6 s until the throttle is at its lower limit, the 1 s
    land detector, MOT_SPOOL_TIME to ground idle, disarm: 2.05 s."""
    v = airborne(3)
    assert v.set_mode(Mode.LAND)
    assert run(v, 30, lambda v: v.body.up <= 0)
    touchdown = v.t
    assert run(v, 5, lambda v: not v.armed)
    assert v.t - touchdown == pytest.approx(2.1, abs=2 * DT)


def test_auto_disarm_after_disarm_delay_when_not_taking_off():
    v = ready()
    assert v.set_mode(Mode.GUIDED) and v.arm()
    t0 = v.t
    assert run(v, 20, lambda v: not v.armed)
    assert v.t - t0 == pytest.approx(10.0, abs=0.1)         # DISARM_DELAY


def test_a_late_takeoff_spools_up_before_the_disarm_delay_runs_out():
    """auto_disarm_check never disarms with the motors spooled up; from ground idle they are
    up in a third of MOT_SPOOL_TIME (idle already spins at MOT_SPIN_ARM / MOT_SPIN_MIN)."""
    v = ready()
    assert v.set_mode(Mode.GUIDED) and v.arm()
    armed_at = v.t
    run(v, 9.0)
    assert v.takeoff(10)
    assert run(v, 5, lambda v: not v.landed)
    assert v.armed and v.t - armed_at == pytest.approx(9.0 + 0.17 + 0.78, abs=2 * DT)


def test_low_throttle_stick_makes_loiter_descend_and_land_like_sitl():
    v = airborne(10)
    v.set_mode(Mode.LOITER)
    assert run(v, 60, lambda v: v.landed)
    v2 = airborne(10)
    v2.set_rc_throttle(1500)                                  # stick centred: hold
    v2.set_mode(Mode.LOITER)
    run(v2, 2)
    held = v2.rel_alt
    v2.set_rc_throttle(1500)
    run(v2, 2)
    assert v2.rel_alt == pytest.approx(held, abs=0.01) and v2.flying


def test_circle_orbits_at_circle_radius():
    v = airborne(15, CIRCLE_RADIUS=3000)
    v.set_rc_throttle(1500)
    v.set_mode(Mode.CIRCLE)
    cn, ce = v.nav.circle_center
    dists = []
    for _ in range(40):
        v.set_rc_throttle(1500)
        run(v, 1)
        dists.append(math.hypot(v.body.north - cn, v.body.east - ce))
    assert dists[-1] == pytest.approx(30.0, abs=1.0)
    assert v.rel_alt == pytest.approx(15, abs=0.05)


def test_mode_needing_position_refused_when_armed_without_gps():
    v = airborne(10)
    v.set_mode(Mode.ALT_HOLD)
    v.lose_gps()
    run(v, 2)
    assert not v.set_mode(Mode.GUIDED)
    assert "Mode change to GUIDED failed: requires position" in texts(v)


def test_battery_low_rtl_then_critical_land():
    v = airborne(10, BATT_LOW_MAH=2000, BATT_CRT_MAH=1000, BATT_LOW_VOLT=0, BATT_CRT_VOLT=0)
    v.battery.consumed_mah = 5000 - 1990
    run(v, 1)
    assert v.mode == Mode.RTL and v.failsafe.battery == 1
    assert any(t.startswith("Battery 1 is low") for t in texts(v))
    v.battery.consumed_mah = 5000 - 990
    run(v, 1)
    assert v.mode == Mode.LAND and v.failsafe.battery == 2
    assert any(t.startswith("Battery 1 is critical") for t in texts(v))


def test_low_voltage_must_last_batt_low_timer():
    v = airborne(10)
    v.battery.consumed_mah = 0.955 * 5000                      # sags under BATT_LOW_VOLT 14.4 V
    assert v.battery.voltage < 14.4
    run(v, 9)
    assert v.failsafe.battery == 0
    run(v, 2)
    assert v.failsafe.battery >= 1


def test_gcs_failsafe_only_after_a_gcs_was_seen_then_rtl():
    v = airborne(10, FS_GCS_ENABLE=1)
    run(v, 10)
    assert v.mode == Mode.GUIDED                               # never heard a GCS
    v.gcs_heartbeat()
    run(v, 4.9)
    assert not v.failsafe.gcs
    run(v, 0.3)
    assert v.failsafe.gcs and v.mode == Mode.RTL and "GCS Failsafe" in texts(v)
    v.gcs_heartbeat()
    run(v, 0.1)
    assert not v.failsafe.gcs and "GCS Failsafe Cleared" in texts(v)


def test_gcs_failsafe_land_action_and_timeout_param():
    v = airborne(10, FS_GCS_ENABLE=5, FS_GCS_TIMEOUT=2)
    v.gcs_heartbeat()
    run(v, 2.2)
    assert v.mode == Mode.LAND


def streaming_velocity(v, velocity: tuple[float, float, float], until: Mode) -> bool:
    """A GCS keeping a velocity target fresh (velocities are not checked against the fence)."""
    v.guided_velocity(*velocity)
    return v.mode == until


def test_circle_fence_breach_triggers_rtl():
    v = airborne(10, FENCE_ENABLE=1, FENCE_RADIUS=50)
    assert not v.guided_goto(120.0, 0.0, v.body.up)       # a destination outside is refused
    assert run(v, 30, lambda v: streaming_velocity(v, (8.0, 0.0, 0.0), Mode.RTL))
    assert "Circle fence breached" in texts(v)
    assert 50 < v.body.north < 60
    assert run(v, 120, lambda v: not v.armed)


def test_altitude_fence_breach_lands_with_fence_action_2():
    v = airborne(10, FENCE_ENABLE=1, FENCE_ALT_MAX=20, FENCE_ACTION=2)
    assert not v.guided_goto(0.0, 0.0, 40.0)
    assert run(v, 30, lambda v: streaming_velocity(v, (0.0, 0.0, 2.0), Mode.LAND))
    assert "Max Alt fence breached" in texts(v)
    assert v.rel_alt < 21


def test_gps_loss_in_flight_means_ekf_failsafe_and_land():
    v = airborne(10)
    v.lose_gps()
    assert run(v, 5, lambda v: v.mode == Mode.LAND)
    assert "EKF variance" in texts(v) and not v.ekf_abs
    assert run(v, 60, lambda v: not v.armed)


def test_arming_checks_follow_boot_readiness():
    from simulators.drone import BootTimes, Vehicle, VehicleConfig
    v = Vehicle(VehicleConfig(boot=BootTimes(1, 2, 3, 4)))
    assert not v.arm() and texts(v)[-1] == "Arm: System not initialised"
    run(v, 1.5)
    assert not v.arm() and texts(v)[-1] == "Arm: AHRS: not using configured AHRS type"
    run(v, 2)
    v.set_mode(Mode.GUIDED)
    assert v.arm() and not v.takeoff(10)         # EKF not yet on GPS: takeoff refused
    run(v, 1)
    assert v.takeoff(10)


def test_user_takeoff_in_loiter_climbs_then_the_pilot_has_it():
    v = ready()
    v.set_rc_throttle(1500)
    assert v.set_mode(Mode.LOITER) and v.arm() and v.takeoff(8)
    for _ in range(20):
        v.set_rc_throttle(1500)
        run(v, 1)
    assert v.rel_alt == pytest.approx(8, abs=0.05) and v.flying
