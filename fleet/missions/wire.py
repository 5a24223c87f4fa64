"""Mission items on the MAVLink wire, and ArduPilot's seq-0-is-home convention.

Pure helpers for the protocol code in ``fleet/links/mavlink/``: :func:`to_wire` builds the
keyword arguments of pymavlink's ``MAVLink_mission_item_int_message``, :func:`from_wire`
reads MISSION_ITEM_INT or the old float MISSION_ITEM back into a :class:`MissionItem`.

Which lists have a home at seq 0, as ArduPilot's source has it
(``libraries/GCS_MAVLink/MissionItemProtocol_*.cpp`` and ``AP_Mission``):

* MISSION: AP_Mission keeps home at index 0 (``write_home_to_storage``), the count it
  reports includes it, seq 0 can always be read, and whatever is uploaded at seq 0 is
  replaced by home. So upload a placeholder at 0 and the N items at 1..N.
* FENCE: ``MissionItemProtocol_Fence`` stores upload item ``seq`` at index ``seq`` and
  reads index ``seq`` back: zero-based, no home.
* RALLY: ``MissionItemProtocol_Rally`` reads and writes rally point ``seq``: zero-based,
  no home.

PX4 has no home item in any list; these helpers are for ArduPilot.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Sequence
from typing import Any

from fleet.missions.catalog import INT_FRAME_TWIN
from fleet.missions.items import MissionItem, MissionType, home_item


def encode_deg(deg: float) -> int:
    """Degrees to int32 1e-7 degrees, rounded half away from zero as QGC and MAVSDK do.

    ArduPilot stores exactly this integer, so a read-back matches it to the unit.
    """
    scaled = deg * 1e7
    rounded = math.floor(abs(scaled) + 0.5)
    return int(rounded if scaled >= 0 else -rounded)


def to_wire(item: MissionItem, seq: int, mission_type: MissionType, target_system: int,
            target_component: int) -> dict[str, Any]:
    """Keyword arguments for ``MAVLink_mission_item_int_message`` (x/y in 1e-7 degrees)."""
    return {
        "target_system": target_system,
        "target_component": target_component,
        "seq": seq,
        "frame": item.frame,
        "command": item.command,
        "current": 0,
        "autocontinue": int(bool(item.autocontinue)),
        "param1": float(item.param1),
        "param2": float(item.param2),
        "param3": float(item.param3),
        "param4": float(item.param4),
        "x": encode_deg(item.lat_deg),
        "y": encode_deg(item.lon_deg),
        "z": float(item.alt_m),
        "mission_type": int(mission_type),
    }


def from_wire(msg: Any) -> MissionItem:
    """A MISSION_ITEM_INT (x/y in 1e-7 degrees) or MISSION_ITEM (float degrees) as an item.

    The deprecated ``*_INT`` frames come back as their plain twins, so an item uploaded in
    GLOBAL_RELATIVE_ALT_INT compares equal to the one ArduPilot returns.
    """
    kind = msg.get_type()
    if kind == "MISSION_ITEM_INT":
        lat, lon = msg.x / 1e7, msg.y / 1e7
    elif kind == "MISSION_ITEM":
        lat, lon = float(msg.x), float(msg.y)
    else:
        raise TypeError(f"expected MISSION_ITEM_INT or MISSION_ITEM, got {kind}")
    return MissionItem(
        command=msg.command,
        frame=INT_FRAME_TWIN.get(msg.frame, msg.frame),
        param1=msg.param1, param2=msg.param2, param3=msg.param3, param4=msg.param4,
        lat_deg=lat, lon_deg=lon, alt_m=float(msg.z),
        autocontinue=bool(msg.autocontinue),
    )


def ardupilot_seq_offset(mission_type: MissionType) -> int:
    """Wire seq of item 1 minus 1: 1 for a MISSION (home is seq 0), 0 for FENCE and RALLY."""
    return 1 if MissionType(mission_type) is MissionType.MISSION else 0


def for_ardupilot_upload(
    items: Iterable[MissionItem],
    home_placeholder: MissionItem | None = None,
    mission_type: MissionType = MissionType.MISSION,
) -> tuple[MissionItem, ...]:
    """The list to send, index = seq: a MISSION gets ``home_placeholder`` at seq 0.

    ArduPilot replaces seq 0 with its real home, so the placeholder's values never matter;
    the default is a GLOBAL-frame waypoint at 0, 0, 0. FENCE and RALLY go unchanged.
    """
    items = tuple(items)
    if ardupilot_seq_offset(mission_type) == 0:
        return items
    return (home_placeholder or home_item(0.0, 0.0, 0.0), *items)


def from_ardupilot_download(
    items: Sequence[MissionItem],
    mission_type: MissionType = MissionType.MISSION,
) -> tuple[MissionItem | None, tuple[MissionItem, ...]]:
    """Split a downloaded list (index = seq) into (home, the user's items).

    For a MISSION, seq 0 is home (GLOBAL frame, altitude AMSL); FENCE and RALLY have no
    home and come back as (None, items).
    """
    if ardupilot_seq_offset(mission_type) == 0 or not items:
        return None, tuple(items)
    return items[0], tuple(items[1:])


def _f32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


def quantize(item: MissionItem) -> MissionItem:
    """The item as it arrives after a MISSION_ITEM_INT round trip (no vehicle storage).

    Lat/lon snap to 1e-7 degrees, params and altitude to float32, ``*_INT`` frames to their
    twins. Vehicles round further when they store (ArduPilot: altitude to the centimetre,
    hold and loiter times to whole seconds, params it does not use to 0).
    """
    return MissionItem(
        command=item.command, frame=INT_FRAME_TWIN.get(item.frame, item.frame),
        param1=_f32(item.param1), param2=_f32(item.param2), param3=_f32(item.param3),
        param4=_f32(item.param4), lat_deg=encode_deg(item.lat_deg) / 1e7,
        lon_deg=encode_deg(item.lon_deg) / 1e7, alt_m=_f32(item.alt_m),
        autocontinue=bool(item.autocontinue),
    )


def _key(item: MissionItem) -> tuple[Any, ...]:
    return tuple("nan" if isinstance(v, float) and math.isnan(v) else v
                 for v in (item.command, item.frame, *item.params, item.autocontinue))


def same_on_wire(a: MissionItem, b: MissionItem) -> bool:
    """True when a and b are identical after wire encoding (NaN equals NaN here)."""
    return _key(quantize(a)) == _key(quantize(b))
