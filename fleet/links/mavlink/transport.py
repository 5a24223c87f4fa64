"""Byte transports for MAVLink links: UDP in/out, TCP client/server, serial.

Each transport calls ``on_data(data, peer)`` synchronously as bytes arrive (no queue in
between: decoding a datagram is cheaper than queueing it) and sends with
``send(data, peer)``. ``peer`` identifies where bytes came from and where replies go: a
UDP address, a TCP connection, or None for point-to-point links. ``closed`` completes
when the connection ends; the link then returns and its supervisor reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import termios
import tty
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from ...errors import LinkError
from ..settings import MavlinkLinkConfig

OnData = Callable[[bytes, Hashable], None]


@dataclass(slots=True)
class TransportCounters:
    bytes_in: int = 0
    bytes_out: int = 0
    send_errors: int = 0
    dropped_sends: int = 0  # nowhere to send yet (udpin before anyone spoke)


class Transport:
    """Base: subclasses implement ``start``, ``send`` and ``close``."""

    stream = False  # True when bytes may split frames anywhere (TCP, serial)

    def __init__(self, config: MavlinkLinkConfig, on_data: OnData) -> None:
        self.config = config
        self.on_data = on_data
        self.counters = TransportCounters()
        self.closed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def _close_with(self, reason: str) -> None:
        if not self.closed.done():
            self.closed.set_result(reason)

    @property
    def peers(self) -> list[Hashable]:
        """Where a broadcast (the GCS heartbeat) goes."""
        return [None]

    async def start(self) -> None:
        raise NotImplementedError

    def send(self, data: bytes, peer: Hashable = None) -> None:
        raise NotImplementedError

    async def drain(self) -> None:
        """Wait while the OS buffers are full (streams); datagrams never wait."""

    def close(self) -> None:
        raise NotImplementedError


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, owner: UdpTransport) -> None:
        self.owner = owner

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.owner._received(data, addr)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable for udpout before the peer listens: count, keep going
        self.owner.counters.send_errors += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.owner._close_with(str(exc) if exc else "socket closed")


class UdpTransport(Transport):
    """``udpin``: listen, reply to whoever spoke (like MAVProxy); ``udpout``: send to one
    address and read the replies on the same socket (like SITL's ``--out``)."""

    def __init__(self, config: MavlinkLinkConfig, on_data: OnData) -> None:
        super().__init__(config, on_data)
        self._transport: asyncio.DatagramTransport | None = None
        self._peers: dict[Hashable, None] = {}
        self._listen = config.scheme == "udpin"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        addr = (self.config.host, self.config.port)
        if self._listen:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self), local_addr=addr)
        else:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self), remote_addr=addr)
            self._peers[None] = None
        self._transport = transport

    @property
    def local_address(self) -> tuple[str, int]:
        assert self._transport is not None
        return self._transport.get_extra_info("sockname")[:2]

    def _received(self, data: bytes, addr: Any) -> None:
        self.counters.bytes_in += len(data)
        peer = addr if self._listen else None
        if self._listen and peer not in self._peers:
            self._peers[peer] = None
        self.on_data(data, peer)

    @property
    def peers(self) -> list[Hashable]:
        return list(self._peers)

    def send(self, data: bytes, peer: Hashable = None) -> None:
        if self._transport is None or self._transport.is_closing():
            self.counters.dropped_sends += 1
            return
        if self._listen:
            if peer is None:
                self.counters.dropped_sends += 1
                return
            self._transport.sendto(data, peer)
        else:
            self._transport.sendto(data)
        self.counters.bytes_out += len(data)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self._close_with("closed")


class _StreamConn:
    """One TCP connection: reads until EOF into ``on_data``."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.name = writer.get_extra_info("peername")

    def __repr__(self) -> str:
        return f"<tcp {self.name}>"


class TcpClientTransport(Transport):
    """``tcp://host:port``: one connection to a vehicle or SITL; it ending ends the link."""

    stream = True

    def __init__(self, config: MavlinkLinkConfig, on_data: OnData) -> None:
        super().__init__(config, on_data)
        self._conn: _StreamConn | None = None
        self._reader_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        reader, writer = await asyncio.open_connection(self.config.host, self.config.port)
        self._conn = _StreamConn(reader, writer)
        self._reader_task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self._conn is not None
        try:
            while data := await self._conn.reader.read(65536):
                self.counters.bytes_in += len(data)
                self.on_data(data, None)
            self._close_with("connection closed by peer")
        except OSError as exc:
            self._close_with(str(exc))

    def send(self, data: bytes, peer: Hashable = None) -> None:
        if self._conn is None or self._conn.writer.is_closing():
            self.counters.dropped_sends += 1
            return
        self._conn.writer.write(data)
        self.counters.bytes_out += len(data)

    async def drain(self) -> None:
        if self._conn is not None:
            await self._conn.writer.drain()

    def close(self) -> None:
        if self._reader_task is not None:
            self._reader_task.cancel()
        if self._conn is not None:
            self._conn.writer.close()
        self._close_with("closed")


