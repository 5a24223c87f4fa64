"""Pilot tests of the console against the deterministic fake service."""

from __future__ import annotations

import asyncio

import pytest
from console_harness import console
from fake_service import FakeService, command_names, rejected
from textual.widgets import Input

from fleet.commands import Arm, Disarm, Goto, Patrol, SetStatus, StartMission, Takeoff
from fleet.events import ConnectionState, Severity
from fleet.model import UnitStatus
from tui.screens.ask import AskScreen, ChoiceScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen, keymap
from tui.widgets import CityMapView, UnitTable


@pytest.fixture
def svc() -> FakeService:
    s = FakeService()
    s.report("air-1", 26.8930, 112.5880, battery_pct=81.0, relative_alt_m=0.0, armed=False,
             mode="LOITER", ready=True)
    s.report("air-2", 26.9050, 112.6400, battery_pct=64.0, relative_alt_m=0.0, armed=False,
             mode="LOITER", ready=True)
    s.report("rp02-pc1", 26.8900, 112.5970, battery_pct=55.0, ground_speed_m_s=8.0)
    return s


def confirm_text(c) -> str:
    assert isinstance(c.app.screen, ConfirmScreen)
    return str(c.app.screen.query_one("#plan").render())


# -- the view ---------------------------------------------------------------------------
async def test_table_header_and_detail_show_the_fleet(svc: FakeService) -> None:
    async with console(svc) as c:
        assert c.table.shown_ids[:2] == ["air-1", "air-2"]
        assert len(c.table.shown_ids) == 7
        assert c.header.counts["idle"] == 2 and c.header.counts["moving"] == 1
        assert c.header.counts["not heard"] == 4
        assert c.header.kinds["drone"] == (2, 0)
        assert ("mqtt", ConnectionState.CONNECTED, "") in c.header.links
        assert c.main.selected == "air-1"  # the first row is selected at start
        assert [cell.text for cell in c.table.cells_of("air-1")] == [
            "Eagle 1", "drone", "air1", "landed", "—", "LOITER", "81", "—", "0", "0s"]
        svc.report("air-1", 26.8931, 112.5881, battery_pct=79.0, relative_alt_m=12.0)
        await c.until(lambda: c.table.cells_of("air-1")[6].text == "79")
        svc.advance(3)
        await c.until(lambda: c.table.cells_of("air-1")[-1].text == "3s")


