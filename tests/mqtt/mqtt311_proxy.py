"""A broker that speaks only MQTT 3.1.1: a proxy in front of a real Mosquitto that
answers an MQTT 5 CONNECT as a 3.1.1 broker must (CONNACK 1, "unacceptable protocol
version", then close) and passes everything else through. It stands in for the brokers
fleet falls back to 3.1.1 for (Mosquitto before 1.6, amqtt) without installing one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

REFUSE_PROTOCOL = b"\x20\x02\x00\x01"


async def _read_packet(reader: asyncio.StreamReader) -> bytes:
    first = await reader.readexactly(1)
    length, shift, header = 0, 0, b""
    while True:
        byte = await reader.readexactly(1)
        header += byte
        length |= (byte[0] & 0x7F) << shift
        shift += 7
        if not byte[0] & 0x80:
            break
    return first + header + await reader.readexactly(length)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@contextlib.asynccontextmanager
async def mqtt311_only(upstream_host: str, upstream_port: int) -> AsyncIterator[int]:
    """Yield the port of the 3.1.1-only front of ``upstream``."""
    tasks: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            connect = await _read_packet(reader)
        except (OSError, asyncio.IncompleteReadError):
            writer.close()
            return
        # CONNECT: fixed header, remaining length, "\x00\x04MQTT", protocol level
        level = connect[connect.index(b"MQTT") + 4]
        if level >= 5:
            writer.write(REFUSE_PROTOCOL)
            await writer.drain()
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection(upstream_host, upstream_port)
        up_writer.write(connect)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    def track(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(serve(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(track, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
