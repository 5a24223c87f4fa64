"""Alert triage without a screen: the classification table, grouping of repeats, each
unit's own log, the attention count, and commands in words (issue #13, "Alerts that
triage")."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fake_service import FakeBatch, FakeService
from test_layering import imported_modules, top_level

from fleet.commands import (
    Arm,
    ClearMission,
    Disarm,
    DownloadMission,
    Goto,
    Hold,
    Land,
    Orbit,
    Patrol,
    PauseMission,
    ReturnToLaunch,
    SetMissionCurrent,
    SetMode,
    SetSpeed,
    SetStatus,
    StartMission,
    Takeoff,
    UploadMission,
)
from fleet.events import Alert, Severity
from fleet.missions import MissionType
from fleet.model import UnitStatus
from tui.alert_book import GROUP_S, AlertBook
from tui.alert_triage import (
    RULES,
    STATUSTEXT,
    Context,
    Where,
    classify,
    retell,
    triage_context,
)
from tui.command_plans import SPEC_BY_NAME, plan
from tui.command_words import command_text
from tui.model import ConsoleModel

ROOT = Path(__file__).resolve().parents[2]
#: what a simulated ArduCopter says from power-on to its first waypoint (simulators/drone)
START_UP = ("ArduCopter V4.7.0-dev (sim)", "QUAD/X", "GPS 1: detected u-blox",
            "EKF3 IMU0 tilt alignment complete", "EKF3 IMU0 yaw alignment complete",
            "EKF3 IMU0 origin set", "EKF3 IMU0 is using GPS", "HELI",
            "RC8: MotorInterlock MIDDLE", "Arming motors", "Mission: 1 Takeoff",
            "Mission: 3 WP", "Reached command #2", "Barometer calibration complete",
            "Throttle armed", "Reached destination", "Mission Complete")
AIRBORNE = Context("Eagle 1", flying=True)
ON_JOB = Context("Eagle 1", on_incident=True, away_from_base=True)
AT_BASE_ON_JOB = Context("Eagle 1", on_incident=True, away_from_base=False)
IDLE = Context("Eagle 1")


def text(message: str, severity: Severity = Severity.INFO, code: str = STATUSTEXT,
         unit: str | None = "air-1", time: float = 0.0) -> Alert:
    return Alert(time, severity, code, f"{unit}: {message}" if unit else message,
                 unit_id=unit)


@pytest.fixture
def svc() -> FakeService:
    return FakeService()


# -- the table ------------------------------------------------------------------------------
@pytest.mark.parametrize("message", START_UP)
def test_start_up_and_progress_chatter_goes_to_the_unit_log(message: str) -> None:
    verdict = classify(text(message), IDLE)
    assert verdict.where is Where.UNIT_LOG, verdict


@pytest.mark.parametrize(("message", "mav", "ctx", "where", "severity", "rule"), [
    # the heli's interlock at idle: fleet switches it off itself, never CRITICAL
    ("PreArm: Motor Interlock Enabled", Severity.CRITICAL, IDLE, Where.UNIT_LOG,
     Severity.INFO, "interlock"),
    # ArduPilot repeats failing pre-arm checks every 30 s while disarmed: the unit's log
    ("PreArm: Need Position Estimate", Severity.CRITICAL, IDLE, Where.UNIT_LOG,
     Severity.NOTICE, "pre-arm"),
    ("Arm: System not initialised", Severity.CRITICAL, IDLE, Where.UNIT_LOG,
     Severity.NOTICE, "pre-arm"),
    ("Battery failsafe", Severity.WARNING, AIRBORNE, Where.ALERTS, Severity.CRITICAL,
     "failsafe"),
    ("GCS Failsafe - Continuing Landing", Severity.WARNING, AIRBORNE, Where.ALERTS,
     Severity.CRITICAL, "failsafe"),
    ("EKF Failsafe Cleared", Severity.INFO, AIRBORNE, Where.ALERTS, Severity.NOTICE,
     "failsafe cleared"),
    ("EKF variance", Severity.CRITICAL, AIRBORNE, Where.ALERTS, Severity.CRITICAL,
     "EKF failure"),
    ("Crash: Disarming", Severity.CRITICAL, IDLE, Where.ALERTS, Severity.CRITICAL, "crash"),
    ("Potential Thrust Loss (3)", Severity.EMERGENCY, AIRBORNE, Where.ALERTS,
     Severity.CRITICAL, "crash"),
    ("Polygon fence breached", Severity.CRITICAL, AIRBORNE, Where.ALERTS,
     Severity.CRITICAL, "fence breach"),
    ("Battery 1 is low 14.20V used 3800 mAh", Severity.WARNING, AIRBORNE, Where.ALERTS,
     Severity.WARNING, "battery low"),
    ("Battery 1 is critical 13.10V used 4700 mAh", Severity.WARNING, AIRBORNE,
     Where.ALERTS, Severity.CRITICAL, "battery critical"),
    # a disarm's consequence depends on where the aircraft is
    ("Disarming motors", Severity.INFO, AIRBORNE, Where.ALERTS, Severity.CRITICAL,
     "disarm in the air"),
    ("Disarming motors", Severity.INFO, ON_JOB, Where.ALERTS, Severity.WARNING,
     "disarm on a job"),
    ("Land complete", Severity.INFO, ON_JOB, Where.ALERTS, Severity.WARNING,
     "disarm on a job"),
    ("Disarming motors", Severity.INFO, AT_BASE_ON_JOB, Where.UNIT_LOG, Severity.INFO,
     "disarm"),
    ("Throttle disarmed", Severity.INFO, IDLE, Where.UNIT_LOG, Severity.INFO, "disarm"),
    # a mode change the vehicle refused: the command's failure line says it
    ("Mode change to AUTO failed: init failed", Severity.WARNING, IDLE, Where.UNIT_LOG,
     Severity.WARNING, "vehicle progress"),
    # a text nobody listed: its own severity decides
    ("target not received last 3secs, stopping", Severity.WARNING, IDLE, Where.ALERTS,
     Severity.WARNING, "vehicle warning"),
    ("Something new", Severity.NOTICE, IDLE, Where.UNIT_LOG, Severity.NOTICE,
     "vehicle chatter"),
])
def test_vehicle_texts_by_consequence(message: str, mav: Severity, ctx: Context,
                                      where: Where, severity: Severity, rule: str) -> None:
    verdict = classify(text(message, mav), ctx)
    assert (verdict.where, verdict.severity, verdict.rule) == (where, severity, rule)


def test_other_codes() -> None:
    def verdict(code: str, message: str, severity: Severity = Severity.INFO,
                ctx: Context = IDLE, unit: str | None = "air-1") -> tuple[Where, Severity]:
        v = classify(text(message, severity, code, unit), ctx)
        return v.where, v.severity

    assert verdict("mavlink.discovered", "MAVLink vehicle 1:1 (type 2)") == (
        Where.UNIT_LOG, Severity.INFO)
    assert verdict("mission.reached", "reached mission item 3")[0] is Where.UNIT_LOG
    assert verdict("command.completed", "goto completed")[0] is Where.UNIT_LOG
    assert verdict("console.command", "Arm — sending…")[0] is Where.UNIT_LOG
    assert verdict("console.command", "Arm — accepted") == (Where.ALERTS, Severity.INFO)
    # a refused arm on the ground answers the operator: a notice, not an alarm
    refusal = "arm failed: MAV_RESULT_FAILED: Arm: Need Position Estimate"
    assert verdict("command.failed", refusal, Severity.WARNING) == (
        Where.ALERTS, Severity.NOTICE)
    assert verdict("console.command", refusal, Severity.WARNING) == (
        Where.ALERTS, Severity.NOTICE)
    assert verdict("command.failed", "disarm failed: MAV_RESULT_DENIED",
                   Severity.WARNING) == (Where.ALERTS, Severity.WARNING)
    assert verdict("unit.lost", "no telemetry for 5 s", Severity.WARNING) == (
        Where.ALERTS, Severity.WARNING)
    assert verdict("console.link", "link mqtt connected", Severity.NOTICE,
                   unit=None) == (Where.ALERTS, Severity.INFO)
    # nothing about no unit is hidden: there is no unit log to put it in
    assert verdict("mavlink.discovered", "x", unit=None)[0] is Where.ALERTS


def test_rule_names_are_unique() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


def test_retell_puts_the_callsign_first_and_the_verdicts_severity() -> None:
    alert = text("PreArm: Motor Interlock Enabled", Severity.CRITICAL, unit="heli-1")
    ctx = Context("Falcon 1")
    told = retell(alert, classify(alert, ctx), ctx)
    assert told.message == "Falcon 1: PreArm: Motor Interlock Enabled"
    assert told.severity is Severity.INFO and told.code == alert.code
    plain = Alert(0.0, Severity.INFO, "x", "air-10: not air-1", unit_id="air-1")
    assert retell(plain, classify(plain, IDLE), IDLE) is plain


def test_context_from_a_snapshot(svc: FakeService) -> None:
    at_base = svc.report("air-1", 26.8930, 112.5880, relative_alt_m=0.2)  # HQ roof
    assert triage_context(at_base) == Context("Eagle 1", False, False, False)
    up = svc.report("air-1", 26.9000, 112.6000, relative_alt_m=40.0, armed=True)
    assert triage_context(up) == Context("Eagle 1", True, False, True)
    svc.set_status("air-2", UnitStatus.ON_SCENE)
    scene = svc.report("air-2", 26.9000, 112.6000, relative_alt_m=0.0)
    assert triage_context(scene).on_incident and triage_context(scene).away_from_base
    never = svc.snapshot("heli-1")  # never heard: no position, so not known to be at base
    assert triage_context(never, on_incident=True) == Context("Falcon 1", False, True, True)


# -- the book: grouping, unit logs, attention --------------------------------------------------
def test_identical_lines_group_with_a_count_and_the_units_names() -> None:
    book = AlertBook()
    for i in range(1, 9):
        book.add(Alert(float(i), Severity.INFO, "console.command",
                       f"RP03 Moto {i}: Hold position — accepted", unit_id=f"rp03-m{i}"))
    assert len(book.entries) == 1
    entry = book.entries[0]
    assert entry.count == 8
    assert entry.text == ("Hold position — accepted ×8: RP03 Moto 1, RP03 Moto 2, "
                          "RP03 Moto 3 +5")
    assert entry.alert.time == 8.0  # the latest
    one = AlertBook()
    for t in (0.0, 10.0, 20.0):
        one.add(Alert(t, Severity.WARNING, "test.x", "Eagle 1: odd", unit_id="air-1"))
    assert [e.text for e in one.entries] == ["Eagle 1: odd ×3"]


def test_a_group_moves_to_the_bottom_unseen_and_ends_after_its_window() -> None:
    book = AlertBook()
    lost = Alert(0.0, Severity.WARNING, "unit.lost", "Eagle 1: no telemetry", unit_id="air-1")
    book.add(lost)
    book.add(Alert(1.0, Severity.WARNING, "test.y", "something else"))
    book.acknowledge_all()
    assert book.attention() == 0
    book.add(dataclasses.replace(lost, time=30.0, message="Eagle 2: no telemetry",
                                 unit_id="air-2"))
    assert [e.text for e in book.entries] == [
        "something else", "no telemetry ×2: Eagle 1, Eagle 2"]
    assert book.attention() == 1  # news again
    book.add(dataclasses.replace(lost, time=30.0 + GROUP_S + 1))
    assert [e.count for e in book.entries] == [1, 2, 1]


def test_different_severity_or_code_never_group() -> None:
    book = AlertBook()
    book.add(Alert(0.0, Severity.WARNING, "a", "Eagle 1: x", unit_id="air-1"))
    book.add(Alert(0.0, Severity.ERROR, "a", "Eagle 2: x", unit_id="air-2"))
    book.add(Alert(0.0, Severity.WARNING, "b", "Eagle 3: x", unit_id="air-3"))
    assert [e.count for e in book.entries] == [1, 1, 1]


def test_chatter_fills_the_unit_log_not_the_list_and_repeats_fold() -> None:
    book = AlertBook()
    for i, message in enumerate(START_UP):
        assert book.add(text(message, time=float(i))) is Where.UNIT_LOG
    for t in (100.0, 130.0, 160.0):  # ArduPilot's pre-arm report every 30 s
        book.add(text("PreArm: Need Position Estimate", Severity.CRITICAL, time=t))
    assert not book.entries and book.attention() == 0
    lines = book.unit_lines("air-1", 3)
    assert [line.text for line in lines] == [
        "Reached destination", "Mission Complete", "PreArm: Need Position Estimate ×3"]
    assert lines[-1].alert.time == 160.0
    assert len(book.for_unit("air-1", 100)) == len(START_UP) + 1


def test_the_attention_count_is_warning_and_worse_unacknowledged() -> None:
    book = AlertBook()
    book.add(Alert(0.0, Severity.INFO, "a", "info"))
    book.add(Alert(0.0, Severity.NOTICE, "b", "notice"))
    book.add(Alert(0.0, Severity.WARNING, "c", "warning"))
    book.add(Alert(0.0, Severity.CRITICAL, "d", "critical"))
    assert book.attention() == book.unseen() == 2
    assert [e.attention for e in book.entries] == [False, False, True, True]
    assert book.acknowledge(book.entries[2].seq) and book.attention() == 1
    assert book.acknowledge_all() == 3 and book.attention() == 0  # all four seen now


def test_the_model_gives_the_triage_its_context(svc: FakeService) -> None:
    model = ConsoleModel()
    model.load(svc.snapshots())
    model.take_changes()
    svc.set_status("air-1", UnitStatus.ON_SCENE)
    snap = svc.report("air-1", 26.9000, 112.6000, relative_alt_m=0.0, armed=False)
    model.apply(FakeBatch([text("Disarming motors")], [snap]), wall=1.0)
    changes = model.take_changes()
    assert changes.alerts and "air-1" in changes.units
    entry = model.alerts.entries[-1]
    assert (entry.alert.severity, entry.text) == (Severity.WARNING,
                                                  "Eagle 1: Disarming motors")
    home = svc.report("air-2", 26.8930, 112.5880, relative_alt_m=0.0)
    model.apply(FakeBatch([text("Disarming motors", unit="air-2")], [home]), wall=2.0)
    changes = model.take_changes()
    assert not changes.alerts and "air-2" in changes.units  # its detail, not the list
    assert model.alerts.unit_lines("air-2", 1)[0].text == "Disarming motors"


# -- commands in words -------------------------------------------------------------------------
@pytest.mark.parametrize(("command", "words"), [
    (Arm(), "Arm"), (Arm(force=True), "Force arm"), (Disarm(), "Disarm"),
    (Disarm(force=True), "Force disarm"), (SetMode("GUIDED"), "Mode GUIDED"),
    (Takeoff(30.0), "Take off to 30 m"),
    (Goto(26.904999999999998, 112.61), "Go to 26.90500, 112.61000"),
    (Goto(26.905, 112.61, 40.0), "Go to 26.90500, 112.61000 at 40 m"),
    (Orbit(26.905, 112.61, 50.0), "Overwatch 26.90500, 112.61000, 50 m circle"),
    (Hold(), "Hold position"), (ReturnToLaunch(), "Return to launch"), (Land(), "Land"),
    (SetSpeed(5.0), "Speed 5.0 m/s"),
    (UploadMission(()), "Upload mission (0 items)"),
    (DownloadMission(MissionType.FENCE), "Download fence"),
    (ClearMission(MissionType.RALLY), "Clear rally points"),
    (SetMissionCurrent(3), "Mission item 3"), (StartMission(), "Start mission"),
    (PauseMission(), "Pause mission"),
    (Patrol(((26.88925, 112.626), (26.89, 112.63), (26.9, 112.6), (26.91, 112.61))),
     "Patrol 4 points, loop"),
    (Patrol(((26.88925, 112.626), (26.89, 112.63)), loop=False), "Patrol 2 points, once"),
    (SetStatus(UnitStatus.EN_ROUTE), "Status en route"),
])
def test_commands_in_words(command, words: str) -> None:
    assert command_text(command) == words


def test_the_confirmation_lists_commands_in_words(svc: FakeService) -> None:
    snaps = {s.id: s for s in svc.snapshots()}
    route = ((26.88925, 112.626), (26.89, 112.63), (26.9, 112.6), (26.91, 112.61))
    the_plan = plan(SPEC_BY_NAME["patrol"], [snaps["air-1"], snaps["rp02-pc1"]],
                    route_for=lambda s: route)
    assert the_plan.describe() == ["Start mission → Eagle 1 (air-1)",
                                   "Patrol 4 points, loop → RP02 Car 1 (rp02-pc1)"]


@pytest.mark.parametrize("rel", ["tui/alert_triage.py", "tui/command_words.py"])
def test_the_triage_and_the_words_are_pure(rel: str) -> None:
    assert not top_level(imported_modules(ROOT / rel)) & {"textual", "rich", "asyncio"}
