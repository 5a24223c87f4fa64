"""A two-path radio: one vehicle's UDP stream copied to two fleet links (as a
mavlink-router with two outputs would), each path cut and restored on demand."""

from __future__ import annotations

import asyncio
from typing import Any


class _Side(asyncio.DatagramProtocol):
    def __init__(self, on_data: Any) -> None:
        self.on_data = on_data
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.on_data(data, addr)


class UdpTee:
    """Listens on ``port`` for the vehicle; forwards to each of ``outputs`` from its own
    socket, and replies from any output back to the vehicle."""

    def __init__(self, outputs: list[tuple[str, int]]) -> None:
        self.outputs = outputs
        self.up = [True] * len(outputs)
        self._vehicle_addr: Any = None
        self._inbound: asyncio.DatagramTransport | None = None
        self._sides: list[asyncio.DatagramTransport] = []

    async def __aenter__(self) -> UdpTee:
        loop = asyncio.get_running_loop()
        self._inbound, _ = await loop.create_datagram_endpoint(
            lambda: _Side(self._from_vehicle), local_addr=("127.0.0.1", 0))
        for i, addr in enumerate(self.outputs):
            side, _ = await loop.create_datagram_endpoint(
                lambda i=i: _Side(lambda d, a, i=i: self._from_fleet(i, d)), remote_addr=addr)
            self._sides.append(side)
        return self

    @property
    def port(self) -> int:
        assert self._inbound is not None
        return self._inbound.get_extra_info("sockname")[1]

    def _from_vehicle(self, data: bytes, addr: Any) -> None:
        self._vehicle_addr = addr
        for i, side in enumerate(self._sides):
            if self.up[i]:
                side.sendto(data)

    def _from_fleet(self, i: int, data: bytes) -> None:
        if self.up[i] and self._vehicle_addr is not None and self._inbound is not None:
            self._inbound.sendto(data, self._vehicle_addr)

    async def __aexit__(self, *exc: object) -> None:
        for t in [*self._sides, self._inbound]:
            if t is not None:
                t.close()
