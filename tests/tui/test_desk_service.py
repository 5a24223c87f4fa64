"""The incident desk against the real dispatch centre (FleetService with the demo config,
an in-memory audit, an in-process link that accepts every command): the issue's
walk-through from the keyboard: take a call at Wanda Plaza, dispatch the
recommendation, watch the units go, see the arrival against the 1-minute target, clear
and close it."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable
from typing import Any

import pytest
from console_harness import console
from desk_harness import rows, screen_is
from factories import ManualClock

from fleet.commands import Command, Goto
from fleet.config import FleetConfig, MavlinkConfig, demo_config_path, load_config
from fleet.dispatch.incident import IncidentStatus
from fleet.events import ConnectionState
from fleet.model import Telemetry
from fleet.service import FleetService
from tui.screens.disposition import DispositionScreen
from tui.screens.question import QuestionScreen
from tui.screens.recommendation import RecommendationScreen

NOON = 1796270400.0  # 2026-12-03 12:00 in Hengyang
WANDA = (26.8950, 112.5780)
NEAR = {"rp01-cv1": (26.8962, 112.5790), "rp01-mc1": (26.8935, 112.5800),
        "rp01-mc2": (26.8975, 112.5760)}


class AcceptingLink:
    """Routes some units, accepts whatever they are sent, reports what the test says."""

    name = "script"

    def __init__(self, unit_ids: Iterable[str], wall: Any) -> None:
        self.unit_ids = list(unit_ids)
        self.wall = wall
        self.ctx: Any = None
        self.ready = asyncio.Event()
        self.commands: list[tuple[str, Command]] = []

    async def run(self, ctx: Any) -> None:
        self.ctx = ctx
        for unit_id in self.unit_ids:
            ctx.route(unit_id, self)
        ctx.connection(ConnectionState.CONNECTED)
        self.ready.set()
        await asyncio.Event().wait()

    async def execute(self, unit_id: str, command: Command) -> None:
        self.commands.append((unit_id, command))

    def report(self, unit_id: str, lat: float, lon: float) -> None:
        self.ctx.telemetry(unit_id, Telemetry(lat, lon, self.wall(), battery_pct=80.0))


@pytest.fixture(scope="module")
def config() -> FleetConfig:
    cfg = load_config(demo_config_path())
    return dataclasses.replace(cfg, mavlink=MavlinkConfig(), mqtt=None,
                               dispatch=dataclasses.replace(cfg.dispatch, audit_db=":memory:"))


async def test_call_dispatch_arrive_clear_close_from_the_keyboard(config: FleetConfig) -> None:
    clock = ManualClock()

    def wall() -> float:
        return NOON + clock()

    link = AcceptingLink(NEAR, wall)
    async with FleetService(config, links=[link], monotonic=clock, wall=wall) as svc:
        await asyncio.wait_for(link.ready.wait(), 5)
        for unit_id, (lat, lon) in NEAR.items():
            link.report(unit_id, lat, lon)
        async with console(svc) as c:
            await c.until(lambda: svc.dispatch.available)
            await c.press("n")
            await c.press(*"wanda", "right", "tab", "enter", "v", "enter", "tab", "enter")
            rec = await screen_is(c, RecommendationScreen)
            text = str(rec.query_one("#explanation").query_one("Static").render())
            assert "key site Wanda Plaza; target 1 min 00 s" in text
            await c.press("y")
            await c.until(lambda: svc.dispatch.incidents(), what="the incident")
            inc = svc.dispatch.incidents()[0]
            await c.until(lambda: svc.dispatch.incident(inc.id).status
                          is IncidentStatus.EN_ROUTE, what="en route")
            sent = [u for u, cmd in link.commands if isinstance(cmd, Goto)]
            assert sent and set(sent) <= set(NEAR)
            await c.until(lambda: rows(c) and rows(c)[0][3] == "en route")
            c.map.zoom(20)  # about 10 m a dot
            c.map.show_point(*WANDA)
            await c.until(lambda: c.map._grid is not None and "#ffaf00" in {
                s for row in c.map._grid.styles for s in row}, what="the lines to the call")

            clock.advance(42)
            link.report(sent[0], WANDA[0] + 0.0002, WANDA[1])  # 22 m away: on scene
            await c.until(lambda: rows(c)[0][2:4] == ["0:42/1:00", "on scene"],
                          what="arrival against the target")
            assert svc.dispatch.incident(inc.id).target_met is True

            await c.press("c")
            await screen_is(c, DispositionScreen)
            await c.press("enter")  # report taken
            await c.until(lambda: svc.dispatch.incident(inc.id).status
                          is IncidentStatus.CLEARED)
            await c.press("C")
            await screen_is(c, QuestionScreen)
            await c.press("y")
            await c.until(lambda: svc.dispatch.incident(inc.id).status
                          is IncidentStatus.CLOSED)
            final = svc.dispatch.incident(inc.id)
            assert final.disposition == "report taken"
            await c.until(lambda: rows(c)[0][3] == "closed")
