"""Response-time reports from the audit, pure: incidents replayed, then measured.

Definitions (docs/dispatch.md):

* call to dispatch: received -> first unit assigned;
* dispatch to arrival: first unit assigned -> first unit on scene;
* total: received -> first unit on scene (the 1/3/5-minute targets measure this);
* within target: total <= the incident's target; an incident nobody reached counts as
  missed, a cancelled one is left out of the share (and counted apart);
* how each arrival was established: by position (inside the arrival radius), by crew
  report within the radius, or by crew report beyond it (or with no position to check
  it): the last is *flagged*. The crew's word counts as arrival, so the totals above
  include it; **within target (verified)** counts only the first arrival that is not
  flagged, so a crew pressing "arrived" 100 m away a second after dispatch cannot make
  a 0:01 response. The flagged arrivals are listed;
* dispositions: how the incidents ended (the clear or close disposition, cancelled,
  still open);
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
from .incident import Assignment, EventKind, Incident, IncidentStatus, replay
from .ledger import to_event

POSITION = "position"
CREW = "crew report"
BEYOND = "crew report beyond radius"  # or with no position: not verified
ARRIVAL_CLASSES = (POSITION, CREW, BEYOND)
#: Assignment.arrived_by values that are the crew's word ("unit reported arrival": the
#: supervisor's name for a goto ``completed`` before arrivals recorded their distance)
CREW_REPORTS = frozenset({"crew report", "unit reported arrival"})


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
    first_arrival: str | None = None  # ARRIVAL_CLASSES of the first unit on scene
    #: received -> first arrival that is not flagged (None: only flagged ones, or none)
    verified_total_s: float | None = None

    @property
    def within_target(self) -> bool | None:
        if self.cancelled:
            return None
        return self.total_s is not None and self.total_s <= self.target_s

    @property
    def within_target_verified(self) -> bool | None:
        if self.cancelled:
            return None
        return self.verified_total_s is not None and self.verified_total_s <= self.target_s


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
    within_target_verified: float | None = None  # first unflagged arrival, same share
    first_by_position: int = 0  # incidents, by how their first arrival was established
    first_by_crew: int = 0
    first_by_crew_beyond: int = 0  # flagged


@dataclass(frozen=True, slots=True)
class UnitUse:
    unit_id: str
    assignments: int
    busy_s: float
    utilisation: float  # of the window


@dataclass(frozen=True, slots=True)
class FlaggedArrival:
    """A crew report of arrival the position did not bear out."""

    incident_id: str
    unit_id: str
    zone: str
    category: str
    distance_m: float | None  # from the call when the crew reported; None: no position
    response_s: float  # received -> this arrival
    first: bool  # it was the incident's first arrival (so it set the recorded total)


@dataclass(frozen=True, slots=True)
class Report:
    start: float
    end: float
    responses: tuple[Response, ...]
    groups: tuple[GroupStats, ...]
    units: tuple[UnitUse, ...]
    flagged: tuple[FlaggedArrival, ...] = ()
    dispositions: tuple[tuple[str, int], ...] = ()  # most frequent first


def flagged(a: Assignment) -> bool:
    """A crew's arrival report beyond the radius, or with no position to check it."""
    return a.arrived_by in CREW_REPORTS and (a.beyond_radius or a.arrival_distance_m is None)


def arrival_class(a: Assignment) -> str | None:
    """How ``a``'s arrival was established (None: it never arrived). An arrival recorded
    without saying how (hand-made events) counts as by position."""
    if a.on_scene_at is None:
        return None
    if a.arrived_by not in CREW_REPORTS:
        return POSITION
    return BEYOND if flagged(a) else CREW


def incidents_from(records: Iterable[AuditRecord]) -> dict[str, Incident]:
    """The incidents whose ``received`` row is among ``records`` (later rows of calls
    received before them are left out)."""
    events = [e for e in map(to_event, records) if e is not None]
    received = {e.incident_id for e in events if e.kind is EventKind.RECEIVED}
    return replay(e for e in events if e.incident_id in received)


def response(inc: Incident) -> Response:
    d, a = inc.dispatched_at, inc.on_scene_at
    arrived = sorted((x for x in inc.assignments if x.on_scene_at is not None),
                     key=lambda x: x.on_scene_at or 0.0)
    verified = next((x.on_scene_at for x in arrived if not flagged(x)), None)
    return Response(
        inc.id, inc.zone_name, inc.category, inc.target_s, inc.received_at,
        None if d is None else d - inc.received_at,
        None if d is None or a is None else a - d,
        None if a is None else a - inc.received_at,
        inc.status is IncidentStatus.CANCELLED and a is None,
        arrival_class(arrived[0]) if arrived else None,
        None if verified is None else verified - inc.received_at,
    )


def flagged_arrivals(incidents: Iterable[Incident]) -> tuple[FlaggedArrival, ...]:
    out = []
    for inc in incidents:
        for a in inc.assignments:
            if a.on_scene_at is not None and flagged(a):
                out.append(FlaggedArrival(
                    inc.id, a.unit_id, inc.zone_name, inc.category, a.arrival_distance_m,
                    a.on_scene_at - inc.received_at, a.on_scene_at == inc.on_scene_at))
    return tuple(sorted(out, key=lambda f: (f.incident_id, f.response_s)))


def disposition(inc: Incident) -> str:
    """How the incident ended, for counting: the disposition given at clear or close,
    "cancelled", or "open"."""
    if inc.status is IncidentStatus.CANCELLED:
        return "cancelled"
    if inc.status.open:
        return "open"
    return inc.disposition or "(no disposition)"


def dispositions(incidents: Iterable[Incident]) -> tuple[tuple[str, int], ...]:
    counts: dict[str, int] = defaultdict(int)
    for inc in incidents:
        counts[disposition(inc)] += 1
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


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
    return Report(start, end, responses, tuple(groups), _utilisation(incidents, start, end),
                  flagged_arrivals(incidents), dispositions(incidents))


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
    verified = sum(1 for r in counted if r.within_target_verified)
    first = [r.first_arrival for r in rs]
    return GroupStats(
        section, zone, category, len(rs), len(rs) - len(counted),
        sum(1 for r in rs if r.total_s is not None),
        within / len(counted) if counted else None,
        spread(r.call_to_dispatch_s for r in rs),
        spread(r.dispatch_to_arrival_s for r in rs),
        spread(r.total_s for r in rs),
        verified / len(counted) if counted else None,
        first.count(POSITION), first.count(CREW), first.count(BEYOND),
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
