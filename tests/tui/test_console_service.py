"""Pilot tests of the console against a real FleetService (the demo config, a fake link).

The demo config's network links are stripped so no socket opens; telemetry and alerts
arrive through a fake link's context, exactly as a real link delivers them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import textual.constants
from console_harness import Console, console
from factories import ManualClock

from fleet.config import FleetConfig, MavlinkConfig, demo_config_path, load_config
from fleet.events import ConnectionState, Severity
from fleet.links.base import LinkContext
from fleet.model import Telemetry
from fleet.service import FleetService
from tui.app import FleetConsole
from tui.launch import run_console


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


HENGYANG_NOON = 1796270400.0  # 2026-12-03 12:00 UTC+8


@pytest.fixture(scope="module")
def config() -> FleetConfig:
    """The demo config, without its links, and with an audit log of its own: the demo's
    (in the user's data directory) may hold open incidents that keep units on scene."""
    cfg = load_config(demo_config_path())
    return dataclasses.replace(cfg, mavlink=MavlinkConfig(), mqtt=None,
                               dispatch=dataclasses.replace(cfg.dispatch, audit_db=":memory:"))


@asynccontextmanager
async def running(config: FleetConfig) -> AsyncIterator[tuple[Console, FakeLink, ManualClock]]:
    clock = ManualClock()
    link = FakeLink()
    # noon in Hengyang, when no schedule of the demo config claims Eagle 1 (its evening
    # plaza tour): the test must not depend on the hour it runs
    async with FleetService(config, links=[link], monotonic=clock,
                            wall=lambda: HENGYANG_NOON + clock(),
                            staleness_period_s=0.05) as svc:
        await asyncio.wait_for(link.ready.wait(), 5)
        async with console(svc) as c:
            yield c, link, clock


async def test_the_demo_fleet_live(config: FleetConfig) -> None:
    async with running(config) as (c, link, clock):
        assert len(c.table.shown_ids) == len(config.units) == 301
        assert c.header.fleet_name == "Hengyang"
        assert c.header.counts["not heard"] == 301
        await c.until(lambda: ("fake", ConnectionState.CONNECTED, "") in c.header.links)
        callsigns = [c.table.cells_of(u)[0].text for u in c.table.shown_ids]
        assert callsigns.index("Eagle 2") < callsigns.index("Eagle 8")
        link.report("air-1", alt_m=52.4, relative_alt_m=40.0, ground_speed_m_s=3.25,
                    battery_pct=87.0, mode="LOITER", armed=True)
        # hovering at 40 m in a hold mode: "holding", whatever its CAD status (available)
        await c.until(lambda: c.status_of("air-1") == "holding")
        assert [cell.text for cell in c.table.cells_of("air-1")] == [
            "Eagle 1", "drone", "air1", "holding", "—", "LOITER", "87", "3.2", "40", "0s"]
        await c.until(lambda: c.header.counts.get("flying") == 1)
        clock.advance(30)  # past the drone's 5 s timeout: the staleness loop notices
        await c.until(lambda: c.status_of("air-1") == "lost")
        assert all(cell.style == "bold red" for cell in c.table.cells_of("air-1"))
        await c.until(lambda: c.header.counts.get("lost") == 1)
        await c.until(lambda: "Eagle 1: no telemetry" in c.log_text())


async def test_the_demo_patrols_are_drawn_and_nothing_in_the_console_fails(
        config: FleetConfig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="tui")
    async with running(config) as (c, _link, _clock):
        routes = c.app.flow.routes()
        assert len(routes) == len(config.patrols) == 3
        assert all(len(r) >= 2 for r in routes)
        boat = c.app.flow.route_for(c.app.model.units["boat-pb1"])  # on the river schedule
        assert boat == next(r.points for r in c.app.service.patrol_routes()
                            if r.id == "xiang-river")
        await c.pilot.pause()  # one full render of the map with the routes
    assert [r.getMessage() for r in caplog.records if r.name == "tui"] == []


async def test_alert_history_then_live_alerts_once_each(config: FleetConfig) -> None:
    link = FakeLink()
    async with FleetService(config, links=[link], monotonic=ManualClock()) as svc:
        await asyncio.wait_for(link.ready.wait(), 5)
        assert link.ctx is not None
        link.ctx.alert(Severity.WARNING, "test.old", "before the console started")
        async with console(svc) as c:
            await c.until(lambda: "before the console started" in c.log_text())
            link.ctx.alert(Severity.CRITICAL, "test.new", "battery fire on Eagle 2", "air-2")
            await c.until(lambda: "battery fire on Eagle 2" in c.log_text())
            assert "CRITICAL" in c.log_text()
            assert c.log_text().count("before the console started") == 1


def console_subscriptions(svc: FleetService, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record the subscriptions the console takes (the core has its own, e.g. dispatch)."""
    taken: list[Any] = []
    subscribe = svc.subscribe

    def recording(**options: Any) -> Any:
        sub = subscribe(**options)
        if sys._getframe(1).f_globals.get("__name__", "").startswith("tui."):
            taken.append(sub)
        return sub

    monkeypatch.setattr(svc, "subscribe", recording)
    return taken


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_quit_keys_exit(config: FleetConfig, key: str,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    async with FleetService(config) as svc:
        taken = console_subscriptions(svc, monkeypatch)
        app = FleetConsole(svc)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(key)
            await pilot.pause()
            assert app.return_code == 0
        assert len(taken) == 1 and taken[0].closed  # the console let go of it


@pytest.mark.parametrize("stop_early", [False, True])
async def test_run_console_returns_when_stop_is_set(
    config: FleetConfig, monkeypatch: pytest.MonkeyPatch, stop_early: bool
) -> None:
    """SIGTERM from the runner sets ``stop``: the console exits, even if it was set before
    the app finished starting."""
    monkeypatch.setattr(textual.constants, "DRIVER",
                        "textual.drivers.headless_driver:HeadlessDriver")
    async with FleetService(config) as svc:
        taken = console_subscriptions(svc, monkeypatch)
        stop = asyncio.Event()
        if stop_early:
            stop.set()
        async with asyncio.timeout(10), asyncio.TaskGroup() as tg:
            task = tg.create_task(run_console(svc, stop))
            # the console is up once it holds a subscription (nothing to await on)
            while not stop.is_set() and not taken:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            stop.set()
            await task
        assert all(sub.closed for sub in taken)
