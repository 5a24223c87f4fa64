"""Property: no incident reaches a final state (cleared, closed, cancelled) in memory
without the audit file recording who did it and when, whatever the order of the steps,
however many are refused, and even when writes fail.

Random step sequences go through the real Ledger and a real SQLite audit file; some
appends are made to fail (as a full disk would). Afterwards the file is read back:
its chain verifies, replaying it gives exactly the incidents in memory, and every
final state has its row with the operator and time that were asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleet.dispatch.audit import AuditLog, open_readonly, select, verify_db
from fleet.dispatch.errors import AuditError, IllegalTransitionError
from fleet.dispatch.incident import EventKind, IncidentEvent, IncidentStatus, replay
from fleet.dispatch.ledger import Ledger, to_event

RECEIVED = {"lat": 26.9, "lon": 112.6, "category": "theft", "priority": 3, "zone": "downtown",
            "zone_name": "Downtown", "target_s": 180.0}
UNITS = ("car-1", "car-1", "air-1")  # car-1 twice: most steps meet the same unit
UNIT_KINDS = (EventKind.ASSIGNED, EventKind.ACKNOWLEDGED, EventKind.EN_ROUTE,
              EventKind.ON_SCENE, EventKind.FAILED, EventKind.LOST, EventKind.RECOVERED,
              EventKind.RELEASED)
INCIDENT_KINDS = (EventKind.RECEIVED, EventKind.CLEARED, EventKind.CLOSED,
                  EventKind.CANCELLED, EventKind.NOTE)
FINAL = {IncidentStatus.CLEARED: (EventKind.CLEARED, "cleared_at"),
         IncidentStatus.CLOSED: (EventKind.CLOSED, "closed_at"),
         IncidentStatus.CANCELLED: (EventKind.CANCELLED, "cancelled_at")}

operators = st.sampled_from(["Zhang", "Li Wei", "duty-officer", "system", "王警官"])
#: an incident's usual life; scripts are built from it with steps dropped, repeated,
#: swapped and random ones inserted, so most sequences get far and many go wrong
LIFE = (EventKind.RECEIVED, EventKind.ASSIGNED, EventKind.ACKNOWLEDGED, EventKind.EN_ROUTE,
        EventKind.ON_SCENE, EventKind.NOTE, EventKind.CLEARED, EventKind.CLOSED)
Step = tuple[str, EventKind, str, str, bool | None]


@st.composite
def script(draw: st.DrawFn, incident: str) -> list[Step]:
    out: list[Step] = []
    for kind in LIFE:
        roll = draw(st.integers(0, 9))
        if roll == 0:
            continue  # dropped
        if roll == 1:
            kind = draw(st.sampled_from(UNIT_KINDS + INCIDENT_KINDS))  # something else
        repeats = 2 if roll == 2 else 1
        for _ in range(repeats):
            out.append((incident, kind, draw(st.sampled_from(UNITS)), draw(operators),
                        draw(st.integers(0, 7)) != 0 or None))  # 1 in 8 writes fail
        if draw(st.integers(0, 29)) == 0:
            out.append((incident, EventKind.CANCELLED, UNITS[0], draw(operators), True))
    return out


@st.composite
def steps_strategy(draw: st.DrawFn) -> list[Step]:
    scripts = [draw(script(f"I{i}")) for i in range(1, draw(st.integers(1, 3)) + 1)]
    out: list[Step] = []
    while any(scripts):  # interleave the incidents' scripts
        pick = draw(st.sampled_from([s for s in scripts if s]))
        out.append(pick.pop(0))
    return out


steps = steps_strategy()


def event(incident: str, kind: EventKind, unit: str, operator: str, t: float
          ) -> IncidentEvent:
    data: dict[str, object] = {}
    if kind is EventKind.RECEIVED:
        data = dict(RECEIVED)
    elif kind is EventKind.NOTE:
        data = {"text": f"note at {t}"}
    elif kind in (EventKind.CLEARED, EventKind.CLOSED):
        data = {"disposition": "report taken"}
    elif kind is EventKind.ON_SCENE:
        data = {"by": "crew report", "distance_m": 12.5}
    return IncidentEvent(kind, incident, t, operator,
                         unit if kind in UNIT_KINDS else None, data)


class FailingWrites:
    """An AuditLog whose next append fails (the disk filled) when ``fail_next`` is set."""

    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit
        self.fail_next = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.audit, name)

    async def append(self, *entries: object) -> object:
        if self.fail_next:
            raise AuditError("disk full (injected)")
        return await self.audit.append(*entries)


async def play(path: Path, sequence: list[Step]) -> dict[str, object]:
    audit = AuditLog(path).open()
    writes = FailingWrites(audit)
    try:
        ledger = Ledger(writes, lambda changed: None)  # type: ignore[arg-type]
        for t, (incident, kind, unit, operator, ok) in enumerate(sequence, start=1):
            writes.fail_next = ok is None
            # refused or not written: memory must stay as it was
            with contextlib.suppress(IllegalTransitionError, AuditError):
                await ledger.record([event(incident, kind, unit, operator, float(t))])
        return dict(ledger.incidents)
    finally:
        audit.close()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_no_final_state_without_who_and_when_in_the_audit(sequence):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.sqlite3"
        memory = asyncio.run(play(path, sequence))
        with open_readonly(path) as conn:
            assert verify_db(conn).ok
            rows = list(select(conn))
    assert replay(e for e in map(to_event, rows) if e is not None) == memory
    asked = {(inc, kind, float(t)): op
             for t, (inc, kind, _u, op, _ok) in enumerate(sequence, start=1)}
    for inc in memory.values():
        if inc.status not in FINAL:
            continue
        kind, stamp = FINAL[inc.status]
        when = getattr(inc, stamp)
        (row,) = [r for r in rows if r.incident == inc.id and r.kind == kind.value]
        assert row.time == when
        assert row.operator and row.operator == asked[(inc.id, kind, when)]
        if inc.status is IncidentStatus.CLOSED:  # the clear before it is recorded too
            (cleared,) = [r for r in rows if r.incident == inc.id
                          and r.kind == EventKind.CLEARED.value]
            assert cleared.time == inc.cleared_at and cleared.operator
