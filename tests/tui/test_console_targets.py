"""Command targeting (issue #13): a command goes to units the operator can see, its
prompt names them, and a key with nobody to act on says why. Every command key at every
terminal size, against the fake service."""

from __future__ import annotations

import pytest
from console_harness import Console, console
from fake_service import FakeService
from textual.widgets import Input

from fleet.commands import Arm, Goto
from fleet.model import UnitStatus
from tui.command_plans import SPECS, Ask, CommandSpec
from tui.model import ConsoleModel, Targets
from tui.screens.ask import AskScreen
from tui.screens.confirm import ConfirmScreen, plan_text
from tui.screens.question import QuestionScreen
from tui.widgets import CityMapView

SIZES = [(80, 24), (120, 40), (200, 55)]
#: the prompt's verb for each command that asks (the map title or the dialog's title)
VERB = {"takeoff": "Take off", "goto": "Go to", "goto_typed": "Go to",
        "overwatch": "Overwatch", "overwatch_typed": "Overwatch", "mode": "Change mode",
        "status": "Set status", "load_plan": "Load plan"}


@pytest.fixture
def svc() -> FakeService:
    s = FakeService()
    s.report("air-1", 26.8930, 112.5880, battery_pct=81.0, relative_alt_m=0.0, armed=False,
             mode="LOITER", ready=True)
    s.report("air-2", 26.9050, 112.6400, battery_pct=64.0, relative_alt_m=0.0, armed=False,
             mode="LOITER", ready=True)
    s.report("heli-1", 26.9000, 112.6000, battery_pct=90.0, relative_alt_m=0.0, armed=False,
             mode="LOITER", ready=True)
    s.report("rp02-pc1", 26.8900, 112.5970, battery_pct=55.0, ground_speed_m_s=8.0)
    return s


def notices(c: Console) -> list[str]:
    return [n.message for n in c.app._notifications]


def dialog_text(c: Console) -> str:
    """What the dialog on top says: its title and, for a confirmation, its plan."""
    screen = c.app.screen
    if isinstance(screen, ConfirmScreen):
        return f"{screen.plan.spec.title}\n{plan_text(screen.plan).plain}"
    if isinstance(screen, QuestionScreen):
        return "\n".join([screen.title_text, *screen.lines])
    return str(getattr(screen, "title_text", ""))


async def outcome(c: Console, sent_before: int) -> str:
    """Wait for what a command key led to: ``prompt`` (a dialog), ``pick`` (the map's
    crosshair), ``sent`` or ``notice``."""
    def seen() -> str:
        if c.app.screen is not c.main:
            return "prompt"
        if c.map.picking:
            return "pick"
        if len(c.service.sent) > sent_before:
            return "sent"
        return "notice" if notices(c) else ""
    await c.until(seen, what="a prompt, a pick, a send or a notice")
    return seen()


async def close_prompt(c: Console) -> None:
    await c.press("escape")
    await c.until(lambda: c.app.screen is c.main and not c.map.picking)


async def each_key_names(c: Console, who: str, sent_to: set[str]) -> None:
    """Press every command key: each opens a prompt naming ``who``, or sends only to
    ``sent_to``, or says why nothing was sent. Nothing goes anywhere else."""
    for spec in SPECS:
        c.app.clear_notifications()
        before = len(c.service.sent)
        await c.press(spec.key)
        got = await outcome(c, before)
        if got == "pick":
            assert c.map.display and c.map.size.height >= 6, spec.name
            assert c.app.focused is c.map
            assert str(c.map.border_title).startswith(f"{VERB[spec.name]} {who}: click")
        elif got == "prompt":
            text = dialog_text(c)
            if spec.ask is Ask.NOTHING:  # a confirmation: exactly what goes to whom
                assert isinstance(c.app.screen, ConfirmScreen), spec.name
                assert all(f"({u})" in text for u in sent_to), (spec.name, text)
            else:
                assert text == f"{VERB[spec.name]}: {who}", (spec.name, text)
        elif got == "sent":
            assert spec.ask is Ask.NOTHING and len(sent_to) == 1, spec.name
        else:
            assert any("nothing to send" in n for n in notices(c)), (spec.name, notices(c))
        if got in ("pick", "prompt"):
            await close_prompt(c)
        assert {s.unit_id for s in c.service.sent} <= sent_to, spec.name


async def each_key_says_why(c: Console, why: str) -> None:
    """Every command key only notifies (``why``): no dialog, no pick, nothing sent."""
    for spec in SPECS:
        c.app.clear_notifications()
        await c.press(spec.key)
        assert await outcome(c, 0) == "notice", spec.name
        assert notices(c) == [f"{spec.title} not sent: {why}."], spec.name
    assert c.service.sent == []


