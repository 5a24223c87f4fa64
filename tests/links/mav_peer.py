"""A scripted MAVLink peer for edge cases the simulator does not produce on demand
(acks in odd orders, a vehicle that never answers, garbage on the wire). It speaks real
MAVLink 2 over a real UDP socket, a TCP socket or a pty; pymavlink is its codec."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as m

Reply = Callable[[Any], list[Any]]


@dataclass
class ScriptedVehicle:
    """Sends heartbeats and positions to ``target`` (UDP) or over ``stream`` (a
    non-blocking connected socket or a file descriptor) and answers with ``on_command``."""

    target: tuple[str, int] | None = None
    stream: socket.socket | int | None = None
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
    signing_key: bytes | None = None

    def __post_init__(self) -> None:
        self.mav = m.MAVLink(None, srcSystem=self.sysid, srcComponent=self.compid)
        self.mav.robust_parsing = True
        self.parser = m.MAVLink(None)
        self.parser.robust_parsing = True
        if self.signing_key is not None:
            for mav in (self.mav, self.parser):
                mav.signing.secret_key = self.signing_key
                mav.signing.sign_outgoing = True
                mav.signing.timestamp = int((time.time() - 1420070400) * 100_000)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.got = asyncio.Event()

    def write(self, data: bytes) -> None:
        if self.stream is None:
            self.sock.sendto(data, self.target)
        elif isinstance(self.stream, int):
            os.write(self.stream, data)
        else:
            self.stream.send(data)

    def read(self) -> bytes | None:
        try:
            if self.stream is None:
                return self.sock.recv(65536)
            if isinstance(self.stream, int):
                return os.read(self.stream, 65536)
            return self.stream.recv(65536) or None
        except (BlockingIOError, InterruptedError):
            return None

    def send(self, msg: Any) -> None:
        data = msg.pack(self.mav)
        self.mav.seq = (self.mav.seq + 1) & 0xFF
        self.write(self.garbage + data)

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
        while (data := self.read()) is not None:
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
