"""Pilot tests of the console against a real FleetService (demo config, a fake link).

The demo config's network links are stripped so the tests open no sockets; telemetry
and alerts arrive through a fake link's context, exactly as a real link delivers them.
Waits poll a condition with ``pilot.pause`` up to a timeout, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
import textual.constants
from factories import ManualClock
from textual.pilot import Pilot
from textual.widgets import HelpPanel, Input

from fleet.config import FleetConfig, MavlinkConfig, demo_config_path, load_config
from fleet.events import Alert, ConnectionState, Severity, UnitSnapshot
from fleet.links.base import LinkContext
from fleet.model import LinkState, Telemetry, Unit, UnitStatus
from fleet.service import FleetService
from tui.app import FleetConsole
from tui.launch import run_console
from tui.widgets import AlertsLog, FleetTable, HeaderBar
from tui.widgets.alerts_log import alert_line
from tui.widgets.fleet_table import unit_cells
from tui.widgets.header_bar import summarize_counts

SIZE = (160, 50)


class FakeLink:
    """A link that connects at once and lets the test deliver reports through its ctx."""

    name = "fake"

    def __init__(self) -> None:
        self.ctx: LinkContext | None = None
        self.ready = asyncio.Event()

    async def run(self, ctx: LinkContext) -> None:
        self.ctx = ctx
        ctx.connection(ConnectionState.CONNECTED)
        self.ready.set()
        await asyncio.Event().wait()

    def report(self, unit_id: str, **fields: float | str | bool) -> None:
        assert self.ctx is not None
        self.ctx.telemetry(unit_id, Telemetry(26.89, 112.57, 1_800_000_000.0, **fields))


@pytest.fixture(scope="module")
def config() -> FleetConfig:
    cfg = load_config(demo_config_path())
    return dataclasses.replace(cfg, mavlink=MavlinkConfig(), mqtt=None)


@dataclasses.dataclass
class Console:
    app: FleetConsole
    pilot: Pilot
    svc: FleetService
    link: FakeLink
    clock: ManualClock

    @property
    def table(self) -> FleetTable:
        return self.app.query_one(FleetTable)

    @property
    def header(self) -> HeaderBar:
        return self.app.query_one(HeaderBar)

    def status_of(self, unit_id: str) -> str | None:
        cells = self.table.cells_of(unit_id)
        return None if cells is None else cells[3].text

    def log_text(self) -> str:
        return "\n".join(strip.text for strip in self.app.query_one(AlertsLog).lines)

    async def until(self, cond: Callable[[], object], timeout: float = 5.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not cond():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"condition not met within {timeout} s")
            await self.pilot.pause(0.05)


@asynccontextmanager
async def console(config: FleetConfig) -> AsyncIterator[Console]:
    clock = ManualClock()
    link = FakeLink()
    async with FleetService(config, links=[link], monotonic=clock,
                            staleness_period_s=0.05) as svc:
        await asyncio.wait_for(link.ready.wait(), 5)
        app = FleetConsole(svc)
        async with app.run_test(size=SIZE) as pilot:
            yield Console(app, pilot, svc, link, clock)


async def test_starts_with_one_row_per_unit(config: FleetConfig) -> None:
    async with console(config) as c:
        await c.until(lambda: c.header.counts)
        assert c.table.row_count == len(config.units) == 301
        assert c.header.fleet_name == "Hengyang"
        assert c.header.counts["not heard"] == 301
        assert c.status_of("air-1") == "not heard"
        await c.until(lambda: ("fake", ConnectionState.CONNECTED) in c.header.links)
        callsigns = [c.table.cells_of(u)[0].text for u in c.table.shown_ids]
        assert callsigns.index("Eagle 2") < callsigns.index("Eagle 8")


async def test_telemetry_updates_row_and_header(config: FleetConfig) -> None:
    async with console(config) as c:
        c.link.report("air-1", alt_m=52.4, ground_speed_m_s=3.25, battery_pct=87.0,
                      mode="LOITER", armed=True)
        await c.until(lambda: c.status_of("air-1") == "available")
        cells = [cell.text for cell in c.table.cells_of("air-1")]
        assert cells == ["Eagle 1", "drone", "air1", "available", "LOITER", "87", "3.2", "52",
                         "0s"]
        await c.until(lambda: c.header.counts.get("available") == 1)
        assert c.header.counts["not heard"] == 300
        c.clock.advance(3)
        await c.until(lambda: c.table.cells_of("air-1")[-1].text == "3s")


async def test_lost_unit_is_red_and_alerted(config: FleetConfig) -> None:
    async with console(config) as c:
        c.link.report("air-1", battery_pct=50.0)
        await c.until(lambda: c.status_of("air-1") == "available")
        c.clock.advance(30)  # past the drone's 5 s timeout; the staleness loop notices
        await c.until(lambda: c.status_of("air-1") == "lost")
        assert all(cell.style == "bold red" for cell in c.table.cells_of("air-1"))
        await c.until(lambda: c.header.counts.get("lost") == 1)
        await c.until(lambda: "Eagle 1: no telemetry" in c.log_text())


async def test_alerts_history_then_live(config: FleetConfig) -> None:
    clock = ManualClock()
    link = FakeLink()
    async with FleetService(config, links=[link], monotonic=clock) as svc:
        await asyncio.wait_for(link.ready.wait(), 5)
        assert link.ctx is not None
        link.ctx.alert(Severity.WARNING, "test.old", "before the console started")
        app = FleetConsole(svc)
        async with app.run_test(size=SIZE) as pilot:
            c = Console(app, pilot, svc, link, clock)
            await c.until(lambda: "before the console started" in c.log_text())
            link.ctx.alert(Severity.CRITICAL, "test.new", "battery fire on Eagle 2", "air-2")
            await c.until(lambda: "battery fire on Eagle 2" in c.log_text())
            assert "CRITICAL" in c.log_text()
            assert c.log_text().count("before the console started") == 1


async def test_filter_narrows_rows(config: FleetConfig) -> None:
    async with console(config) as c:
        await c.pilot.press("slash")
        assert isinstance(c.app.focused, Input)
        await c.pilot.press(*"drone")
        await c.until(lambda: c.table.row_count == 8)
        await c.pilot.press(*" 8")  # every term must match
        await c.until(lambda: c.table.shown_ids == ["air-8"])
        c.app.query_one("#filter", Input).value = "available"
        await c.until(lambda: c.table.row_count == 0)
        c.link.report("heli-1")  # a unit that starts to match appears
        await c.until(lambda: c.table.shown_ids == ["heli-1"])
        await c.pilot.press("q")  # typed into the filter, not a quit
        assert c.app.return_code is None
        await c.pilot.press("escape")
        assert isinstance(c.app.focused, FleetTable)
        c.app.query_one("#filter", Input).value = ""
        await c.until(lambda: c.table.row_count == 301)


async def test_help_panel_toggles(config: FleetConfig) -> None:
    async with console(config) as c:
        await c.pilot.press("question_mark")
        await c.until(lambda: c.app.screen.query(HelpPanel))
        await c.pilot.press("question_mark")
        await c.until(lambda: not c.app.screen.query(HelpPanel))


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_quit_keys_exit(config: FleetConfig, key: str) -> None:
    async with FleetService(config) as svc:
        app = FleetConsole(svc)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(key)
            await pilot.pause()
            assert app.return_code == 0
        assert svc.stream.subscriber_count == 0  # the console let go of its subscription


@pytest.mark.parametrize("stop_early", [False, True])
async def test_run_console_returns_when_stop_is_set(
    config: FleetConfig, monkeypatch: pytest.MonkeyPatch, stop_early: bool
) -> None:
    """SIGTERM from the runner sets ``stop``: the console exits, even if it was set before
    the app finished starting."""
    monkeypatch.setattr(textual.constants, "DRIVER",
                        "textual.drivers.headless_driver:HeadlessDriver")
    async with FleetService(config) as svc:
        stop = asyncio.Event()
        if stop_early:
            stop.set()
        async with asyncio.timeout(10), asyncio.TaskGroup() as tg:
            task = tg.create_task(run_console(svc, stop))
            # the console is up once it holds a subscription (nothing to await on)
            while not stop.is_set() and svc.stream.subscriber_count == 0:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            stop.set()
            await task
        assert svc.stream.subscriber_count == 0


def test_cells_tolerate_odd_data(config: FleetConfig) -> None:
    unit: Unit = config.units[0]
    odd = Telemetry(0.0, 0.0, 0.0, alt_m=math.nan, ground_speed_m_s=math.inf,
                    battery_pct=None, mode="")
    for tel, seen, shown_age in ((None, None, "—"), (odd, 1.0, "4s"), (odd, math.nan, "—")):
        snap = UnitSnapshot(unit, UnitStatus.AVAILABLE, UnitStatus.AVAILABLE, LinkState.OK,
                            None, tel, seen)
        assert [cell.text for cell in unit_cells(snap, 5.0)][4:] == ["—"] * 4 + [shown_age]
    line = alert_line(Alert(1e300, Severity.DEBUG, "odd", "far future"))
    assert line.plain.startswith("--:--:--") and "far future" in line.plain


def test_summarize_counts_splits_never_heard_from_lost() -> None:
    counts = {UnitStatus.DISPATCHED: 2, UnitStatus.EN_ROUTE: 1, UnitStatus.LOST: 10}
    out = summarize_counts(counts, not_heard=7)
    assert out["en route"] == 3 and out["lost"] == 3 and out["not heard"] == 7
