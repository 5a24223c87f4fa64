"""Commands from fleet and the unit's acks, per docs/mqtt.md: parsing, validation, dedup.

Pure: the unit decides what a command means; this module only says whether it is well formed
and remembers what was answered, so a command resent with the same id gets the same answer
and is never executed twice.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from dataclasses import dataclass

STATUSES = ("available", "patrolling", "dispatched", "en_route", "on_scene", "returning",
            "out_of_service")
COMMAND_TYPES = ("goto", "patrol", "hold", "return", "set_status")
MAX_ID_CHARS = 64
MAX_COMMAND_BYTES = 64 * 1024


@dataclass(frozen=True)
class Command:
    id: str
    type: str
    lat: float = math.nan
    lon: float = math.nan
    route: tuple[tuple[float, float], ...] = ()
    loop: bool = True
    status: str = ""


class Rejected(Exception):
    """A command that will not be executed; ``command_id`` is None when it cannot be answered."""

    def __init__(self, command_id: str | None, reason: str) -> None:
        super().__init__(reason)
        self.command_id = command_id
        self.reason = reason


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _latlon(lat: object, lon: object) -> tuple[float, float] | None:
    if _number(lat) and _number(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:  # type: ignore[operator]
        return float(lat), float(lon)  # type: ignore[arg-type]
    return None


def parse_command(payload: bytes) -> Command:
    """The command in ``payload``, or :class:`Rejected` saying why not."""
    if len(payload) > MAX_COMMAND_BYTES:
        raise Rejected(None, "command too large")
    try:
        doc = json.loads(payload, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError):
        raise Rejected(None, "bad JSON") from None
    if not isinstance(doc, dict):
        raise Rejected(None, "not a JSON object")
    cid = doc.get("id")
    if not isinstance(cid, str) or not 0 < len(cid) <= MAX_ID_CHARS:
        raise Rejected(None, "missing or bad id")
    if doc.get("v") != 1 or isinstance(doc.get("v"), bool):
        raise Rejected(cid, "unsupported version")
    kind = doc.get("type")
    if kind not in COMMAND_TYPES:
        raise Rejected(cid, f"unknown command type {kind!r}")
    if kind == "goto":
        point = _latlon(doc.get("lat"), doc.get("lon"))
        if point is None:
            raise Rejected(cid, "goto needs numeric lat -90..90 and lon -180..180")
        return Command(cid, kind, lat=point[0], lon=point[1])
    if kind == "patrol":
        return Command(cid, kind, route=_route(cid, doc.get("route")),
                       loop=_loop(cid, doc.get("loop", True)))
    if kind == "set_status":
        status = doc.get("status")
        if status not in STATUSES:
            raise Rejected(cid, f"unknown status {status!r}")
        return Command(cid, kind, status=status)
    return Command(cid, kind)


def _route(cid: str, route: object) -> tuple[tuple[float, float], ...]:
    if not isinstance(route, list) or len(route) < 2:
        raise Rejected(cid, "patrol needs a route of at least 2 [lat, lon] points")
    points = []
    for item in route:
        point = _latlon(*item) if isinstance(item, list) and len(item) == 2 else None
        if point is None:
            raise Rejected(cid, "patrol route points must be [lat, lon] in range")
        points.append(point)
    return tuple(points)


def _loop(cid: str, loop: object) -> bool:
    if not isinstance(loop, bool):
        raise Rejected(cid, "loop must be true or false")
    return loop


def encode_ack(command_id: str, ts: float, result: str, reason: str | None = None) -> bytes:
    doc: dict[str, object] = {"v": 1, "id": command_id, "ts": round(ts, 3), "result": result}
    if reason is not None:
        doc["reason"] = reason
    return json.dumps(doc, separators=(",", ":")).encode()


class AnswerBook:
    """The acks already sent per command id (bounded: the oldest ids are forgotten)."""

    def __init__(self, capacity: int = 512) -> None:
        self.capacity = capacity
        self._acks: OrderedDict[str, list[bytes]] = OrderedDict()

    def __contains__(self, command_id: str) -> bool:
        return command_id in self._acks

    def answers(self, command_id: str) -> list[bytes]:
        return list(self._acks.get(command_id, ()))

    def record(self, command_id: str, ack: bytes) -> None:
        self._acks.setdefault(command_id, []).append(ack)
        self._acks.move_to_end(command_id)
        while len(self._acks) > self.capacity:
            self._acks.popitem(last=False)
