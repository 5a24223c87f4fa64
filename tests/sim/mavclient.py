"""A plain pymavlink ground station over asyncio loopback sockets, for the simulator's tests.

It uses pymavlink as a codec only (no mavutil). Waiting is by message, never by sleeping: each
wait moves sim time on (``sim.advance``) until a message matches or a sim-time budget runs out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

M = mavlink2
Pred = Callable[[Any], bool]
WALL_SAFETY_S = 20.0   # a hung test fails instead of hanging; never an assertion on timing


class _Proto(asyncio.Protocol, asyncio.DatagramProtocol):
    def __init__(self, client: MavClient) -> None:
        self.client = client

    def data_received(self, data: bytes) -> None:
        self.client._feed(data)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.client.peer = addr
        self.client._feed(data, addr)


class MavClient:
    def __init__(self, sim: Any, sysid: int = 255, compid: int = 190) -> None:
        self.sim = sim
        self.mav = M.MAVLink(self, srcSystem=sysid, srcComponent=compid)
        self.mav.robust_parsing = True
        self.received: list[Any] = []     # everything, in arrival order
        self._cursor = 0
        self._taken: set[int] = set()
        self.peer: tuple[str, int] | None = None
        self.peers: dict[int, tuple[str, int]] = {}
        self._transport: Any = None
        self.target = 1

    @classmethod
    async def tcp(cls, sim: Any, port: int, **kw: Any) -> MavClient:
        self = cls(sim, **kw)
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_connection(lambda: _Proto(self), "127.0.0.1", port)
        return self

    @classmethod
    async def udp(cls, sim_factory: Callable[[int], Any], **kw: Any) -> MavClient:
        """Bind first (the sim sends to us), then build the sim with our port."""
        self = cls(None, **kw)
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(
            lambda: _Proto(self), local_addr=("127.0.0.1", 0))
        self.sim = sim_factory(self._transport.get_extra_info("sockname")[1])
        return self

    @property
    def port(self) -> int:
        return self._transport.get_extra_info("sockname")[1]

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    # -- codec plumbing ----------------------------------------------------------

    def write(self, buf: bytes) -> None:
        if hasattr(self._transport, "sendto"):
            peer = self.peers.get(self.target, self.peer)   # answer the instance we address
            if peer is not None:
                self._transport.sendto(bytes(buf), peer)
        else:
            self._transport.write(bytes(buf))

    def write_raw(self, data: bytes) -> None:
        self.write(data)

    def _feed(self, data: bytes, addr: tuple[str, int] | None = None) -> None:
        for msg in self.mav.parse_buffer(data) or ():
            if msg.get_type() != "BAD_DATA":
                self.received.append(msg)
                if addr is not None:
                    self.peers[msg.get_srcSystem()] = addr

    def send(self, msg: Any) -> None:
        self.mav.send(msg)

    # -- waiting -------------------------------------------------------------------

    async def wait(self, pred: Pred | str, sim_s: float = 30.0, step: float = 0.05) -> Any:
        """The oldest not yet taken message matching ``pred``; moves sim time meanwhile.

        Messages a wait passes over stay available to later waits (a STATUSTEXT that came just
        before the MISSION_CURRENT we waited for is still there); ``skip_pending`` forgets all.
        """
        if isinstance(pred, str):
            name = pred
            pred = lambda m: m.get_type() == name  # noqa: E731
        deadline = self.sim.now + sim_s
        scanned = self._cursor
        async with asyncio.timeout(WALL_SAFETY_S):
            while True:
                for i in range(scanned, len(self.received)):
                    if i not in self._taken and pred(self.received[i]):
                        self._taken.add(i)
                        while self._cursor in self._taken:
                            self._taken.discard(self._cursor)
                            self._cursor += 1
                        return self.received[i]
                scanned = max(scanned, len(self.received))
                if self.sim.now >= deadline:
                    raise AssertionError(f"no matching message within {sim_s} sim s")
                await self.sim.advance(step)

    async def collect(self, sim_s: float, pred: Pred | None = None) -> list[Any]:
        """Everything matching ``pred`` that arrives during the next ``sim_s`` sim seconds."""
        start = len(self.received)
        async with asyncio.timeout(WALL_SAFETY_S):
            await self.sim.advance(sim_s)
            for _ in range(3):
                await asyncio.sleep(0)
        self.skip_pending()
        return [m for m in self.received[start:] if pred is None or pred(m)]

    def skip_pending(self) -> None:
        self._cursor = len(self.received)
        self._taken.clear()

    # -- GCS actions ------------------------------------------------------------------

    def heartbeat(self) -> None:
        self.send(self.mav.heartbeat_encode(M.MAV_TYPE_GCS, M.MAV_AUTOPILOT_INVALID, 0, 0, 0))

    async def command(self, command: int, *params: float, confirmation: int = 0,
                      sim_s: float = 5.0) -> Any:
        p = [*params, 0, 0, 0, 0, 0, 0, 0][:7]
        self.send(self.mav.command_long_encode(self.target, 1, command, confirmation, *p))
        return await self.wait(lambda m: m.get_type() == "COMMAND_ACK" and m.command == command,
                               sim_s)

    async def command_int(self, command: int, frame: int, *params: float, x: int = 0, y: int = 0,
                          z: float = 0.0, sim_s: float = 5.0) -> Any:
        p = [*params, 0, 0, 0, 0][:4]
        self.send(self.mav.command_int_encode(self.target, 1, frame, command, 0, 0, *p, x, y, z))
        return await self.wait(lambda m: m.get_type() == "COMMAND_ACK" and m.command == command,
                               sim_s)

    async def set_mode(self, mode: int) -> Any:
        return await self.command(M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, mode)

    async def arm(self, force: bool = False) -> Any:
        return await self.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 1, 21196 if force else 0)

    async def takeoff(self, alt: float) -> Any:
        return await self.command(M.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, alt)

    async def wait_text(self, fragment: str, sim_s: float = 30.0) -> Any:
        return await self.wait(lambda m: m.get_type() == "STATUSTEXT" and fragment in m.text,
                               sim_s)

    async def wait_alt(self, alt: float, sim_s: float = 60.0, tol: float = 0.5) -> Any:
        return await self.wait(lambda m: m.get_type() == "GLOBAL_POSITION_INT"
                               and abs(m.relative_alt / 1000 - alt) <= tol, sim_s)

    def request_streams(self, rate_hz: int, stream: int = M.MAV_DATA_STREAM_ALL) -> None:
        self.send(self.mav.request_data_stream_encode(self.target, 1, stream, rate_hz, 1))

    # -- mission protocol ---------------------------------------------------------------

    def item_int(self, seq: int, command: int, lat: float = 0.0, lon: float = 0.0,
                 alt: float = 0.0, frame: int = M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
                 params: tuple[float, float, float, float] = (0, 0, 0, 0),
                 mission_type: int = 0) -> Any:
        return self.mav.mission_item_int_encode(self.target, 1, seq, frame, command, 0, 1,
                                                *params, int(lat * 1e7), int(lon * 1e7), alt,
                                                mission_type)

    async def upload(self, items: list[Any], mission_type: int = 0) -> tuple[int, list[str]]:
        """Upload; returns the final MISSION_ACK type and the request message types seen."""
        self.send(self.mav.mission_count_encode(self.target, 1, len(items), mission_type))
        kinds: list[str] = []
        while True:
            msg = await self.wait(lambda m: m.get_type() in (
                "MISSION_REQUEST", "MISSION_REQUEST_INT", "MISSION_ACK")
                and m.mission_type == mission_type)
            if msg.get_type() == "MISSION_ACK":
                return msg.type, kinds
            kinds.append(msg.get_type())
            self.send(items[msg.seq])

    async def download(self, mission_type: int = 0, use_int: bool = True) -> list[Any]:
        self.send(self.mav.mission_request_list_encode(self.target, 1, mission_type))
        count = await self.wait(lambda m: m.get_type() == "MISSION_COUNT"
                                and m.mission_type == mission_type)
        items = []
        for seq in range(count.count):
            if use_int:
                self.send(self.mav.mission_request_int_encode(self.target, 1, seq, mission_type))
                kind = "MISSION_ITEM_INT"
            else:
                self.send(self.mav.mission_request_encode(self.target, 1, seq, mission_type))
                kind = "MISSION_ITEM"
            items.append(await self.wait(lambda m, s=seq, k=kind: m.get_type() == k
                                         and m.seq == s))
        self.send(self.mav.mission_ack_encode(self.target, 1, 0, mission_type))
        return items
