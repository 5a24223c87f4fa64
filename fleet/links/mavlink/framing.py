"""Bytes to MAVLink messages, fast: our framer, pymavlink's definitions.

pymavlink's ``parse_buffer`` spends two thirds of its time building message objects in
pure Python (~98k msgs/s here). This framer splits frames itself, checks each CRC with
fastcrc, and decodes the hot telemetry messages with their generated ``struct`` layout
into light named tuples carrying the same field names; every other message goes through
pymavlink's own ``decode``. Signed links decode everything through pymavlink, which
checks signatures. Nothing is dropped without a counter: bad CRC, unknown ids, garbage
bytes, truncated frames and refused signatures are all counted.
"""

from __future__ import annotations

import struct
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from fastcrc import crc16

from .dialect import mavlink2

_crc = crc16.mcrf4xx
_V1 = 0xFE
_V2 = 0xFD
_SIGNED = mavlink2.MAVLINK_IFLAG_SIGNED
_SIG_LEN = mavlink2.MAVLINK_SIGNATURE_BLOCK_LEN
_MAP = mavlink2.mavlink_map
_V2_HEADER = struct.Struct("<BBBBBBBHB")  # magic len incompat compat seq sys comp id_lo id_hi
_V1_HEADER = struct.Struct("<BBBBBB")

#: messages decoded on the fast path: the telemetry every vehicle streams
HOT_MESSAGES = (
    "HEARTBEAT", "GLOBAL_POSITION_INT", "SYS_STATUS", "GPS_RAW_INT", "VFR_HUD", "ATTITUDE",
    "EKF_STATUS_REPORT", "MISSION_CURRENT", "COMMAND_ACK", "SYSTEM_TIME",
    "MISSION_ITEM_REACHED", "MISSION_REQUEST", "MISSION_REQUEST_INT", "MISSION_ACK",
    "MISSION_COUNT",
)


class Frame(NamedTuple):
    msgid: int
    sysid: int
    compid: int
    msg: Any  # a hot named tuple or a pymavlink MAVLink_message; both have the field names


@dataclass(slots=True)
class FrameCounters:
    frames: int = 0
    bad_crc: int = 0
    unknown_id: int = 0
    garbage_bytes: int = 0
    truncated: int = 0
    bad_signature: int = 0
    decode_errors: int = 0
    ignored: int = 0  # valid frames of messages nobody handles (not decoded)


@dataclass(frozen=True, slots=True)
class _Hot:
    crc_extra: int
    size: int
    unpack: Callable[[bytes], tuple]
    make: Callable[[tuple], Any]


def _hot_decoders() -> dict[int, _Hot]:
    """For each hot message: its CRC extra, payload size and a decoder to a named tuple
    whose fields are in wire order (pymavlink sorts fields by size on the wire)."""
    out: dict[int, _Hot] = {}
    for name in HOT_MESSAGES:
        cls = getattr(mavlink2, f"MAVLink_{name.lower()}_message")
        if sum(cls.lengths) != len(cls.lengths):
            raise ValueError(f"{name} has array fields: not a fast-path message")
        wire_names = [""] * len(cls.fieldnames)
        for i, wire_pos in enumerate(cls.orders):
            wire_names[wire_pos] = cls.fieldnames[i]
        tuple_type = namedtuple(name.title().replace("_", ""), wire_names)
        tuple_type.get_type = lambda self, _n=name: _n  # pymavlink-compatible
        out[cls.id] = _Hot(cls.crc_extra, cls.unpacker.size, cls.unpacker.unpack,
                           tuple_type._make)
    return out


_HOT = _hot_decoders()


