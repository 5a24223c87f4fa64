"""Records of scheduled runs and the choice of units for them: plain data, no I/O.

Every run ends in exactly one state: ``completed``, ``failed`` (it started but could not
finish: units lost or refusing, retries spent), ``handed over`` (an operator took a unit
over and nothing failed: the rest of its part waits for a replacement the operator asks
for) or ``skipped`` (it never started: a blackout, the operator skipped it, no unit
available, the core was down when it was due). Each unit that took part is a leg, with
its crew when a roster covers its group.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fleet import commands as c
from fleet import geo
from fleet.events import UnitSnapshot
from fleet.missions import MissionType
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


HANDED_OVER = "handed over"

#: commands that leave a unit on its scheduled run: reading, bookkeeping, a speed tweak,
#: where it will return to (a home put back at its base)
_PASSIVE = (c.DownloadMission, c.SetStatus, c.SetSpeed, c.SetHome)


def takes_over(command: c.Command) -> bool:
    """Whether an operator's ``command`` takes a unit over from its schedule: anything
    that moves it, changes its mode, arms or disarms it or replaces its mission; not a
    read, a duty status, a speed, a home, or a fence or rally upload."""
    if isinstance(command, _PASSIVE):
        return False
    if isinstance(command, c.UploadMission | c.ClearMission):
        return command.mission_type is MissionType.MISSION
    return True


def command_label(command: c.Command) -> str:
    """``goto``, ``return to launch``: a command as the alerts name it."""
    return c.command_name(command).replace("_", " ")


@dataclass(frozen=True, slots=True)
class HandOver:
    """Who took a unit over from its schedule, by which command, and when."""

    by: str  # the command's origin: "operator"
    command: str  # its label: "goto"
    at: float  # Unix seconds


@dataclass(slots=True)
class LegRecord:
    unit_id: str
    started: float  # Unix seconds
    crew: str | None = None
    ended: float | None = None
    outcome: str = "running"  # running, completed, lost, failed, relieved, handed over
    reason: str = ""
    from_s: float = 0.0  # where in the job (τ, seconds) this leg took over
    to_s: float | None = None  # ... and where it stopped (an aircraft's: so far, in flight)
    handover: HandOver | None = None


@dataclass(slots=True)
class RunRecord:
    run_id: str
    schedule_id: str
    patrol_id: str
    due: dt.datetime
    state: str = "running"  # running, completed, failed, handed over, skipped
    reason: str = ""
    started: float | None = None
    ended: float | None = None
    legs: list[LegRecord] = field(default_factory=list)
    resumes: str | None = None  # the handed-over run whose rest this one flies

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
            d = geo.distance_m(near[0], near[1], t.lat_deg, t.lon_deg)
        return d, -(t.battery_pct if t.battery_pct is not None else 100.0)

    return sorted(ok, key=key), why


@dataclass(frozen=True, slots=True)
class ScheduleStatus:
    """One patrol schedule as the console lists it (``ScheduleExecutor.status``)."""

    id: str
    name: str
    patrol_id: str
    window: str  # "every 30 min 20:00-02:00 daily"
    enabled: bool  # the config's ``enabled``
    paused: bool  # by an operator (kept in memory: a restart resumes it)
    next_at: dt.datetime | None  # the next occurrence (city time), within 8 days
    next_blackout: str | None  # the blackout that will skip that occurrence
    skipping: dt.datetime | None  # the occurrence an operator asked to skip
    blackout_now: str | None  # "id: reason" of a blackout in force now
    running: tuple[RunRecord, ...]  # runs under way (their legs: who flies what)
    last: RunRecord | None  # the last run that ended (or was skipped)
    handed_over: tuple[str, ...]  # runs with handed-over parts awaiting a replacement
