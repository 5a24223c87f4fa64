"""One MQTT connection on an asyncio transport: a unit's socket to the broker.

Deliberately small: the session (``session.py``) owns reconnecting and presence; this owns
bytes, packet ids, keepalive pings and the two ways of ending: a clean DISCONNECT, or an
abort that resets the TCP connection so the broker publishes the Last Will.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import time
from collections.abc import Callable

from . import mqtt_wire as wire

#: QoS 0 telemetry is dropped (and counted) rather than queued beyond this: the next report
#: supersedes it, and a stalled socket must not grow memory without bound.
WRITE_BUFFER_LIMIT = 256 * 1024
MAX_INFLIGHT = 1000     # QoS 1 publishes without PUBACK before the broker is deemed stuck


class ConnectionRefused(Exception):
    """The broker answered CONNECT with a refusal (bad credentials, identifier rejected)."""


class MqttConnection(asyncio.Protocol):
    def __init__(self, on_publish: Callable[[str, bytes], None]) -> None:
        self._on_publish = on_publish
        self._reader = wire.PacketReader()
        self._transport: asyncio.Transport | None = None
        loop = asyncio.get_running_loop()
        self._connack: asyncio.Future[int] = loop.create_future()
        self._subacks: dict[int, asyncio.Future[int]] = {}
        self.closed: asyncio.Future[None] = loop.create_future()
        self._next_id = 0
        self._inflight: set[int] = set()
        self.last_sent = time.monotonic()
        self._ping_sent_at: float | None = None
        self.dropped = 0

    # -- asyncio.Protocol ----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            for packet in self._reader.feed(data):
                self._handle(packet)
        except (wire.ProtocolError, ValueError, UnicodeDecodeError, struct.error):
            self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        for fut in (self._connack, *self._subacks.values()):
            if not fut.done():
                fut.set_exception(ConnectionError("connection lost"))
        if not self.closed.done():
            self.closed.set_result(None)

    def _handle(self, packet: wire.Packet) -> None:
        if packet.type == wire.PUBLISH:
            topic, payload, qos, packet_id = wire.parse_publish(packet)
            if qos == 1:
                self._send(wire.puback(packet_id))
            self._on_publish(topic, payload)
        elif packet.type == wire.PUBACK:
            self._inflight.discard(wire.packet_id_of(packet))
        elif packet.type == wire.CONNACK and not self._connack.done():
            self._connack.set_result(wire.connack_code(packet))
        elif packet.type == wire.SUBACK:
            fut = self._subacks.pop(wire.packet_id_of(packet), None)
            if fut is not None and not fut.done():
                fut.set_result(packet.body[-1])
        elif packet.type == wire.PINGRESP:
            self._ping_sent_at = None

    # -- sending -------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._transport is not None and not self._transport.is_closing()

    def _send(self, data: bytes) -> None:
        if self._transport is not None:
            self._transport.write(data)
            self.last_sent = time.monotonic()

    def _packet_id(self) -> int:
        self._next_id = self._next_id % 65535 + 1
        return self._next_id

    def publish(self, topic: str, payload: bytes, *, qos: int = 0,
                retain: bool = False) -> bool:
        """Queue a PUBLISH; False (and counted) if dropped: closed, or a full socket at QoS 0."""
        transport = self._transport
        if transport is None or transport.is_closing() or (
                qos == 0 and transport.get_write_buffer_size() > WRITE_BUFFER_LIMIT):
            self.dropped += 1
            return False
        packet_id = 0
        if qos:
            if len(self._inflight) >= MAX_INFLIGHT:
                self.abort()
                return False
            packet_id = self._packet_id()
            self._inflight.add(packet_id)
        self._send(wire.publish(topic, payload, qos=qos, retain=retain, packet_id=packet_id))
        return True

    def send_raw(self, data: bytes) -> None:
        """Bytes as they are (fault injection: a corrupt packet)."""
        self._send(data)

    async def handshake(self, connect_packet: bytes) -> None:
        self._send(connect_packet)
        code = await self._connack
        if code != 0:
            raise ConnectionRefused(wire.CONNACK_REASONS.get(code, f"refused ({code})"))

    async def subscribe(self, topic: str, qos: int = 1) -> None:
        packet_id = self._packet_id()
        fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._subacks[packet_id] = fut
        self._send(wire.subscribe(packet_id, topic, qos))
        if await fut == 0x80:
            raise ConnectionRefused(f"subscription to {topic} refused")

    def keepalive(self, keepalive_s: float, now: float) -> None:
        """Ping when idle for half the keepalive; abort if the broker stops answering."""
        if not self.is_open or keepalive_s <= 0:
            return
        if self._ping_sent_at is not None and now - self._ping_sent_at > keepalive_s:
            self.abort()
        elif self._ping_sent_at is None and now - self.last_sent > keepalive_s / 2:
            self._ping_sent_at = now
            self._send(wire.PINGREQ_BYTES)

    # -- ending --------------------------------------------------------------------

    def abort(self) -> None:
        """Reset the connection without DISCONNECT: to the broker the unit just vanished."""
        transport = self._transport
        if transport is None:
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    async def disconnect(self, timeout_s: float = 2.0) -> None:
        """Clean end: DISCONNECT (the broker discards the Last Will), then close."""
        if self._transport is not None and not self._transport.is_closing():
            self._send(wire.DISCONNECT_BYTES)
            self._transport.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await asyncio.shield(self.closed)


async def open_connection(host: str, port: int, on_publish: Callable[[str, bytes], None],
                          tls: ssl.SSLContext | None = None) -> MqttConnection:
    loop = asyncio.get_running_loop()
    _, connection = await loop.create_connection(lambda: MqttConnection(on_publish), host, port,
                                                 ssl=tls)
    return connection
