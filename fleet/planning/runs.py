"""Records of scheduled runs and the choice of units for them: plain data, no I/O.

Every run ends in exactly one state: ``completed``, ``failed`` (it started but could not
finish: units lost or refusing, retries spent) or ``skipped`` (it never started: a
blackout, no unit available, the core was down when it was due). Each unit that took
part is a leg, with its crew when a roster covers its group.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fleet.events import UnitSnapshot
from fleet.model import Domain, LinkState, UnitStatus

#: a drone below this battery share is not sent on a scheduled patrol
MIN_BATTERY_PCT = 40.0


@dataclass(frozen=True, slots=True)
class PatrolRoute:
    """A configured patrol's path, for drawing, and the units scheduled to run it."""

    id: str
    name: str
    points: tuple[tuple[float, float], ...]  # (lat, lon)
    units: tuple[str, ...]


@dataclass(slots=True)
class LegRecord:
    unit_id: str
    started: float  # Unix seconds
    crew: str | None = None
    ended: float | None = None
    outcome: str = "running"  # running, completed, lost, failed, relieved
    reason: str = ""
    from_s: float = 0.0  # where in the job (τ, seconds) this leg took over
    to_s: float | None = None  # ... and where it stopped


@dataclass(slots=True)
class RunRecord:
    run_id: str
    schedule_id: str
    patrol_id: str
    due: dt.datetime
    state: str = "running"  # running, completed, failed, skipped
    reason: str = ""
    started: float | None = None
    ended: float | None = None
    legs: list[LegRecord] = field(default_factory=list)

    def line(self) -> str:
        """One line for the log and the CLI."""
        units = ", ".join(f"{leg.unit_id}:{leg.outcome}" for leg in self.legs) or "no unit"
        why = f" ({self.reason})" if self.reason else ""
        return (f"{self.run_id} {self.schedule_id} due {self.due:%Y-%m-%d %H:%M} "
                f"{self.state}{why} [{units}]")


def unavailable_reason(snap: UnitSnapshot, busy: Iterable[str]) -> str | None:
    """Why a unit cannot start a scheduled leg now, or None if it can."""
    if snap.unit.id in set(busy):
        return "on another scheduled run"
    if snap.unit.read_only:
        return "read-only"
    if snap.link_state is not LinkState.OK:
        return "never heard" if snap.link_state is LinkState.NEVER_SEEN else "lost"
    if snap.status is not UnitStatus.AVAILABLE:
        return str(snap.status)
    t = snap.telemetry
    if t is None or not (math.isfinite(t.lat_deg) and math.isfinite(t.lon_deg)):
        return "no position"
    if snap.unit.domain is Domain.AIR:
        if t.armed:
            return "airborne"
        if t.ready is False:
            return "not ready"
        if t.battery_pct is not None and t.battery_pct < MIN_BATTERY_PCT:
            return f"battery {t.battery_pct:.0f}%"
    return None


def rank_candidates(snaps: Sequence[UnitSnapshot], busy: Iterable[str],
                    near: tuple[float, float] | None) -> tuple[list[UnitSnapshot], dict[str, str]]:
    """Units that can go, nearest to ``near`` first (fuller battery on ties), and why
    each of the others cannot."""
    busy = set(busy)
    ok, why = [], {}
    for snap in snaps:
        reason = unavailable_reason(snap, busy)
        if reason is None:
            ok.append(snap)
        else:
            why[snap.unit.id] = reason

    def key(s: UnitSnapshot) -> tuple[float, float]:
        t = s.telemetry
        assert t is not None
        d = 0.0
        if near is not None:
            scale = math.cos(math.radians(near[0]))
            d = math.hypot(t.lat_deg - near[0], (t.lon_deg - near[1]) * scale)
        return d, -(t.battery_pct if t.battery_pct is not None else 100.0)

    return sorted(ok, key=key), why