async def test_cursor_selects_on_map_and_detail_and_a_map_click_selects_in_table(
        svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("down")
        assert c.main.selected == "air-2"
        assert c.map.selected == "air-2" and c.detail.unit_id == "air-2"
        hits = {unit: xy for xy, unit in c.map._grid.hits.items()}
        x, y = hits["rp02-pc1"]
        await c.pilot.click(CityMapView, offset=(x + 1, y + 1))  # +1: the map's border
        await c.until(lambda: c.main.selected == "rp02-pc1")
        assert c.table.cursor_id == "rp02-pc1"


async def test_filter_by_kind_group_status_and_words(svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("slash")
        assert isinstance(c.app.focused, Input)
        await c.press(*"kind:drone")
        assert c.table.shown_ids == ["air-1", "air-2"]
        c.main.set_filter("kind:boat,heli")
        await c.until(lambda: c.table.shown_ids == ["heli-1", "boat-pb1"])
        c.main.set_filter("group:rp02 status:avail")
        await c.until(lambda: c.table.shown_ids == ["rp02-pc1"])
        c.main.set_filter("status:not_heard car")
        await c.until(lambda: c.table.shown_ids == ["rp02-pc2"])
        svc.report("rp02-pc2")  # no longer "not heard": it leaves the filtered view
        await c.until(lambda: c.table.shown_ids == [])
        await c.press("q")  # typed into the filter, not a quit
        assert c.app.return_code is None
        await c.press("escape")
        assert isinstance(c.app.focused, UnitTable)


async def test_sort_by_column_key_reverse_and_header_click(svc: FakeService) -> None:
    async with console(svc) as c:
        c.main.sort_by("battery")
        await c.frame()
        assert c.table.shown_ids[:3] == ["rp02-pc1", "air-2", "air-1"]  # 55, 64, 81
        await c.press("O")  # reverse; units without a reading stay last
        assert c.table.shown_ids[:3] == ["air-1", "air-2", "rp02-pc1"]
        assert c.table.order.reverse
        await c.press("o")  # the next column: speed
        assert c.table.order.sort_key == "speed"
        assert c.table.shown_ids[0] == "rp02-pc1"
        await c.pilot.click(UnitTable, offset=(4, 0))  # the "Callsign" title
        assert c.table.order.sort_key == "callsign"
        svc.report("air-2", battery_pct=10.0)  # a live re-sort keeps the cursor's unit
        c.main.sort_by("battery")
        await c.frame()
        assert c.table.shown_ids[0] == "air-2" and c.main.selected == "air-1"


async def test_map_pan_zoom_follow_and_fit(svc: FakeService) -> None:
    async with console(svc) as c:
        view = c.map.view
        assert view is not None
        lat0, lon0, scale0 = view.lat, view.lon, view.m_per_dot
        await c.press("plus")
        assert view.m_per_dot == pytest.approx(scale0 / 1.5)
        await c.press("minus", "minus")
        assert view.m_per_dot > scale0
        c.map.focus()
        await c.press("l", "k")
        assert view.lon > lon0 and view.lat > lat0
        await c.press("left", "down")
        assert view.lon == pytest.approx(lon0) and view.lat == pytest.approx(lat0)
        await c.press("f")  # follow air-1
        assert c.map.follow and (view.lat, view.lon) == (26.8930, 112.5880)
        svc.report("air-1", 26.95, 112.70)  # far out of view: the map re-centres
        await c.until(lambda: (view.lat, view.lon) == (26.95, 112.70))
        await c.press("0")  # fit all: every placed unit is on the map
        assert not c.map.follow
        await c.frame()
        assert set(c.map._grid.hits.values()) == {"air-1", "air-2", "rp02-pc1"}


async def test_lost_unit_stands_out(svc: FakeService) -> None:
    async with console(svc) as c:
        svc.lose("air-2")
        await c.until(lambda: c.status_of("air-2") == "lost")
        assert all(cell.style == "bold red" for cell in c.table.cells_of("air-2"))
        assert c.header.counts["lost"] == 1 and c.header.kinds["drone"] == (2, 1)
        await c.until(lambda: "Eagle 2: no telemetry" in c.log_text())
        assert isinstance(c.app.screen, type(c.main))  # a line in the log, no pop-up


# -- commands --------------------------------------------------------------------------
async def test_single_command_goes_without_confirmation_and_reports(svc: FakeService) -> None:
    svc.gate = asyncio.Event()
    async with console(svc) as c:
        await c.press("a")
        await c.until(lambda: c.last_command("air-1") == "arm: sending…")
        await c.until(lambda: "Arm — sending…" in c.detail_text())  # the unit's own log
        assert "sending" not in c.log_text()
        svc.gate.set()
        await c.until(lambda: c.last_command("air-1") == "arm: accepted")
        assert [(s.unit_id, s.command, s.timeout) for s in svc.sent] == [
            ("air-1", Arm(), 15.0)]
        await c.until(lambda: "Eagle 1: Arm — accepted" in c.log_text())


async def test_two_marked_units_need_confirmation_showing_what_goes_where(
        svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("space", "space")  # marks air-1 and air-2 (the cursor moves down)
        assert c.app.model.marked == {"air-1", "air-2"}
        await c.press("a")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        text = confirm_text(c)
        assert "Arm → Eagle 1 (air-1), Eagle 2 (air-2)" in text
        assert "this goes to 2 units" in text
        await c.press("n")
        await c.until(lambda: "Arm cancelled by the operator" in c.log_text())
        assert svc.sent == []
        await c.press("a")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        await c.press("y")
        await c.until(lambda: len(svc.sent) == 2)
        await c.until(lambda: c.last_command("air-2") == "arm: accepted")
        await c.until(lambda: "Arm — accepted ×2: Eagle 1, Eagle 2" in c.log_text())
        await c.press("escape")  # clears the marks
        assert c.app.model.marked == set()


async def test_disarm_asks_only_when_flying_and_force_arm_always(svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("d")  # on the ground: no question
        await c.until(lambda: command_names(svc) == [("air-1", "disarm")])
        svc.report("air-1", armed=True, relative_alt_m=25.0)
        await c.frame()
        await c.press("d")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        assert "Eagle 1 is flying (25 m up)" in confirm_text(c)
        await c.press("escape")
        await c.press("A")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        assert "force arm skips the pre-arm safety checks" in confirm_text(c)
        await c.press("y")
        await c.until(lambda: svc.sent[-1].command == Arm(force=True))
        assert [s.command for s in svc.sent] == [Disarm(), Arm(force=True)]


async def test_a_refusal_shows_its_reason_on_the_unit_and_once_in_the_log(
        svc: FakeService) -> None:
    svc.results["air-1"] = rejected("air-1", "arm", "MAV_RESULT_FAILED",
                                    "PreArm: Need Position Estimate")
    async with console(svc) as c:
        await c.press("a")
        await c.until(lambda: c.last_command("air-1").startswith("arm: failed"))
        assert c.last_command("air-1") == (
            "arm: failed: MAV_RESULT_FAILED: PreArm: Need Position Estimate")
        message = "Eagle 1: arm failed: MAV_RESULT_FAILED: PreArm: Need Position Estimate"
        await c.until(lambda: message in c.log_text())
        await c.frame()
        assert c.log_text().count(message) == 1  # the core's alert and ours, merged
        assert "NOTICE" in c.log_text()  # refused on the ground: a reply, not an alarm
        await c.until(lambda: "command arm: failed: MAV_RESULT_FAILED: PreArm: Need Position"
                      in c.detail_text())


async def test_commands_skip_units_that_cannot_take_them(svc: FakeService) -> None:
    async with console(svc) as c:
        c.main.select("rp02-pc1")
        await c.press("a")
        await c.until(lambda: "Arm not sent to RP02 Car 1: arm is for aircraft only"
                      in c.log_text())
        assert svc.sent == []


async def test_takeoff_asks_for_a_height_and_checks_it(svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("t")
        await c.until(lambda: isinstance(c.app.screen, AskScreen))
        c.app.screen.query_one(Input).value = "9000"
        await c.press("enter")
        assert "height must be 1 to 500 m" in str(c.app.screen.query_one("#error").render())
        c.app.screen.query_one(Input).value = "40"
        await c.press("enter")
        await c.until(lambda: [s.command for s in svc.sent] == [Takeoff(40.0)])


async def test_goto_picks_a_point_on_the_map_or_takes_typed_coordinates(
        svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("g")
        assert c.map.picking and c.app.focused is c.map
        view = c.map.view
        await c.press("enter")  # the crosshair: the view's centre
        await c.until(lambda: [s.command for s in svc.sent] == [Goto(view.lat, view.lon)])
        await c.press("g")
        await c.pilot.click(CityMapView, offset=(11, 6))
        await c.until(lambda: len(svc.sent) == 2)
        lat, lon = view.unproject(10 * 2 + 1, 5 * 4 + 2, *c.map.dots)
        assert svc.sent[1].command == Goto(lat, lon)
        await c.press("g", "escape")  # cancelled: nothing sent
        assert not c.map.picking
        await c.press("G")
        await c.until(lambda: isinstance(c.app.screen, AskScreen))
        c.app.screen.query_one(Input).value = "26.9, 112.61, 60"
        await c.press("enter")
        await c.until(lambda: len(svc.sent) == 3)
        assert svc.sent[2].command == Goto(26.9, 112.61, 60.0)


async def test_set_status_sets_it_in_fleet_and_tells_ground_crews(svc: FakeService) -> None:
    async with console(svc) as c:
        c.model = c.app.model
        c.model.marked.update({"air-1", "rp02-pc1"})
        await c.press("s")
        await c.until(lambda: isinstance(c.app.screen, ChoiceScreen))
        await c.press("down", "down", "down", "enter")  # available, patrolling, dispatched,
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))  # en route
        assert "set status en_route in fleet → Eagle 1 (air-1), RP02 Car 1" in confirm_text(c)
        await c.press("y")
        await c.until(lambda: len(svc.sent) == 1)
        assert [(u, s) for u, s, _ in svc.statuses] == [
            ("air-1", UnitStatus.EN_ROUTE), ("rp02-pc1", UnitStatus.EN_ROUTE)]
        assert svc.sent[0].unit_id == "rp02-pc1"
        assert svc.sent[0].command == SetStatus(UnitStatus.EN_ROUTE)
        await c.until(lambda: c.status_of("air-1") == "en route")


async def test_patrol_starts_missions_and_ground_patrols_and_draws_the_route(
        svc: FakeService) -> None:
    async with console(svc) as c:
        c.app.model.marked.update({"air-1", "rp02-pc1"})
        await c.press("p")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        await c.press("y")
        await c.until(lambda: len(svc.sent) == 2)
        by_unit = {s.unit_id: s.command for s in svc.sent}
        assert by_unit["air-1"] == StartMission()
        patrol = by_unit["rp02-pc1"]
        assert isinstance(patrol, Patrol) and len(patrol.route) >= 2
        await c.until(lambda: c.app.model.routes.get("rp02-pc1") == patrol.route)
        assert patrol.route in c.app.flow.routes()


# -- alerts, links, help, palette ---------------------------------------------------------
async def test_alerts_acknowledge_and_filter_by_severity(svc: FakeService) -> None:
    async with console(svc) as c:
        svc.alert(Severity.NOTICE, "unit.recovered", "Eagle 1: telemetry back", "air-1")
        svc.alert(Severity.WARNING, "unit.lost", "Falcon 1: no telemetry", "heli-1")
        svc.alert(Severity.CRITICAL, "mavlink.statustext", "air-2: Battery failsafe", "air-2")
        await c.until(lambda: "Battery failsafe" in c.log_text())
        assert c.header.unseen == 2  # warning and worse need attention; the notice not
        await c.press("x")  # the newest
        await c.until(lambda: c.header.unseen == 1)
        await c.press("X")
        await c.until(lambda: c.header.unseen == 0)
        await c.press("v", "v")  # warning and worse
        await c.until(lambda: "telemetry back" not in c.log_text())
        assert "Eagle 2: Battery failsafe" in c.log_text()
        assert c.main.query_one("#alerts").border_title == "Alerts (warning+)"


async def test_link_health_shows_in_the_header(svc: FakeService) -> None:
    async with console(svc) as c:
        svc.set_link("mqtt", ConnectionState.DISCONNECTED, "connection refused")
        await c.until(lambda: ("mqtt", ConnectionState.DISCONNECTED, "connection refused")
                      in c.header.links)


async def test_help_lists_every_binding_and_closes(svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("question_mark")
        assert isinstance(c.app.screen, HelpScreen)
        shown = {what for _, entries in keymap() for _, what in entries}
        for what in ("Arm", "Force disarm", "Fit all", "Pan left", "Ack all alerts", "Quit"):
            assert what in shown
        await c.press("escape")
        assert c.app.screen is c.main


async def test_palette_runs_a_command_by_name(svc: FakeService) -> None:
    async with console(svc) as c:
        await c.press("ctrl+p")
        await c.pilot.press(*"return to launch")
        await c.pilot.pause(0.3)
        await c.press("enter")
        await c.until(lambda: command_names(svc) == [("air-1", "return_to_launch")])


async def test_quit_lets_go_of_the_subscription(svc: FakeService) -> None:
    async with console(svc) as c:
        assert len(svc.subs) == 1
        await c.press("q")
        await c.until(lambda: c.app.return_code == 0)
    assert svc.subs == []


async def test_a_display_bug_is_a_notice_not_a_crash(svc: FakeService,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.widgets.unit_detail as detail

    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug in the detail")

    monkeypatch.setattr(detail, "detail_table", broken)
    async with console(svc) as c:
        await c.press("down")
        await c.frame()
        assert "cannot be shown" in c.detail_text()
        assert any("a bug in the detail" in n.message for n in c.app._notifications)
        await c.press("up")  # still running, still answering keys
        assert c.main.selected == "air-1" and c.app.return_code is None
