"""What flows out of the core to its consumers (TUI, headless log, state publisher).

Per-unit telemetry is not an event here: it is coalesced, and consumers read the
latest :class:`UnitSnapshot` of each changed unit. Events are the discrete things that
must not be merged away: status changes, alerts, link changes, new units.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .model import LinkState, Position, Telemetry, Unit, UnitStatus
from .tasking import Tasking


class Severity(StrEnum):
    """Alert severity; the names match MAVLink's MAV_SEVERITY so STATUSTEXT maps directly."""

    EMERGENCY = "emergency"
    ALERT = "alert"
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"
    INFO = "info"
    DEBUG = "debug"


class ConnectionState(StrEnum):
    """A link's lifecycle, as the supervisor sees it."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    FAILED = "failed"  # the supervisor gave up, by policy
    UNAVAILABLE = "unavailable"  # no driver for this kind of link in this build


@dataclass(frozen=True, slots=True)
class UnitSnapshot:
    """A unit's latest state, as one immutable value a consumer can keep."""

    unit: Unit
    status: UnitStatus  # effective: LOST while telemetry is stale
    duty_status: UnitStatus  # what the unit is doing when heard (never LOST)
    link_state: LinkState
    link: str | None  # name of the link that last delivered its telemetry
    telemetry: Telemetry | None
    last_seen_mono: float | None  # our monotonic clock at the last report
    home: Position | None = None  # where the vehicle will return (its HOME_POSITION)
    tasking: Tasking | None = None  # what it was last told to do, by whom
    #: the mission on the vehicle as fleet last uploaded or read it ((lat, lon) per item)
    mission: tuple[tuple[float, float], ...] | None = None

    @property
    def id(self) -> str:
        return self.unit.id


@dataclass(frozen=True, slots=True)
class StatusChanged:
    unit_id: str
    old: UnitStatus
    new: UnitStatus
    time: float  # Unix seconds
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Alert:
    time: float  # Unix seconds
    severity: Severity
    code: str  # stable machine name, e.g. "unit.lost", "unit.recovered", "link.down"
    message: str
    unit_id: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class LinkStatusChanged:
    link: str
    state: ConnectionState
    time: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class UnitRegistered:
    unit_id: str
    time: float
    reason: str = ""


Event = StatusChanged | Alert | LinkStatusChanged | UnitRegistered


def event_to_dict(event: Event) -> dict[str, Any]:
    """A JSON-ready dict with a ``type`` field, for the headless log and MQTT."""
    kind = {
        StatusChanged: "status", Alert: "alert", LinkStatusChanged: "link",
        UnitRegistered: "registered",
    }[type(event)]
    out: dict[str, Any] = {"type": kind}
    for name in event.__slots__:
        value = getattr(event, name)
        out[name] = str(value) if isinstance(value, StrEnum) else value
    return out


def snapshot_to_dict(snap: UnitSnapshot) -> dict[str, Any]:
    """A JSON-ready dict of a unit's state (``type`` = ``unit``)."""
    u = snap.unit
    out: dict[str, Any] = {
        "type": "unit", "id": u.id, "callsign": u.callsign, "kind": str(u.kind),
        "group": u.group, "status": str(snap.status), "duty_status": str(snap.duty_status),
        "link_state": str(snap.link_state), "link": snap.link,
    }
    t = snap.telemetry
    if t is not None:
        for name in t.__slots__:
            value = getattr(t, name)
            if value is not None and value == value:  # NaN (unknown) is not valid JSON
                out[name] = int(value) if name == "gps_fix" else value
    return out