# -- the rules, without a screen ------------------------------------------------------------
def test_targets_are_the_shown_marked_units_else_the_shown_cursor(svc: FakeService) -> None:
    model = ConsoleModel()
    model.load(svc.snapshots())
    shown = ["air-2", "air-1", "rp02-pc1"]  # the table's order
    assert model.targets("air-1", shown) == Targets(("air-1",))
    assert model.who(model.targets("air-1", shown)) == "Eagle 1"
    hidden = model.targets("heli-1", shown)
    assert not hidden and hidden.why.startswith("Falcon 1 is hidden by the filter")
    assert "no unit selected" in model.targets(None, shown).why
    assert model.targets(None, []).why == "the filter shows no unit: change it (/)"
    model.marked.update({"air-1", "air-2", "heli-1", "rp02-pc1"})
    marked = model.targets("heli-1", shown)
    assert marked.ids == ("air-2", "air-1", "rp02-pc1") and marked.hidden == ("heli-1",)
    assert model.who(marked) == "3 marked units (Eagle 2, Eagle 1, RP02 Car 1)"
    model.marked.add("boat-pb1")
    assert model.who(model.targets(None)) == (
        "5 marked units (Eagle 1, Eagle 2, River 1, …)")  # by id without a table
    nobody = model.targets("air-1", ["rp02-pc2"])  # marks hidden: not the cursor either
    assert not nobody and nobody.hidden == ("air-1", "air-2", "heli-1", "rp02-pc1",
                                            "boat-pb1")  # by callsign
    assert nobody.why.startswith("the 5 marked units (Eagle 1, Eagle 2, Falcon 1, …) are "
                                 "hidden by the filter")
    model.marked = {"heli-1"}
    assert model.who(model.targets("air-1", ["heli-1"])) == "1 marked unit (Falcon 1)"


# -- every key at every size ----------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_command_key_names_its_targets_or_says_why(
        svc: FakeService, size: tuple[int, int]) -> None:
    async with console(svc, size=size) as c:
        assert c.main.has_class("narrow") == (size[0] < 120)
        # the cursor's unit, no marks
        assert c.main.selected == "air-1"
        await each_key_names(c, "Eagle 1", {"air-1"})
        # two marked units: every prompt names both, every send is confirmed
        c.main.set_filter("kind:drone")
        await c.until(lambda: c.table.shown_ids == ["air-1", "air-2"])
        await c.press("M")
        sent = len(svc.sent)
        await each_key_names(c, "2 marked units (Eagle 1, Eagle 2)", {"air-1", "air-2"})
        assert len(svc.sent) == sent  # each was a confirmation, cancelled
        # no marks, and a filter that shows nothing: no cursor either
        await c.press("escape")
        c.main.set_filter("nothing-matches")
        await c.until(lambda: c.table.shown_ids == [])
        assert c.main.selected is None and c.detail.unit_id is None
        svc.sent.clear()
        await each_key_says_why(c, "the filter shows no unit: change it (/)")
        # the incident desk on a narrow screen: no unit is on screen at all
        c.main.set_filter("")
        await c.until(lambda: c.main.selected == "air-1")
        c.main.show_desk(True)
        await c.frame()
        if size[0] >= 120:  # the map and the detail show the selected unit: it goes
            await c.press("t")
            await c.until(lambda: dialog_text(c) == "Take off: Eagle 1")
            return
        for spec in SPECS:
            c.app.clear_notifications()
            c.main.action_command(spec.name)  # the desk's own keys take s, r, ...
            assert await outcome(c, 0) == "notice", spec.name
            assert notices(c) == [f"{spec.title} not sent: the units are not on screen "
                                  "(the incident desk is): i shows them."]
        assert svc.sent == []


# -- the filter and the selection -------------------------------------------------------------
async def test_a_filter_that_hides_the_selected_unit_moves_the_selection(
        svc: FakeService) -> None:
    async with console(svc) as c:
        c.main.select("heli-1")
        assert c.detail.unit_id == "heli-1"
        c.main.set_filter("eagle")  # Falcon 1 is hidden: the first row is selected
        await c.until(lambda: c.table.shown_ids == ["air-1", "air-2"])
        assert c.main.selected == c.table.cursor_id == c.detail.unit_id == "air-1"
        assert c.map.selected == "air-1"
        await c.press("t")
        await c.until(lambda: isinstance(c.app.screen, AskScreen))
        assert c.app.screen.title_text == "Take off: Eagle 1"
        await close_prompt(c)
        c.main.set_filter("kind:boat")  # River 1 has not reported but is shown
        await c.until(lambda: c.main.selected == "boat-pb1")
        c.main.set_filter("kind:none")
        await c.until(lambda: c.main.selected is None)
        assert c.table.cursor_id is None and c.detail.unit_id is None
        c.main.set_filter("")  # rows again: the first is selected
        await c.until(lambda: c.main.selected == "air-1")


async def test_a_unit_leaving_the_filtered_view_gives_the_cursor_to_the_next_row(
        svc: FakeService) -> None:
    async with console(svc) as c:
        c.main.set_filter("status:available")
        await c.until(lambda: c.table.shown_ids == ["air-1", "air-2", "heli-1", "rp02-pc1"])
        c.main.select("air-2")
        svc.set_status("air-2", UnitStatus.EN_ROUTE)
        await c.until(lambda: "air-2" not in c.table.shown_ids)
        assert c.main.selected == c.detail.unit_id == "heli-1"  # in its place
        await c.press("a")  # 1.4 km from its base: arming would move its home, so it asks
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        assert "Falcon 1 (heli-1)" in dialog_text(c)
        await c.press("y")
        await c.until(lambda: len(svc.sent) == 1)
        assert svc.sent[0].unit_id == "heli-1"


