"""What a unit does, read from its reports (fleet.activity), the CAD status an operator's
command leaves behind, and airborne low-battery alerts (fleet.battery_watch)."""

from __future__ import annotations

import pytest
from factories import make_unit, tel

from fleet.activity import Activity, activity, duty_after
from fleet.battery_watch import BatteryWatch
from fleet.commands import (
    Arm,
    Goto,
    Hold,
    Land,
    Orbit,
    Patrol,
    PauseMission,
    ReturnToLaunch,
    SetSpeed,
    StartMission,
)
from fleet.events import Severity, UnitSnapshot
from fleet.model import Domain, LinkState, UnitKind, UnitStatus
from fleet.tasking import Tasking

DRONE = make_unit("air-1", UnitKind.DRONE)
CAR = make_unit("rp02-pc1", UnitKind.PATROL_CAR)
BOAT = make_unit("w-pb1", UnitKind.PATROL_BOAT)


def snap(unit=DRONE, status=UnitStatus.AVAILABLE, task: str | None = None, **fields):
    tasking = Tasking("operator", task, 0.0, alt_m=30.0 if task == "takeoff" else None) \
        if task else None
    return UnitSnapshot(unit, status, status, LinkState.OK, "l", tel(**fields), 1.0,
                        tasking=tasking)


@pytest.mark.parametrize(("fields", "task", "expected"), [
    # the drone: hovering at 40 m for minutes was "available"
    (dict(armed=True, mode="LOITER", relative_alt_m=40.0, ground_speed_m_s=0.2), None,
     Activity.HOLDING),
    (dict(armed=True, mode="BRAKE", relative_alt_m=40.0), "hold", Activity.HOLDING),
    (dict(armed=True, mode="GUIDED", relative_alt_m=40.0, ground_speed_m_s=11.0), "goto",
     Activity.TRANSIT),
    (dict(armed=True, mode="GUIDED", relative_alt_m=40.0, ground_speed_m_s=0.3), "goto",
     Activity.HOLDING),  # arrived: it holds there
    (dict(armed=True, mode="GUIDED", relative_alt_m=40.0, ground_speed_m_s=6.0), "overwatch",
     Activity.OVERWATCH),
    # the drone in RTL "stayed patrolling"
    (dict(armed=True, mode="RTL", relative_alt_m=30.0, ground_speed_m_s=8.0), None,
     Activity.RETURNING),
    (dict(armed=True, mode="SMART_RTL", relative_alt_m=30.0), None, Activity.RETURNING),
    (dict(armed=True, mode="AUTO", relative_alt_m=50.0, ground_speed_m_s=8.0), "mission",
     Activity.ON_PATROL),
    (dict(armed=True, mode="LAND", relative_alt_m=5.0), None, Activity.LANDING),
    (dict(armed=True, mode="LAND", relative_alt_m=0.1), None, Activity.LANDING),
    (dict(armed=False, mode="LAND", relative_alt_m=0.0), None, Activity.LANDED),
    (dict(armed=True, mode="GUIDED", relative_alt_m=0.2), "takeoff", Activity.TAKING_OFF),
    (dict(armed=True, mode="GUIDED", relative_alt_m=1.5, ground_speed_m_s=0.0), "takeoff",
     Activity.TAKING_OFF),
    (dict(armed=True, mode="GUIDED", relative_alt_m=20.0, ground_speed_m_s=0.0), "takeoff",
     Activity.TAKING_OFF),  # climbing to 30 m
    (dict(armed=True, mode="GUIDED", relative_alt_m=29.0, ground_speed_m_s=0.0), "takeoff",
     Activity.HOLDING),  # at its height
    (dict(armed=True, mode="STABILIZE", relative_alt_m=30.0), None, Activity.AIRBORNE),
    (dict(armed=True, mode="GUIDED", relative_alt_m=0.0), None, Activity.LANDED),
    (dict(armed=False, relative_alt_m=0.0), None, Activity.LANDED),
])
def test_an_aircraft_shows_what_it_does(fields, task, expected) -> None:
    assert activity(snap(task=task, **fields)) is expected


def test_no_report_no_activity() -> None:
    s = UnitSnapshot(DRONE, UnitStatus.LOST, UnitStatus.AVAILABLE, LinkState.NEVER_SEEN,
                     None, None, None)
    assert activity(s) is None


