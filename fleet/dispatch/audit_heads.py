"""The audit's latest checkpoint, handed from the writer thread to whoever publishes it.

The writer (a thread) :meth:`HeadFeed.put` s each checkpoint; the CAD link (asyncio,
:mod:`.cad_link`) waits with :meth:`HeadFeed.wait_newer` and publishes it retained on
``{prefix}/audit/head``, QoS 1, so the broker holds the latest head out of the database
writer's reach and a second site subscribed to it keeps every one. Only the latest is
kept: a head implies every earlier row, so a slow publisher loses nothing by skipping.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from .anchor import Anchor

TOPIC = "audit/head"


def head_topic(prefix: str) -> str:
    return f"{prefix}/{TOPIC}"


class HeadFeed:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: Anchor | None = None
        self._version = 0
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @property
    def latest(self) -> Anchor | None:
        return self._latest

    def put(self, anchor: Anchor) -> None:
        """From any thread."""
        with self._lock:
            self._latest = anchor
            self._version += 1
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                loop.call_soon_threadsafe(_wake, future)

    async def wait_newer(self, version: int) -> tuple[int, Anchor]:
        """The latest checkpoint once its version is above ``version`` (0: any)."""
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                if self._version > version and self._latest is not None:
                    return self._version, self._latest
                future: asyncio.Future[None] = loop.create_future()
                self._waiters.append((loop, future))
            await future


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