async def test_a_hidden_unit_cannot_be_selected_from_the_map(svc: FakeService) -> None:
    async with console(svc) as c:
        c.main.set_filter("kind:drone")
        await c.until(lambda: c.table.shown_ids == ["air-1", "air-2"])
        await c.frame()
        hits = {unit: xy for xy, unit in c.map._grid.hits.items()}
        x, y = hits["rp02-pc1"]  # the map still draws every unit
        await c.pilot.click(CityMapView, offset=(x + 1, y + 1))
        await c.until(lambda: any("RP02 Car 1 is hidden by the filter “kind:drone”" in n
                                  for n in notices(c)))
        assert c.main.selected == c.table.cursor_id == c.detail.unit_id == "air-1"


# -- marked units the filter hides ---------------------------------------------------------
async def test_marked_units_hidden_by_the_filter_are_named_and_asked_about(
        svc: FakeService) -> None:
    async with console(svc) as c:
        c.app.model.marked.update({"air-1", "air-2", "heli-1"})
        c.main.set_filter("eagle")  # Falcon 1 is marked but hidden
        await c.until(lambda: c.table.shown_ids == ["air-1", "air-2"])
        await c.press("a")
        await c.until(lambda: isinstance(c.app.screen, QuestionScreen))
        text = dialog_text(c)
        assert text.startswith("Arm: 1 marked unit hidden by the filter")
        assert "Shown, will get it: 2 marked units (Eagle 1, Eagle 2)" in text
        assert "Hidden by the filter “eagle”, will get nothing: Falcon 1" in text
        await c.press("n")
        await c.until(lambda: "Arm cancelled by the operator" in c.log_text())
        await c.press("a")
        await c.until(lambda: isinstance(c.app.screen, QuestionScreen))
        await c.press("y")  # the shown only: then the usual confirmation, naming them
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        text = dialog_text(c)
        assert "Eagle 1 (air-1), Eagle 2 (air-2)" in text and "Falcon 1" not in text
        await c.press("y")
        await c.until(lambda: len(svc.sent) == 2)
        assert sorted(s.unit_id for s in svc.sent) == ["air-1", "air-2"]
        assert all(s.command == Arm() for s in svc.sent)
        c.main.set_filter("kind:boat")  # every marked unit hidden: not the cursor either
        await c.until(lambda: c.main.selected == "boat-pb1")
        c.app.clear_notifications()
        await c.press("a")
        assert notices(c) == [
            "Arm not sent: the 3 marked units (Eagle 1, Eagle 2, Falcon 1) are hidden by "
            "the filter: change the filter (/) or clear the marks (esc)."]
        assert len(svc.sent) == 2


# -- a map pick on a small screen ------------------------------------------------------------
async def test_goto_on_a_narrow_screen_shows_the_map_full_width_naming_the_target(
        svc: FakeService) -> None:
    async with console(svc, size=(80, 24)) as c:
        assert not c.map.display or c.map.region.width == 0  # one column: the table
        await c.press("g")
        await c.until(lambda: c.map.picking)
        await c.frame()
        assert c.map.region.width >= 76 and c.map.size.height >= 15  # the detail gives way
        assert not c.detail.region.height
        assert str(c.map.border_title).startswith("Go to Eagle 1: click, or enter at +")
        view = c.map.view
        await c.press("enter")
        await c.until(lambda: len(svc.sent) == 1)
        assert svc.sent[0].unit_id == "air-1"
        assert svc.sent[0].command == Goto(view.lat, view.lon)
        await c.until(lambda: not c.main.has_class("picking"))
        assert c.app.focused is c.table


@pytest.mark.parametrize("spec", [s for s in SPECS if s.ask is Ask.MAP_POINT],
                         ids=lambda s: s.name)
async def test_no_room_for_the_map_falls_back_to_typing_the_point(
        svc: FakeService, spec: CommandSpec) -> None:
    async with console(svc, size=(80, 12)) as c:
        await c.press(spec.key)
        await c.until(lambda: isinstance(c.app.screen, AskScreen))
        assert not c.map.picking
        assert c.app.screen.title_text == f"{VERB[spec.name]}: Eagle 1"
        assert "No room for the map at 80x12: type the point." in notices(c)
        c.app.screen.query_one(Input).value = "26.9, 112.61"
        await c.press("enter")
        if spec.name == "goto":
            await c.until(lambda: len(svc.sent) == 1)
            assert svc.sent[0].command == Goto(26.9, 112.61)
        else:  # overwatch of a drone on the ground: nothing to send, and it says so
            await c.until(lambda: any("nothing to send" in n for n in notices(c)))
            assert svc.sent == []
