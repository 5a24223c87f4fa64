"""Incidents and their lifecycle: an event-sourced state machine, pure.

An :class:`Incident` is an immutable value; :func:`apply` returns the next one for an
:class:`IncidentEvent` or raises :class:`IllegalTransitionError` (nothing changes). The
audit stores the events, so replaying them rebuilds every incident exactly (reports,
restart). Incident status follows the first unit: DISPATCHED at the first assignment,
EN_ROUTE at the first unit en route, ON_SCENE at the first arrival::

    RECEIVED -> DISPATCHED -> EN_ROUTE -> ON_SCENE -> CLEARED -> CLOSED
        \\___________\\____________\\___________\\-> CANCELLED

Each unit's :class:`Assignment` has its own: ASSIGNED -> ACKNOWLEDGED -> EN_ROUTE ->
ON_SCENE -> RELEASED, or FAILED / REASSIGNED; ``lost_at`` flags a unit whose telemetry
stopped while assigned, until it recovers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import IllegalTransitionError


class IncidentStatus(StrEnum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLEARED = "cleared"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def open(self) -> bool:
        return self not in (IncidentStatus.CLEARED, IncidentStatus.CLOSED,
                            IncidentStatus.CANCELLED)


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RELEASED = "released"
    FAILED = "failed"
    REASSIGNED = "reassigned"

    @property
    def active(self) -> bool:
        return self in _ACTIVE


_ACTIVE = frozenset({AssignmentStatus.ASSIGNED, AssignmentStatus.ACKNOWLEDGED,
                     AssignmentStatus.EN_ROUTE, AssignmentStatus.ON_SCENE})


class EventKind(StrEnum):
    """Event names as stored in the audit's ``kind`` column."""

    RECEIVED = "incident.received"
    ASSIGNED = "unit.assigned"
    ACKNOWLEDGED = "unit.acknowledged"
    EN_ROUTE = "unit.en_route"
    ON_SCENE = "unit.on_scene"
    FAILED = "unit.failed"
    LOST = "unit.lost"
    RECOVERED = "unit.recovered"
    REASSIGNED = "unit.reassigned"
    RELEASED = "unit.released"
    CLEARED = "incident.cleared"
    CLOSED = "incident.closed"
    CANCELLED = "incident.cancelled"
    NOTE = "incident.note"


INCIDENT_EVENT_KINDS = frozenset(k.value for k in EventKind)


@dataclass(frozen=True, slots=True)
class IncidentEvent:
    kind: EventKind
    incident_id: str
    time: float  # Unix seconds
    operator: str
    unit_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)  # no slots: _evolve copies __dict__, the fastest copy there is
class Assignment:
    unit_id: str
    status: AssignmentStatus
    assigned_at: float
    requirement: str = ""
    eta_s: float | None = None
    acknowledged_at: float | None = None
    en_route_at: float | None = None
    on_scene_at: float | None = None
    ended_at: float | None = None  # released, failed or reassigned
    lost_at: float | None = None  # set while the unit is lost
    reason: str = ""  # why it failed or was released
    replaces: str | None = None
    replaced_by: str | None = None
    #: how arrival was established: "position" (inside the arrival radius) or
    #: "crew report" (the crew said so: goto completed or status on scene)
    arrived_by: str | None = None
    arrival_distance_m: float | None = None  # from the call, when the unit was on scene
    beyond_radius: bool = False  # a crew report further than the arrival radius


