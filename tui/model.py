"""The console's state as plain data: what the core said, and what the operator did.

The app drains the core's subscription into a :class:`ConsoleModel` and, on its refresh
timer, asks it what changed since the last frame. Nothing here imports Textual, so the
whole of it is tested without a screen (toolong's rule: the model knows nothing of the view).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from fleet.dispatch.incident import Incident
from fleet.events import (
    Alert,
    ConnectionState,
    LinkStatusChanged,
    Severity,
    UnitRegistered,
    UnitSnapshot,
)
from fleet.model import Domain
from tui.alert_book import AlertBook
from tui.alert_triage import Context as TriageContext
from tui.alert_triage import Where, triage_context
from tui.desk_book import IncidentBook
from tui.service_api import BatchLike

LatLon = tuple[float, float]
#: battery (fuel) levels the console warns about for crewed units, most severe first
LOW_BATTERY: tuple[tuple[float, Severity, str], ...] = (
    (15.0, Severity.CRITICAL, "critical"), (30.0, Severity.WARNING, "low"))
BATTERY_REARM_PCT = 35.0  # above this a unit may be warned again (a fresh battery)
NAMES_SHOWN = 3  # units named in a prompt before "…"


class Progress(StrEnum):
    SENDING = "sending…"
    ACCEPTED = "accepted"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class LastCommand:
    """The latest command the console sent a unit, and how it went."""

    name: str
    progress: Progress
    detail: str = ""
    time: float = 0.0

    def line(self) -> str:
        text = f"{self.name}: {self.progress}"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass(slots=True)
class BatteryTrend:
    """The last ``size`` battery readings, at most one per ``every_s`` of unit time, so a
    sparkline covers minutes however fast the unit reports."""

    size: int = 40
    every_s: float = 5.0
    values: deque[float] = field(default_factory=deque)
    _last_time: float = -math.inf

    def add(self, pct: float | None, when: float) -> bool:
        if pct is None or not math.isfinite(pct) or when - self._last_time < self.every_s:
            return False
        self._last_time = when
        self.values.append(float(pct))
        while len(self.values) > self.size:
            self.values.popleft()
        return True


@dataclass(frozen=True, slots=True)
class Targets:
    """Who an operator's command goes to (``ids``), whether they are the marked units,
    the marked units the filter hides (they get nothing), and, if nobody, why."""

    ids: tuple[str, ...] = ()
    marked: bool = False
    hidden: tuple[str, ...] = ()
    why: str = ""

    def __bool__(self) -> bool:
        return bool(self.ids)


def count(n: int, noun: str) -> str:
    """``1 marked unit``, ``3 marked units``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def names(callsigns: Iterable[str], most: int = NAMES_SHOWN) -> str:
    """At most ``most`` names, then ``…``: ``Eagle 1, Eagle 2, Eagle 3, …``."""
    out = list(callsigns)
    return ", ".join(out[:most] + (["…"] if len(out) > most else []))


@dataclass(slots=True)
class Changes:
    """What the next frame must redraw."""

    units: set[str] = field(default_factory=set)
    alerts: bool = False
    links: bool = False
    incidents: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.units or self.alerts or self.links or self.incidents)


