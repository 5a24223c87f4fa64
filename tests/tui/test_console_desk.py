"""Pilot tests of the incident desk against the fake dispatch centre (fake_desk.py):
taking calls, sending, clearing, closing, cancelling, replacing, and every refusal shown
as a line, never raised."""

from __future__ import annotations

import pytest
from console_harness import console
from desk_harness import (
    detail_text,
    kinds,
    notes,
    open_form,
    pane,
    rows,
    screen_is,
    select_incident,
    submit_form,
)
from desk_scene import THEFT, TRAFFIC, WANDA, desk_scene, placed_fleet
from fake_desk import FakeDesk
from fake_service import FakeService
from textual.widgets import Input, Select

from fleet.dispatch.errors import UnitUnavailableError
from fleet.dispatch.incident import AssignmentStatus, EventKind, IncidentStatus
from fleet.model import UnitStatus
from tui.screens.ask import AskScreen
from tui.screens.call_form import CallScreen
from tui.screens.disposition import DispositionScreen
from tui.screens.question import QuestionScreen
from tui.screens.recommendation import RecommendationScreen
from tui.screens.unit_picker import UnitPickerScreen
from tui.widgets.incident_list import IncidentList

SMALL = (80, 24)


@pytest.fixture
def fleet() -> tuple[FakeService, FakeDesk]:
    return placed_fleet()


# -- taking a call ------------------------------------------------------------------------
async def test_a_call_typed_by_keys_at_a_key_site_is_dispatched_as_recommended(
        fleet: tuple[FakeService, FakeDesk]) -> None:
    svc, desk = fleet
    async with console(svc) as c:
        form = await open_form(c)
        await c.press(*"wanda", "right")  # the key site's name completes
        assert form.query_one("#location", Input).value == "Wanda Plaza"
        await c.press("tab", "enter", "v", "enter")  # category: type to search, enter
        assert form.query_one("#category", Select).value == "violent_crime"
        await c.press("tab", *"1", "tab", *"110-0500", "tab", *"knife", "enter")
        rec = await screen_is(c, RecommendationScreen)
        text = str(rec.query_one("#explanation").query_one("Static").render())
        assert "key site Wanda Plaza; target 1 min 00 s" in text
        assert "send  RP03 Car 1 (patrol_car)" in text
        await c.press("y")
        await c.until(lambda: "unit.assigned" in kinds(desk))
        inc = desk.incidents()[0]
        assert (inc.key_site_name, inc.priority, inc.ref, inc.notes) == (
            "Wanda Plaza", 1, "110-0500", ("knife",))
        assert [a.unit_id for a in inc.assignments] == ["rp03-pc1", "rp03-mc1", "air-1"]
        assert {op for _, _, op in desk.actions} == {"duty-officer"}
        await c.until(lambda: c.main.showing_desk and pane(c).selected == inc.id)
        await c.until(lambda: rows(c) and rows(c)[0][4] == "3 assigned")
        assert c.main.city.selected_incident == inc.id
        assert "sent RP03 Car 1, RP03 Moto 1, Eagle 1" in c.log_text()


async def test_a_call_at_typed_coordinates_can_be_recorded_only(
        fleet: tuple[FakeService, FakeDesk]) -> None:
    svc, desk = fleet
    async with console(svc, operator="Zhang") as c:
        form = await open_form(c)
        await submit_form(c, form, f"{THEFT[0]}, {THEFT[1]}", "theft")
        await c.press("r")
        await c.until(lambda: kinds(desk) == ["incident.received"])
        inc = desk.incidents()[0]
        assert (inc.lat, inc.lon, inc.zone_id, inc.status) == (
            *THEFT, "downtown", IncidentStatus.RECEIVED)
        assert desk.actions[0][2] == "Zhang"
        await c.until(lambda: pane(c).selected == inc.id)
        await c.until(lambda: "recommended now" in detail_text(c))
        assert "send  RP02 Moto 1" in detail_text(c)


async def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(
        fleet: tuple[FakeService, FakeDesk]) -> None:
    svc, desk = fleet
    async with console(svc) as c:
        form = await open_form(c)
        form.query_one("#location", Input).value = "nowhere"
        form.query_one("#notes", Input).focus()
        await c.press("enter")
        error = form.query_one("#error")
        await c.until(lambda: "no key site 'nowhere'" in str(error.render()))
        form.query_one("#location", Input).value = "30.5, 114.3"  # Wuhan
        form.query_one("#category", Select).value = "theft"
        await c.press("enter")
        await c.until(lambda: "outside the Hengyang (test) area" in str(error.render()))
        assert isinstance(c.app.screen, CallScreen) and desk.actions == []
        form.query_one("#location", Input).value = "Wanda Plaza"
        await c.press("enter")
        await screen_is(c, RecommendationScreen)
        await c.press("escape")  # back to the form, as typed
        form = await screen_is(c, CallScreen)
        assert form.query_one("#location", Input).value == "Wanda Plaza"
        await c.press("escape")
        await c.until(lambda: c.app.screen is c.main)
        assert desk.actions == []


