"""A deterministic dispatch centre for the console tests: the real intake checks and the
real incident state machine (``fleet.dispatch.incident.apply``), a simple nearest-first
recommendation over the fake service's units, and progress only when a test says so.

Attach with ``with_desk(service)``; every action is recorded in ``actions`` with its
operator, and ``refuse[method] = error`` makes that method raise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fake_service import FakeService

from fleet.dispatch.categories import Category, Requirement
from fleet.dispatch.errors import (
    DispatchUnavailableError,
    IllegalTransitionError,
    NoUnitsAvailableError,
    UnitUnavailableError,
    UnknownIncidentError,
)
from fleet.dispatch.incident import EventKind, Incident, IncidentEvent, apply
from fleet.dispatch.intake import Intake
from fleet.dispatch.places import Placement
from fleet.dispatch.recommend import Fill, Option, Recommendation
from fleet.geo import haversine_m
from fleet.model import Domain, LinkState, UnitStatus

FREE = (UnitStatus.AVAILABLE, UnitStatus.PATROLLING)
SPEED = {Domain.AIR: 12.0, Domain.LAND: 10.0, Domain.WATER: 8.0}
LAUNCH_S = 30.0
DAY = "270115"  # the fake service's date


class FakeIncidentSubscription:
    def __init__(self, desk: FakeDesk) -> None:
        self.desk = desk
        self.dirty: dict[str, None] = {}
        self.closed = False

    def drain(self) -> list[Incident]:
        ids, self.dirty = self.dirty, {}
        return [self.desk.incident(i) for i in ids]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.desk.subs.remove(self)


class FakeDesk:
    def __init__(self, service: FakeService, *, available: bool = True) -> None:
        cfg = service.config
        self.service = service
        self.settings = cfg.dispatch
        self.intake = Intake(self.settings, cfg.zones, cfg.key_sites, list(cfg.bases.values()),
                             cfg.name)
        self.available = available
        self.proposals: dict[str, Recommendation] = {}
        self.refuse: dict[str, Exception] = {}
        self.review: dict[str, list[str]] = {}  # incident id -> what stale() says
        self.actions: list[tuple[str, str, str]] = []  # (event kind, incident, operator)
        self.subs: list[FakeIncidentSubscription] = []
        self._incidents: dict[str, Incident] = {}
        self._count = 0

    # -- reads ---------------------------------------------------------------------------
    def incident(self, incident_id: str) -> Incident:
        try:
            return self._incidents[incident_id]
        except KeyError:
            raise UnknownIncidentError(incident_id) from None

    def incidents(self, *, open_only: bool = False) -> list[Incident]:
        return [i for i in self._incidents.values() if i.status.open or not open_only]

    def stale(self, incident_id: str) -> list[str]:
        return list(self.review.get(incident_id, ()))

    def subscribe(self) -> FakeIncidentSubscription:
        sub = FakeIncidentSubscription(self)
        self.subs.append(sub)
        return sub

    def preview(self, lat: object, lon: object, category: str) -> Recommendation:
        self._check("preview")
        call = self.intake.check(lat, lon, category)
        return self.ranked(call.lat, call.lon, call.category, call.placement)

    def recommend(self, incident_id: str, *, exclude: Iterable[str] = ()) -> Recommendation:
        self._check("recommend")
        inc = self.incident(incident_id)
        call = self.intake.check(inc.lat, inc.lon, inc.category, inc.priority)
        used = {a.unit_id for a in inc.assignments} | set(exclude)
        return self.ranked(inc.lat, inc.lon, call.category, call.placement, used)

    def ranked(self, lat: float, lon: float, category: Category, placement: Placement,
               exclude: Iterable[str] = (),
               requirements: Sequence[Requirement] | None = None) -> Recommendation:
        """Nearest free, placed units per requirement; two alternates each."""
        pool = []
        for snap in self.service.snapshots():
            tel = snap.telemetry
            if snap.link_state is LinkState.OK and snap.status in FREE and tel is not None:
                pool.append((haversine_m(lat, lon, tel.lat_deg, tel.lon_deg), snap))
        pool.sort(key=lambda t: (t[0], t[1].id))
        taken = set(exclude)
        fills = []
        for req in requirements or category.requirements:
            label = req.label(category.id)
            options = [self._option(snap, d, label, placement.target_s) for d, snap in pool
                       if req.allows(snap.unit.kind) and snap.id not in taken]
            chosen = tuple(options[:req.count])
            taken |= {o.unit_id for o in chosen}
            fills.append(Fill(req, label, chosen, tuple(options[req.count:req.count + 2])))
        return Recommendation(lat, lon, category.id, placement, tuple(fills), (), ())

    @staticmethod
    def _option(snap: Any, metres: float, label: str, target_s: float) -> Option:
        domain = snap.unit.kind.domain
        route = metres if domain is Domain.AIR else metres * 1.4
        launch = LAUNCH_S if domain is Domain.AIR else 0.0
        eta = route / SPEED[domain] + launch
        return Option(snap.id, str(snap.unit.callsign), snap.unit.kind, label, metres, route,
                      SPEED[domain], launch, eta, snap.telemetry.battery_pct, eta <= target_s)

    # -- actions ---------------------------------------------------------------------------
    async def new_incident(self, lat: object, lon: object, category: str, *,
                           priority: int | None = None, notes: str = "",
                           operator: str | None = None, source: str = "console",
                           ref: str | None = None, request_id: str | None = None) -> Incident:
        return self.call(lat, lon, category, priority=priority, notes=notes,
                         operator=operator, source=source, ref=ref, request_id=request_id)

    def call(self, lat: object, lon: object, category: str, *, priority: int | None = None,
             notes: str = "", operator: str | None = None, source: str = "console",
             ref: str | None = None, request_id: str | None = None) -> Incident:
        """new_incident, synchronously (for building scenes)."""
        self._check("new_incident")
        call = self.intake.check(lat, lon, category, priority, notes)
        self._count += 1
        incident_id = f"INC-{DAY}-{self._count:03d}"
        return self.record(IncidentEvent(
            EventKind.RECEIVED, incident_id, self.service.now_wall, self._op(operator),
            data=call.received_data(source, ref, request_id)))

    async def dispatch(self, incident_id: str, unit_ids: Sequence[str] | None = None, *,
                       operator: str | None = None) -> Incident:
        return self.send(incident_id, unit_ids, operator=operator)

    def send(self, incident_id: str, unit_ids: Sequence[str] | None = None, *,
             operator: str | None = None) -> Incident:
        """dispatch, synchronously (for building scenes)."""
        self._check("dispatch")
        inc = self.incident(incident_id)
        if not inc.status.open:
            raise IllegalTransitionError(incident_id, "dispatch", f"it is {inc.status}")
        rec = self.recommend(incident_id)
        ids = list(unit_ids if unit_ids is not None else rec.unit_ids)
        if not ids:
            raise NoUnitsAvailableError(f"{incident_id}: no eligible unit to send")
        for unit_id in ids:
            snap = self.service.snapshot(unit_id)
            if snap.status not in FREE or snap.link_state is not LinkState.OK:
                raise UnitUnavailableError(unit_id, f"it is {snap.status.value}")
        events = [self._assigned(incident_id, u, rec, operator) for u in ids]
        inc = self.record(*events)
        for unit_id in ids:
            self.service.set_status(unit_id, UnitStatus.DISPATCHED, incident_id)
        return inc

    async def reassign(self, incident_id: str, unit_id: str, replacement: str | None = None,
                       *, operator: str | None = None, reason: str = "") -> Incident:
        self._check("reassign")
        inc = self.incident(incident_id)
        rec = self.replacements(inc, unit_id)
        new = replacement or next(iter(rec.unit_ids), None)
        if new is None:
            raise NoUnitsAvailableError(f"{incident_id}: no replacement for {unit_id}")
        now = self.service.now_wall
        inc = self.record(
            IncidentEvent(EventKind.REASSIGNED, incident_id, now, self._op(operator), unit_id,
                          {"to": new, "reason": reason}),
            self._assigned(incident_id, new, rec, operator, replaces=unit_id))
        self.proposals.pop(incident_id, None)
        self.service.set_status(new, UnitStatus.DISPATCHED, incident_id)
        return inc

    async def release(self, incident_id: str, unit_id: str, *, operator: str | None = None,
                      reason: str = "") -> Incident:
        return self._operator(EventKind.RELEASED, incident_id, operator, unit_id,
                              {"reason": reason})

    async def clear(self, incident_id: str, *, operator: str | None = None, note: str = "",
                    disposition: str = "") -> Incident:
        active = [a.unit_id for a in self.incident(incident_id).active]
        inc = self._operator(EventKind.CLEARED, incident_id, operator, None,
                             {"disposition": disposition, "note": note})
        for unit_id in active:
            self.service.set_status(unit_id, UnitStatus.AVAILABLE, "released")
        return inc

    async def close(self, incident_id: str, *, operator: str | None = None,
                    disposition: str = "") -> Incident:
        return self._operator(EventKind.CLOSED, incident_id, operator, None,
                              {"disposition": disposition} if disposition else {})

    async def cancel(self, incident_id: str, *, operator: str | None = None,
                     reason: str = "") -> Incident:
        active = [a.unit_id for a in self.incident(incident_id).active]
        inc = self._operator(EventKind.CANCELLED, incident_id, operator, None,
                             {"reason": reason})
        for unit_id in active:
            self.service.set_status(unit_id, UnitStatus.AVAILABLE, "released")
        return inc

    async def add_note(self, incident_id: str, text: str, *,
                       operator: str | None = None) -> Incident:
        return self._operator(EventKind.NOTE, incident_id, operator, None, {"text": text})

    # -- what tests call -------------------------------------------------------------------
    def step(self, incident_id: str, unit_id: str, kind: EventKind, **data: Any) -> Incident:
        """The unit's progress, as the supervisor would record it."""
        inc = self.record(IncidentEvent(kind, incident_id, self.service.now_wall, "system",
                                        unit_id, data))
        status = {EventKind.EN_ROUTE: UnitStatus.EN_ROUTE,
                  EventKind.ON_SCENE: UnitStatus.ON_SCENE}.get(kind)
        if status is not None:
            self.service.set_status(unit_id, status, incident_id)
        return inc

    def fail(self, incident_id: str, unit_id: str, reason: str) -> Incident:
        """The unit failed: recorded, out of service, and a replacement proposed."""
        inc = self.step(incident_id, unit_id, EventKind.FAILED, reason=reason)
        self.service.set_status(unit_id, UnitStatus.OUT_OF_SERVICE, "failed")
        self.proposals[incident_id] = self.replacements(inc, unit_id)
        return inc

    def replacements(self, inc: Incident, unit_id: str) -> Recommendation:
        call = self.intake.check(inc.lat, inc.lon, inc.category, inc.priority)
        domain = self.service.snapshot(unit_id).unit.kind.domain
        return self.ranked(inc.lat, inc.lon, call.category, call.placement,
                           {a.unit_id for a in inc.assignments}, [Requirement(1, domain=domain)])

    # -- internals -------------------------------------------------------------------------
    def _check(self, method: str) -> None:
        if not self.available:
            raise DispatchUnavailableError("dispatch disabled: the audit cannot be opened")
        error = self.refuse.get(method)
        if error is not None:
            raise error

    def _op(self, operator: str | None) -> str:
        return operator or self.settings.operator

    def _assigned(self, incident_id: str, unit_id: str, rec: Recommendation,
                  operator: str | None, replaces: str | None = None) -> IncidentEvent:
        option = rec.option(unit_id)
        data: dict[str, Any] = {"requirement": option.requirement if option else
                                "operator choice"}
        if option is not None:
            data.update(eta_s=round(option.eta_s, 1), distance_m=round(option.distance_m, 1))
        if replaces:
            data["replaces"] = replaces
        return IncidentEvent(EventKind.ASSIGNED, incident_id, self.service.now_wall,
                             self._op(operator), unit_id, data)

    def _operator(self, kind: EventKind, incident_id: str, operator: str | None,
                  unit_id: str | None, data: dict[str, Any]) -> Incident:
        self._check(kind.value)
        self.incident(incident_id)
        return self.record(IncidentEvent(kind, incident_id, self.service.now_wall,
                                         self._op(operator), unit_id, data))

    def record(self, *events: IncidentEvent) -> Incident:
        """Apply all or none (as the ledger), then tell the subscribers."""
        staged = dict(self._incidents)
        for e in events:
            staged[e.incident_id] = apply(staged.get(e.incident_id), e)
        self._incidents = staged
        for e in events:
            self.actions.append((e.kind.value, e.incident_id, e.operator))
            for sub in self.subs:
                sub.dirty[e.incident_id] = None
        return staged[events[-1].incident_id]


def with_desk(service: FakeService, **options: Any) -> FakeDesk:
    service.dispatch = FakeDesk(service, **options)
    return service.dispatch
