"""A lossy radio between fleet and one vehicle: a TCP proxy that drops whole MAVLink frames.

fleet connects to the proxy's port; the proxy holds one connection to the vehicle (SITL or
the simulator, which serve one TCP client each) for its whole life, so fleet may reconnect
without the vehicle noticing, as a ground station behind a radio would. Each frame is lost
with probability ``loss_up`` (fleet -> vehicle) or ``loss_down`` (vehicle -> fleet), from
seeded generators; ``cut()`` loses everything both ways (a link out of range) until
``restore()``. The TCP connections stay up meanwhile: a radio link going quiet, not a
socket closing.

The proxy also reads the vehicle's own clock (time_boot_ms) off the frames it carries, so
tests can measure in vehicle seconds whatever the speed-up (see :attr:`boot_ms`).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from mavframes import Frame, FrameSplitter

READ_SIZE = 65536


class VehicleGone(ConnectionError):
    """The vehicle's end of the proxy closed (its process exited)."""


@dataclass(slots=True)
class Direction:
    """Counts for one direction: frames seen and frames the proxy dropped."""

    frames: int = 0
    dropped: int = 0


class LossyProxy:
    """``async with LossyProxy(reader, writer, loss=0.2, seed=1) as proxy:`` then connect
    fleet to ``127.0.0.1:proxy.port``; ``reader``/``writer`` are the vehicle connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 loss: float = 0.0, seed: int = 0, name: str = "proxy") -> None:
        self.name = name
        self.loss_up = loss
        self.loss_down = loss
        self.up = Direction()
        self.down = Direction()
        self.port = 0
        #: the vehicle's latest time_boot_ms seen (whether or not that frame was dropped)
        self.boot_ms: int | None = None
        #: set when the vehicle closed its end (it exited or crashed)
        self.vehicle_closed = asyncio.Event()
        self._vehicle = (reader, writer)
        self._rng_up = random.Random(f"{seed}-up")
        self._rng_down = random.Random(f"{seed}-down")
        self._cut = False
        self._client: asyncio.StreamWriter | None = None
        self._clients: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue(maxsize=4))
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._clock_waiters: list[tuple[int, asyncio.Future[None]]] = []

    # -- faults ---------------------------------------------------------------------
    def cut(self) -> None:
        """Lose every frame both ways (the vehicle flew out of radio range)."""
        self._cut = True

    def restore(self) -> None:
        self._cut = False

    @property
    def is_cut(self) -> bool:
        return self._cut

    # -- the vehicle's clock --------------------------------------------------------
    async def wait_boot_ms(self, at_least: int) -> None:
        """Until the vehicle's clock has reached ``at_least`` ms (the caller times out);
        VehicleGone if the vehicle closes its end first (it died: its clock stopped)."""
        if self.boot_ms is not None and self.boot_ms >= at_least:
            return
        if self.vehicle_closed.is_set():
            raise VehicleGone(f"{self.name}: the vehicle closed its connection")
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._clock_waiters.append((at_least, fut))
        try:
            await fut
        finally:
            self._clock_waiters = [w for w in self._clock_waiters if w[1] is not fut]

    def _tick(self, boot_ms: int) -> None:
        self.boot_ms = boot_ms if self.boot_ms is None else max(self.boot_ms, boot_ms)
        for at_least, fut in self._clock_waiters:
            if not fut.done() and self.boot_ms >= at_least:
                fut.set_result(None)

    # -- lifecycle ------------------------------------------------------------------
    async def __aenter__(self) -> LossyProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._spawn(self._downlink(), "down")
        self._spawn(self._serve(), "clients")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Everything the proxy started ends here (its pumps swallow socket errors, so a
        vehicle that died shows as a closed link to fleet, not as an error in the test)."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._close(self._client)
        self._close(self._vehicle[1])
        while not self._clients.empty():
            self._close(self._clients.get_nowait()[1])

    def _spawn(self, coro: Coroutine[Any, Any, None], what: str) -> asyncio.Task[None]:
        task = asyncio.create_task(coro, name=f"{self.name}-{what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            self._clients.put_nowait((reader, writer))
        except asyncio.QueueFull:
            self._close(writer)

    async def _serve(self) -> None:
        """One fleet connection at a time (like SITL); a newer one replaces the older."""
        uplink: asyncio.Task[None] | None = None
        while True:
            reader, writer = await self._clients.get()
            if uplink is not None:
                uplink.cancel()
            self._close(self._client)
            self._client = writer
            uplink = self._spawn(self._uplink(reader, writer), "up")

    async def _uplink(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        splitter = FrameSplitter()
        vehicle = self._vehicle[1]
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(READ_SIZE):
                kept = [f.data for f in splitter.feed(chunk)
                        if self._keep(f, self.up, self._rng_up, self.loss_up)]
                if kept and not vehicle.is_closing():
                    vehicle.write(b"".join(kept))
                    await vehicle.drain()
        if self._client is writer:  # fleet went away; the vehicle connection stays
            self._client = None
        self._close(writer)

    async def _downlink(self) -> None:
        splitter = FrameSplitter()
        reader = self._vehicle[0]
        try:
            while chunk := await reader.read(READ_SIZE):
                kept = []
                for frame in splitter.feed(chunk):
                    if (ms := frame.boot_ms()) is not None:
                        self._tick(ms)
                    if self._keep(frame, self.down, self._rng_down, self.loss_down):
                        kept.append(frame.data)
                client = self._client
                if kept and client is not None and not client.is_closing():
                    client.write(b"".join(kept))
                    with contextlib.suppress(ConnectionError):
                        await client.drain()
        except ConnectionError:
            pass
        self.vehicle_closed.set()
        self._close(self._client)
        for _, fut in self._clock_waiters:
            if not fut.done():
                fut.set_exception(VehicleGone(f"{self.name}: the vehicle closed its connection"))

    def _keep(self, frame: Frame, counts: Direction, rng: random.Random, loss: float) -> bool:
        if frame.msgid is None:
            return not self._cut  # stray bytes: only a cut loses them
        counts.frames += 1
        if self._cut or (loss > 0 and rng.random() < loss):
            counts.dropped += 1
            return False
        return True

    @staticmethod
    def _close(writer: asyncio.StreamWriter | None) -> None:
        if writer is not None and not writer.is_closing():
            writer.close()
