"""A scripted MAVLink peer for edge cases the simulator does not produce on demand
(acks in odd orders, a vehicle that never answers, garbage on the wire). It speaks real
MAVLink 2 over a real UDP socket; pymavlink is its codec."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as m

Reply = Callable[[Any], list[Any]]


@dataclass
class ScriptedVehicle:
    """Sends heartbeats and positions to ``target`` and answers with ``on_command``."""

    target: tuple[str, int]
    sysid: int = 1
    compid: int = 1
    mav_type: int = m.MAV_TYPE_QUADROTOR
    autopilot: int = m.MAV_AUTOPILOT_ARDUPILOTMEGA
    custom_mode: int = 0
    armed: bool = False
    lat: float = 26.89
    lon: float = 112.57
    booted_at: float = field(default_factory=lambda: time.monotonic() - 100.0)
    on_command: Reply | None = None
    received: list[Any] = field(default_factory=list)
    garbage: bytes = b""  # sent before every frame when set

    def __post_init__(self) -> None:
        self.mav = m.MAVLink(None, srcSystem=self.sysid, srcComponent=self.compid)
        self.mav.robust_parsing = True
        self.parser = m.MAVLink(None)
        self.parser.robust_parsing = True
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.got = asyncio.Event()

    def send(self, msg: Any) -> None:
        data = msg.pack(self.mav)
        self.mav.seq = (self.mav.seq + 1) & 0xFF
        self.sock.sendto(self.garbage + data, self.target)

    def heartbeat(self) -> None:
        base = m.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED | (
            m.MAV_MODE_FLAG_SAFETY_ARMED if self.armed else 0)
        self.send(m.MAVLink_heartbeat_message(self.mav_type, self.autopilot, base,
                                              self.custom_mode, m.MAV_STATE_STANDBY, 3))

    def position(self) -> None:
        boot_ms = int((time.monotonic() - self.booted_at) * 1000)
        self.send(m.MAVLink_global_position_int_message(
            boot_ms, round(self.lat * 1e7), round(self.lon * 1e7), 50_000, 10_000,
            300, 400, 0, 9000))

    def statustext(self, text: str, severity: int = m.MAV_SEVERITY_CRITICAL) -> None:
        self.send(m.MAVLink_statustext_message(severity, text.encode()))

    def poll(self) -> None:
        """Read what fleet sent us and answer commands."""
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return
            for msg in self.parser.parse_buffer(data) or []:
                self.received.append(msg)
                self.got.set()
                if msg.get_type() in ("COMMAND_LONG", "COMMAND_INT") and self.on_command:
                    for reply in self.on_command(msg):
                        self.send(reply)

    async def run(self, rate_hz: float = 20.0) -> None:
        """Heartbeat once a second, position and polling at ``rate_hz``, until cancelled."""
        tick = 0
        period = 1.0 / rate_hz
        while True:
            if tick % int(rate_hz) == 0:
                self.heartbeat()
            self.position()
            self.poll()
            tick += 1
            await asyncio.sleep(period)

    def close(self) -> None:
        self.sock.close()


def ack(msg: Any, result: int, progress: int = 0) -> Any:
    return m.MAVLink_command_ack_message(msg.command, result, progress, 0, 255, 190)
