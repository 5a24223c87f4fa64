"""Split a MAVLink byte stream into whole frames, without decoding them.

The loss proxy drops whole frames, as a radio loses whole packets: dropping bytes would
test a different thing (resynchronisation, which fleet's own tests cover). Only the framing
is read (start byte, length, v2 incompat flags for the signature), so a frame fleet would
refuse still passes through untouched. Pure: no I/O.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

STX_V1 = 0xFE
STX_V2 = 0xFD
SIGNED = 0x01  # MAVLINK_IFLAG_SIGNED
SIGNATURE_LEN = 13
#: messages whose first payload field is the vehicle's time_boot_ms (uint32), MAVLink 2
#: field order being largest first: ATTITUDE, GLOBAL_POSITION_INT
BOOT_MS_MESSAGES = frozenset({30, 33})


@dataclass(frozen=True, slots=True)
class Frame:
    data: bytes  # the whole frame, or a run of bytes that is not one (passed on as is)
    msgid: int | None = None
    sysid: int | None = None

    def boot_ms(self) -> int | None:
        """The sender's time_boot_ms, for the messages known to carry it first."""
        if self.msgid not in BOOT_MS_MESSAGES:
            return None
        start = 6 if self.data[0] == STX_V1 else 10
        payload = self.data[start:start + self.data[1]]
        head = payload[:4].ljust(4, b"\0")  # MAVLink 2 trims a payload's trailing zeros
        return struct.unpack("<I", head)[0]


class FrameSplitter:
    """Feed bytes, get back the complete frames; keeps the tail of a partial frame."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, chunk: bytes) -> list[Frame]:
        self._buf += chunk
        out: list[Frame] = []
        while self._buf:
            start = _next_stx(self._buf)
            if start > 0:  # bytes before a start marker: not a frame, pass them on
                out.append(Frame(bytes(self._buf[:start])))
                del self._buf[:start]
                continue
            if start < 0:
                out.append(Frame(bytes(self._buf)))
                self._buf.clear()
                break
            size = _frame_size(self._buf)
            if size is None or len(self._buf) < size:
                break  # wait for the rest
            data = bytes(self._buf[:size])
            del self._buf[:size]
            out.append(_frame(data))
        return out


def _next_stx(buf: bytearray) -> int:
    positions = [i for i in (buf.find(STX_V1), buf.find(STX_V2)) if i >= 0]
    return min(positions) if positions else -1


def _frame_size(buf: bytearray) -> int | None:
    if len(buf) < 3:
        return None
    if buf[0] == STX_V1:
        return buf[1] + 8
    signature = SIGNATURE_LEN if buf[2] & SIGNED else 0
    return buf[1] + 12 + signature


def _frame(data: bytes) -> Frame:
    if data[0] == STX_V1:
        return Frame(data, msgid=data[5], sysid=data[3])
    return Frame(data, msgid=data[7] | data[8] << 8 | data[9] << 16, sysid=data[5])
