"""FleetCore: the state, the change stream, the links, and the features' tasks.

It owns every task, all under one ``asyncio.TaskGroup`` that lives exactly as long as
``async with``. It knows no feature: dispatch and scheduled patrols are composed on top
(:mod:`fleet.service`) and reach the core only through a :class:`fleet.port.FleetPort`,
as links reach it through a :class:`fleet.links.base.LinkContext`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, Self

from . import counters
from .activity import duty_after
from .api import TelemetryStreams, UnitHandle
from .battery_watch import BatteryWatch
from .commands import Command, Origin, command_name
from .config import FleetConfig
from .errors import (
    CommandError,
    CommandRejectedError,
    CommandTimeoutError,
    FleetTimeoutError,
    NoRouteError,
)
from .eta import Ranked, kind_filter, rank_by_eta, status_filter
from .events import (
    Alert,
    ConnectionState,
    Event,
    LinkStatusChanged,
    Severity,
    UnitSnapshot,
)
from .links.base import CommandDriver, Link
from .links.factory import build_links
from .links.supervisor import ReconnectPolicy, supervise
from .model import LinkState, Position, Telemetry, UnitKind, UnitStatus
from .port import CommandWatcher, Feature, FleetPort
from .state import FleetState
from .stream import ChangeStream, Subscription
from .tasking import next_mission, next_tasking

log = logging.getLogger("fleet.service")  # the name operators' log filters know


@dataclass(frozen=True, slots=True)
class LinkStatus:
    name: str
    state: ConnectionState
    detail: str
    since: float  # Unix seconds


@dataclass(frozen=True, slots=True)
class Candidate:
    """One row of an ETA ranking."""

    unit: UnitSnapshot
    distance_m: float
    eta_s: float


class FleetCore:
    """Owns links, state and tasks; see the module docstring for the shape of use."""

    def __init__(
        self,
        config: FleetConfig,
        *,
        links: Iterable[Link] | None = None,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        staleness_period_s: float = 0.25,
        reconnect: ReconnectPolicy | None = None,
        alert_history: int = 1000,
    ) -> None:
        self.config = config
        self.wall = wall
        self.monotonic = monotonic
        self.staleness_period_s = staleness_period_s
        self.reconnect = reconnect or ReconnectPolicy()
        # the stream reads snapshots from the state, which reports its changes to the stream
        self.stream = ChangeStream(lambda unit_id: self.state.snapshot(unit_id))
        self.state = FleetState(
            list(config.units), listener=self.stream,
            unknown_units=config.registry.unknown_units, kinds=config.kinds, wall=wall,
        )
        self.alerts: deque[Alert] = deque(maxlen=alert_history)
        self.batteries = BatteryWatch(config.dispatch.reserve_pct)  # airborne and low
        self.stream.add_tap(self._record)
        configured, unavailable = build_links(config, monotonic)
        self._links: list[Link] = [*configured, *(links or ())]
        self._unavailable = unavailable
        self._link_status: dict[str, LinkStatus] = {}
        self._down_since: dict[str, float] = {}  # links down after being up: since when
        self._routes: dict[str, dict[str, CommandDriver]] = {}
        self._stack: AsyncExitStack | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.running = False
        self._features: list[tuple[str, Feature]] = []
        self._command_watchers: list[CommandWatcher] = []
        self.port: FleetPort = _FeaturePort(self)

    def add_link(self, link: Link) -> None:
        """Supervise ``link`` with the configured ones (before the core starts)."""
        if self._stack is not None:
            raise RuntimeError("links are added before the core starts")
        self._links.append(link)

    def add_feature(self, name: str, feature: Feature) -> None:
        """Run ``feature`` beside the links while the core runs (before it starts)."""
        if self._stack is not None:
            raise RuntimeError("features are added before the core starts")
        self._features.append((name, feature))

    # -- lifecycle ------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        if self._stack is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        stack = AsyncExitStack()
        tg = await stack.enter_async_context(asyncio.TaskGroup())
        self._stack = stack
        for name, why in self._unavailable:
            self._set_link(name, ConnectionState.UNAVAILABLE, why)
            self._emit(Alert(self.wall(), Severity.WARNING, "link.unavailable",
                             f"link {name}: {why}", link=name))
        self._tasks.append(tg.create_task(self._staleness_loop(), name="fleet-staleness"))
        for name, feature in self._features:
            self._tasks.append(tg.create_task(feature.run(), name=f"fleet-{name}"))
        for link in self._links:
            self._set_link(link.name, ConnectionState.DISCONNECTED, "starting")
            ctx = _LinkPort(self, link.name)
            self._tasks.append(tg.create_task(
                supervise(link, ctx, self.reconnect, monotonic=self.monotonic),
                name=f"fleet-link-{link.name}",
            ))
        self.running = True
        log.info("fleet started: %d units, %d links", len(self.state), len(self._links))
        return self

    async def __aexit__(self, *exc_info: object) -> bool | None:
        stack, self._stack = self._stack, None
        self.running = False
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        try:
            assert stack is not None
            return await stack.__aexit__(*exc_info)
        finally:
            log.info("fleet stopped")

    async def _staleness_loop(self) -> None:
        while True:
            self.state.check_staleness(self.monotonic())
            self._check_batteries()
            await asyncio.sleep(self.staleness_period_s)

    def _check_batteries(self) -> None:
        state, watch = self.state, self.batteries
        ids = {state.unit_at(i).id for i in watch.candidates(state.columns)}
        for unit_id in ids.union(watch.flagged()):
            alert = watch.check(state.snapshot(unit_id), self.wall())
            if alert is not None:
                self._emit(alert)

    # -- reads ----------------------------------------------------------------------
    def snapshot(self, unit_id: str) -> UnitSnapshot:
        return self.state.snapshot(unit_id)

    def snapshots(self) -> list[UnitSnapshot]:
        return self.state.snapshots()

    def unit(self, unit_id: str) -> UnitHandle:
        self.state.unit(unit_id)  # raises UnknownUnitError
        return UnitHandle(self.port, unit_id)

    def counts(self) -> dict[UnitStatus, int]:
        return self.state.counts()

    def links(self) -> list[LinkStatus]:
        return list(self._link_status.values())

    def counters(self) -> dict[str, dict[str, int]]:
        """Everything applied, refused and lost, by the state and by each link (non-zero
        counters only): :mod:`fleet.counters`."""
        return counters.gather(self.state.counters, ((ln.name, ln) for ln in self._links))

    def subscribe(
        self, *, units: Iterable[str] | None = None, max_events: int = 1000,
        snapshots: bool = True,
    ) -> Subscription:
        """A bounded, coalescing view of every change (see :mod:`fleet.stream`)."""
        return self.stream.subscribe(units=units, max_events=max_events, snapshots=snapshots)

    async def wait_for_unit(self, unit_id: str, timeout: float | None = None) -> UnitHandle:
        """Wait until ``unit_id`` is heard (its link state is OK)."""
        handle = self.unit(unit_id)
        with self.subscribe(units=[unit_id], max_events=16) as sub:
            try:
                async with asyncio.timeout(timeout):
                    while self.state.link_state(unit_id) is not LinkState.OK:
                        await sub.next_batch()
            except TimeoutError:
                raise FleetTimeoutError(
                    f"{unit_id}: not heard within {timeout:g} s"
                ) from None
        return handle

    def rank_by_eta(
        self,
        lat_deg: float,
        lon_deg: float,
        k: int = 10,
        *,
        statuses: Iterable[UnitStatus] | None = None,
        kinds: Iterable[UnitKind] | None = None,
        road_factor: float = 1.4,
    ) -> list[Candidate]:
        """The ``k`` nearest units by ETA among those eligible (default: available or
        patrolling, any kind)."""
        ranked: list[Ranked] = rank_by_eta(
            self.state.columns, lat_deg, lon_deg, k,
            statuses=status_filter(statuses) if statuses is not None else None,
            kinds=kind_filter(kinds) if kinds is not None else None,
            road_factor=road_factor,
        )
        return [
            Candidate(self.state.snapshot(self.state.unit_at(r.index).id), r.distance_m, r.eta_s)
            for r in ranked
        ]

    # -- writes ---------------------------------------------------------------------
    def set_status(self, unit_id: str, status: UnitStatus, reason: str = "") -> None:
        self.state.set_status(unit_id, status, reason)

    async def send(self, unit_id: str, command: Command, *, timeout: float | None = None,
                   origin: Origin = Origin.OPERATOR) -> Any:
        """Send ``command`` through the link that last heard the unit (or any with a
        route) and return its result (None for most commands). Raises NoRouteError, a
        CommandError subclass, or CommandTimeoutError; each failure is also an alert.

        ``origin`` says who sends it. An operator's command (the default) to a unit on a
        scheduled run takes the unit over from the schedule before it goes out."""
        name = command_name(command)
        try:
            driver = self._driver_for(unit_id, name)
        except (CommandError, NoRouteError) as exc:
            self._command_failed(exc)
            raise
        for watch in self._command_watchers:
            watch(unit_id, command, origin)
        try:
            async with asyncio.timeout(timeout):
                result = await driver.execute(unit_id, command)
        except TimeoutError as exc:
            err: CommandError = (
                exc if isinstance(exc, CommandError)
                else CommandTimeoutError(unit_id, name, f"no result within {timeout:g} s")
            )
            self._command_failed(err)
            raise err from None
        except (CommandError, NoRouteError) as exc:
            self._command_failed(exc)
            raise
        self._accepted(unit_id, command, origin, result)
        return result

    def _accepted(self, unit_id: str, command: Command, origin: Origin, result: Any) -> None:
        """Remember what the unit now does and carries (the console shows and draws it)."""
        state = self.state
        mission = next_mission(command, result, state.mission(unit_id))
        state.set_mission(unit_id, mission)
        tasking = next_tasking(command, origin.value, self.wall(), mission)
        if tasking is not False:
            state.set_tasking(unit_id, tasking)
        if origin is Origin.OPERATOR:  # taken off its patrol, sent home: say so
            duty = duty_after(command, state.duty_status(unit_id))
            if duty is not None:
                state.set_status(unit_id, duty, f"operator: {command_name(command)}")

    async def send_many(
        self, unit_ids: Iterable[str], command: Command, *, timeout: float | None = None,
        origin: Origin = Origin.OPERATOR,
    ) -> dict[str, Exception | None]:
        """Send one command to many units concurrently; each unit's result or error."""
        results: dict[str, Exception | None] = {}

        async def one(unit_id: str) -> None:
            try:
                await self.send(unit_id, command, timeout=timeout, origin=origin)
                results[unit_id] = None
            except (CommandError, NoRouteError) as exc:
                results[unit_id] = exc

        async with asyncio.TaskGroup() as tg:
            for unit_id in unit_ids:
                tg.create_task(one(unit_id))
        return results

    def _driver_for(self, unit_id: str, name: str) -> CommandDriver:
        if self.state.unit(unit_id).read_only:  # raises UnknownUnitError
            raise CommandRejectedError(unit_id, name, "refused locally",
                                       "the config marks this unit read-only")
        routes = self._routes.get(unit_id)
        if not routes:
            raise NoRouteError(unit_id, "no link can command this unit")
        if self.state.link_state(unit_id) is LinkState.LOST:
            raise NoRouteError(unit_id, "unit is lost (no telemetry)")
        preferred = self.state.snapshot(unit_id).link
        return routes.get(preferred) if preferred in routes else next(iter(routes.values()))

    def _command_failed(self, err: CommandError | NoRouteError) -> None:
        self._emit(Alert(self.wall(), Severity.WARNING, "command.failed", str(err),
                         unit_id=err.unit_id))

    # -- plumbing used by link contexts ---------------------------------------------
    def _emit(self, event: Event) -> None:
        self.stream.emit(event)

    def _record(self, event: Event) -> None:
        if isinstance(event, Alert):
            self.alerts.append(event)
            log.log(_LOG_LEVEL[event.severity], "%s: %s", event.code, event.message)

    def _set_link(self, name: str, state: ConnectionState, detail: str = "") -> None:
        old = self._link_status.get(name)
        if old is not None and old.state is state and old.detail == detail:
            return
        now = self.wall()
        self._link_status[name] = LinkStatus(name, state, detail, now)
        self._emit(LinkStatusChanged(name, state, now, detail))
        self._link_alert(name, old, state, detail, now)

    def _link_alert(self, name: str, old: LinkStatus | None, state: ConnectionState,
                    detail: str, now: float) -> None:
        """A link that was up and went down is an alert (its units will go lost one by
        one; this says why), and so is its return. Start-up and shutdown are not."""
        if (old is not None and old.state is ConnectionState.CONNECTED
                and state in (ConnectionState.DISCONNECTED, ConnectionState.FAILED)
                and detail != "stopped" and self.running):
            self._down_since[name] = now
            self._emit(Alert(now, Severity.WARNING, "link.down",
                             f"link {name} down ({detail or state.value}): its units go "
                             "lost until it is back", link=name))
        elif state is ConnectionState.CONNECTED and name in self._down_since:
            since = self._down_since.pop(name)
            self._emit(Alert(now, Severity.NOTICE, "link.up",
                             f"link {name} back after {now - since:.0f} s", link=name))

    def _route(self, link: str, unit_id: str, driver: CommandDriver | None) -> None:
        routes = self._routes.setdefault(unit_id, {})
        if driver is None:
            routes.pop(link, None)
        else:
            routes[link] = driver


