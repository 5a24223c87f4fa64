"""Response-time reports from the audit, pure: incidents replayed, then measured.

Definitions (docs/dispatch.md):

* call to dispatch: received -> first unit assigned;
* dispatch to arrival: first unit assigned -> first unit on scene;
* total: received -> first unit on scene (the 1/3/5-minute targets measure this);
* within target: total <= the incident's target; an incident nobody reached counts as
  missed, a cancelled one is left out of the share (and counted apart);
* utilisation: the time a unit spent assigned (assigned -> released, failed or
  reassigned), clipped to the report window, over the window's length.

Percentiles interpolate linearly between order statistics (numpy's default).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .chain import AuditRecord
from .incident import EventKind, Incident, IncidentStatus, replay
from .ledger import to_event


@dataclass(frozen=True, slots=True)
class Response:
    incident_id: str
    zone: str
    category: str
    target_s: float
    received_at: float
    call_to_dispatch_s: float | None
    dispatch_to_arrival_s: float | None
    total_s: float | None
    cancelled: bool

    @property
    def within_target(self) -> bool | None:
        if self.cancelled:
            return None
        return self.total_s is not None and self.total_s <= self.target_s


@dataclass(frozen=True, slots=True)
class Spread:
    n: int
    p50: float | None
    p90: float | None
    max: float | None


@dataclass(frozen=True, slots=True)
class GroupStats:
    section: str  # "all", "zone", "category" or "zone/category"
    zone: str
    category: str
    incidents: int
    cancelled: int
    reached: int
    within_target: float | None  # share of non-cancelled incidents
    call_to_dispatch: Spread
    dispatch_to_arrival: Spread
    total: Spread


@dataclass(frozen=True, slots=True)
class UnitUse:
    unit_id: str
    assignments: int
    busy_s: float
    utilisation: float  # of the window


@dataclass(frozen=True, slots=True)
class Report:
    start: float
    end: float
    responses: tuple[Response, ...]
    groups: tuple[GroupStats, ...]
    units: tuple[UnitUse, ...]


def incidents_from(records: Iterable[AuditRecord]) -> dict[str, Incident]:
    """The incidents whose ``received`` row is among ``records`` (later rows of calls
    received before them are left out)."""
    events = [e for e in map(to_event, records) if e is not None]
    received = {e.incident_id for e in events if e.kind is EventKind.RECEIVED}
    return replay(e for e in events if e.incident_id in received)


def response(inc: Incident) -> Response:
    d, a = inc.dispatched_at, inc.on_scene_at
    return Response(
        inc.id, inc.zone_name, inc.category, inc.target_s, inc.received_at,
        None if d is None else d - inc.received_at,
        None if d is None or a is None else a - d,
        None if a is None else a - inc.received_at,
        inc.status is IncidentStatus.CANCELLED and a is None,
    )


def build(records: Iterable[AuditRecord], start: float, end: float) -> Report:
    """The report over incidents received in ``[start, end)``."""
    incidents = [i for i in incidents_from(records).values() if start <= i.received_at < end]
    responses = tuple(response(i) for i in incidents)
    groups: list[GroupStats] = [_stats("all", "", "", responses)]
    for section, key in (("zone", lambda r: (r.zone, "")),
                         ("category", lambda r: ("", r.category)),
                         ("zone/category", lambda r: (r.zone, r.category))):
        buckets: dict[tuple[str, str], list[Response]] = defaultdict(list)
        for r in responses:
            buckets[key(r)].append(r)
        groups += [_stats(section, z, c, rs) for (z, c), rs in sorted(buckets.items())]
    return Report(start, end, responses, tuple(groups), _utilisation(incidents, start, end))


def spread(values: Iterable[float | None]) -> Spread:
    xs = np.array([v for v in values if v is not None], dtype=float)
    if xs.size == 0:
        return Spread(0, None, None, None)
    p50, p90 = np.percentile(xs, [50, 90])
    return Spread(int(xs.size), float(p50), float(p90), float(xs.max()))


def _stats(section: str, zone: str, category: str, rs: Iterable[Response]) -> GroupStats:
    rs = list(rs)
    counted = [r for r in rs if not r.cancelled]
    within = sum(1 for r in counted if r.within_target)
    return GroupStats(
        section, zone, category, len(rs), len(rs) - len(counted),
        sum(1 for r in rs if r.total_s is not None),
        within / len(counted) if counted else None,
        spread(r.call_to_dispatch_s for r in rs),
        spread(r.dispatch_to_arrival_s for r in rs),
        spread(r.total_s for r in rs),
    )


def _utilisation(incidents: Iterable[Incident], start: float, end: float
                 ) -> tuple[UnitUse, ...]:
    busy: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for inc in incidents:
        for a in inc.assignments:
            stop = a.ended_at if a.ended_at is not None else end
            busy[a.unit_id] += max(0.0, min(stop, end) - max(a.assigned_at, start))
            count[a.unit_id] += 1
    window = max(end - start, 1e-9)
    uses = [UnitUse(u, count[u], busy[u], busy[u] / window) for u in busy]
    return tuple(sorted(uses, key=lambda u: (-u.busy_s, u.unit_id)))