class FrameParser:
    """Stateful splitter for one byte stream (a TCP connection, a serial port, or one
    datagram at a time with ``final=True``)."""

    def __init__(
        self, mav: mavlink2.MAVLink, counters: FrameCounters | None = None,
        wanted: frozenset[int] | None = None,
    ) -> None:
        self.mav = mav  # pymavlink codec state: signing keys, slow-path decode
        self.counters = counters or FrameCounters()
        #: message ids someone handles; others are CRC-checked and skipped, not decoded
        self.wanted = wanted
        self._buf = bytearray()

    @property
    def signing(self) -> bool:
        return self.mav.signing.secret_key is not None

    def feed(self, data: bytes, *, final: bool = False) -> list[Frame]:
        """Frames completed by ``data``. With ``final`` (a datagram), a partial frame at
        the end is counted as truncated instead of kept for the next call."""
        buf = self._buf
        buf += data
        out: list[Frame] = []
        append = out.append
        counters = self.counters
        view = memoryview(buf)
        pos = 0
        n = len(buf)
        slow = self.signing
        wanted = self.wanted
        try:
            while pos < n:
                b = buf[pos]
                if b != _V2 and b != _V1:
                    nxt = _next_magic(buf, pos + 1)
                    counters.garbage_bytes += (nxt if nxt >= 0 else n) - pos
                    if nxt < 0:
                        pos = n
                        break
                    pos = nxt
                    continue
                if b == _V2:
                    if n - pos < 10:
                        break
                    _, plen, incompat, _, _, sysid, compid, lo, hi = _V2_HEADER.unpack_from(
                        buf, pos)
                    msgid = lo | (hi << 16)
                    header = 10
                    sig = _SIG_LEN if incompat & _SIGNED else 0
                else:
                    if n - pos < 6:
                        break
                    _, plen, _, sysid, compid, msgid = _V1_HEADER.unpack_from(buf, pos)
                    header, sig = 6, 0
                end = pos + header + plen + 2 + sig
                if end > n:
                    break
                if wanted is not None and msgid not in wanted:
                    pos = self._skip(view, pos, header + plen, end, msgid)
                    continue
                hot = _HOT.get(msgid)
                if hot is None or slow or sig:
                    msg, pos = self._slow(buf, pos, end, msgid)
                    if msg is not None:
                        append(Frame(msgid, sysid, compid, msg))
                        counters.frames += 1
                    continue
                crc_end = pos + header + plen
                crc = _crc(bytes((hot.crc_extra,)), _crc(view[pos + 1:crc_end]))
                if crc != buf[crc_end] | (buf[crc_end + 1] << 8):
                    counters.bad_crc += 1
                    pos += 1  # resync: the real frame may start inside this one
                    continue
                payload = bytes(view[pos + header:crc_end])
                if plen < hot.size:  # MAVLink 2 trims trailing zero bytes
                    payload += bytes(hot.size - plen)
                elif plen > hot.size:  # a newer dialect's extensions: ignore them
                    payload = payload[:hot.size]
                append(Frame(msgid, sysid, compid, hot.make(hot.unpack(payload))))
                counters.frames += 1
                pos = end
        finally:
            view.release()
        if final and pos < n:
            counters.truncated += 1
            pos = n
        del buf[:pos]
        return out

    def _skip(self, view: memoryview, pos: int, crc_from_end: int, end: int, msgid: int) -> int:
        """A frame nobody handles: check its CRC (to stay in sync) without decoding it."""
        cls = _MAP.get(msgid)
        if cls is None:
            self.counters.unknown_id += 1
            buf = view.obj
            plausible = end == len(buf) or buf[end] in (_V1, _V2)  # type: ignore[index]
            return end if plausible else pos + 1
        crc_end = pos + crc_from_end
        crc = _crc(bytes((cls.crc_extra,)), _crc(view[pos + 1:crc_end]))
        if crc != view[crc_end] | (view[crc_end + 1] << 8):
            self.counters.bad_crc += 1
            return pos + 1
        self.counters.ignored += 1
        return end

    def _slow(self, buf: bytearray, pos: int, end: int, msgid: int) -> tuple[Any, int]:
        """pymavlink's decode for everything off the fast path: (message or None, where
        to go on). A bad CRC resyncs one byte on, since the frame may be garbage. An id
        we do not know cannot be CRC-checked: it is skipped whole only when another frame
        (or the end of the data) follows it, else it was garbage and we resync."""
        if msgid not in _MAP:
            self.counters.unknown_id += 1
            plausible = end == len(buf) or buf[end] in (_V1, _V2)
            return None, end if plausible else pos + 1
        try:
            return self.mav.decode(bytearray(buf[pos:end])), end
        except mavlink2.MAVError as exc:
            text = str(exc)
            if "CRC" in text:
                self.counters.bad_crc += 1
                return None, pos + 1
            if "signature" in text:
                self.counters.bad_signature += 1
            else:
                self.counters.decode_errors += 1
            return None, end


def _next_magic(buf: bytearray, start: int) -> int:
    a = buf.find(_V2, start)
    b = buf.find(_V1, start)
    if a < 0:
        return b
    if b < 0:
        return a
    return min(a, b)