@dataclass(frozen=True)
class Incident:
    id: str
    lat: float
    lon: float
    category: str
    priority: int
    zone_id: str
    zone_name: str
    target_s: float
    received_at: float
    key_site_id: str | None = None
    key_site_name: str | None = None
    placement_note: str = ""
    source: str = "console"
    ref: str | None = None  # the caller's own id (a CAD system's call number)
    request_id: str | None = None  # the CAD request that created it (idempotency)
    notes: tuple[str, ...] = ()
    status: IncidentStatus = IncidentStatus.RECEIVED
    dispatched_at: float | None = None
    en_route_at: float | None = None
    on_scene_at: float | None = None  # first unit on scene
    cleared_at: float | None = None
    closed_at: float | None = None
    cancelled_at: float | None = None
    disposition: str | None = None  # how it ended (clear or close), e.g. "report taken"
    cancel_reason: str | None = None
    assignments: tuple[Assignment, ...] = ()

    def assignment(self, unit_id: str) -> Assignment | None:
        """The unit's latest assignment to this incident."""
        for a in reversed(self.assignments):
            if a.unit_id == unit_id:
                return a
        return None

    @property
    def active(self) -> tuple[Assignment, ...]:
        return tuple(a for a in self.assignments if a.status.active)

    @property
    def response_s(self) -> float | None:
        """Call received to first unit on scene."""
        return None if self.on_scene_at is None else self.on_scene_at - self.received_at

    @property
    def target_met(self) -> bool | None:
        r = self.response_s
        return None if r is None else r <= self.target_s


def _evolve(value: Any, **changes: Any) -> Any:
    """``dataclasses.replace`` for these frozen values without re-running ``__init__``'s
    field machinery (~30x faster): replaying a month of audit is mostly this."""
    new = object.__new__(type(value))
    state = new.__dict__
    state.update(value.__dict__)
    state.update(changes)
    return new


def apply(incident: Incident | None, e: IncidentEvent) -> Incident:
    """The incident after ``e``, or IllegalTransitionError (the input is unchanged)."""
    if e.kind is EventKind.RECEIVED:
        if incident is not None:
            raise IllegalTransitionError(e.incident_id, "receive", "it already exists")
        return _received(e)
    if incident is None:
        raise IllegalTransitionError(e.incident_id, _verb(e), "it was never received")
    if incident.id != e.incident_id:
        raise ValueError(f"event for {e.incident_id} applied to {incident.id}")
    handler = _HANDLERS[e.kind]
    return handler(incident, e)


def replay(events: Iterable[IncidentEvent]) -> dict[str, Incident]:
    """Every incident the events describe, in order of arrival."""
    out: dict[str, Incident] = {}
    for e in events:
        out[e.incident_id] = apply(out.get(e.incident_id), e)
    return out


# -- handlers ---------------------------------------------------------------------------

def _received(e: IncidentEvent) -> Incident:
    d = e.data
    return Incident(
        id=e.incident_id, lat=float(d["lat"]), lon=float(d["lon"]), category=str(d["category"]),
        priority=int(d["priority"]), zone_id=str(d["zone"]), zone_name=str(d["zone_name"]),
        target_s=float(d["target_s"]), received_at=e.time, key_site_id=d.get("key_site"),
        key_site_name=d.get("key_site_name"), placement_note=str(d.get("placement_note", "")),
        source=str(d.get("source", "console")), ref=d.get("ref"), request_id=d.get("request"),
        notes=(str(d["notes"]),) if d.get("notes") else (),
    )


#: what an operator tried, for refusals ("cannot release car-1 when ...")
_VERBS = {
    EventKind.RECEIVED: "receive", EventKind.ASSIGNED: "assign",
    EventKind.ACKNOWLEDGED: "acknowledge", EventKind.EN_ROUTE: "mark en route",
    EventKind.ON_SCENE: "mark on scene", EventKind.FAILED: "mark failed",
    EventKind.LOST: "mark lost", EventKind.RECOVERED: "mark recovered",
    EventKind.REASSIGNED: "reassign", EventKind.RELEASED: "release",
    EventKind.CLEARED: "clear", EventKind.CLOSED: "close", EventKind.CANCELLED: "cancel",
    EventKind.NOTE: "add a note",
}


def _verb(e: IncidentEvent) -> str:
    name = _VERBS[e.kind]
    return f"{name} {e.unit_id}" if e.unit_id else name


