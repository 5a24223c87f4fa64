"""ArduRover's mode logic stepped directly (no sockets): AUTO texts, boot mode, failsafes."""

from __future__ import annotations

import math

from vehicles import ready_rover, run, texts

from simulators.drone import RoverMode
from simulators.drone import mission_items as m
from simulators.drone.geo import offset


def _wp(v, seq: int, north: float, east: float, cmd: int = m.NAV_WAYPOINT,
        p1: float = 0) -> m.Item:
    h = v.cfg.home
    lat, lon = offset(h.lat, h.lon, north, east)
    return m.Item(seq, m.GLOBAL_RELATIVE_ALT, cmd, p1, x=int(lat * 1e7), y=int(lon * 1e7))


def test_auto_skips_takeoff_changes_speed_loiters_and_a_rover_stops_in_auto():
    v = ready_rover(boat=False)
    assert not v.set_mode(RoverMode.AUTO)
    assert texts(v)[-2:] == ["No Mission. Can't set AUTO.", "Flight mode change failed"]
    v.stores[m.MISSION] = [
        m.Item(0, 0, m.NAV_WAYPOINT),
        m.Item(1, m.GLOBAL_RELATIVE_ALT, m.NAV_TAKEOFF, z=10),     # no Rover handler
        _wp(v, 2, 30, 0),
        m.Item(3, 0, m.DO_CHANGE_SPEED, 1, 3.0),
        _wp(v, 4, 30, 30, m.NAV_LOITER_TIME, p1=4),
        _wp(v, 5, 0, 30),
    ]
    assert v.arm() and v.set_mode(RoverMode.AUTO)
    speeds: dict[int, float] = {}
    assert run(v, 200, lambda v: speeds.update(
        {v.runner.current: max(v.speed, speeds.get(v.runner.current, 0.0))})
        or v.runner.complete)
    assert speeds[2] == 5.0 and speeds[5] == 3.0                 # the DO runs once #2 is reached
    said = [t for t in texts(v) if t.startswith(("Mission", "Reached", "speed", "Finished"))]
    assert said == ["Mission: 1 Takeoff", "Mission: 2 WP", "Reached waypoint #2",
                    "Mission: 3 ChangeSpeed", "speed: 3.0 m/s", "Mission: 4 LoitTime",
                    "Reached waypoint #4. Loiter for 4 seconds", "Finished active loiter",
                    "Mission: 5 WP", "Reached waypoint #5", "Mission Complete"]   # SITL's order
    assert v.outbox.reached == [2, 3, 4, 5]                      # DO commands too, no takeoff
    run(v, 10)
    assert v.mode == RoverMode.AUTO and v.speed == 0.0            # MIS_DONE_BEHAVE 0: stop
    assert math.hypot(v.body.north, v.body.east - 30) < 3.0


def test_a_rover_stops_where_rtl_arrives_and_stays_in_rtl():
    v = ready_rover(boat=False)
    assert v.arm() and v.set_mode(RoverMode.GUIDED) and v.guided_goto(-40.0, 25.0)
    assert run(v, 60, lambda v: v.outbox.reached == [0])
    assert v.set_mode(RoverMode.RTL)
    assert run(v, 60, lambda v: "Reached destination" in texts(v))
    run(v, 20)
    assert v.mode == RoverMode.RTL and v.speed == 0.0 and v.nav.submode == "stop"
    assert math.hypot(v.body.north, v.body.east) < 3.0


def test_initial_mode_and_an_initial_mode_that_cannot_start():
    held = ready_rover(INITIAL_MODE=4)
    assert held.mode == RoverMode.HOLD
    stuck = ready_rover(INITIAL_MODE=10)                         # AUTO without a mission
    assert stuck.mode == RoverMode.INITIALISING
    assert "No Mission. Can't set AUTO." in texts(stuck)


def _lose_gcs_in_auto(**params: float):
    v = ready_rover(**params)
    v.stores[m.MISSION] = [m.Item(0, 0, m.NAV_WAYPOINT), _wp(v, 1, 200, 0)]
    v.gcs_heartbeat()
    assert v.arm() and v.set_mode(RoverMode.AUTO)
    run(v, 10)
    return v


def test_gcs_failsafe_spares_rtl_and_continues_auto_as_failsafe_trigger_decides():
    v = ready_rover(FS_GCS_ENABLE=1)
    v.gcs_heartbeat()
    assert v.arm() and v.set_mode(RoverMode.RTL)
    run(v, 10)
    assert v.mode == RoverMode.RTL and not any("Failsafe" in t for t in texts(v))
    # the radio check announces it (FS_THR_ENABLE 1): FS_GCS_ENABLE 2 doesn't keep AUTO going
    radio = _lose_gcs_in_auto(FS_GCS_ENABLE=2)
    assert radio.mode == RoverMode.HOLD and "Radio Failsafe" in texts(radio)
    gcs = _lose_gcs_in_auto(FS_GCS_ENABLE=2, FS_THR_ENABLE=0)
    assert gcs.mode == RoverMode.AUTO
    assert texts(gcs)[-2:] == ["GCS Failsafe", "Failsafe - Continuing Auto Mode"]


def test_battery_critical_holds_and_gps_loss_holds_with_an_ekf_failsafe():
    v = ready_rover()
    assert v.arm() and v.set_mode(RoverMode.GUIDED) and v.guided_goto(300.0, 0.0)
    v.battery.drop(98)
    assert run(v, 15, lambda v: v.mode == RoverMode.HOLD)        # BATT_FS_CRT_ACT 2: Hold
    assert any(t.startswith("Battery 1 is critical") for t in texts(v))
    lost = ready_rover()
    assert lost.arm() and lost.set_mode(RoverMode.GUIDED)
    lost.lose_gps()
    assert run(lost, 5, lambda v: v.mode == RoverMode.HOLD)
    assert texts(lost)[-2:] == ["EKF variance", "EKF failsafe"]