async def test_the_location_can_be_picked_on_the_map(
        fleet: tuple[FakeService, FakeDesk]) -> None:
    svc, _desk = fleet
    async with console(svc) as c:
        await open_form(c)
        await c.press("ctrl+o")
        await c.until(lambda: c.map.picking)
        assert "incident location" in c.map.border_title
        await c.press("enter")  # at the crosshair: the centre of the view
        form = await screen_is(c, CallScreen)
        lat, lon = c.map.view.lat, c.map.view.lon
        assert form.query_one("#location", Input).value == f"{lat:.5f}, {lon:.5f}"


async def test_chosen_units_are_sent_instead(fleet: tuple[FakeService, FakeDesk]) -> None:
    svc, desk = fleet
    async with console(svc) as c:
        form = await open_form(c)
        await submit_form(c, form, "wanda", "theft")
        await c.press("u")
        picker = await screen_is(c, UnitPickerScreen)
        assert picker.marked == ["rp03-pc1"]
        await c.press("space", "down", "space")  # unmark Car 1, mark the next (Moto 1)
        assert picker.marked == ["rp03-mc1"]
        await c.press("y")
        await c.until(lambda: "unit.assigned" in kinds(desk))
        assert [a.unit_id for a in desk.incidents()[0].assignments] == ["rp03-mc1"]


# -- on a listed incident -----------------------------------------------------------------
async def test_the_desk_lists_incidents_with_their_clock_units_and_flags() -> None:
    svc, _desk = desk_scene()
    async with console(svc) as c:
        await c.press("i")
        await c.until(lambda: len(rows(c)) == 3)
        by_id = {r[0]: r for r in rows(c)}
        assert by_id["270115-003"][2:6] == ["0:50/1:00", "en route", "1/2 en route",
                                            "failed r"]
        assert by_id["270115-001"][2:5] == ["2:05/3:00", "on scene", "2/2 on scene"]
        assert by_id["270115-002"][2:5] == ["3:20/3:00", "received", "none sent"]
        assert c.header.incidents == (3, 1, True)
        svc.advance(11)  # Wanda's clock passes its 1-minute target
        await c.until(lambda: c.header.incidents == (3, 2, True))
        await c.until(lambda: rows(c)[0][2] == "1:01/1:00")
        await select_incident(c, "INC-270115-003")
        text = detail_text(c)
        assert "RP03 Moto 1  FAILED    no acknowledgement after 3 tries" in text
        assert "proposed replacement: RP03 Car 2 (patrol_car)" in text


async def test_the_recommendation_is_sent_from_the_desk() -> None:
    svc, desk = desk_scene()
    async with console(svc) as c:
        await select_incident(c, "INC-270115-002")
        await c.press("s")
        await screen_is(c, RecommendationScreen)
        await c.press("y")
        await c.until(lambda: desk.incident("INC-270115-002").status
                      is IncidentStatus.DISPATCHED)
        assert [a.unit_id for a in desk.incident("INC-270115-002").assignments] == [
            "rp02-mc1"]


async def test_a_proposed_replacement_is_accepted_with_a_key() -> None:
    svc, desk = desk_scene()
    async with console(svc) as c:
        await select_incident(c, "INC-270115-003")
        await c.press("r")
        question = await screen_is(c, QuestionScreen)
        assert "send RP03 Car 2 (patrol_car), ETA 3 min 11 s, in its place" in question.lines
        await c.press("y")
        await c.until(lambda: "unit.reassigned" in kinds(desk))
        inc = desk.incident("INC-270115-003")
        assert inc.assignment("rp03-mc1").replaced_by == "rp03-pc2"
        assert inc.assignment("rp03-pc2").replaces == "rp03-mc1"
        await c.until(lambda: rows(c)[0][5] == "")  # the flag is gone


async def test_clear_with_a_disposition_then_close() -> None:
    svc, desk = desk_scene()
    async with console(svc) as c:
        await select_incident(c, "INC-270115-001")
        await c.press("c")
        await screen_is(c, DispositionScreen)
        await c.press("down", "tab", *"driver to hospital", "enter")  # arrest made + note
        await c.until(lambda: desk.incident("INC-270115-001").status
                      is IncidentStatus.CLEARED)
        inc = desk.incident("INC-270115-001")
        assert inc.disposition == "arrest made"
        assert all(a.status is AssignmentStatus.RELEASED for a in inc.assignments)
        await c.until(lambda: svc.snapshot("rp02-pc2").status is UnitStatus.AVAILABLE)
        await c.press("C")
        question = await screen_is(c, QuestionScreen)
        assert "disposition: arrest made" in question.lines
        await c.press("y")
        await c.until(lambda: desk.incident("INC-270115-001").status
                      is IncidentStatus.CLOSED)
        assert kinds(desk)[-2:] == ["incident.cleared", "incident.closed"]
        await c.until(lambda: "INC-270115-001 closed" in c.log_text())