class ConsoleModel:
    """Latest snapshot per unit, battery trends, last commands, routes, marks, alerts and
    incidents."""

    def __init__(self, *, battery_samples: int = 40, battery_every_s: float = 5.0,
                 max_alerts: int = 1000) -> None:
        self.units: dict[str, UnitSnapshot] = {}
        self.battery: dict[str, BatteryTrend] = {}
        self.last_command: dict[str, LastCommand] = {}
        self.routes: dict[str, tuple[LatLon, ...]] = {}  # patrol routes the console sent
        self.marked: set[str] = set()  # the multi-selection (space in the table)
        self.alerts = AlertBook(max_alerts, context=self.alert_context)
        self.incidents = IncidentBook()
        self.resyncs = 0
        self._battery_warned: dict[str, int] = {}  # unit id -> LOW_BATTERY index warned
        self._battery_samples = battery_samples
        self._battery_every_s = battery_every_s
        self._pending = Changes()

    # -- from the core ---------------------------------------------------------------
    def load(self, snapshots: Iterable[UnitSnapshot], alerts: Iterable[Alert] = ()) -> None:
        """The starting state: every unit and the alert history."""
        for snap in snapshots:
            self._put(snap)
        for alert in alerts:
            self.alerts.add(alert)
        self._pending.alerts = self._pending.links = True

    def apply(self, batch: BatchLike, wall: float) -> list[str]:
        """Take one drained batch; returns ids of units it names that the model lacks
        (auto-registered ones) so the caller can fetch their snapshots."""
        if batch.dropped_events:
            self.resyncs += 1
            self.log(wall, Severity.WARNING, "console.overflow",
                     f"console fell behind: {batch.dropped_events} events dropped, "
                     "view resynced")
        for snap in batch.units:
            self._put(snap)
        missing = []
        for event in batch.events:
            if isinstance(event, Alert):
                self._file(event)
            elif isinstance(event, LinkStatusChanged):
                self._pending.links = True
                self._link_line(event)
            elif isinstance(event, UnitRegistered) and event.unit_id not in self.units:
                missing.append(event.unit_id)
        return missing

    def put_incidents(self, incidents: Iterable[Incident]) -> None:
        """The dispatch centre's latest values of these incidents."""
        self._pending.incidents |= self.incidents.put(incidents)

    def _put(self, snap: UnitSnapshot) -> None:
        self.units[snap.id] = snap
        self._pending.units.add(snap.id)
        tel = snap.telemetry
        if tel is not None and tel.battery_pct is not None and math.isfinite(tel.battery_pct):
            trend = self.battery.get(snap.id)
            if trend is None:
                trend = self.battery[snap.id] = BatteryTrend(
                    self._battery_samples, self._battery_every_s)
            when = tel.source_time or tel.received_time
            trend.add(tel.battery_pct, when)
            self._check_battery(snap, tel.battery_pct, tel.received_time)

    def _check_battery(self, snap: UnitSnapshot, pct: float, wall: float) -> None:
        """One line when a crewed unit's battery or fuel falls below a level, not one per
        report. Aircraft are the core's: it alerts when one is low *in the air*
        (fleet.battery_watch); a drone charging on its pad needs nobody's attention."""
        if snap.unit.domain is Domain.AIR:
            return
        level = next((i for i, (limit, _, _) in enumerate(LOW_BATTERY) if pct < limit), None)
        warned = self._battery_warned.get(snap.id)
        if level is not None and (warned is None or level < warned):
            self._battery_warned[snap.id] = level
            _, severity, word = LOW_BATTERY[level]
            self.log(wall, severity, "console.battery",
                     f"{snap.unit.callsign}: battery {word} ({pct:.0f} %)", snap.id)
        elif warned is not None and pct >= BATTERY_REARM_PCT:
            del self._battery_warned[snap.id]

    def _link_line(self, event: LinkStatusChanged) -> None:
        """A link connecting is worth a line; its start-up steps are not, and its going
        down (and back) is the core's alert (``link.down``, ``link.up``), for headless
        operators too."""
        if event.state is ConnectionState.CONNECTED:
            self.log(event.time, Severity.NOTICE, "console.link", f"link {event.link} connected")

    def take_changes(self) -> Changes:
        changes, self._pending = self._pending, Changes()
        return changes

    def touch(self, unit_ids: Iterable[str] = (), *, alerts: bool = False,
              links: bool = False) -> None:
        """Ask for a redraw of what the operator's own actions changed."""
        self._pending.units.update(u for u in unit_ids if u in self.units)
        self._pending.alerts |= alerts
        self._pending.links |= links

    # -- from the operator ----------------------------------------------------------
    def log(self, wall: float, severity: Severity, code: str, message: str,
            unit_id: str | None = None) -> None:
        """A line of the console's own (command progress, overflow) in the alert log."""
        self._file(Alert(wall, severity, code, message, unit_id=unit_id))

    def _file(self, alert: Alert) -> None:
        """Triage ``alert`` into the alert list or only its unit's log (tui/alert_triage)."""
        where = self.alerts.add(alert)
        if where is Where.ALERTS:
            self._pending.alerts = True
        if where is not None and alert.unit_id in self.units:
            self._pending.units.add(alert.unit_id)  # its detail lists it

    def alert_context(self, alert: Alert) -> TriageContext:
        """What the triage needs to know about the alert's unit, from this model."""
        snap = self.units.get(alert.unit_id or "")
        if snap is None:
            return TriageContext()
        incident = self.incidents.owner(snap.id)
        return triage_context(snap, on_incident=incident is not None)

    def command_progress(self, unit_id: str, state: LastCommand) -> None:
        self.last_command[unit_id] = state
        self.touch([unit_id])

    def toggle_mark(self, unit_id: str) -> bool:
        """Toggle ``unit_id`` in the multi-selection; True if now marked."""
        if unit_id in self.marked:
            self.marked.discard(unit_id)
            return False
        self.marked.add(unit_id)
        return True

    def targets(self, cursor: str | None, shown: Sequence[str] | None = None) -> Targets:
        """Who a command goes to: the marked units the table ``shown`` (its ids, in its
        order; None: every unit, by id) lets through, else the unit under the cursor if shown.
        Marked units the filter hides never get it: they are named in ``hidden``."""
        visible = sorted(self.units) if shown is None else [u for u in shown if u in self.units]
        marked = self.marked & self.units.keys()
        if marked:
            ids = tuple(u for u in visible if u in marked)
            seen = set(ids)
            hidden = tuple(sorted((u for u in marked if u not in seen), key=self.callsign))
            why = "" if ids else (
                f"the {count(len(hidden), 'marked unit')} "
                f"({names(map(self.callsign, hidden))}) {'is' if len(hidden) == 1 else 'are'}"
                " hidden by the filter: change the filter (/) or clear the marks (esc)")
            return Targets(ids, marked=True, hidden=hidden, why=why)
        if cursor is not None and cursor in self.units and cursor not in visible:
            return Targets(why=f"{self.callsign(cursor)} is hidden by the filter: change "
                               "the filter (/) or select a unit shown")
        if cursor is None or cursor not in self.units:
            return Targets(why="the filter shows no unit: change it (/)" if not visible
                           else "no unit selected: put the table cursor on one, click one "
                                "on the map, or mark units (space)")
        return Targets((cursor,))

    def who(self, targets: Targets) -> str:
        """The targets as a prompt names them: ``Eagle 3``, ``4 marked units (Eagle 1,
        Eagle 2, Eagle 3, …)``."""
        callsigns = [self.callsign(u) for u in targets.ids]
        if not targets.marked:
            return names(callsigns)
        return f"{count(len(callsigns), 'marked unit')} ({names(callsigns)})"

    def callsign(self, unit_id: str) -> str:
        snap = self.units.get(unit_id)
        return str(snap.unit.callsign or unit_id) if snap is not None else unit_id

    def trend(self, unit_id: str) -> Sequence[float]:
        trend = self.battery.get(unit_id)
        return tuple(trend.values) if trend is not None else ()
