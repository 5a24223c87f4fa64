"""OwnTracks (https://owntracks.org/booklet/tech/json/) location payloads, typed.

fleet reads ``_type: "location"`` (a report) and ``_type: "lwt"`` (the app's Last Will:
the phone went away); every other ``_type`` (transition, waypoint, card, ...) is valid
OwnTracks that fleet has no use for, refused as IGNORED and counted.
"""

from __future__ import annotations

import msgspec
from msgspec import UNSET, UnsetType

from ...model import Telemetry
from .refusals import PayloadError, Refusal
from .schema import decode, in_range

KMH = 1 / 3.6


class Location(msgspec.Struct, frozen=True, tag_field="_type", tag="location"):
    lat: float
    lon: float
    tst: int  # Unix seconds
    vel: float | UnsetType = UNSET  # km/h
    cog: float | UnsetType = UNSET  # degrees
    batt: float | UnsetType = UNSET  # percent
    acc: float | UnsetType = UNSET  # metres
    alt: float | UnsetType = UNSET  # metres
    tid: str | UnsetType = UNSET


class Lwt(msgspec.Struct, frozen=True, tag_field="_type", tag="lwt"):
    tst: int | UnsetType = UNSET


class _AnyType(msgspec.Struct):
    type: str = msgspec.field(name="_type")


_message = msgspec.json.Decoder(Location | Lwt)
_any_type = msgspec.json.Decoder(_AnyType)


def decode_owntracks(data: bytes) -> Location | Lwt:
    try:
        msg: Location | Lwt = decode(_message, data)
    except PayloadError as exc:
        if exc.reason is Refusal.WRONG_TYPE:
            try:
                other = _any_type.decode(data)
            except msgspec.DecodeError:
                raise exc from None
            if other.type not in ("location", "lwt"):
                raise PayloadError(Refusal.IGNORED, f"_type {other.type!r}") from None
        raise
    if isinstance(msg, Location):
        in_range("lat", msg.lat, -90.0, 90.0)
        in_range("lon", msg.lon, -180.0, 180.0)
        if msg.vel is not UNSET and not msg.vel >= 0.0:
            raise PayloadError(Refusal.OUT_OF_RANGE, f"vel = {msg.vel!r} is negative")
        if msg.cog is not UNSET:
            in_range("cog", msg.cog, 0.0, 360.0)
        if msg.batt is not UNSET:
            in_range("batt", msg.batt, 0.0, 100.0)
        if msg.acc is not UNSET and not msg.acc >= 0.0:
            raise PayloadError(Refusal.OUT_OF_RANGE, f"acc = {msg.acc!r} is negative")
    return msg


def telemetry(loc: Location, received_time: float) -> Telemetry:
    """The core's Telemetry for a checked location (speed converted to m/s)."""
    return Telemetry(
        loc.lat, loc.lon, received_time,
        alt_m=None if loc.alt is UNSET else loc.alt,
        heading_deg=None if loc.cog is UNSET else loc.cog,
        ground_speed_m_s=None if loc.vel is UNSET else loc.vel * KMH,
        battery_pct=None if loc.batt is UNSET else loc.batt,
        source_time=float(loc.tst),
    )
