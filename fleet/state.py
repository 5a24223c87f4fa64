"""FleetState: the one store of every unit, updated from reports, pure and synchronous.

Links resolve their addresses to unit ids and call :meth:`FleetState.ingest`; the
service calls :meth:`FleetState.check_staleness` on a timer. Every change is told to a
:class:`StateListener` (the change stream): ``unit_changed`` for coalescible updates,
``emit`` for discrete events. Time is always passed in, so tests drive it directly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from . import home_watch
from .columns import Columns
from .errors import UnknownUnitError
from .events import (
    Alert,
    Event,
    Severity,
    StatusChanged,
    UnitRegistered,
    UnitSnapshot,
)
from .model import (
    KIND_DEFAULTS,
    Capabilities,
    LinkState,
    Position,
    Telemetry,
    Unit,
    UnitKind,
    UnitStatus,
)
from .tasking import Tasking

_LOST_CODE = UnitStatus.LOST.code
#: a report stamped earlier than the last one is a late duplicate (a backup path) only if it
#: arrives within this many seconds of it; later, it is news from a clock that went back.
#: So one report stamped years ahead can hide a unit's reports for this long, not for ever.
REORDER_WINDOW_S = 2.0
_radians = math.radians
_cos = math.cos
_sin = math.sin


class StateListener(Protocol):
    def unit_changed(self, unit_id: str) -> None: ...
    def emit(self, event: Event) -> None: ...


class _NullListener:
    def unit_changed(self, unit_id: str) -> None:
        pass

    def emit(self, event: Event) -> None:
        pass


@dataclass(slots=True)
class Counters:
    """Everything the store refused or lost, so nothing is dropped silently."""

    applied: int = 0
    unknown_rejected: int = 0
    auto_registered: int = 0
    out_of_order: int = 0
    invalid: int = 0


class FleetState:
    """All units, their latest telemetry and status, plus numpy columns for queries.

    ``wall`` gives Unix time for event stamps; staleness uses the monotonic ``now``
    values the caller passes, so a wall-clock jump never marks the fleet lost.
    """

    def __init__(
        self,
        units: Iterable[Unit] = (),
        *,
        listener: StateListener | None = None,
        unknown_units: str = "reject",
        kinds: dict[UnitKind, Capabilities] | None = None,
        wall: Callable[[], float] | None = None,
    ) -> None:
        self.listener: StateListener = listener or _NullListener()
        self.unknown_units = unknown_units
        self.kinds = dict(kinds or KIND_DEFAULTS)
        self.wall = wall or time.time
        self.columns = Columns(capacity=max(64, len(units) if isinstance(units, list) else 64))
        self.counters = Counters()
        self._units: list[Unit] = []
        self._index: dict[str, int] = {}
        self._addresses: dict[tuple[str, str], str] = {}
        self._telemetry: list[Telemetry | None] = []
        self._duty: list[UnitStatus] = []
        self._link: list[str | None] = []
        self._home: list[Position | None] = []
        self._home_away: list[bool | None] = []  # home far from the base (home_watch)
        self._tasking: list[Tasking | None] = []
        self._mission: list[tuple[tuple[float, float], ...] | None] = []
        self._rejected: set[tuple[str, str]] = set()
        for unit in units:
            self.add_unit(unit)

    # -- registry -----------------------------------------------------------------
    def add_unit(self, unit: Unit) -> int:
        if unit.id in self._index:
            raise ValueError(f"duplicate unit id {unit.id!r}")
        i = self.columns.add(unit)
        self._units.append(unit)
        self._index[unit.id] = i
        self._telemetry.append(None)
        self._duty.append(UnitStatus.AVAILABLE)
        self._link.append(None)
        self._home.append(None)
        self._home_away.append(None)
        self._tasking.append(None)
        self._mission.append(None)
        for scheme, address in unit.addresses.items():
            self._addresses[(scheme, address)] = unit.id
        return i

    def __len__(self) -> int:
        return len(self._units)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._index

    def unit(self, unit_id: str) -> Unit:
        return self._units[self._idx(unit_id)]

    def unit_ids(self) -> list[str]:
        return [u.id for u in self._units]

    def index_of(self, unit_id: str) -> int:
        return self._idx(unit_id)

    def unit_at(self, index: int) -> Unit:
        return self._units[index]

    def _idx(self, unit_id: str) -> int:
        try:
            return self._index[unit_id]
        except KeyError:
            raise UnknownUnitError(unit_id) from None

    def resolve(
        self, scheme: str, address: str, *, kind: UnitKind | None = None,
        callsign: str | None = None,
    ) -> str | None:
        """The unit id behind a link address, or None if unknown and the policy rejects.

        With ``unknown_units = "auto_register"`` an unknown address becomes a new unit
        of ``kind`` (a link that cannot tell the kind cannot auto-register).
        """
        unit_id = self._addresses.get((scheme, address))
        if unit_id is not None:
            return unit_id
        key = (scheme, address)
        if self.unknown_units != "auto_register" or kind is None:
            self.counters.unknown_rejected += 1
            if key not in self._rejected:  # alert once per address, count every time
                self._rejected.add(key)
                self.listener.emit(Alert(
                    self.wall(), Severity.WARNING, "unit.unknown",
                    f"reports from unknown {scheme} address {address!r} ignored "
                    f"(registry policy: {self.unknown_units})",
                ))
            return None
        unit_id = f"{scheme}-{address}".replace(":", "-").replace("/", "-")
        while unit_id in self._index:
            unit_id += "+"
        self.add_unit(Unit(
            id=unit_id, callsign=callsign or unit_id, kind=kind, group="",
            base=None, capabilities=self.kinds[kind], addresses={scheme: address},
        ))
        self.counters.auto_registered += 1
        self.listener.emit(UnitRegistered(unit_id, self.wall(), f"auto-registered {key}"))
        return unit_id

    # -- ingest -------------------------------------------------------------------
    def ingest(self, unit_id: str, tel: Telemetry, now: float, link: str | None = None) -> None:
        """Apply one report received at monotonic time ``now``. The hot path."""
        i = self._index.get(unit_id)
        if i is None:
            raise UnknownUnitError(unit_id)
        lat = tel.lat_deg
        lon = tel.lon_deg
        placed = lat == lat and lon == lon  # NaN: heard, but no position yet
        if placed and not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            self.counters.invalid += 1
            return
        prev = self._telemetry[i]
        c = self.columns
        if (
            prev is not None and tel.source_time is not None and prev.source_time is not None
            and tel.source_time < prev.source_time
            and now - c.last_seen[i] < REORDER_WINDOW_S
        ):
            self.counters.out_of_order += 1  # a late duplicate from a backup path
            return
        if placed:  # x, y, z: fleet.geo.unit_vector, inlined (tests/unit/test_geo.py)
            lat_r = _radians(lat)
            lon_r = _radians(lon)
            cos_lat = _cos(lat_r)
            c.w_lat_deg[i] = lat
            c.w_lon_deg[i] = lon
            c.w_x[i] = cos_lat * _cos(lon_r)
            c.w_y[i] = cos_lat * _sin(lon_r)
            c.w_z[i] = _sin(lat_r)
        if tel.alt_m is not None:
            c.w_alt_m[i] = tel.alt_m
        if tel.ground_speed_m_s is not None:
            c.w_speed_m_s[i] = tel.ground_speed_m_s
        if tel.battery_pct is not None:
            c.w_battery_pct[i] = tel.battery_pct
        c.w_last_seen[i] = now
        self._telemetry[i] = tel
        self._link[i] = link
        self.counters.applied += 1
        if c.w_lost[i] or not c.w_seen[i]:
            self._recover(i, link)
        self.listener.unit_changed(unit_id)

    def _recover(self, i: int, link: str | None) -> None:
        c = self.columns
        unit_id = self._units[i].id
        first = not c.seen[i]
        c.seen[i] = True
        c.lost[i] = False
        duty = self._duty[i]
        c.status[i] = duty.code
        wall = self.wall()
        self.listener.emit(StatusChanged(
            unit_id, UnitStatus.LOST, duty, wall, "first report" if first else "telemetry back",
        ))
        if not first:
            self.listener.emit(Alert(
                wall, Severity.NOTICE, "unit.recovered",
                f"{self._units[i].callsign}: telemetry back", unit_id=unit_id, link=link,
            ))

    def check_staleness(self, now: float) -> list[str]:
        """Mark lost every heard unit silent past its kind's timeout; return their ids."""
        c = self.columns
        n = c.size
        age = np.subtract(now, c.last_seen[:n])
        stale = (age > c.stale_after_s[:n]) & c.seen[:n] & ~c.lost[:n]
        lost_ids = []
        for i in np.flatnonzero(stale):
            i = int(i)
            c.lost[i] = True
            c.status[i] = _LOST_CODE
            unit = self._units[i]
            wall = self.wall()
            self.listener.emit(StatusChanged(
                unit.id, self._duty[i], UnitStatus.LOST, wall,
                f"no telemetry for {age[i]:.1f} s",
            ))
            self.listener.emit(Alert(
                wall, Severity.WARNING, "unit.lost",
                f"{unit.callsign}: no telemetry for {age[i]:.1f} s "
                f"(timeout {c.stale_after_s[i]:g} s)",
                unit_id=unit.id, link=self._link[i],
            ))
            self.listener.unit_changed(unit.id)
            lost_ids.append(unit.id)
        return lost_ids

    def mark_lost(self, unit_id: str, reason: str, link: str | None = None) -> bool:
        """Mark a heard unit lost now, because its link says it has gone (an MQTT Last
        Will, say), without waiting for its telemetry to go stale. Its next report
        recovers it as usual. False (and nothing emitted) if it was never heard or is
        already lost."""
        i = self._idx(unit_id)
        c = self.columns
        if not c.seen[i] or c.lost[i]:
            return False
        c.lost[i] = True
        c.status[i] = _LOST_CODE
        unit = self._units[i]
        wall = self.wall()
        self.listener.emit(StatusChanged(unit.id, self._duty[i], UnitStatus.LOST, wall, reason))
        self.listener.emit(Alert(wall, Severity.WARNING, "unit.lost", f"{unit.callsign}: {reason}",
                                 unit_id=unit.id, link=link or self._link[i]))
        self.listener.unit_changed(unit.id)
        return True

    # -- operator / dispatch status -----------------------------------------------
    def set_status(self, unit_id: str, status: UnitStatus, reason: str = "") -> None:
        """Set a unit's duty status (what it is doing). LOST cannot be set by hand."""
        if status is UnitStatus.LOST:
            raise ValueError("LOST is derived from telemetry and cannot be set")
        i = self._idx(unit_id)
        old_effective = self.status(unit_id)
        self._duty[i] = status
        if not self.columns.lost[i] and self.columns.seen[i]:
            self.columns.status[i] = status.code
            if old_effective is not status:
                self.listener.emit(StatusChanged(unit_id, old_effective, status, self.wall(),
                                                 reason))
        self.listener.unit_changed(unit_id)

    def set_home(self, unit_id: str, home: Position | None) -> None:
        """The vehicle's home as it reports it (where RTL goes). A home that leaves the
        unit's base, or comes back to it, is an alert, once per change (home_watch)."""
        i = self._idx(unit_id)
        if self._home[i] == home:
            return
        self._home[i] = home
        unit = self._units[i]
        self._home_away[i], news = home_watch.watch(unit, home, self._home_away[i])
        if news is not None:
            self.listener.emit(Alert(self.wall(), news.severity, news.code, news.message,
                                     unit_id=unit_id, link=self._link[i]))
        self.listener.unit_changed(unit_id)

    def set_tasking(self, unit_id: str, tasking: Tasking | None) -> None:
        """What the unit was last told to do, by whom (see :mod:`fleet.tasking`)."""
        i = self._idx(unit_id)
        self._tasking[i] = tasking
        self.listener.unit_changed(unit_id)

    def set_mission(self, unit_id: str, mission: tuple[tuple[float, float], ...] | None) -> None:
        """The mission fleet knows to be on the vehicle."""
        i = self._idx(unit_id)
        if self._mission[i] != mission:
            self._mission[i] = mission
            self.listener.unit_changed(unit_id)

    def mission(self, unit_id: str) -> tuple[tuple[float, float], ...] | None:
        return self._mission[self._idx(unit_id)]

    # -- reads ----------------------------------------------------------------------
    def status(self, unit_id: str) -> UnitStatus:
        i = self._idx(unit_id)
        c = self.columns
        return UnitStatus.LOST if c.lost[i] or not c.seen[i] else self._duty[i]

    def duty_status(self, unit_id: str) -> UnitStatus:
        """What the unit is doing, whether or not it is heard (LOST is an overlay)."""
        return self._duty[self._idx(unit_id)]

    def link_state(self, unit_id: str) -> LinkState:
        i = self._idx(unit_id)
        c = self.columns
        if not c.seen[i]:
            return LinkState.NEVER_SEEN
        return LinkState.LOST if c.lost[i] else LinkState.OK

    def telemetry(self, unit_id: str) -> Telemetry | None:
        return self._telemetry[self._idx(unit_id)]

    def snapshot(self, unit_id: str) -> UnitSnapshot:
        i = self._idx(unit_id)
        c = self.columns
        seen = bool(c.seen[i])
        lost = bool(c.lost[i])
        return UnitSnapshot(
            unit=self._units[i],
            status=UnitStatus.LOST if lost or not seen else self._duty[i],
            duty_status=self._duty[i],
            link_state=LinkState.NEVER_SEEN if not seen else
            (LinkState.LOST if lost else LinkState.OK),
            link=self._link[i],
            telemetry=self._telemetry[i],
            last_seen_mono=float(c.last_seen[i]) if seen else None,
            home=self._home[i],
            tasking=self._tasking[i],
            mission=self._mission[i],
        )

    def snapshots(self) -> list[UnitSnapshot]:
        return [self.snapshot(u.id) for u in self._units]

    def counts(self) -> dict[UnitStatus, int]:
        """How many units are in each effective status (one numpy pass)."""
        n = self.columns.size
        bins = np.bincount(self.columns.status[:n], minlength=len(UnitStatus))
        return {s: int(bins[s.code]) for s in UnitStatus}