def _require_open(inc: Incident, e: IncidentEvent) -> None:
    if not inc.status.open:
        raise IllegalTransitionError(inc.id, _verb(e), f"it is {inc.status}",
                                     "the incident is no longer open")


def _unit(inc: Incident, e: IncidentEvent, allowed: Iterable[AssignmentStatus]
          ) -> tuple[int, Assignment]:
    allowed = tuple(allowed)
    if e.unit_id is None:
        raise ValueError(f"{e.kind} needs a unit id")
    for i in range(len(inc.assignments) - 1, -1, -1):
        a = inc.assignments[i]
        if a.unit_id == e.unit_id:
            if a.status not in allowed:
                raise IllegalTransitionError(
                    inc.id, _verb(e), f"{e.unit_id} is {a.status}",
                    "allowed when " + " or ".join(s.value for s in allowed))
            return i, a
    raise IllegalTransitionError(inc.id, _verb(e), f"{e.unit_id} is not assigned to it")


def _set(inc: Incident, i: int, a: Assignment, **changes: Any) -> Incident:
    assignments = list(inc.assignments)
    assignments[i] = _evolve(a, **changes)
    return _evolve(inc, assignments=tuple(assignments))


def _assigned(inc: Incident, e: IncidentEvent) -> Incident:
    _require_open(inc, e)
    assert e.unit_id is not None
    current = inc.assignment(e.unit_id)
    if current is not None and current.status.active:
        raise IllegalTransitionError(inc.id, _verb(e), f"{e.unit_id} is already {current.status}")
    d = e.data
    a = Assignment(e.unit_id, AssignmentStatus.ASSIGNED, e.time, str(d.get("requirement", "")),
                   d.get("eta_s"), replaces=d.get("replaces"))
    status = IncidentStatus.DISPATCHED if inc.status is IncidentStatus.RECEIVED else inc.status
    return _evolve(inc, assignments=(*inc.assignments, a), status=status,
                               dispatched_at=inc.dispatched_at or e.time)


def _acknowledged(inc: Incident, e: IncidentEvent) -> Incident:
    i, a = _unit(inc, e, [AssignmentStatus.ASSIGNED])
    return _set(inc, i, a, status=AssignmentStatus.ACKNOWLEDGED, acknowledged_at=e.time)


def _en_route(inc: Incident, e: IncidentEvent) -> Incident:
    i, a = _unit(inc, e, [AssignmentStatus.ASSIGNED, AssignmentStatus.ACKNOWLEDGED])
    inc = _set(inc, i, a, status=AssignmentStatus.EN_ROUTE, en_route_at=e.time,
               acknowledged_at=a.acknowledged_at or e.time)
    if inc.status is IncidentStatus.DISPATCHED:
        inc = _evolve(inc, status=IncidentStatus.EN_ROUTE, en_route_at=e.time)
    return inc


def _on_scene(inc: Incident, e: IncidentEvent) -> Incident:
    i, a = _unit(inc, e, [AssignmentStatus.ASSIGNED, AssignmentStatus.ACKNOWLEDGED,
                          AssignmentStatus.EN_ROUTE])
    d = e.data
    distance = d.get("distance_m")
    inc = _set(inc, i, a, status=AssignmentStatus.ON_SCENE, on_scene_at=e.time,
               arrived_by=d.get("by"),
               arrival_distance_m=None if distance is None else float(distance),
               beyond_radius=bool(d.get("beyond_radius", False)))
    if inc.on_scene_at is None:
        inc = _evolve(inc, status=IncidentStatus.ON_SCENE, on_scene_at=e.time,
                                  en_route_at=inc.en_route_at or e.time)
    return inc


def _failed(inc: Incident, e: IncidentEvent) -> Incident:
    i, a = _unit(inc, e, [AssignmentStatus.ASSIGNED, AssignmentStatus.ACKNOWLEDGED,
                          AssignmentStatus.EN_ROUTE])
    return _set(inc, i, a, status=AssignmentStatus.FAILED, ended_at=e.time,
                reason=str(e.data.get("reason", "")))


