"""Waiting in tests on what the service says, never on the clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fleet.events import ConnectionState
from fleet.service import FleetService


async def until(svc: FleetService, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait, on the service's change stream, until ``predicate()`` holds."""
    with svc.subscribe() as sub:
        async with asyncio.timeout(timeout):
            while not predicate():
                await sub.next_batch()


async def connected(svc: FleetService, timeout: float = 10.0) -> None:
    """Wait until every link is up (a socket bound before a peer speaks to it)."""
    await until(svc, lambda: all(ls.state is ConnectionState.CONNECTED for ls in svc.links()),
                timeout)
