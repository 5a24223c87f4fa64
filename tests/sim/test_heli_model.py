"""The helicopter's rotor, stepped directly: run-up timing, spool-down, auto-disarm, interlock
off aloft (AP_MotorsHeli_RSC, AP_MotorsHeli::output_logic, Copter::auto_disarm_check)."""

from __future__ import annotations

from vehicles import DT, heli_airborne, run, texts

from simulators.drone import FAST_BOOT, HELICOPTER, Heli, Mode, VehicleConfig

LOW, HIGH = 0, 2


def armed_heli(**params: float) -> Heli:
    """Ready, interlock off, armed in STABILIZE and past the arming delay."""
    v = Heli(VehicleConfig(boot=FAST_BOOT, profile=HELICOPTER, params=params))
    assert run(v, 5, lambda v: v.origin_set and v.rc_read)
    assert v.aux_function(32, LOW) and v.arm()
    run(v, 2.1)
    return v


def about(seconds: float, expected: float) -> bool:
    """Within a tick or two (sim time moves in DT steps)."""
    return abs(seconds - expected) <= 2 * DT


def runup_seconds(v: Heli) -> float:
    v.aux_function(32, HIGH)
    start = v.t
    assert run(v, 120, lambda v: v.rotor.runup_complete)
    return v.t - start


def test_runup_takes_h_rsc_runup_time_at_least_a_second_more_than_the_ramp():
    assert about(runup_seconds(armed_heli()), 10.0)
    assert about(runup_seconds(armed_heli(H_RSC_RUNUP_TIME=5)), 5.0)
    assert about(runup_seconds(armed_heli(H_RSC_RUNUP_TIME=2, H_RSC_RAMP_TIME=3)), 4.0)


def test_interlock_stays_off_for_the_arming_delay():
    v = Heli(VehicleConfig(boot=FAST_BOOT, profile=HELICOPTER))
    assert run(v, 5, lambda v: v.origin_set and v.rc_read)
    assert v.aux_function(32, LOW) and v.arm() and v.aux_function(32, HIGH)
    assert not v.motor_interlock
    run(v, 2.1)
    assert v.motor_interlock


def test_landed_with_the_rotor_turning_it_never_auto_disarms():
    v = armed_heli()
    runup_seconds(v)
    assert v.set_mode(Mode.GUIDED)
    run(v, 60)
    assert v.armed and v.landed


def test_interlock_off_on_the_ground_auto_disarms_after_disarm_delay():
    v = armed_heli()
    start = v.t - 2.1
    assert run(v, 30, lambda v: not v.armed)
    assert about(v.t - start, 10.0)                 # DISARM_DELAY, not halved on a heli


def test_land_disarms_only_once_the_rotor_has_spooled_down():
    v = heli_airborne(10)
    assert v.set_mode(Mode.LAND)
    assert run(v, 60, lambda v: v.landed)
    landed = v.t
    assert run(v, 30, lambda v: not v.armed)
    assert about(v.t - landed, 10.0)                # H_RSC_RUNUP_TIME to wind down
    assert v.rotor.speed == 0.0 and "Disarming motors" in texts(v)


def test_interlock_off_aloft_it_sinks_in_its_mode_and_disarms_after_spooldown_and_delay():
    v = heli_airborne(30)
    assert v.aux_function(32, LOW)
    off = v.t
    sink = []
    assert run(v, 60, lambda v: sink.append(v.body.vu) or v.landed)
    assert min(sink) == -6.0 and v.mode == Mode.GUIDED       # no mode change, no autorotation
    assert run(v, 30, lambda v: not v.armed)
    assert about(v.t - off, 20.0)                   # 10 s spool-down + DISARM_DELAY


def test_rotor_below_critical_speed_must_run_up_again():
    v = heli_airborne(30)
    v.aux_function(32, LOW)
    run(v, 4.0)                                             # 60 % speed: above H_RSC_CRITICAL
    assert v.rotor.runup_complete and v.set_mode(Mode.BRAKE)
    run(v, 2.0)                                             # 40 %: below
    assert not v.set_mode(Mode.LAND)
    assert texts(v)[-1] == "Mode change to LAND failed: runup not complete"
