"""Schema v1 payloads (docs/mqtt.md) as typed msgspec structs, with the contract's rules.

Decoding is strict: a field of the wrong JSON type (a string for a number, ``true`` for
an integer, ``null`` anywhere) is refused, as is anything NaN, infinite or out of range;
unknown fields are ignored. msgspec decodes straight into the struct, much cheaper than
``json.loads`` and building a dataclass from the dict (docs/benchmarks.md, MQTT). Every
failure is a :class:`PayloadError` whose reason says which rule failed.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from ...model import Telemetry, UnitStatus
from .refusals import PayloadError, Refusal

VERSION = 1
MAX_PAYLOAD = 4096  # bytes; a larger payload is refused unread
#: the statuses a crew may report (LOST is fleet's own inference, never reported)
CREW_STATUSES = frozenset(s.value for s in UnitStatus if s is not UnitStatus.LOST)
ACK_RESULTS = frozenset({"accepted", "rejected", "completed"})
MAX_ID = 64


class TelemetryPayload(msgspec.Struct, frozen=True):
    v: int
    ts: float
    lat: float
    lon: float
    alt: float | UnsetType = UNSET
    speed: float | UnsetType = UNSET
    heading: float | UnsetType = UNSET
    fuel: float | UnsetType = UNSET
    status: str | UnsetType = UNSET
    crew: int | UnsetType = UNSET


class AckPayload(msgspec.Struct, frozen=True):
    v: int
    id: str
    ts: float
    result: str
    reason: str | UnsetType = UNSET


_telemetry = msgspec.json.Decoder(TelemetryPayload)
_ack = msgspec.json.Decoder(AckPayload)
_encode = msgspec.json.Encoder().encode


def decode(decoder: msgspec.json.Decoder[Any], data: bytes) -> Any:
    """Decode ``data`` or raise PayloadError (too large, bad JSON, wrong type)."""
    if len(data) > MAX_PAYLOAD:
        raise PayloadError(Refusal.TOO_LARGE, f"{len(data)} bytes (limit {MAX_PAYLOAD})")
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        text = str(exc)
        reason = Refusal.OUT_OF_RANGE if text.startswith("Number out of range") else \
            Refusal.WRONG_TYPE
        raise PayloadError(reason, text) from None
    except msgspec.DecodeError as exc:
        raise PayloadError(Refusal.BAD_JSON, str(exc)) from None


def _version(v: int) -> None:
    if v != VERSION:
        raise PayloadError(Refusal.BAD_VERSION, f"v = {v}, this bridge speaks v{VERSION}")


def in_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:  # also refuses NaN
        raise PayloadError(Refusal.OUT_OF_RANGE, f"{name} = {value!r} outside {low:g}..{high:g}")


def decode_telemetry(data: bytes) -> TelemetryPayload:
    p: TelemetryPayload = decode(_telemetry, data)
    if (  # the hot path: one expression; the rule that failed is found only on failure
        p.v == VERSION and -90.0 <= p.lat <= 90.0 and -180.0 <= p.lon <= 180.0
        and (p.speed is UNSET or p.speed >= 0.0)
        and (p.heading is UNSET or 0.0 <= p.heading <= 360.0)
        and (p.fuel is UNSET or 0.0 <= p.fuel <= 100.0)
        and (p.status is UNSET or p.status in CREW_STATUSES)
        and (p.crew is UNSET or p.crew >= 0)
    ):
        return p
    _version(p.v)
    in_range("lat", p.lat, -90.0, 90.0)
    in_range("lon", p.lon, -180.0, 180.0)
    if p.speed is not UNSET and not p.speed >= 0.0:
        raise PayloadError(Refusal.OUT_OF_RANGE, f"speed = {p.speed!r} is negative")
    if p.heading is not UNSET:
        in_range("heading", p.heading, 0.0, 360.0)
    if p.fuel is not UNSET:
        in_range("fuel", p.fuel, 0.0, 100.0)
    if p.status is not UNSET and p.status not in CREW_STATUSES:
        raise PayloadError(Refusal.OUT_OF_RANGE, f"status = {p.status!r} is not a crew status")
    raise PayloadError(Refusal.OUT_OF_RANGE, f"crew = {p.crew} is negative")


def telemetry(p: TelemetryPayload, received_time: float) -> Telemetry:
    """The core's Telemetry for a checked payload; the crew's status goes in ``mode``."""
    return Telemetry(
        p.lat, p.lon, received_time,
        alt_m=None if p.alt is UNSET else p.alt,
        heading_deg=None if p.heading is UNSET else p.heading,
        ground_speed_m_s=None if p.speed is UNSET else p.speed,
        battery_pct=None if p.fuel is UNSET else p.fuel,
        mode=None if p.status is UNSET else p.status,
        source_time=p.ts,
    )


def decode_ack(data: bytes) -> AckPayload:
    a: AckPayload = decode(_ack, data)
    _version(a.v)
    if a.result not in ACK_RESULTS:
        raise PayloadError(Refusal.OUT_OF_RANGE, f"result = {a.result!r} is not one of "
                                                 f"{sorted(ACK_RESULTS)}")
    if not 0 < len(a.id) <= MAX_ID:
        raise PayloadError(Refusal.OUT_OF_RANGE, f"id of {len(a.id)} characters "
                                                 f"(1..{MAX_ID})")
    return a


def encode_command(command_id: str, ts: float, kind: str, fields: dict[str, Any]) -> bytes:
    """A command message: ``{"v": 1, "id": ..., "ts": ..., "type": kind, **fields}``."""
    return _encode({"v": VERSION, "id": command_id, "ts": ts, "type": kind, **fields})


def encode(value: Any) -> bytes:
    return _encode(value)
