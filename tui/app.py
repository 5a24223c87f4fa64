"""FleetConsole: the operator's view of the fleet, fed by one subscription.

Data flow: a worker drains the service's subscription into plain state on the app (the
latest snapshot per unit, the set of units changed, new alerts). A 4 Hz timer applies
that state to the widgets. The core is never awaited on widget work, and a flood of
telemetry costs the screen one redraw per changed unit per tick at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import Footer, HelpPanel, Input

from fleet.errors import UnknownUnitError
from fleet.events import (
    Alert,
    LinkStatusChanged,
    Severity,
    UnitRegistered,
    UnitSnapshot,
)
from fleet.model import LinkState
from fleet.service import FleetService
from fleet.stream import Batch, Subscription
from tui.widgets import AlertsLog, FleetTable, HeaderBar
from tui.widgets.cells import clock
from tui.widgets.header_bar import summarize_counts

log = logging.getLogger("tui")


class FleetConsole(App[None]):
    """The console app. ``stop``, when given, ends it (the runner's SIGTERM)."""

    CSS_PATH = "fleet.tcss"
    TITLE = "Fleet console"
    BINDINGS = [  # noqa: RUF012  (Textual's own declaration style)
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("slash", "focus_filter", "Filter", key_display="/"),
        Binding("question_mark", "toggle_help", "Help", key_display="?"),
        Binding("escape", "leave_filter", "Table", show=False),
    ]
    REFRESH_S = 0.25
    MAX_PENDING_ALERTS = 1000

    def __init__(
        self, service: FleetService, *, stop: asyncio.Event | None = None,
        max_events: int = 10_000,
    ) -> None:
        super().__init__()
        self.service = service
        self._stop = stop
        self._max_events = max_events
        self.units: dict[str, UnitSnapshot] = {}  # latest snapshot per unit id
        self._changed: set[str] = set()  # unit ids not yet shown
        self._new_alerts: deque[Alert] = deque(maxlen=self.MAX_PENDING_ALERTS)
        self._links_changed = True
        self._sub: Subscription | None = None
        self._last_error = ""

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Vertical(id="body"):
            yield Input(placeholder="/ to filter by callsign, kind, group or status",
                        id="filter", compact=True)
            yield FleetTable(self.units, self.service.monotonic, id="fleet")
            yield AlertsLog(id="alerts")
        yield Footer()

    def on_mount(self) -> None:
        # Subscribe, then read the current state and alert history with no await in
        # between, so nothing falls in the gap and nothing is shown twice.
        self._sub = self.service.subscribe(max_events=self._max_events)
        self.units.update((s.id, s) for s in self.service.snapshots())
        self._changed.update(self.units)  # the first tick adds every row
        self._new_alerts.extend(self.service.alerts)
        self.query_one(HeaderBar).fleet_name = str(self.service.config.name)
        self._consume(self._sub)
        if self._stop is not None:
            self._exit_when_stopped(self._stop)
        self.set_interval(self.REFRESH_S, self._tick)
        self.call_after_refresh(self._tick)
        self.query_one(FleetTable).focus()

    def on_unmount(self) -> None:
        if self._sub is not None:
            self._sub.close()

    # -- the feed: accumulate only ------------------------------------------------
    @work(exclusive=True, group="feed")
    async def _consume(self, sub: Subscription) -> None:
        """Drain the subscription into app state; sleeping between drains lets the
        stream coalesce a unit's many reports into one snapshot."""
        async for batch in sub:
            self._accumulate(batch)
            await asyncio.sleep(self.REFRESH_S / 2)

    def _accumulate(self, batch: Batch) -> None:
        if batch.dropped_events:
            self._resync(batch.dropped_events)
        for snap in batch.units:
            self.units[snap.id] = snap
            self._changed.add(snap.id)
        for event in batch.events:
            if isinstance(event, Alert):
                self._new_alerts.append(event)
            elif isinstance(event, LinkStatusChanged):
                self._links_changed = True
            elif isinstance(event, UnitRegistered) and event.unit_id not in self.units:
                with contextlib.suppress(UnknownUnitError):
                    self.units[event.unit_id] = self.service.snapshot(event.unit_id)
                    self._changed.add(event.unit_id)

    def _resync(self, dropped: int) -> None:
        """Events were lost to overflow: take a full snapshot and say so."""
        self.units.update((s.id, s) for s in self.service.snapshots())
        self._changed.update(self.units)
        self._links_changed = True
        self._new_alerts.append(Alert(
            self.service.wall(), Severity.WARNING, "console.overflow",
            f"console fell behind: {dropped} events dropped, view resynced",
        ))

    @work(exclusive=True, group="stop")
    async def _exit_when_stopped(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self.exit()

    # -- the timer: apply to widgets ------------------------------------------------
    def _tick(self) -> None:
        """The timer's callback: a display bug becomes a log entry and one notice,
        never a traceback that takes the console away from the operator."""
        try:
            self.refresh_view()
        except Exception as exc:
            log.exception("console refresh failed")
            if self._last_error != repr(exc):
                self._last_error = repr(exc)
                self.notify(f"display error: {exc!r}", severity="error")

    def refresh_view(self) -> None:
        """Apply what the feed accumulated since the last tick."""
        header = self.query_one(HeaderBar)
        table = self.query_one(FleetTable)
        changed, self._changed = self._changed, set()
        if changed:
            table.update_units(changed)
            not_heard = sum(
                1 for s in self.units.values() if s.link_state is LinkState.NEVER_SEEN
            )
            header.counts = summarize_counts(self.service.counts(), not_heard)
        table.update_ages()
        if self._links_changed:
            self._links_changed = False
            header.set_links((ls.name, ls.state) for ls in self.service.links())
        if self._new_alerts:
            alerts = list(self._new_alerts)
            self._new_alerts.clear()
            self.query_one(AlertsLog).add_alerts(alerts)
        header.clock = clock(self.service.wall())

    # -- actions --------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(FleetTable).filter_text = event.value

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(FleetTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_leave_filter(self) -> None:
        self.query_one(FleetTable).focus()

    def action_toggle_help(self) -> None:
        try:
            self.screen.query_one(HelpPanel)
        except NoMatches:
            self.action_show_help_panel()
        else:
            self.action_hide_help_panel()
