"""The change stream: fan-out from the state to consumers, without ever blocking ingest.

Each subscriber has its own bounded buffer. Unit updates coalesce: a subscriber holds
the set of units changed since it last read (each unit once, however many reports came)
and reads their latest snapshot when it drains. Discrete events go into a bounded deque;
when a slow consumer lets it fill, the oldest are dropped and counted, and the next batch
says how many, so the consumer can resync from a full snapshot.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

from .events import Event, UnitSnapshot


@dataclass(frozen=True, slots=True)
class Batch:
    """What a subscriber gets per wake-up."""

    events: list[Event]
    units: list[UnitSnapshot]  # latest state of every unit changed since the last batch
    dropped_events: int = 0  # events lost to overflow since the last batch
    #: the ids of the changed units (all a ``snapshots=False`` subscription gets)
    unit_ids: list[str] = field(default_factory=list)


class Subscription:
    """One consumer's view of the stream. Use as an async iterator of :class:`Batch`."""

    def __init__(
        self,
        stream: ChangeStream,
        *,
        units: Iterable[str] | None,
        max_events: int,
        snapshots: bool = True,
    ) -> None:
        self._stream = stream
        self.snapshots = snapshots
        self.unit_filter = frozenset(units) if units is not None else None
        self._dirty: dict[str, None] = {}
        self._events: deque[Event] = deque()
        self._max_events = max_events
        self._dropped = 0
        self.dropped_total = 0
        self._wake = asyncio.Event()
        self.closed = False

    # called by the stream, synchronously, from ingest
    def _unit(self, unit_id: str) -> None:
        self._dirty[unit_id] = None
        if not self._wake.is_set():
            self._wake.set()

    def _event(self, event: Event) -> None:
        if len(self._events) >= self._max_events:
            self._events.popleft()
            self._dropped += 1
            self.dropped_total += 1
        self._events.append(event)
        if not self._wake.is_set():
            self._wake.set()

    @property
    def pending(self) -> bool:
        return bool(self._dirty or self._events or self._dropped)

    def drain(self) -> Batch:
        """Take everything pending now (possibly nothing), without waiting."""
        self._wake.clear()
        dirty, self._dirty = self._dirty, {}
        events = list(self._events)
        self._events.clear()
        dropped, self._dropped = self._dropped, 0
        ids = list(dirty)
        if not self.snapshots:
            return Batch(events, [], dropped, ids)
        snap = self._stream.snapshot
        return Batch(events, [snap(u) for u in ids], dropped, ids)

    async def next_batch(self) -> Batch:
        """Wait until something is pending, then drain it."""
        while not self.pending:
            if self.closed:
                raise StopAsyncIteration
            await self._wake.wait()
            self._wake.clear()
        return self.drain()

    def __aiter__(self) -> AsyncIterator[Batch]:
        return self

    async def __anext__(self) -> Batch:
        return await self.next_batch()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._stream._remove(self)
            self._wake.set()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ChangeStream:
    """Implements the state's listener; owns the subscriptions."""

    def __init__(self, snapshot: Callable[[str], UnitSnapshot]) -> None:
        self.snapshot = snapshot
        self._all: list[Subscription] = []
        self._by_unit: dict[str, list[Subscription]] = {}
        self._taps: list[Callable[[Event], None]] = []

    def subscribe(
        self, *, units: Iterable[str] | None = None, max_events: int = 1000,
        snapshots: bool = True,
    ) -> Subscription:
        """``snapshots=False``: batches name the changed units without building their
        snapshots, for a consumer that cares about a few of many units."""
        if max_events < 1:
            raise ValueError("max_events must be at least 1")
        sub = Subscription(self, units=units, max_events=max_events, snapshots=snapshots)
        if sub.unit_filter is None:
            self._all.append(sub)
        else:
            for unit_id in sub.unit_filter:
                self._by_unit.setdefault(unit_id, []).append(sub)
        return sub

    def add_tap(self, tap: Callable[[Event], None]) -> None:
        """A synchronous observer of every event (e.g. the service's alert history)."""
        self._taps.append(tap)

    def _remove(self, sub: Subscription) -> None:
        if sub.unit_filter is None:
            self._all.remove(sub)
            return
        for unit_id in sub.unit_filter:
            subs = self._by_unit.get(unit_id, [])
            if sub in subs:
                subs.remove(sub)
            if not subs:
                self._by_unit.pop(unit_id, None)

    # -- StateListener ----------------------------------------------------------------
    def unit_changed(self, unit_id: str) -> None:
        for sub in self._all:
            sub._unit(unit_id)
        subs = self._by_unit.get(unit_id)
        if subs:
            for sub in subs:
                sub._unit(unit_id)

    def emit(self, event: Event) -> None:
        for tap in self._taps:
            tap(event)
        for sub in self._all:
            sub._event(event)
        unit_id = getattr(event, "unit_id", None)
        subs = self._by_unit.get(unit_id) if unit_id else None
        if subs:
            for sub in subs:
                sub._event(event)

    @property
    def subscriber_count(self) -> int:
        return len(self._all) + sum(len(s) for s in self._by_unit.values())