async def test_cancel_asks_why_and_needs_a_yes() -> None:
    svc, desk = desk_scene()
    async with console(svc) as c:
        await select_incident(c, "INC-270115-002")
        await c.press("K")
        await screen_is(c, AskScreen)
        await c.press("enter")  # a reason is required
        assert isinstance(c.app.screen, AskScreen)
        await c.press(*"duplicate call", "enter")
        await screen_is(c, QuestionScreen)
        await c.press("n")
        await c.until(lambda: c.app.screen is c.main)
        assert desk.incident("INC-270115-002").status is IncidentStatus.RECEIVED
        await c.press("K", *"duplicate call", "enter")
        await screen_is(c, QuestionScreen)
        await c.press("y")
        await c.until(lambda: desk.incident("INC-270115-002").status
                      is IncidentStatus.CANCELLED)
        assert desk.incident("INC-270115-002").cancel_reason == "duplicate call"


async def test_a_note_is_added() -> None:
    svc, desk = desk_scene()
    async with console(svc) as c:
        await select_incident(c, "INC-270115-003")
        await c.press("N", *"suspect wears a red jacket", "enter")
        await c.until(lambda: "suspect wears a red jacket" in
                      desk.incident("INC-270115-003").notes)
        await c.until(lambda: "suspect wears a red jacket" in detail_text(c))


# -- refusals are lines, not tracebacks ---------------------------------------------------
async def test_refusals_are_shown_not_raised() -> None:
    svc, desk = desk_scene()
    async with console(svc) as c:
        await select_incident(c, "INC-270115-003")
        await c.press("c")  # nobody on scene yet
        await c.until(lambda: "clear needs a unit on scene" in notes(c))
        await c.press("C")
        await c.until(lambda: "close follows clear" in notes(c))
        desk.refuse["dispatch"] = UnitUnavailableError("rp02-mc1", "below reserve (8 %)")
        await select_incident(c, "INC-270115-002")
        await c.press("s")
        await screen_is(c, RecommendationScreen)
        await c.press("y")
        await c.until(lambda: "rp02-mc1: cannot be dispatched: below reserve" in notes(c))
        assert "rp02-mc1: cannot be dispatched" in c.log_text()
        assert desk.incident("INC-270115-002").status is IncidentStatus.RECEIVED
        assert c.app.return_code is None and c.app.screen is c.main


async def test_a_call_recorded_but_not_sent_stays_on_the_desk(
        fleet: tuple[FakeService, FakeDesk]) -> None:
    svc, desk = fleet
    desk.refuse["dispatch"] = UnitUnavailableError("rp03-pc1", "committed to INC-1")
    async with console(svc) as c:
        form = await open_form(c)
        await submit_form(c, form, "Wanda", "theft")
        await c.press("y")
        await c.until(lambda: "s sends a fresh recommendation" in notes(c))
        assert kinds(desk) == ["incident.received"]
        await c.until(lambda: rows(c) and rows(c)[0][3] == "received")


async def test_a_console_without_dispatch_says_so() -> None:
    async with console(FakeService()) as c:
        await c.press("n")
        await c.until(lambda: "without one" in notes(c))
        await c.press("i")
        assert "No dispatch centre" in detail_text(c)
        assert c.header.incidents is None


async def test_an_unavailable_centre_is_in_the_header(fleet: tuple[FakeService, FakeDesk]
                                                      ) -> None:
    svc, desk = fleet
    desk.available = False
    async with console(svc) as c:
        await c.until(lambda: c.header.incidents == (0, 0, False))
        await c.press("n")
        await c.until(lambda: "unavailable" in notes(c))
        assert not isinstance(c.app.screen, CallScreen)


# -- the map, small screens, the palette ---------------------------------------------------
async def test_incidents_and_the_units_on_their_way_are_on_the_map() -> None:
    svc, _desk = desk_scene()
    async with console(svc) as c:
        def drawn() -> str:
            grid = c.map._grid
            return "".join("".join(row) for row in grid.chars) if grid is not None else ""

        c.map.zoom(4)
        c.map.show_point(*WANDA)
        await c.until(lambda: drawn().count("@") >= 2, what="Wanda and another in view")
        await select_incident(c, "INC-270115-003")
        await c.until(lambda: "INC-270115-003" in drawn(), what="the selected one's id")
        assert "#ffaf00" in {s for row in c.map._grid.styles for s in row}  # a unit's line


