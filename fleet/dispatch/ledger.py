"""The incidents in memory, kept equal to what the audit holds.

``record(events)`` checks every event against the state machine, writes them to the
audit in one transaction, and only once that is durable makes them visible: a refused
or failed write leaves memory as it was, and a caller cancelled mid-write cannot leave
memory behind the audit (the write and its application are shielded together).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

from .audit import AuditLog
from .chain import AuditEntry, AuditRecord
from .errors import UnknownIncidentError
from .incident import INCIDENT_EVENT_KINDS, EventKind, Incident, IncidentEvent, apply


def to_entry(e: IncidentEvent) -> AuditEntry:
    return AuditEntry(e.kind.value, e.time, e.operator, e.incident_id, e.unit_id, dict(e.data))


def to_event(r: AuditRecord) -> IncidentEvent | None:
    """The incident event an audit row holds (None for command and other rows)."""
    if r.kind not in INCIDENT_EVENT_KINDS or r.incident is None:
        return None
    return IncidentEvent(EventKind(r.kind), r.incident, r.time, r.operator, r.unit, r.data)


class Ledger:
    def __init__(self, audit: AuditLog, on_change: Callable[[Iterable[Incident]], None]) -> None:
        self.audit = audit
        self.incidents: dict[str, Incident] = {}
        self._on_change = on_change
        self._lock = asyncio.Lock()
        self._inflight: asyncio.Future[None] | None = None

    def get(self, incident_id: str) -> Incident:
        try:
            return self.incidents[incident_id]
        except KeyError:
            raise UnknownIncidentError(incident_id) from None

    def load(self, incidents: Iterable[Incident]) -> None:
        """Adopt incidents rebuilt from the audit (at start)."""
        for inc in incidents:
            self.incidents[inc.id] = inc
        self._on_change(list(self.incidents.values()))

    async def record(self, events: Sequence[IncidentEvent], *,
                     check: Callable[[], None] | None = None,
                     extra: Sequence[AuditEntry] = ()) -> dict[str, Incident]:
        """Apply ``events`` (all or none) after ``check()`` passes, under one lock so
        checks see every earlier record; returns the incidents they changed."""
        def build() -> tuple[Sequence[IncidentEvent], Sequence[AuditEntry]]:
            if check is not None:
                check()
            return events, extra

        return await self.record_built(build)

    async def record_built(self, build: Callable[[], tuple[Sequence[IncidentEvent],
                                                           Sequence[AuditEntry]]]
                           ) -> dict[str, Incident]:
        """As :meth:`record`, with the events and extra rows built under the lock by
        ``build()`` (which may raise to record nothing): a dispatch decides there which
        units can go, seeing every earlier record."""
        async with self._lock:
            if self._inflight is not None and not self._inflight.done():
                await asyncio.wait([self._inflight])  # a cancelled caller's write lands first
            events, extra = build()
            staged: dict[str, Incident] = {}
            for e in events:
                current = staged.get(e.incident_id) or self.incidents.get(e.incident_id)
                staged[e.incident_id] = apply(current, e)
            write = asyncio.ensure_future(self._write_then_apply(
                [*(to_entry(e) for e in events), *extra], staged))
            self._inflight = write
            await asyncio.shield(write)  # cancelled callers still get memory = audit
            return staged

    async def log(self, *entries: AuditEntry) -> None:
        """Audit rows that change no incident (commands, acks, proposals)."""
        await asyncio.shield(self.audit.append(*entries))

    async def _write_then_apply(self, entries: list[AuditEntry],
                                staged: dict[str, Incident]) -> None:
        await self.audit.append(*entries)
        self.incidents.update(staged)
        self._on_change(staged.values())
