"""Incident changes for consumers (the console): coalescing, so never a backlog.

Like the fleet's change stream: a subscriber holds the set of incident ids changed
since it last read and gets their latest value when it drains.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from .incident import Incident


class IncidentSubscription:
    def __init__(self, feed: IncidentFeed) -> None:
        self._feed = feed
        self._dirty: dict[str, None] = {}
        self._wake = asyncio.Event()
        self.closed = False

    def _changed(self, incident_id: str) -> None:
        self._dirty[incident_id] = None
        self._wake.set()

    def drain(self) -> list[Incident]:
        self._wake.clear()
        dirty, self._dirty = self._dirty, {}
        return [self._feed.lookup(i) for i in dirty]

    async def next_batch(self) -> list[Incident]:
        """Wait until an incident changed, then the latest value of each changed one."""
        while not self._dirty:
            if self.closed:
                raise StopAsyncIteration
            await self._wake.wait()
            self._wake.clear()
        return self.drain()

    def __aiter__(self) -> IncidentSubscription:
        return self

    async def __anext__(self) -> list[Incident]:
        return await self.next_batch()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._feed._subs.remove(self)
            self._wake.set()

    def __enter__(self) -> IncidentSubscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class IncidentFeed:
    def __init__(self, lookup: Callable[[str], Incident]) -> None:
        self.lookup = lookup
        self._subs: list[IncidentSubscription] = []

    def subscribe(self) -> IncidentSubscription:
        sub = IncidentSubscription(self)
        self._subs.append(sub)
        return sub

    def changed(self, incidents: Iterable[Incident]) -> None:
        ids = [i.id for i in incidents]
        for sub in self._subs:
            for incident_id in ids:
                sub._changed(incident_id)