@pytest.mark.parametrize(("status", "speed", "task", "expected"), [
    # the motorcycles: stopped at 0.0 m/s after "stop patrol", still "patrolling"
    (UnitStatus.AVAILABLE, 0.0, "hold", Activity.STOPPED),
    (UnitStatus.PATROLLING, 0.0, "hold", Activity.STOPPED),
    (UnitStatus.PATROLLING, 0.0, None, Activity.ON_PATROL),  # at a junction on its patrol
    (UnitStatus.PATROLLING, 8.0, "patrol", Activity.ON_PATROL),
    (UnitStatus.AVAILABLE, 8.0, "goto", Activity.TRANSIT),
    (UnitStatus.AVAILABLE, 8.0, None, Activity.MOVING),
    (UnitStatus.RETURNING, 8.0, None, Activity.RETURNING),
    (UnitStatus.EN_ROUTE, 8.0, None, Activity.TRANSIT),
])
def test_a_car_shows_what_it_does(status, speed, task, expected) -> None:
    assert activity(snap(CAR, status, task, ground_speed_m_s=speed)) is expected


@pytest.mark.parametrize(("mode", "speed", "expected"), [
    ("HOLD", 0.0, Activity.STOPPED), ("AUTO", 4.0, Activity.ON_PATROL),
    ("RTL", 4.0, Activity.RETURNING), ("GUIDED", 0.1, Activity.STOPPED),
])
def test_an_autopilot_boat_is_read_from_its_mode(mode, speed, expected) -> None:
    assert activity(snap(BOAT, armed=True, mode=mode, ground_speed_m_s=speed)) is expected


@pytest.mark.parametrize(("command", "before", "after"), [
    (PauseMission(), UnitStatus.PATROLLING, UnitStatus.AVAILABLE),
    (Hold(), UnitStatus.PATROLLING, UnitStatus.AVAILABLE),
    (Goto(26.9, 112.6), UnitStatus.PATROLLING, UnitStatus.AVAILABLE),
    (Orbit(26.9, 112.6, 50.0), UnitStatus.PATROLLING, UnitStatus.AVAILABLE),
    (Land(), UnitStatus.RETURNING, UnitStatus.AVAILABLE),
    (ReturnToLaunch(), UnitStatus.PATROLLING, UnitStatus.RETURNING),
    (ReturnToLaunch(), UnitStatus.AVAILABLE, UnitStatus.RETURNING),
    (Patrol(((26.9, 112.6), (26.91, 112.61))), UnitStatus.AVAILABLE, UnitStatus.PATROLLING),
    (StartMission(), UnitStatus.AVAILABLE, UnitStatus.PATROLLING),
    (Goto(26.9, 112.6), UnitStatus.AVAILABLE, None),
    (Arm(), UnitStatus.PATROLLING, None),
    (SetSpeed(5.0), UnitStatus.PATROLLING, None),
    # on an incident: the dispatcher's status stands
    (ReturnToLaunch(), UnitStatus.ON_SCENE, None),
    (Hold(), UnitStatus.EN_ROUTE, None),
    (StartMission(), UnitStatus.OUT_OF_SERVICE, None),
])
def test_an_operators_command_leaves_an_honest_duty_status(command, before, after) -> None:
    assert duty_after(command, before) == after


def flying(battery: float, **kw) -> UnitSnapshot:
    return snap(armed=True, mode="GUIDED", relative_alt_m=40.0, battery_pct=battery, **kw)


def test_low_battery_in_the_air_warns_once_then_critical_once() -> None:
    watch = BatteryWatch({Domain.AIR: 30.0})
    assert watch.check(flying(60.0), 1.0) is None
    low = watch.check(flying(29.0), 2.0)
    assert low is not None and low.severity is Severity.WARNING
    assert low.code == "unit.battery_low" and "below its 30 % reserve" in low.message
    assert watch.check(flying(28.0), 3.0) is None  # no repeat per report
    assert watch.check(flying(31.0), 3.5) is None  # jitter about the reserve: no repeat
    assert watch.check(flying(29.5), 3.6) is None
    crit = watch.check(flying(14.0), 4.0)
    assert crit is not None and crit.severity is Severity.CRITICAL
    assert watch.check(flying(13.0), 5.0) is None
    assert watch.flagged() == ["air-1"]


def test_landing_or_a_fresh_battery_rearms_the_alert() -> None:
    watch = BatteryWatch({Domain.AIR: 30.0})
    assert watch.check(flying(25.0), 1.0) is not None
    assert watch.check(snap(armed=False, relative_alt_m=0.0, battery_pct=25.0), 2.0) is None
    assert watch.flagged() == []
    assert watch.check(flying(25.0), 3.0) is not None  # took off again, still low
    assert watch.check(flying(90.0), 4.0) is None  # (a swap)
    assert watch.check(flying(25.0), 5.0) is not None


def test_on_the_ground_or_not_an_aircraft_no_battery_alert() -> None:
    watch = BatteryWatch({Domain.AIR: 30.0})
    assert watch.check(snap(armed=False, relative_alt_m=0.0, battery_pct=5.0), 1.0) is None
    assert watch.check(snap(CAR, battery_pct=5.0, ground_speed_m_s=9.0), 1.0) is None
    assert watch.check(flying(float("nan")), 1.0) is None
