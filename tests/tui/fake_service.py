"""A deterministic stand-in for FleetService: the calls the console makes, nothing more.

Time is frozen until a test moves it; telemetry, alerts and link changes arrive only
when a test says so; each ``send`` is recorded and answered as the test scripted
(``results``), optionally held until ``gate`` opens so "sending…" can be seen. An
``UploadMission`` reports its progress as ArduPilot's upload does (home first, so one
more wire item than the mission has), stopping after ``upload_hold_at`` items until
``upload_gate`` opens; once accepted, the unit's snapshot carries the mission's points.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fleet.commands import Command, UploadMission, command_name
from fleet.config import FleetConfig, parse_config
from fleet.errors import CommandRejectedError, NoRouteError, UnknownUnitError
from fleet.events import (
    Alert,
    ConnectionState,
    Event,
    LinkStatusChanged,
    Severity,
    UnitSnapshot,
)
from fleet.model import LinkState, Telemetry, UnitStatus
from fleet.planning.runs import PatrolRoute
from fleet.tasking import route_of

WALL = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC: 16:00:00 in Hengyang
MONO = 1_000.0


def small_config() -> FleetConfig:
    """Two drones, a helicopter, a land group (2 cars, 1 motorcycle) and a boat."""
    return parse_config(small_config_data())


def small_config_data() -> dict[str, Any]:
    return {
        "fleet": {"name": "Hengyang (test)"},
        "bases": [
            {"id": "hq", "name": "HQ roof", "lat": 26.8930, "lon": 112.5880, "alt": 95.0},
            {"id": "post", "name": "Bubugao Plaza", "lat": 26.8900, "lon": 112.5970},
            {"id": "pontoon", "name": "Water police pontoon", "lat": 26.8950, "lon": 112.6160},
        ],
        "groups": [
            {"id": "air1", "name": "Air wing", "domain": "air"},
            {"id": "rp02", "name": "Rapid police 2", "domain": "land", "base": "post",
             "complement": {"patrol_car": 2, "motorcycle": 1}},
            {"id": "water1", "name": "Water police", "domain": "water", "base": "pontoon"},
        ],
        "units": [
            {"id": "air-1", "callsign": "Eagle 1", "kind": "drone", "group": "air1",
             "base": "hq", "mavlink": {"sysid": 1}},
            {"id": "air-2", "callsign": "Eagle 2", "kind": "drone", "group": "air1",
             "base": "hq", "mavlink": {"sysid": 2}},
            {"id": "heli-1", "callsign": "Falcon 1", "kind": "helicopter", "group": "air1",
             "base": "hq", "mavlink": {"sysid": 20}},
            {"id": "boat-pb1", "callsign": "River 1", "kind": "patrol_boat",
             "group": "water1"},
        ],
        "zones": [{"id": "downtown", "name": "Downtown", "target_min": 3,
                   "polygon": [[26.910, 112.575], [26.910, 112.635], [26.868, 112.635],
                               [26.868, 112.575]]}],
        "key_sites": [{"id": "wanda", "name": "Wanda Plaza", "lat": 26.8950, "lon": 112.5780}],
    }


@dataclass
class FakeLink:
    name: str
    state: ConnectionState
    detail: str = ""
    since: float = WALL


@dataclass
class FakeBatch:
    events: list[Event]
    units: list[UnitSnapshot]
    dropped_events: int = 0


class FakeSubscription:
    def __init__(self, service: FakeService) -> None:
        self._service = service
        self._units: dict[str, None] = {}
        self._events: list[Event] = []
        self.closed = False

    def drain(self) -> FakeBatch:
        units, self._units = self._units, {}
        events, self._events = self._events, []
        return FakeBatch(events, [self._service.snapshot(u) for u in units])

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._service.subs.remove(self)


@dataclass
class Sent:
    unit_id: str
    command: Command
    timeout: float | None


@dataclass
class FakeService:
    config: FleetConfig = field(default_factory=small_config)
    routes: list[PatrolRoute] = field(default_factory=list)  # configured patrols
    now_wall: float = WALL
    now_mono: float = MONO
    alerts: deque[Alert] = field(default_factory=lambda: deque(maxlen=1000))
    #: unit id -> what its sends raise (None: accepted)
    results: dict[str, Exception | None] = field(default_factory=dict)
    gate: asyncio.Event | None = None
    sent: list[Sent] = field(default_factory=list)
    statuses: list[tuple[str, UnitStatus, str]] = field(default_factory=list)
    subs: list[FakeSubscription] = field(default_factory=list)
    dispatch: Any = None  # a fake_desk.FakeDesk, or None: a console without dispatch
    schedules: Any = None  # a fake_schedules.FakeSchedules, or None: no schedules
    upload_hold_at: int | None = None  # items an upload reports before waiting for the gate
    upload_gate: asyncio.Event | None = None

    def __post_init__(self) -> None:
        self._snaps = {u.id: UnitSnapshot(u, UnitStatus.LOST, UnitStatus.AVAILABLE,
                                          LinkState.NEVER_SEEN, None, None, None)
                       for u in self.config.units}
        self._links = {"mavlink:air": FakeLink("mavlink:air", ConnectionState.CONNECTED),
                       "mqtt": FakeLink("mqtt", ConnectionState.CONNECTED)}

    # -- what the console calls ----------------------------------------------------------
    def wall(self) -> float:
        return self.now_wall

    def monotonic(self) -> float:
        return self.now_mono

    def snapshots(self) -> list[UnitSnapshot]:
        return list(self._snaps.values())

    def snapshot(self, unit_id: str) -> UnitSnapshot:
        try:
            return self._snaps[unit_id]
        except KeyError:
            raise UnknownUnitError(unit_id) from None

    def patrol_routes(self) -> list[PatrolRoute]:
        return list(self.routes)

    def counts(self) -> dict[UnitStatus, int]:
        c = Counter(s.status for s in self._snaps.values())
        return {s: c.get(s, 0) for s in UnitStatus}

    def links(self) -> list[FakeLink]:
        return list(self._links.values())

    def subscribe(self, *, units: Iterable[str] | None = None,
                  max_events: int = 1000) -> FakeSubscription:
        sub = FakeSubscription(self)
        self.subs.append(sub)
        return sub

    def set_status(self, unit_id: str, status: UnitStatus, reason: str = "") -> None:
        if status is UnitStatus.LOST:
            raise ValueError("LOST is derived from telemetry and cannot be set")
        snap = self.snapshot(unit_id)
        self.statuses.append((unit_id, status, reason))
        effective = status if snap.link_state is LinkState.OK else snap.status
        self._put(dataclasses.replace(snap, status=effective, duty_status=status))

    async def send(self, unit_id: str, command: Command, *,
                   timeout: float | None = None, origin: str = "operator") -> Any:
        self.snapshot(unit_id)
        self.sent.append(Sent(unit_id, command, timeout))
        if self.gate is not None:
            await self.gate.wait()
        if isinstance(command, UploadMission):
            await self._upload(command)
        error = self.results.get(unit_id)
        if error is not None:
            self.alert(Severity.WARNING, "command.failed", str(error), unit_id)
            raise error
        if isinstance(command, UploadMission):
            self._put(dataclasses.replace(self.snapshot(unit_id),
                                          mission=route_of(command.items)))
        return None

    async def _upload(self, command: UploadMission) -> None:
        total = len(command.items) + 1  # seq 0 is home on ArduPilot
        for done in range(1, total + 1):
            if command.progress is not None:
                command.progress(done, total)
            if done - 1 == self.upload_hold_at and self.upload_gate is not None:
                await self.upload_gate.wait()  # items done: done - 1 (home went first)
            await asyncio.sleep(0)  # another task's turn, as between radio packets

    # -- what tests call -------------------------------------------------------------------
    def report(self, unit_id: str, lat: float = 26.893, lon: float = 112.588,
               **fields: Any) -> UnitSnapshot:
        """A telemetry report: the unit is heard now (available unless set otherwise)."""
        snap = self.snapshot(unit_id)
        fields.setdefault("source_time", self.now_wall)
        tel = Telemetry(lat, lon, self.now_wall, **fields)
        link = "mavlink:air" if "mavlink" in snap.unit.addresses else "mqtt"
        new = dataclasses.replace(snap, status=snap.duty_status, link_state=LinkState.OK,
                                  link=link, telemetry=tel, last_seen_mono=self.now_mono)
        self._put(new)
        return new

    def lose(self, unit_id: str) -> None:
        snap = self.snapshot(unit_id)
        self._put(dataclasses.replace(snap, status=UnitStatus.LOST, link_state=LinkState.LOST))
        self.alert(Severity.WARNING, "unit.lost",
                   f"{snap.unit.callsign}: no telemetry for 5.2 s", unit_id)

    def update(self, unit_id: str, **fields: Any) -> UnitSnapshot:
        """Set what the core knows of the unit besides its reports: its ``home``, its
        ``tasking``, the ``mission`` on it (the map's markers)."""
        new = dataclasses.replace(self.snapshot(unit_id), **fields)
        self._put(new)
        return new

    def alert(self, severity: Severity, code: str, message: str,
              unit_id: str | None = None) -> Alert:
        alert = Alert(self.now_wall, severity, code, message, unit_id=unit_id)
        self.alerts.append(alert)
        self._emit(alert)
        return alert

    def set_link(self, name: str, state: ConnectionState, detail: str = "") -> None:
        self._links[name] = FakeLink(name, state, detail, self.now_wall)
        self._emit(LinkStatusChanged(name, state, self.now_wall, detail))

    def advance(self, seconds: float) -> None:
        self.now_wall += seconds
        self.now_mono += seconds

    def _put(self, snap: UnitSnapshot) -> None:
        self._snaps[snap.id] = snap
        for sub in self.subs:
            sub._units[snap.id] = None

    def _emit(self, event: Event) -> None:
        for sub in self.subs:
            sub._events.append(event)


def rejected(unit_id: str, command: str, result: str, reason: str) -> CommandRejectedError:
    return CommandRejectedError(unit_id, command, result, reason)


def no_route(unit_id: str) -> NoRouteError:
    return NoRouteError(unit_id, "unit is lost (no telemetry)")


def command_names(service: FakeService) -> list[tuple[str, str]]:
    return [(s.unit_id, command_name(s.command)) for s in service.sent]