class TcpServerTransport(Transport):
    """``tcpin://host:port``: vehicles (or a router) connect to us; each connection is a
    peer with its own byte stream."""

    stream = True

    def __init__(self, config: MavlinkLinkConfig, on_data: OnData) -> None:
        super().__init__(config, on_data)
        self._server: asyncio.Server | None = None
        self._conns: dict[_StreamConn, asyncio.Task[None]] = {}

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.config.host,
                                                  self.config.port)

    @property
    def local_address(self) -> tuple[str, int]:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[:2]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = _StreamConn(reader, writer)
        self._conns[conn] = asyncio.current_task()  # type: ignore[assignment]
        try:
            while data := await reader.read(65536):
                self.counters.bytes_in += len(data)
                self.on_data(data, conn)
        except OSError:
            pass
        finally:
            self._conns.pop(conn, None)
            writer.close()

    @property
    def peers(self) -> list[Hashable]:
        return list(self._conns)

    def send(self, data: bytes, peer: Hashable = None) -> None:
        if not isinstance(peer, _StreamConn) or peer.writer.is_closing():
            self.counters.dropped_sends += 1
            return
        peer.writer.write(data)
        self.counters.bytes_out += len(data)

    async def drain(self) -> None:
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                await conn.writer.drain()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn, task in list(self._conns.items()):
            conn.writer.close()
            task.cancel()
        self._close_with("closed")


_BAUDS = {int(name[1:]): getattr(termios, name) for name in dir(termios)
          if name.startswith("B") and name[1:].isdigit()}


class SerialTransport(Transport):
    """A serial device in raw mode, read and written without blocking the event loop."""

    stream = True

    def __init__(self, config: MavlinkLinkConfig, on_data: OnData) -> None:
        super().__init__(config, on_data)
        self._fd: int | None = None
        self._out = bytearray()

    async def start(self) -> None:
        baud = self.config.baud or 57600
        if baud not in _BAUDS:
            raise LinkError(f"{self.config.device}: unsupported baud rate {baud}")
        fd = os.open(self.config.device or "", os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            if os.isatty(fd):
                tty.setraw(fd)
                attrs = termios.tcgetattr(fd)
                attrs[4] = attrs[5] = _BAUDS[baud]  # ispeed, ospeed
                termios.tcsetattr(fd, termios.TCSANOW, attrs)
        except termios.error as exc:
            os.close(fd)
            raise LinkError(f"{self.config.device}: {exc}") from None
        self._fd = fd
        asyncio.get_running_loop().add_reader(fd, self._readable)

    def _readable(self) -> None:
        assert self._fd is not None
        try:
            data = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        except OSError as exc:
            self._close_with(str(exc))
            self._stop_io()
            return
        if not data:
            self._close_with("device closed")
            self._stop_io()
            return
        self.counters.bytes_in += len(data)
        self.on_data(data, None)

    def send(self, data: bytes, peer: Hashable = None) -> None:
        if self._fd is None:
            self.counters.dropped_sends += 1
            return
        had = bool(self._out)
        self._out += data
        self.counters.bytes_out += len(data)
        if not had:
            self._writable()

    def _writable(self) -> None:
        if self._fd is None:
            return
        loop = asyncio.get_running_loop()
        try:
            n = os.write(self._fd, self._out)
            del self._out[:n]
        except BlockingIOError:
            pass
        except OSError as exc:
            self.counters.send_errors += 1
            self._close_with(str(exc))
            self._stop_io()
            return
        if self._out:
            loop.add_writer(self._fd, self._writable)
        else:
            loop.remove_writer(self._fd)

    def _stop_io(self) -> None:
        if self._fd is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self._fd)
            loop.remove_writer(self._fd)
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        self._stop_io()
        self._close_with("closed")


def make_transport(config: MavlinkLinkConfig, on_data: OnData) -> Transport:
    if config.scheme in ("udpin", "udpout"):
        return UdpTransport(config, on_data)
    if config.scheme == "tcp":
        return TcpClientTransport(config, on_data)
    if config.scheme == "tcpin":
        return TcpServerTransport(config, on_data)
    if config.scheme == "serial":
        return SerialTransport(config, on_data)
    raise LinkError(f"unsupported MAVLink link scheme {config.scheme!r}")