async def test_enter_shows_the_incident_and_its_units_on_the_map() -> None:
    svc, _desk = desk_scene()
    async with console(svc) as c:
        await select_incident(c, "INC-270115-003")
        await c.until(lambda: c.map.view is not None)
        city_scale = c.map.view.m_per_dot
        await c.press("enter")
        await c.until(lambda: c.map.view.m_per_dot < city_scale / 4)
        assert not pane(c).has_class("-detail-full")  # a wide screen keeps the list
        x, y = c.map.view.project_one(*WANDA, *c.map.dots)
        w, h = c.map.dots
        assert 0 < x < w and 0 < y < h


async def test_an_incident_needing_review_is_flagged() -> None:
    svc, desk = desk_scene()
    desk.review["INC-270115-001"] = ["RP02 Car 2 on scene for 1 h 05 min - clear or "
                                     "release it?"]
    async with console(svc) as c:
        await select_incident(c, "INC-270115-001")
        await c.until(lambda: rows(c)[1][5] == "stale")
        assert "review: RP02 Car 2 on scene for 1 h 05 min" in detail_text(c)


async def test_the_desk_at_80x24_takes_the_screen_and_the_map_comes_up_to_pick() -> None:
    svc, _desk = desk_scene()
    async with console(svc, size=SMALL) as c:
        assert c.main.has_class("narrow") and not c.main.query_one("#right").display
        await c.press("i")
        table = c.main.query_one(IncidentList)
        await c.until(lambda: table.row_count == 3 and table.region.width == 80)
        await c.press("enter")  # the detail takes the desk
        await c.until(lambda: pane(c).has_class("-detail-full") and not table.display)
        await c.press("enter")
        await c.until(lambda: table.display and table.has_focus)
        await open_form(c)
        await c.press("ctrl+o")
        await c.until(lambda: c.map.picking and c.main.query_one("#right").display)
        assert c.map.region.width > 70
        await c.press("escape")
        form = await screen_is(c, CallScreen)
        assert form.query_one("#location", Input).value == ""
        await c.press("escape")
        await c.until(lambda: not c.main.query_one("#right").display)


async def test_the_palette_finds_the_desk() -> None:
    svc, _desk = desk_scene()
    async with console(svc) as c:
        await c.press("ctrl+p")
        await c.pilot.press(*"new incident")
        await c.pilot.pause(0.3)
        await c.press("enter")
        await screen_is(c, CallScreen)
        await c.press("escape")
        await c.until(lambda: c.app.screen is c.main)
        await c.press("ctrl+p")
        await c.pilot.press(*"incident 270115-001")
        await c.pilot.pause(0.3)
        await c.press("enter")
        await c.until(lambda: c.main.showing_desk and pane(c).selected == "INC-270115-001")


async def test_progress_from_the_core_reaches_the_desk(fleet: tuple[FakeService, FakeDesk]
                                                       ) -> None:
    svc, desk = fleet
    inc = desk.call(*TRAFFIC, "traffic")
    async with console(svc) as c:
        await c.press("i")
        await c.until(lambda: rows(c) and rows(c)[0][3] == "received")
        desk.send(inc.id, ["rp02-pc2"])
        desk.step(inc.id, "rp02-pc2", EventKind.EN_ROUTE)
        await c.until(lambda: rows(c)[0][3:5] == ["en route", "1/1 en route"])
        svc.advance(40)
        desk.step(inc.id, "rp02-pc2", EventKind.ON_SCENE, by="crew report", distance_m=75.0,
                  beyond_radius=True)
        await c.until(lambda: rows(c)[0][2:4] == ["0:40/3:00", "on scene"])
        assert "by crew report, 75 m from the call · BEYOND THE ARRIVAL RADIUS" in \
            detail_text(c)


async def test_a_long_recommendation_keeps_its_choices_in_sight_at_80x24() -> None:
    """The explanation scrolls; the buttons stay on the screen (seen in the demo: at
    80x24 a theft's recommendation pushed them below the bottom row)."""
    svc, _desk = desk_scene()
    lines = ["theft at 26.89300, 112.61000: Central districts; target 3 min 00 s"] + [
        f"    next  RP13 Moto {i} (motorcycle): {100 + i} m x1.4 road -> {i} s; within the "
        "3 min 00 s target" for i in range(30)]
    async with console(svc, size=SMALL) as c:
        c.app.push_screen(RecommendationScreen("New call: theft", lines, can_send=True,
                                               new_call=True))
        rec = await screen_is(c, RecommendationScreen)
        await c.pilot.pause()
        for button in ("#dispatch", "#choose", "#record", "#back"):
            region = rec.query_one(button).region
            assert region.height > 0 and region.bottom <= SMALL[1], button
