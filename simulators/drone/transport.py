"""Asyncio transports: a TCP server per instance (SITL's 5760 + 10*i) and a UDP sender.

TCP serves one client at a time like SITL; a second connection is closed at once. Writes to a
client that stops reading are dropped past WRITE_LIMIT (a radio drops, it does not queue
forever). UDP sends every batch to the configured peer and reads replies on the same socket,
like SITL's ``udpout``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from .endpoint import Endpoint

log = logging.getLogger(__name__)
WRITE_LIMIT = 256 * 1024
READ_SIZE = 4096


class TcpServerTransport:
    def __init__(self, endpoint: Endpoint, host: str, port: int) -> None:
        self.endpoint = endpoint
        self.host = host
        self.requested_port = port
        self.port = port
        self._server: asyncio.Server | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.dropped_bytes = 0
        endpoint.transport = self

    @property
    def description(self) -> str:
        return f"tcp:{self.host}:{self.port}"

    @property
    def connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.requested_port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.connected:
            writer.close()                       # one client per port, as SITL
            return
        self._writer = writer
        try:
            while data := await reader.read(READ_SIZE):
                self.endpoint.feed(data)
        except (ConnectionError, OSError):
            pass
        finally:
            if self._writer is writer:
                self._writer = None
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def send(self, data: bytes) -> None:
        w = self._writer
        if w is None or w.is_closing():
            return
        if w.transport.get_write_buffer_size() > WRITE_LIMIT:
            self.dropped_bytes += len(data)
            return
        w.write(data)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.endpoint.feed(data)

    def error_received(self, exc: Exception) -> None:
        log.debug("udp error: %s", exc)          # e.g. nobody listening yet: keep sending


class UdpOutTransport:
    def __init__(self, endpoint: Endpoint, host: str, port: int,
                 bind_host: str = "0.0.0.0") -> None:
        self.endpoint = endpoint
        self.remote = (host, port)
        self.bind_host = bind_host
        self.local_port = 0
        self._transport: asyncio.DatagramTransport | None = None
        self.dropped_bytes = 0
        endpoint.transport = self

    @property
    def description(self) -> str:
        return f"udpout:{self.remote[0]}:{self.remote[1]} (from :{self.local_port})"

    @property
    def connected(self) -> bool:
        return self._transport is not None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self.endpoint), local_addr=(self.bind_host, 0))
        self._transport = transport
        self.local_port = transport.get_extra_info("sockname")[1]

    def send(self, data: bytes) -> None:
        t = self._transport
        if t is None:
            return
        if t.get_write_buffer_size() > WRITE_LIMIT:
            self.dropped_bytes += len(data)
            return
        t.sendto(data, self.remote)

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
