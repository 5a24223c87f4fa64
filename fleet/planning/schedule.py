"""When scheduled patrols run, what blocks them, and which crew is on duty: pure time.

All datetimes here are aware, in :data:`CITY_TZ`; config times are local wall times.
A window that ends at or before its start ends the next day (20:00-02:00), and an
occurrence belongs to the day its window started, so "Saturday 20:00-02:00" runs at
01:30 on Sunday morning. Since the city has no daylight saving, an occurrence is the
window start plus whole multiples of ``every_min``, with no ambiguous or missing hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .local_time import CITY_TZ
from .settings import DAYS, Blackout, PatrolSchedule, Roster, ScheduleEntry

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One due run of a schedule; ``blocked_by`` names the blackout that skips it."""

    at: dt.datetime
    schedule: PatrolSchedule
    blocked_by: Blackout | None = None


def window(s: PatrolSchedule, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The schedule's window that starts on ``day`` (whether or not it runs that day)."""
    start = dt.datetime.combine(day, s.start, CITY_TZ)
    end = dt.datetime.combine(day, s.end, CITY_TZ)
    if end <= start:
        end += _DAY
    return start, end


def slot(s: PatrolSchedule, due: dt.datetime) -> dt.datetime:
    """When the run due at ``due`` gives way: the schedule's next run, or the end of the
    window it belongs to, whichever comes first."""
    due = due.astimezone(CITY_TZ)
    end = due + _DAY
    for day in (due.date(), due.date() - _DAY):
        start, window_end = window(s, day)
        if start <= due < window_end:
            end = window_end
            break
    if s.every_min:
        end = min(end, due + dt.timedelta(minutes=s.every_min))
    return end


def describe_window(s: PatrolSchedule) -> str:
    """``every 30 min 20:00-02:00 daily``, ``once 20:00-02:00 fri,sat``."""
    every = f"every {s.every_min:g} min" if s.every_min else "once"
    days = "daily" if len(s.days) == 7 else ",".join(DAYS[d] for d in sorted(s.days))
    return f"{every} {s.start:%H:%M}-{s.end:%H:%M} {days}"


def occurrences(s: PatrolSchedule, since: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Run times of ``s`` in [since, until), in order."""
    if not s.enabled:
        return []
    out = []
    day = since.astimezone(CITY_TZ).date() - _DAY  # yesterday's window may run past midnight
    last = until.astimezone(CITY_TZ).date()
    while day <= last:
        if day.weekday() in s.days:
            start, end = window(s, day)
            step = dt.timedelta(minutes=s.every_min) if s.every_min else end - start
            at = start
            while at < end:
                if since <= at < until:
                    out.append(at)
                at += step
        day += _DAY
    return out


def blocking(blackouts: Iterable[Blackout], schedule_id: str, at: dt.datetime
             ) -> Blackout | None:
    """The first blackout that forbids ``schedule_id`` from starting at ``at``."""
    local = at.astimezone(CITY_TZ)
    for b in blackouts:
        if b.applies_to and schedule_id not in b.applies_to:
            continue
        if isinstance(b.start, dt.datetime):
            start = b.start.replace(tzinfo=CITY_TZ)
            end = b.end.replace(tzinfo=CITY_TZ)  # type: ignore[union-attr]
            if start <= local < end:
                return b
            continue
        for day in (local.date() - _DAY, local.date()):
            if day.weekday() not in b.days:
                continue
            start = dt.datetime.combine(day, b.start, CITY_TZ)
            end = dt.datetime.combine(day, b.end, CITY_TZ)  # type: ignore[arg-type]
            if end <= start:
                end += _DAY
            if start <= local < end:
                return b
    return None


def upcoming(entries: Sequence[ScheduleEntry], since: dt.datetime, until: dt.datetime
             ) -> list[Occurrence]:
    """Every patrol run in [since, until), in time order, with its blackout if any."""
    blackouts = [e for e in entries if isinstance(e, Blackout)]
    runs = [Occurrence(at, s, blocking(blackouts, s.id, at))
            for s in entries if isinstance(s, PatrolSchedule)
            for at in occurrences(s, since, until)]
    return sorted(runs, key=lambda r: (r.at, r.schedule.id))


def next_runs(entries: Sequence[ScheduleEntry], since: dt.datetime, count: int,
              horizon: dt.timedelta = dt.timedelta(days=8)) -> list[Occurrence]:
    """The next ``count`` runs (blocked ones included) within ``horizon``."""
    return upcoming(entries, since, since + horizon)[:count]


@dataclass(frozen=True, slots=True)
class Shift:
    crew: str
    index: int  # 0-based shift of the day
    start: dt.datetime
    end: dt.datetime


def shift_at(roster: Roster, at: dt.datetime) -> Shift:
    """Who is on duty at ``at``: crew (shift - day) mod crews, as in :class:`Roster`."""
    local = at.astimezone(CITY_TZ)
    length = dt.timedelta(days=1) / roster.shifts_per_day
    day_start = dt.datetime.combine(local.date(), roster.first_shift, CITY_TZ)
    if local < day_start:
        day_start -= _DAY  # before the first shift: still yesterday's rota
    index = int((local - day_start) / length)
    day = (day_start.date() - roster.epoch).days
    crew = roster.crews[(index - day) % len(roster.crews)]
    start = day_start + index * length
    return Shift(crew, index, start, start + length)


def roster_for(entries: Iterable[ScheduleEntry], group: str) -> Roster | None:
    return next((e for e in entries if isinstance(e, Roster) and group in e.groups), None)
