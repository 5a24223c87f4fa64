"""The schedules screen (S) against the fake service and fake schedule executor."""

from __future__ import annotations

import pytest
from console_harness import console
from fake_schedules import FakeSchedules, plaza
from fake_service import FakeService
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Static

from tui.schedule_rows import detail, row
from tui.screens.question import QuestionScreen
from tui.screens.schedules import ScheduleScreen


@pytest.fixture
def svc() -> FakeService:
    s = FakeService(schedules=FakeSchedules())
    s.report("air-1", battery_pct=81.0, armed=True, relative_alt_m=40.0)
    s.report("air-2", battery_pct=64.0, armed=False, relative_alt_m=0.0)
    return s


def screen(c) -> ScheduleScreen:
    assert isinstance(c.app.screen, ScheduleScreen)
    return c.app.screen


def cells(c, schedule_id: str) -> list[str]:
    table = screen(c).query_one(DataTable)
    return [str(v) for v in table.get_row(schedule_id)]


def detail_text(c) -> str:
    return str(screen(c).query_one("#schedule-detail", Static).render())


async def open_schedules(c) -> None:
    await c.press("S")
    await c.until(lambda: isinstance(c.app.screen, ScheduleScreen), what="schedules screen")


async def test_s_lists_each_schedule_with_next_run_state_and_last_run(svc: FakeService) -> None:
    async with console(svc, operator="wang") as c:
        await open_schedules(c)
        assert cells(c, "night") == ["Station watch (night)", "station", "Mon 20:00",
                                     "running: Eagle 1", "handed over Mon 19:00"]
        assert cells(c, "plaza") == ["plaza", "plaza-tour", "Tue 19:00", "idle", "—"]
        text = detail_text(c)
        assert "every 30 min 20:00-02:00 daily" in text
        assert "running run-4 (due Mon 19:30):\n    Eagle 1: running" in text
        assert "run-3: handed over to the operator; r sends a replacement" in text
        assert "Eagle 2: handed over (operator sent goto)" in text
        await c.press("down")
        await c.until(lambda: "plaza (plaza): patrol plaza-tour" in detail_text(c))
        await c.press("escape")
        await c.until(lambda: c.app.screen is c.main)


async def test_pause_resume_and_skip_toggle_on_the_schedule_under_the_cursor(
        svc: FakeService) -> None:
    sx = svc.schedules
    async with console(svc, operator="wang") as c:
        await open_schedules(c)
        await c.press("p")
        await c.until(lambda: sx.calls == [("pause", "night", "wang")])
        assert cells(c, "night")[2] == "Mon 20:00 (paused)"
        await c.press("p")
        await c.until(lambda: sx.calls[-1] == ("resume", "night", "wang"))
        await c.press("down", "k")
        await c.until(lambda: sx.calls[-1] == ("skip", "plaza", "wang"))
        assert cells(c, "plaza")[2] == "Tue 19:00 (skip)"
        await c.press("k")
        await c.until(lambda: sx.calls[-1] == ("unskip", "plaza", "wang"))
        assert cells(c, "plaza")[2] == "Tue 19:00"


async def test_run_now_and_replace_are_confirmed(svc: FakeService) -> None:
    sx = svc.schedules
    async with console(svc, operator="wang") as c:
        await open_schedules(c)
        await c.press("n")
        await c.until(lambda: isinstance(c.app.screen, QuestionScreen))
        lines = "\n".join(c.app.screen.lines)
        assert "already under way: Eagle 1" in lines
        await c.press("n")  # no: nothing starts
        await c.until(lambda: isinstance(c.app.screen, ScheduleScreen))
        await c.press("n")
        await c.until(lambda: isinstance(c.app.screen, QuestionScreen))
        await c.press("y")
        await c.until(lambda: sx.calls == [("run_now", "night", "wang")])
        await c.press("r")
        await c.until(lambda: isinstance(c.app.screen, QuestionScreen))
        await c.press("y")
        await c.until(lambda: sx.calls[-1] == ("replace", "run-3", "wang"))
        await c.until(lambda: cells(c, "night")[3] == "running: Eagle 1")
        assert "r sends a replacement" not in detail_text(c)
        await c.press("down", "r")  # plaza has nothing handed over: a notice, no question
        await c.frame()
        assert isinstance(c.app.screen, ScheduleScreen) and len(sx.calls) == 2


async def test_the_palette_pauses_a_schedule_by_name(svc: FakeService) -> None:
    async with console(svc, operator="wang") as c:
        await c.press("ctrl+p")
        await c.until(lambda: isinstance(c.app.screen, CommandPalette))
        await c.pilot.press(*"schedule plaza: pause")
        options = c.app.screen.query_one(CommandList)
        await c.until(lambda: options.option_count > 0
                      and "Schedule plaza: pause" in str(options.get_option_at_index(0).prompt),
                      what="the palette's match")
        await c.press("enter")
        await c.until(lambda: svc.schedules.calls == [("pause", "plaza", "wang")])
        assert screen(c).selected.id == "plaza"


async def test_a_core_without_schedules_says_so() -> None:
    svc = FakeService()
    async with console(svc) as c:
        await c.press("S")
        await c.frame()
        assert c.app.screen is c.main


def test_rows_say_blackout_disabled_and_skip() -> None:
    def name(unit_id: str) -> str:
        return unit_id

    text = [cell.text for cell in row(plaza(blackout_now="storm: typhoon"), name)]
    assert text[3] == "blackout storm"
    assert row(plaza(enabled=False, next_at=None), name)[2].text == "—"
    assert row(plaza(next_blackout="storm"), name)[2].text == "Tue 19:00 (blackout)"
    assert "disabled in the config" in detail(plaza(enabled=False), name)[0]
    assert detail(None, name) == ["No patrol schedule in the config."]
