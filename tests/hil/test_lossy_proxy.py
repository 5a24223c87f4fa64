"""The loss proxy itself, against a fake vehicle (a TCP server sending MAVLink): whole
frames are dropped at the asked rate each way (v1, v2 and signed v2 framing), a cut loses
everything until restored, and the vehicle's clock is read off the frames. No vehicle
process, no simulator: fast, part of every run."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator

from lossy_proxy import LossyProxy
from mavframes import FrameSplitter
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

FRAMES = 2000
SEED = 3


def encoder(sysid: int = 1) -> mavlink2.MAVLink:
    return mavlink2.MAVLink(None, srcSystem=sysid, srcComponent=1)


def frame(boot_ms: int, *, v1: bool = False, signed: bool = False) -> bytes:
    mav = encoder()
    if signed:
        mav.signing.secret_key = bytes(32)
        mav.signing.sign_outgoing = True
    msg = mav.global_position_int_encode(boot_ms, 0, 0, 0, 0, 0, 0, 0, 0)
    return msg.pack(mav, force_mavlink1=v1)


def test_frames_are_split_whole_whatever_the_chunking() -> None:
    stream = b"\x00junk" + frame(7, v1=True) + frame(8) + frame(9, signed=True) + frame(10)
    for size in (1, 3, 17, len(stream)):
        splitter = FrameSplitter()
        out = [f for i in range(0, len(stream), size) for f in splitter.feed(stream[i:i + size])]
        assert b"".join(f.data for f in out) == stream
        assert [f.boot_ms() for f in out if f.msgid is not None] == [7, 8, 9, 10]


def test_a_truncated_payload_reads_its_clock_from_the_payload_only() -> None:
    (only,) = FrameSplitter().feed(frame(2527))  # MAVLink 2 trims the zero fields
    assert only.data[1] == 2 and only.boot_ms() == 2527


@contextlib.asynccontextmanager
async def proxied(loss: float) -> AsyncIterator[tuple[LossyProxy, asyncio.StreamReader,
                                                      asyncio.StreamWriter, asyncio.Queue]]:
    """A fake vehicle behind a proxy; yields (proxy, fleet side reader/writer, what the
    vehicle received)."""
    received: asyncio.Queue[bytes] = asyncio.Queue()
    vehicle_side: asyncio.Queue[asyncio.StreamWriter] = asyncio.Queue()

    async def vehicle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        vehicle_side.put_nowait(writer)
        while chunk := await reader.read(65536):
            received.put_nowait(chunk)

    server = await asyncio.start_server(vehicle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    up = await asyncio.open_connection("127.0.0.1", port)
    async with LossyProxy(*up, loss=loss, seed=SEED) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        vehicle_writer = await vehicle_side.get()
        try:
            yield proxy, reader, writer, received, vehicle_writer
        finally:
            writer.close()
            vehicle_writer.close()
            server.close()


async def read_frames(reader: asyncio.StreamReader | asyncio.Queue, count: int) -> list[int]:
    """The clocks of the next ``count`` frames from a stream or a queue of chunks."""
    splitter, seen = FrameSplitter(), []
    while len(seen) < count:
        chunk = await (reader.get() if isinstance(reader, asyncio.Queue) else reader.read(65536))
        seen += [f.boot_ms() for f in splitter.feed(chunk)]
    return seen


def survivors(direction: str, loss: float, seed: int = SEED) -> int:
    """How many of FRAMES the proxy's seeded generator lets through that way."""
    rng = random.Random(f"{seed}-{direction}")
    return sum(rng.random() >= loss for _ in range(FRAMES))


async def test_frames_are_lost_at_the_asked_rate_each_way() -> None:
    async with proxied(0.2) as (proxy, reader, writer, received, vehicle):
        vehicle.write(b"".join(frame(i) for i in range(FRAMES)))
        writer.write(b"".join(frame(i) for i in range(FRAMES)))
        down = await asyncio.wait_for(read_frames(reader, survivors("down", 0.2)), 10)
        up = await asyncio.wait_for(read_frames(received, survivors("up", 0.2)), 10)
        for seen in (down, up):
            assert seen == sorted(set(seen))  # whole frames, in order, none twice
            assert 0.15 < 1 - len(seen) / FRAMES < 0.25
        assert proxy.boot_ms == FRAMES - 1  # the clock counts dropped frames too
        assert (proxy.up.frames, proxy.down.frames) == (FRAMES, FRAMES)


async def test_a_cut_loses_everything_until_restored_but_the_clock_still_reads() -> None:
    async with proxied(0.0) as (proxy, reader, _writer, _received, vehicle):
        proxy.cut()
        vehicle.write(b"".join(frame(i) for i in range(1, 50)))
        await asyncio.wait_for(proxy.wait_boot_ms(49), 10)
        assert proxy.down.dropped == 49
        proxy.restore()
        vehicle.write(frame(50))
        assert await asyncio.wait_for(read_frames(reader, 1), 10) == [50]
