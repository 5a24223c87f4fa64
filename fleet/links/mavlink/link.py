"""One MAVLink link: a transport, its parsers, a bounded send queue, a GCS heartbeat.

Frames are packed by the writer task as they leave the queue, so sequence numbers are
continuous per link in the order bytes hit the wire.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from ...errors import LinkError
from ...events import ConnectionState
from ..base import LinkContext
from ..settings import MavlinkConfig, MavlinkLinkConfig
from .dialect import mavlink2 as m
from .framing import FrameCounters, FrameParser
from .overwatch import GUIDANCE_HZ, MAX_GUIDANCE_HZ
from .router import MavlinkRouter
from .signing import SigningConfig, apply_signing
from .transport import Transport, make_transport

log = logging.getLogger("fleet.mavlink")

BROADCAST = object()  # send to every peer of the link (the GCS heartbeat)
QUEUE_SIZE = 256


@dataclass(slots=True)
class LinkCounters:
    sent: int = 0
    dropped_full: int = 0  # a non-essential send found the queue full


class MavlinkLink:
    """Implements :class:`fleet.links.base.Link` for one configured MAVLink endpoint."""

    def __init__(
        self, config: MavlinkLinkConfig, router: MavlinkRouter, mavlink: MavlinkConfig,
        *, priority: int = 0, signing: SigningConfig | None = None,
    ) -> None:
        self.config = config
        self.name = f"mavlink:{config.name}"
        self.priority = priority
        self.router = router
        self.gcs = (mavlink.gcs_sysid, mavlink.gcs_compid)
        self.heartbeat_s = 1.0 / mavlink.heartbeat_hz
        # a vehicle sped up S times (heartbeat_hz = S) needs its targets S times as often
        # (GUID_TIMEOUT counts vehicle time)
        self.guidance_s = 1.0 / min(MAX_GUIDANCE_HZ, GUIDANCE_HZ * max(1.0, mavlink.heartbeat_hz))
        self.signing = signing
        self.frame_counters = FrameCounters()
        self.counters = LinkCounters()
        self.transport: Transport | None = None
        self._queue: asyncio.Queue[tuple[Any, Hashable]] | None = None
        self._parsers: dict[Hashable, FrameParser] = {}
        self._encoder = self._codec()

    def _codec(self) -> m.MAVLink:
        mav = m.MAVLink(None, srcSystem=self.gcs[0], srcComponent=self.gcs[1])
        mav.robust_parsing = True
        if self.signing is not None:
            apply_signing(mav, self.signing)
        return mav

    # -- Link ---------------------------------------------------------------------
    async def run(self, ctx: LinkContext) -> None:
        self._queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._parsers.clear()
        transport = make_transport(self.config, self._on_data)
        try:
            await transport.start()
        except OSError:
            transport.close()
            raise
        self.transport = transport
        ctx.connection(ConnectionState.CONNECTED, self.config.url)
        self.router.attach(self, ctx)
        try:
            async with asyncio.TaskGroup() as tg:
                writer = tg.create_task(self._writer(transport), name=f"{self.name}-writer")
                beat = tg.create_task(self._heartbeat(), name=f"{self.name}-heartbeat")
                guide = tg.create_task(self._guidance(), name=f"{self.name}-guidance")
                reason = await transport.closed
                writer.cancel()
                beat.cancel()
                guide.cancel()
        finally:
            self.router.detach(self)
            transport.close()
            self.transport = None
        raise LinkError(reason)

    # -- inbound --------------------------------------------------------------------
    def _on_data(self, data: bytes, peer: Hashable) -> None:
        stream = self.transport is not None and self.transport.stream
        parser = self._parsers.get(peer if stream else None)
        if parser is None:
            parser = self._parsers[peer if stream else None] = FrameParser(
                self._codec(), self.frame_counters, self.router.wanted)
        frames = parser.feed(data, final=not stream)
        if frames:
            self.router.handle(self, peer, frames)

    # -- outbound -------------------------------------------------------------------
    async def send(self, msg: Any, peer: Hashable = BROADCAST) -> None:
        """Queue ``msg``; waits while the queue is full (the caller's timeout bounds it)."""
        if self._queue is None:
            raise LinkError(f"{self.name} is not connected")
        await self._queue.put((msg, peer))

    def send_nowait(self, msg: Any, peer: Hashable = BROADCAST) -> bool:
        """Queue ``msg`` if there is room; a full queue drops it (counted)."""
        if self._queue is None:
            return False
        try:
            self._queue.put_nowait((msg, peer))
            return True
        except asyncio.QueueFull:
            self.counters.dropped_full += 1
            return False

    async def _writer(self, transport: Transport) -> None:
        assert self._queue is not None
        queue = self._queue
        mav = self._encoder
        while True:
            msg, peer = await queue.get()
            data = msg.pack(mav)
            mav.seq = (mav.seq + 1) & 0xFF
            if peer is BROADCAST:
                for p in transport.peers:
                    transport.send(data, p)
            else:
                transport.send(data, peer)
            self.counters.sent += 1
            if transport.stream and queue.empty():
                await transport.drain()

    async def _heartbeat(self) -> None:
        """GCS heartbeat, 1 Hz by default (ArduPilot's GCS failsafe listens for it); the
        router's once-a-second upkeep rides on it."""
        beat = m.MAVLink_heartbeat_message(m.MAV_TYPE_GCS, m.MAV_AUTOPILOT_INVALID, 0, 0,
                                           m.MAV_STATE_ACTIVE, 3)
        ticked = -1e9
        while True:
            self.send_nowait(beat, BROADCAST)
            now = self.router.monotonic()
            if now - ticked >= 1.0:
                ticked = now
                self.router.tick(now)
            await asyncio.sleep(self.heartbeat_s)

    async def _guidance(self) -> None:
        """Overwatch targets for the vehicles this link carries (see overwatch.py); they
        stop with the link, and the aircraft then holds its last target."""
        while True:
            await asyncio.sleep(self.guidance_s)
            self.router.guide(self, self.router.monotonic())
