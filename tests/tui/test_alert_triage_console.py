"""Alert triage on screen: chatter in the unit detail and not the alerts log, repeats as
one line with a count, severity by consequence, commands in words; and simulated drones
booting with nothing in the alert list (issue #13, "Alerts that triage")."""

from __future__ import annotations

import pytest
from console_harness import console
from fake_service import FakeService
from test_alert_triage import START_UP
from test_console_sim import drones
from textual.widgets import Input

from fleet.events import Severity
from fleet.model import UnitStatus
from simulators.drone import BootTimes
from tui.alert_triage import STATUSTEXT
from tui.screens.ask import AskScreen
from tui.screens.confirm import ConfirmScreen

HQ = (26.8930, 112.5880)  # the drones' base in the fake fleet
SCENE = (26.9000, 112.6000)  # 1.3 km away


@pytest.fixture
def svc() -> FakeService:
    s = FakeService()
    for unit in ("air-1", "air-2", "heli-1"):
        s.report(unit, *HQ, relative_alt_m=0.0, armed=False)
    return s


def say(svc: FakeService, unit_id: str, text: str,
        severity: Severity = Severity.INFO) -> None:
    svc.alert(severity, STATUSTEXT, f"{unit_id}: {text}", unit_id)


async def test_vehicle_chatter_is_in_the_unit_detail_not_the_alerts_log(
        svc: FakeService) -> None:
    async with console(svc) as c:
        c.main.select("air-1")
        for text in START_UP:
            say(svc, "air-1", text)
        say(svc, "heli-1", "PreArm: Motor Interlock Enabled", Severity.CRITICAL)
        await c.until(lambda: START_UP[-1] in c.detail_text())
        await c.frame()
        assert c.log_text() == ""
        assert c.header.unseen == 0
        assert "Eagle 1:" not in c.detail_text()  # its own log: no need to name it
        c.main.select("heli-1")
        await c.until(lambda: "PreArm: Motor Interlock Enabled" in c.detail_text())


async def test_what_matters_reaches_the_log_at_the_severity_of_its_consequence(
        svc: FakeService) -> None:
    svc.set_status("air-1", UnitStatus.ON_SCENE)
    svc.report("air-1", *SCENE, relative_alt_m=0.0, armed=False)
    svc.report("air-2", *SCENE, relative_alt_m=35.0, armed=False)
    async with console(svc) as c:
        say(svc, "air-1", "Disarming motors")  # on a crime scene, 1.3 km from base
        say(svc, "air-2", "Disarming motors")  # 35 m up
        say(svc, "heli-1", "Disarming motors")  # at base, on nothing: the detail only
        say(svc, "air-2", "Battery failsafe", Severity.WARNING)
        await c.until(lambda: "Battery failsafe" in c.log_text())
        lines = c.log_text().splitlines()
        assert [line.split(maxsplit=2)[1:] for line in lines] == [
            ["WARNING", "Eagle 1: Disarming motors"],
            ["CRITICAL", "Eagle 2: Disarming motors"],
            ["CRITICAL", "Eagle 2: Battery failsafe"]]
        assert c.header.unseen == 3
        assert "3 need attention" in str(c.header.render())


async def test_a_command_to_many_units_is_one_line_per_command_in_words(
        svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("M", "P")  # mark every unit shown, stop patrol
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        pause, hold = confirm_line(c, 0), confirm_line(c, 1)
        assert pause == "Pause mission → Eagle 1 (air-1), Eagle 2 (air-2), Falcon 1 (heli-1)"
        assert hold.startswith("Hold position → ") and hold.count("(") == 4
        await c.press("y")
        await c.until(lambda: len(svc.sent) == 7)
        await c.until(lambda: len(c.log_text().splitlines()) == 2)
        await c.frame()
        assert "Pause mission — accepted ×3: Eagle 1, Eagle 2, Falcon 1" in c.log_text()
        assert "Hold position — accepted ×4: " in c.log_text()
        assert "(" not in c.log_text()  # no Python reprs


async def test_units_left_out_are_one_line_per_reason(svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("M", "a")  # arm every unit shown: 4 of 7 are not aircraft
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        await c.press("n")
        await c.until(lambda: "cancelled" in c.log_text())
        skipped = [line for line in c.log_text().splitlines() if "not sent" in line]
        assert len(skipped) == 1 and skipped[0].endswith(" +1: arm is for aircraft only")


async def test_a_typed_goto_is_logged_in_words(svc: FakeService) -> None:
    async with console(svc) as c:
        c.main.select("air-1")
        await c.press("G")
        await c.until(lambda: isinstance(c.app.screen, AskScreen))
        c.app.screen.query_one(Input).value = "26.904999999999998, 112.61, 40"
        await c.press("enter")
        await c.until(lambda: "accepted" in c.log_text())
        assert c.log_text().endswith("Eagle 1: Go to 26.90500, 112.61000 at 40 m — accepted")
        assert "Go to 26.90500, 112.61000 at 40 m — sending…" in c.detail_text()


def confirm_line(c, index: int) -> str:
    assert isinstance(c.app.screen, ConfirmScreen)
    lines = str(c.app.screen.query_one("#plan").render()).splitlines()
    return lines[1 + index].strip()  # after "Will send:"


async def test_booting_drones_leave_the_alert_list_empty_and_their_logs_full() -> None:
    # texts a vehicle sends before fleet has its heartbeat are dropped: boot slowly enough
    # (0.3 s of wall time at 20x) that the EKF's come after it even on a busy machine
    async with drones(3, boot=BootTimes(1.0, 2.0, 4.0, 6.0)) as (c, _sim):
        units = ("air-1", "air-2", "air-3")
        book = c.app.model.alerts
        await c.until(lambda: all(any("EKF3 IMU0 is using GPS" in line.text
                                      for line in book.unit_lines(u, 50)) for u in units),
                      20, "every drone's start-up texts in its own log")
        await c.frame()
        codes = {e.alert.code for e in book.entries}
        assert not codes & {STATUSTEXT, "mavlink.discovered"}, c.log_text()
        assert c.header.unseen == 0
        c.main.select("air-2")
        await c.until(lambda: "EKF3" in c.detail_text() or "GPS" in c.detail_text())


async def test_the_helis_interlock_pre_arm_is_info_in_the_core_and_not_in_the_list() -> None:
    async with drones(1, profile="helicopter") as (c, _sim):
        svc = c.app.service
        text = "air-1: PreArm: Motor Interlock Enabled"
        await c.until(lambda: any(a.message == text for a in svc.alerts), 20,
                      "the heli's pre-arm report")
        assert {a.severity for a in svc.alerts if a.message == text} == {Severity.INFO}
        book = c.app.model.alerts
        await c.until(lambda: any("Motor Interlock" in line.text
                                  for line in book.unit_lines("air-1", 50)))
        assert "Interlock" not in c.log_text()
