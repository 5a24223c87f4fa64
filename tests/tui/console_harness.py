"""Running the console under a pilot, and waiting on what it shows (never on the clock)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console as RichConsole
from textual.pilot import Pilot

from tui.app import FleetConsole
from tui.screens.main import MainScreen
from tui.widgets import AlertsLog, CityMapView, HeaderBar, UnitDetail, UnitTable

SIZE = (160, 50)


@dataclass
class Console:
    app: FleetConsole
    pilot: Pilot
    service: Any

    @property
    def main(self) -> MainScreen:
        return self.app.main

    @property
    def table(self) -> UnitTable:
        return self.main.query_one(UnitTable)

    @property
    def map(self) -> CityMapView:
        return self.main.query_one(CityMapView)

    @property
    def detail(self) -> UnitDetail:
        return self.main.query_one(UnitDetail)

    @property
    def alerts(self) -> AlertsLog:
        return self.main.query_one(AlertsLog)

    @property
    def header(self) -> HeaderBar:
        return self.main.query_one(HeaderBar)

    def status_of(self, unit_id: str) -> str | None:
        cells = self.table.cells_of(unit_id)
        return None if cells is None else cells[3].text

    def detail_text(self) -> str:
        out = RichConsole(width=100, record=True, file=io.StringIO())
        out.print(self.detail.render())
        return out.export_text()

    def log_text(self) -> str:
        return "\n".join(self.alerts.lines)

    def last_command(self, unit_id: str) -> str:
        last = self.app.model.last_command.get(unit_id)
        return "" if last is None else last.line()

    async def until(self, cond: Callable[[], object], timeout: float = 5.0,
                    what: str = "") -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not cond():
            if loop.time() > deadline:
                raise AssertionError(f"not within {timeout} s: {what or cond}")
            await self.pilot.pause(0.05)

    async def frame(self) -> None:
        """Wait until the refresh timer has drawn at least once more."""
        n = self.app.frames
        await self.until(lambda: self.app.frames > n + 1, what="a refresh")

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)


@asynccontextmanager
async def console(service: Any, size: tuple[int, int] = SIZE,
                  **options: Any) -> AsyncIterator[Console]:
    app = FleetConsole(service, **options)
    async with app.run_test(size=size) as pilot:
        c = Console(app, pilot, service)
        await c.frame()
        yield c