_LOG_LEVEL = {
    Severity.EMERGENCY: logging.CRITICAL, Severity.ALERT: logging.CRITICAL,
    Severity.CRITICAL: logging.CRITICAL, Severity.ERROR: logging.ERROR,
    Severity.WARNING: logging.WARNING, Severity.NOTICE: logging.INFO,
    Severity.INFO: logging.INFO, Severity.DEBUG: logging.DEBUG,
}


class _LinkPort:
    """The :class:`LinkContext` a link gets: the core, narrowed to what links need."""

    def __init__(self, service: FleetCore, link_name: str) -> None:
        self._svc = service
        self.link_name = link_name
        self.resolve = service.state.resolve
        self.wall = service.wall
        self._ingest = service.state.ingest
        self._monotonic = service.monotonic

    def telemetry(self, unit_id: str, telemetry: Telemetry) -> None:
        self._ingest(unit_id, telemetry, self._monotonic(), self.link_name)

    def route(self, unit_id: str, driver: CommandDriver | None) -> None:
        self._svc._route(self.link_name, unit_id, driver)

    def alert(
        self, severity: Severity, code: str, message: str, unit_id: str | None = None
    ) -> None:
        self._svc._emit(Alert(self._svc.wall(), severity, code, message, unit_id=unit_id,
                              link=self.link_name))

    def connection(self, state: ConnectionState, detail: str = "") -> None:
        self._svc._set_link(self.link_name, state, detail)

    def unit_offline(self, unit_id: str, reason: str) -> None:
        self._svc.state.mark_lost(unit_id, reason, self.link_name)

    def home(self, unit_id: str, home: Position | None) -> None:
        self._svc.state.set_home(unit_id, home)

    def crew_status(self, unit_id: str, status: UnitStatus) -> None:
        self._svc.state.set_status(unit_id, status, f"crew reported {status.value}")

    def snapshot(self, unit_id: str) -> UnitSnapshot:
        return self._svc.state.snapshot(unit_id)

    def snapshots(self) -> list[UnitSnapshot]:
        return self._svc.state.snapshots()

    def subscribe(self, *, max_events: int = 1000) -> Subscription:
        return self._svc.subscribe(max_events=max_events)


class _FeaturePort:
    """The :class:`FleetPort` features get: the core, narrowed to what they need."""

    def __init__(self, core: FleetCore) -> None:
        self.name = core.config.name
        self.view = core.state
        self.wall = core.wall
        self.monotonic = core.monotonic
        self.snapshot = core.state.snapshot
        self.set_status = core.state.set_status
        self.subscribe = core.subscribe
        self.send = core.send
        self.emit = core._emit
        self.counts = core.counts
        self.links = core.links
        self.counters = core.counters
        self._core = core

    def reports(self, unit_id: str) -> AsyncIterator[Telemetry]:
        return TelemetryStreams(self, unit_id).reports()

    def watch_commands(self, watcher: CommandWatcher) -> None:
        self._core._command_watchers.append(watcher)

