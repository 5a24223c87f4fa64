"""Every counter the core keeps, in one dict: what was applied, refused and lost.

Refusals are counted where they happen (the state store, each link's framing, router and
bridge) and alerted once per kind; after that only the counter moves, so the counters
must be readable somewhere: the headless stream prints them (``{"type": "counters"}``)
and the console's links line shows the refusals. Pure: reads dataclass counters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

#: the attributes a link may keep its counters in (MQTT bridge: ``counters``; MAVLink:
#: ``counters``, ``frame_counters``, and its shared ``router.counters``)
_PLACES = ("counters", "frame_counters")

#: counters that measure work done or normal traffic, not something refused or lost (a
#: vehicle's messages before its first heartbeat, another ground station's heartbeats)
ACTIVITY = frozenset({"applied", "received", "telemetry", "presence", "acks", "frames",
                      "sent", "auto_registered", "state_cleared", "cad_ignored", "failovers",
                      "accepted", "resent", "ignored", "before_heartbeat",
                      "non_vehicle_heartbeats"})


def _fields(obj: Any) -> dict[str, int]:
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return {}
    return {f.name: int(getattr(obj, f.name)) for f in dataclasses.fields(obj)
            if isinstance(getattr(obj, f.name), int)}


def of_link(link: object) -> dict[str, int]:
    """A link's counters, all places merged (names are distinct across them)."""
    out: dict[str, int] = {}
    for place in _PLACES:
        out.update(_fields(getattr(link, place, None)))
    out.update(_fields(getattr(getattr(link, "router", None), "counters", None)))
    return out


def gather(state_counters: object,
           links: Iterable[tuple[str, object]]) -> dict[str, dict[str, int]]:
    """``{"state": {...}, "<link name>": {...}}``, zeros left out."""
    out = {"state": {k: v for k, v in _fields(state_counters).items() if v}}
    for name, link in links:
        out[name] = {k: v for k, v in of_link(link).items() if v}
    return out


def refusals(counters: dict[str, int]) -> int:
    """How many things a counter dict says were refused or lost (not work done)."""
    return sum(v for k, v in counters.items() if k not in ACTIVITY)