def _lost(inc: Incident, e: IncidentEvent) -> Incident:
    i, a = _unit(inc, e, _ACTIVE)
    if a.lost_at is not None:
        raise IllegalTransitionError(inc.id, _verb(e), f"{e.unit_id} is already lost")
    return _set(inc, i, a, lost_at=e.time)


def _recovered(inc: Incident, e: IncidentEvent) -> Incident:
    i, a = _unit(inc, e, _ACTIVE)
    if a.lost_at is None:
        raise IllegalTransitionError(inc.id, _verb(e), f"{e.unit_id} is not lost")
    return _set(inc, i, a, lost_at=None)


def _reassigned(inc: Incident, e: IncidentEvent) -> Incident:
    _require_open(inc, e)
    i, a = _unit(inc, e, [*_ACTIVE, AssignmentStatus.FAILED])
    return _set(inc, i, a, status=AssignmentStatus.REASSIGNED, replaced_by=e.data.get("to"),
                ended_at=a.ended_at if a.status is AssignmentStatus.FAILED else e.time,
                reason=str(e.data.get("reason", a.reason)))


def _released(inc: Incident, e: IncidentEvent) -> Incident:
    i, a = _unit(inc, e, _ACTIVE)
    return _set(inc, i, a, status=AssignmentStatus.RELEASED, ended_at=e.time,
                reason=str(e.data.get("reason", "")))


def _release_all(inc: Incident, t: float, reason: str) -> tuple[Assignment, ...]:
    return tuple(
        _evolve(a, status=AssignmentStatus.RELEASED, ended_at=t, reason=reason)
        if a.status.active else a for a in inc.assignments)


def _cleared(inc: Incident, e: IncidentEvent) -> Incident:
    if inc.status is not IncidentStatus.ON_SCENE:
        raise IllegalTransitionError(inc.id, "clear", f"it is {inc.status}",
                                     "clear needs a unit on scene (cancel a call nobody reached)")
    return _evolve(inc, status=IncidentStatus.CLEARED, cleared_at=e.time,
                   disposition=e.data.get("disposition") or inc.disposition,
                   assignments=_release_all(inc, e.time, "cleared"))


def _closed(inc: Incident, e: IncidentEvent) -> Incident:
    if inc.status is not IncidentStatus.CLEARED:
        raise IllegalTransitionError(inc.id, "close", f"it is {inc.status}",
                                     "close follows clear")
    return _evolve(inc, status=IncidentStatus.CLOSED, closed_at=e.time,
                   disposition=e.data.get("disposition") or inc.disposition)


def _cancelled(inc: Incident, e: IncidentEvent) -> Incident:
    _require_open(inc, e)
    return _evolve(inc, status=IncidentStatus.CANCELLED, cancelled_at=e.time,
                   cancel_reason=e.data.get("reason") or None,
                   assignments=_release_all(inc, e.time, "cancelled"))


def _note(inc: Incident, e: IncidentEvent) -> Incident:
    if inc.status is IncidentStatus.CLOSED:
        raise IllegalTransitionError(inc.id, "add a note", "it is closed")
    return _evolve(inc, notes=(*inc.notes, str(e.data.get("text", ""))))


_HANDLERS = {
    EventKind.ASSIGNED: _assigned,
    EventKind.ACKNOWLEDGED: _acknowledged,
    EventKind.EN_ROUTE: _en_route,
    EventKind.ON_SCENE: _on_scene,
    EventKind.FAILED: _failed,
    EventKind.LOST: _lost,
    EventKind.RECOVERED: _recovered,
    EventKind.REASSIGNED: _reassigned,
    EventKind.RELEASED: _released,
    EventKind.CLEARED: _cleared,
    EventKind.CLOSED: _closed,
    EventKind.CANCELLED: _cancelled,
    EventKind.NOTE: _note,
}
