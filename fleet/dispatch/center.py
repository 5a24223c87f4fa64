"""DispatchCenter: incidents in, units out, every step supervised and audited.

Composed by :class:`fleet.service.FleetService` (``svc.dispatch``) and run in the core's
task group; it reaches the fleet only through a :class:`fleet.port.FleetPort`.
The operator-facing API is here; the per-unit command sequences are in
:mod:`.deployment`, the closed loop (arrival, lost units, overdue targets, landing) in
:mod:`.closed_loop`, the CAD interface (a link the composition adds) in :mod:`.cad_link`.
Every action is checked first and recorded durably before anything is sent, so a
refusal leaves no trace but the error and a crash loses nothing that was acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from fleet.city_time import local
from fleet.events import Alert, Severity
from fleet.model import Domain, UnitStatus

from . import deployment
from .audit import AuditLog, count_received, default_audit_path, select_open
from .audit_heads import HeadFeed
from .cad_link import CadStats
from .chain import AuditEntry, AuditRecord
from .closed_loop import ClosedLoop
from .errors import (
    AuditError,
    DispatchUnavailableError,
    IllegalTransitionError,
    NoUnitsAvailableError,
    Refusal,
    UnitUnavailableError,
)
from .explain import duration
from .feed import IncidentFeed, IncidentSubscription
from .hygiene import stale_reasons
from .incident import EventKind, Incident, IncidentEvent, replay
from .intake import Intake
from .ledger import Ledger, to_event
from .outcome import Dispatched, refused_text
from .recommend import Recommendation, Recommender
from .replacement import replacement_requirement
from .resume import resume_work
from .settings import DispatchSettings

if TYPE_CHECKING:
    from fleet.model import Base, KeySite, Zone
    from fleet.port import FleetPort

log = logging.getLogger("fleet.dispatch")
SYSTEM = "system"  # the operator name of what the centre does by itself
_DUTY = {"assigned": UnitStatus.DISPATCHED, "acknowledged": UnitStatus.DISPATCHED,
         "en_route": UnitStatus.EN_ROUTE, "on_scene": UnitStatus.ON_SCENE}


class DispatchCenter:
    def __init__(self, port: FleetPort, settings: DispatchSettings, *,
                 audit_path: str | None = None, city: str = "", zones: Sequence[Zone] = (),
                 key_sites: Sequence[KeySite] = (), bases: Sequence[Base] = ()) -> None:
        self.port = port
        self.settings = settings
        self.audit_path = audit_path or settings.audit_db or str(default_audit_path())
        self.intake = Intake(settings, zones, key_sites, list(bases), city)
        #: recommendations never offer a unit the incident record has on a call: the
        #: dispatch check (:func:`.actions.unavailable_reason`) would refuse it
        self.recommender = Recommender(port.view, self.settings,
                                       committed=lambda: self._owner)
        self.feed = IncidentFeed(self.incident)
        self.proposals: dict[str, Recommendation] = {}  # replacements awaiting a reassign
        self._owner: dict[str, str] = {}  # unit id -> incident it is actively assigned to
        self._ledger: Ledger | None = None
        self._tg: asyncio.TaskGroup | None = None
        self._started = asyncio.Event()
        self._failure: str | None = None
        self._day_counts: dict[str, int] = {}
        self.cad_listening = asyncio.Event()  # set while the CAD intake is subscribed
        self.cad_stats = CadStats()  # the CAD interface's counters (cad_link)
        self.audit_heads = HeadFeed()  # the audit's checkpoints, published by cad_link
        self._unit_tasks: dict[str, asyncio.Task[None]] = {}
        self._resume_rows: list[AuditRecord] = []  # read at start, for resume_work
        #: incidents with an ``incident.target_missed`` row in the audit (seeded from it
        #: on resume), so a restart does not raise the alert or write the row again
        self.target_missed: set[str] = set()

    # -- lifecycle ------------------------------------------------------------------
    async def run(self) -> None:
        """Open the audit, resume open incidents, supervise until cancelled. A broken
        audit disables dispatch (with a critical alert), never the rest of the fleet."""
        self._failure = None
        self._started.clear()
        audit = AuditLog.configured(self.audit_path, self.settings, self.audit_heads)
        try:
            await _open(audit)
        except AuditError as exc:
            self._failure = str(exc)
            self.alert(Severity.CRITICAL, "dispatch.unavailable", f"dispatch disabled: {exc}")
            self._started.set()
            return
        try:
            self._ledger = Ledger(audit, self._changed)
            try:
                await self._resume()
            except Exception as exc:  # a damaged audit must not take the fleet down
                log.exception("cannot resume from %s", self.audit_path)
                self._failure = f"cannot resume open incidents from the audit: {exc}"
                self.alert(Severity.CRITICAL, "dispatch.unavailable",
                           f"dispatch disabled: {self._failure}")
                return
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                self._started.set()
                self.spawn(ClosedLoop(self).run, "dispatch-closed-loop", restart=True)
                resume_work(self, self.incidents(open_only=True), self._resume_rows)
                self._resume_rows = []
        finally:
            self._tg = None
            self._failure = self._failure or "dispatch stopped"
            self._started.set()  # nobody waits forever on a centre that is gone
            audit.close()  # commits whatever is queued

    async def _ready(self) -> Ledger:
        await self._started.wait()
        if self._failure is not None or self._ledger is None:
            raise DispatchUnavailableError(self._failure or "dispatch is not running")
        return self._ledger

    async def incidents_ready(self, timeout: float | None = None) -> None:
        """Wait until the audit is open and the open incidents are replayed from it
        (DispatchUnavailableError if that failed)."""
        async with asyncio.timeout(timeout):
            await self._ready()

    def spawn(self, factory: Callable[[], Coroutine[Any, Any, None]], name: str, *,
              restart: bool = False) -> asyncio.Task[None]:
        """Run ``factory()`` in the centre's task group; a bug in it becomes an alert (and
        a restart with backoff for the long-running loops), never the service's end."""
        if self._tg is None:
            raise DispatchUnavailableError(self._failure or "dispatch is not running")

        async def guarded() -> None:
            delay = 1.0
            while True:
                try:
                    await factory()
                    return
                except Exception as exc:
                    log.exception("%s failed", name)
                    self.alert(Severity.ERROR, "dispatch.bug", f"{name} failed: {exc!r}")
                    if not restart:
                        return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

        return self._tg.create_task(guarded(), name=name)

    def spawn_for(self, unit_id: str, factory: Callable[[], Coroutine[Any, Any, None]],
                  name: str) -> None:
        """Run a unit's command sequence, replacing (cancelling) the one in flight: a
        recall must not be followed by the rest of an orbit or a transit."""
        old = self._unit_tasks.pop(unit_id, None)
        if old is not None and not old.done():
            old.cancel()
        task = self.spawn(factory, name)
        self._unit_tasks[unit_id] = task
        task.add_done_callback(
            lambda t: self._unit_tasks.pop(unit_id) if self._unit_tasks.get(unit_id) is t
            else None)

    async def _resume(self) -> None:
        """Rebuild open incidents from the audit and put their units back on duty."""
        assert self._ledger is not None
        rows = await asyncio.wrap_future(self._ledger.audit.read(select_open))
        incidents = replay(e for e in map(to_event, rows) if e is not None)
        self._ledger.load(incidents.values())
        self.target_missed.update(r.incident for r in rows
                                  if r.kind == "incident.target_missed" and r.incident)
        for inc in incidents.values():
            for a in inc.active:
                if a.unit_id in self.port.view:
                    self.port.set_status(a.unit_id, _DUTY[a.status.value], f"resumed {inc.id}")
        self._resumed_alert(list(incidents.values()))
        self._resume_rows = rows  # the cut sequences are taken up once the tasks can run

    def _resumed_alert(self, incidents: list[Incident]) -> None:
        """Say what a restart brought back, and how much of it needs a look."""
        if not incidents:
            return
        opened = [i for i in incidents if i.status.open]
        stale = sum(1 for i in opened if self.stale(i.id))
        cleared = len(incidents) - len(opened)
        text = (f"resumed {len(opened)} open incident{'' if len(opened) == 1 else 's'}, "
                f"{stale or 'none'} stale")
        if cleared:
            text += f"; {cleared} cleared, not closed"
        self.alert(Severity.NOTICE if stale else Severity.INFO, "dispatch.resumed", text)

    # -- reads ----------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return self._started.is_set() and self._failure is None

    def incident(self, incident_id: str) -> Incident:
        if self._ledger is None:
            raise DispatchUnavailableError(self._failure or "dispatch is not running")
        return self._ledger.get(incident_id)

    def incidents(self, *, open_only: bool = False) -> list[Incident]:
        if self._ledger is None:
            return []
        return [i for i in self._ledger.incidents.values() if i.status.open or not open_only]

    def stale(self, incident_id: str) -> list[str]:
        """Why the incident needs an operator's review now (:mod:`.hygiene`); empty if
        it does not. For the console's flag; the supervisor alerts each reason once."""
        inc = self.incident(incident_id)
        return [s.message for s in stale_reasons(inc, self.port.wall(), self.settings,
                                                 self.callsign)]

    def stale_all(self) -> dict[str, list[str]]:
        """Every open incident needing review, with its reasons."""
        return {i.id: reasons for i in self.incidents(open_only=True)
                if (reasons := self.stale(i.id))}

    def callsign(self, unit_id: str) -> str:
        """The unit's callsign, or its id if the config no longer has it (a resumed
        incident can name a unit removed since)."""
        return self.port.view.unit(unit_id).callsign if unit_id in self.port.view else unit_id

    def owner(self, unit_id: str) -> str | None:
        """The incident ``unit_id`` is actively assigned to, if any."""
        return self._owner.get(unit_id)

    def assigned(self) -> dict[str, str]:
        """Every actively assigned unit and its incident."""
        return dict(self._owner)

    def subscribe(self) -> IncidentSubscription:
        return self.feed.subscribe()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> None:
        """Wait (on incident and unit changes, never by polling) until ``predicate()``."""
        with self.subscribe() as incidents, self.port.subscribe(max_events=16) as units:
            async with asyncio.timeout(timeout):
                while not predicate():
                    waits = [asyncio.ensure_future(incidents.next_batch()),
                             asyncio.ensure_future(units.next_batch())]
                    try:
                        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        for w in waits:
                            w.cancel()

    def preview(self, lat: object, lon: object, category: str) -> Recommendation:
        """What would be sent to a call there, without recording anything."""
        call = self.intake.check(lat, lon, category)
        return self.recommender.recommend(call.lat, call.lon, call.category, call.placement)

    def recommend(self, incident_id: str, *, exclude: Iterable[str] = ()) -> Recommendation:
        """The units to send now, never one already on (or failed at) this incident."""
        inc = self.incident(incident_id)
        call = self.intake.check(inc.lat, inc.lon, inc.category, inc.priority)
        used = {a.unit_id for a in inc.assignments} | set(exclude)
        return self.recommender.recommend(inc.lat, inc.lon, call.category, call.placement,
                                          exclude=used)

    # -- intake ---------------------------------------------------------------------
    async def new_incident(
        self, lat: object, lon: object, category: str, *, priority: int | None = None,
        notes: str = "", operator: str | None = None, source: str = "console",
        ref: str | None = None, request_id: str | None = None,
    ) -> Incident:
        """Record a call; raises a BadIncidentError subclass (and records nothing) if the
        location, category, priority or notes are invalid."""
        ledger = await self._ready()
        call = self.intake.check(lat, lon, category, priority, notes)
        now = self.port.wall()
        incident_id = await self._next_id(now)
        event = IncidentEvent(EventKind.RECEIVED, incident_id, now, operator or
                              self.settings.operator,
                              data=call.received_data(source, ref, request_id))
        return (await ledger.record([event]))[incident_id]

    async def _next_id(self, now: float) -> str:
        day = local(now).strftime("%y%m%d")  # the city's day, whatever the machine's zone
        prefix = f"INC-{day}-"
        if day not in self._day_counts:
            ledger = await self._ready()
            self._day_counts[day] = await asyncio.wrap_future(
                ledger.audit.read(lambda conn: count_received(conn, prefix)))
        self._day_counts[day] += 1
        return f"{prefix}{self._day_counts[day]:03d}"

    # -- operator actions -----------------------------------------------------------
    async def dispatch(self, incident_id: str, unit_ids: Sequence[str] | None = None, *,
                       operator: str | None = None) -> Incident:
        """Send ``unit_ids`` (default: the recommendation); the incident after it. See
        :meth:`dispatch_units`, which also says which units were refused."""
        return (await self.dispatch_units(incident_id, unit_ids, operator=operator)).incident

    async def dispatch_units(self, incident_id: str, unit_ids: Sequence[str] | None = None,
                             *, operator: str | None = None) -> Dispatched:
        """Send every unit of ``unit_ids`` (default: the recommendation) that can go.

        Each is checked by the rule the recommender applies (:mod:`.eligibility`),
        under the ledger's lock; the ones that can go are assigned in one transaction,
        with a note naming the refused ones and why (and a warning). When none can go
        nothing is recorded: UnitUnavailableError (``refused`` lists them) or
        NoUnitsAvailableError, with an alert, so a call nobody was sent to is never
        quiet. An unknown unit id refuses the whole call (a typo, not a unit's state)."""
        ledger = await self._ready()
        inc = self.incident(incident_id)
        if not inc.status.open:
            raise IllegalTransitionError(incident_id, "dispatch", f"it is {inc.status}",
                                         "the incident is no longer open")
        rec = self.recommend(incident_id)
        ids = list(dict.fromkeys(unit_ids if unit_ids is not None else rec.unit_ids))
        for unit_id in ids:
            self.port.view.index_of(unit_id)  # UnknownUnitError
        if not ids:
            why = "; ".join(rec.notes) or "every unit is committed, lost or below reserve"
            error = NoUnitsAvailableError(f"{incident_id}: no eligible unit to send ({why})")
            error.refused = tuple(Refusal(e.unit_id, e.detail) for e in rec.excluded)
            self._none_sent(incident_id, str(error))
            raise error
        now, op = self.port.wall(), operator or self.settings.operator
        refused: list[Refusal] = []

        def build() -> tuple[list[IncidentEvent], list[AuditEntry]]:
            refused[:] = [Refusal(u, why) for u in ids
                          if (why := deployment.unavailable_reason(self, u))]
            if len(refused) == len(ids):
                raise UnitUnavailableError.of(refused)
            out = {r.unit_id for r in refused}
            events = [self._assignment(incident_id, u, rec, now, op) for u in ids
                      if u not in out]
            if refused:
                events.append(IncidentEvent(
                    EventKind.NOTE, incident_id, now, op, None,
                    {"text": f"not sent: {refused_text(refused, self.callsign)}",
                     "refused": [{"unit": r.unit_id, "reason": r.reason} for r in refused]}))
            return events, []

        try:
            inc = (await ledger.record_built(build))[incident_id]
        except UnitUnavailableError as exc:
            self._none_sent(incident_id, str(exc))
            raise
        out = {r.unit_id for r in refused}
        sent = tuple(u for u in ids if u not in out)
        self._send(inc, sent)
        if refused:
            self.alert(Severity.WARNING, "dispatch.partial",
                       f"{incident_id}: sent {len(sent)} of {len(ids)} units; not sent: "
                       f"{refused_text(refused, self.callsign)}")
        return Dispatched(inc, sent, tuple(refused))

    def _none_sent(self, incident_id: str, why: str) -> None:
        self.alert(Severity.WARNING, "dispatch.not_sent", f"{incident_id}: nobody sent: {why}")

    async def reassign(self, incident_id: str, unit_id: str, replacement: str | None = None,
                       *, operator: str | None = None, reason: str = "") -> Incident:
        """Replace ``unit_id`` (failed, lost or just slow) by ``replacement`` (default:
        the proposal, else the next in the ranking for the same requirement)."""
        ledger = await self._ready()
        inc = self.incident(incident_id)
        old = inc.assignment(unit_id)
        if old is None:
            raise IllegalTransitionError(incident_id, f"reassign {unit_id}",
                                         f"{unit_id} was never assigned to it")
        rec = self._replacements(inc, unit_id)
        new = replacement or next(iter(rec.unit_ids), None)
        if new is None:
            raise NoUnitsAvailableError(f"{incident_id}: no replacement for {unit_id} "
                                        f"({'; '.join(rec.notes) or 'none eligible'})")
        now, op = self.port.wall(), operator or self.settings.operator
        events = [
            IncidentEvent(EventKind.REASSIGNED, incident_id, now, op, unit_id,
                          {"to": new, **({"reason": reason} if reason else {})}),
            self._assignment(incident_id, new, rec, now, op, replaces=unit_id),
        ]
        was_active = old.status.active
        inc = (await ledger.record(events, check=lambda: self._check_units([new])))[incident_id]
        self.proposals.pop(incident_id, None)
        if was_active:
            self._recall([unit_id])
        self._send(inc, [new])
        return inc

    async def release(self, incident_id: str, unit_id: str, *, operator: str | None = None,
                      reason: str = "") -> Incident:
        """Let one unit go (the others stay)."""
        inc = await self._operator_event(EventKind.RELEASED, incident_id, operator, unit_id,
                                         {"reason": reason} if reason else {})
        self._recall([unit_id])
        return inc

    async def clear(self, incident_id: str, *, operator: str | None = None, note: str = "",
                    disposition: str = "") -> Incident:
        """The scene is dealt with: every unit is released (aircraft return to launch).
        ``disposition`` says how (CAD practice: "report taken", "arrest", "no trace")."""
        active = [a.unit_id for a in self.incident(incident_id).active]
        data = {k: v for k, v in (("note", note), ("disposition", disposition)) if v}
        inc = await self._operator_event(EventKind.CLEARED, incident_id, operator, None, data)
        self._recall(active)
        return inc

    async def close(self, incident_id: str, *, operator: str | None = None,
                    disposition: str = "") -> Incident:
        return await self._operator_event(EventKind.CLOSED, incident_id, operator, None,
                                          {"disposition": disposition} if disposition else {})

    async def cancel(self, incident_id: str, *, operator: str | None = None, reason: str = ""
                     ) -> Incident:
        """Call off an incident at any open stage (a false alarm); units are released."""
        active = [a.unit_id for a in self.incident(incident_id).active]
        inc = await self._operator_event(EventKind.CANCELLED, incident_id, operator, None,
                                         {"reason": reason} if reason else {})
        self._recall(active)
        return inc

    async def add_note(self, incident_id: str, text: str, *, operator: str | None = None
                       ) -> Incident:
        return await self._operator_event(EventKind.NOTE, incident_id, operator, None,
                                          {"text": text})

    async def _operator_event(self, kind: EventKind, incident_id: str, operator: str | None,
                              unit_id: str | None, data: dict[str, Any]) -> Incident:
        ledger = await self._ready()
        self.incident(incident_id)  # UnknownIncidentError first
        event = IncidentEvent(kind, incident_id, self.port.wall(),
                              operator or self.settings.operator, unit_id, data)
        return (await ledger.record([event]))[incident_id]

    # -- used by actions and the supervisor ------------------------------------------
    async def record_unit(self, kind: EventKind, incident_id: str, unit_id: str,
                          time: float | None = None, **data: Any) -> bool:
        """Record a unit's progress; False (and a log line) when the incident has moved
        on (cancelled, unit released) so the event no longer applies."""
        ledger = await self._ready()
        event = IncidentEvent(kind, incident_id, time if time is not None else self.port.wall(),
                              SYSTEM, unit_id, data)
        try:
            await ledger.record([event])
        except IllegalTransitionError as exc:
            log.info("not recorded: %s", exc)
            return False
        return True

    async def audit_only(self, kind: str, incident_id: str | None, unit_id: str | None,
                         **data: Any) -> None:
        """An audit row that changes no incident: commands, results, proposals, alerts."""
        ledger = await self._ready()
        await ledger.log(AuditEntry(kind, self.port.wall(), SYSTEM, incident_id, unit_id, data))

    def audit_later(self, kind: str, incident_id: str | None, unit_id: str | None,
                    **data: Any) -> None:
        """Queue an audit row without waiting (from a task being cancelled)."""
        if self._ledger is not None:
            self._ledger.audit.submit([AuditEntry(kind, self.port.wall(), SYSTEM, incident_id,
                                                  unit_id, data)])

    def alert(self, severity: Severity, code: str, message: str,
              unit_id: str | None = None) -> None:
        self.port.emit(Alert(self.port.wall(), severity, code, message, unit_id=unit_id))

    async def propose_replacement(self, incident_id: str, unit_id: str, why: str) -> None:
        """Alert that ``unit_id`` failed or is lost, naming the next unit in the ranking."""
        inc = self.incident(incident_id)
        if not inc.status.open:
            return
        rec = self._replacements(inc, unit_id)
        self.proposals[incident_id] = rec
        callsign = self.port.view.unit(unit_id).callsign
        first = rec.chosen[0] if rec.chosen else None
        proposal = (f"proposed replacement {first.callsign} (ETA {duration(first.eta_s)}); "
                    f"reassign to send it" if first else "no replacement available")
        self.alert(Severity.WARNING, "dispatch.replacement",
                   f"{incident_id}: {callsign} {why}; {proposal}", unit_id=unit_id)
        await self.audit_only("replacement.proposed", incident_id, unit_id, why=why,
                              proposed=first.unit_id if first else None)

    def _replacements(self, inc: Incident, unit_id: str) -> Recommendation:
        call = self.intake.check(inc.lat, inc.lon, inc.category, inc.priority)
        old = inc.assignment(unit_id)
        req = replacement_requirement(call.category, self.port.view.unit(unit_id),
                                      old.requirement if old else "")
        return self.recommender.recommend(
            inc.lat, inc.lon, call.category, call.placement, requirements=[req],
            exclude={a.unit_id for a in inc.assignments})

    # -- internals ------------------------------------------------------------------
    def _assignment(self, incident_id: str, unit_id: str, rec: Recommendation, now: float,
                    operator: str, replaces: str | None = None) -> IncidentEvent:
        option = rec.option(unit_id)
        data: dict[str, Any] = {"requirement": option.requirement if option else
                                "operator choice"}
        if option is not None:
            data.update(eta_s=round(option.eta_s, 1), distance_m=round(option.distance_m, 1),
                        meets_target=option.meets_target)
        if replaces:
            data["replaces"] = replaces
        return IncidentEvent(EventKind.ASSIGNED, incident_id, now, operator, unit_id, data)

    def _check_units(self, unit_ids: Sequence[str]) -> None:
        for unit_id in unit_ids:
            reason = deployment.unavailable_reason(self, unit_id)
            if reason:
                raise UnitUnavailableError(unit_id, reason)

    def _send(self, inc: Incident, unit_ids: Iterable[str]) -> None:
        for unit_id in unit_ids:
            self.port.set_status(unit_id, UnitStatus.DISPATCHED, inc.id)
            self.spawn_for(unit_id, lambda u=unit_id: deployment.send_unit(self, inc, u),
                           f"dispatch-{inc.id}-{unit_id}")

    def _recall(self, unit_ids: Iterable[str]) -> None:
        for unit_id in unit_ids:
            if self.port.view.unit(unit_id).domain is Domain.AIR:
                self.spawn_for(unit_id, lambda u=unit_id: deployment.recall_aircraft(self, u),
                               f"recall-{unit_id}")
            else:
                self.port.set_status(unit_id, UnitStatus.AVAILABLE, "released")
                self.spawn_for(unit_id, lambda u=unit_id: deployment.release_crew(self, u),
                               f"release-{unit_id}")

    def _changed(self, incidents: Iterable[Incident]) -> None:
        changed = list(incidents)
        for inc in changed:
            for a in inc.assignments:
                if a.status.active:
                    self._owner[a.unit_id] = inc.id
                elif self._owner.get(a.unit_id) == inc.id:
                    del self._owner[a.unit_id]
        self.feed.changed(changed)


async def _open(audit: AuditLog) -> None:
    """Open the audit in a thread. Cancelled meanwhile (the core stopping at once), the
    open still finishes in its thread: close what it opened (writer thread, file lock)
    before going, or a core restarted in this process finds its own audit locked."""
    opening = asyncio.ensure_future(asyncio.to_thread(audit.open))
    try:
        await asyncio.shield(opening)
    except asyncio.CancelledError:
        while not opening.done():  # the stop cancels twice (task group, then service)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([opening])
        if not opening.exception():
            audit.close()
        raise

