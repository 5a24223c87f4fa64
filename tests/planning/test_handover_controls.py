"""Pure parts of the hand-over: which commands take a unit over, pauses and skips."""

import datetime as dt

from fleet import commands as c
from fleet.missions import MissionType
from fleet.model import UnitStatus
from fleet.planning.controls import PAUSED, Controls
from fleet.planning.local_time import CITY_TZ
from fleet.planning.runs import command_label, takes_over

DUE = dt.datetime(2025, 6, 2, 20, 0, tzinfo=CITY_TZ)
HALF = dt.timedelta(minutes=30)


def test_commands_that_move_a_unit_take_it_over_and_the_others_do_not():
    moving = [c.Goto(1, 2), c.ReturnToLaunch(), c.Land(), c.Hold(), c.Orbit(1, 2, 50),
              c.SetMode("GUIDED"), c.Disarm(), c.Arm(), c.Takeoff(20), c.PauseMission(),
              c.StartMission(), c.Patrol(((1, 2), (3, 4))), c.UploadMission(()),
              c.ClearMission(), c.SetMissionCurrent(2)]
    assert all(takes_over(cmd) for cmd in moving)
    passive = [c.DownloadMission(), c.SetStatus(UnitStatus.AVAILABLE), c.SetSpeed(5),
               c.UploadMission((), MissionType.FENCE), c.ClearMission(MissionType.RALLY)]
    assert not any(takes_over(cmd) for cmd in passive)
    assert command_label(c.ReturnToLaunch()) == "return to launch"
    assert command_label(c.Goto(1, 2)) == "goto"


def test_a_paused_schedule_is_held_until_resumed():
    ctl = Controls()
    assert ctl.pause("night", "wang", 0.0) and not ctl.pause("night", "li", 1.0)
    assert ctl.paused["night"].by == "wang"
    assert ctl.verdict("night", DUE) == PAUSED and ctl.verdict("other", DUE) is None
    assert ctl.resume("night") and not ctl.resume("night")
    assert ctl.verdict("night", DUE) is None


def test_a_skip_takes_exactly_its_run_and_is_dropped_once_passed():
    ctl = Controls()
    ctl.skip("night", DUE, "the operator", 0.0)
    assert ctl.skipping("night") == DUE
    assert ctl.verdict("night", DUE - HALF) is None  # an earlier run still runs
    assert ctl.verdict("night", DUE) == "skipped by the operator"
    assert ctl.skipping("night") is None and ctl.verdict("night", DUE + HALF) is None
    ctl.skip("night", DUE, "wang", 0.0)
    ctl.pause("night", "wang", 0.0)  # paused over the skipped run: the mark goes with it
    assert ctl.verdict("night", DUE) == PAUSED and ctl.skipping("night") is None
    ctl.skip("night", DUE + HALF, "wang", 0.0)
    assert ctl.unskip("night") and not ctl.unskip("night")
