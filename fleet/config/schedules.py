"""``[[schedules]]``: recurring patrols, the shift roster and blackout windows.

One array holds the three kinds, told apart by ``kind`` (default ``"patrol"``). Times
are local to the city (Asia/Shanghai, UTC+8, no daylight saving): TOML local times
(``20:00:00``) or ``"HH:MM"`` strings; one-off blackouts take TOML local date-times.
A window whose end is not after its start runs past midnight; start = end is all day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from fleet.config.schema import GroupConfig
from fleet.config.validate import Seen, Table, describe, did_you_mean, one_of
from fleet.errors import ConfigError
from fleet.model import Domain, Unit, UnitKind
from fleet.planning.settings import (
    DAYS,
    Blackout,
    PatrolConfig,
    PatrolSchedule,
    Roster,
    ScheduleEntry,
)

KINDS = ("patrol", "roster", "blackout")
PATROL_KEYS = ("id", "name", "kind", "patrol", "start", "end", "every_min", "days", "group",
               "units", "kinds", "retries", "enabled")
ROSTER_KEYS = ("id", "name", "kind", "crews", "shifts_per_day", "first_shift", "epoch",
               "groups")
BLACKOUT_KEYS = ("id", "name", "kind", "start", "end", "days", "applies_to", "reason")


def _time(t: Table, name: str, default: dt.time | None = None) -> dt.time:
    value = t.raw(name, default)
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        try:
            hours, minutes = value.split(":")
            return dt.time(int(hours), int(minutes))
        except ValueError:
            pass
    raise t.expected(name, "a local time like 20:00:00 or \"20:00\"", value)


def _days(t: Table) -> frozenset[int]:
    names = t.string_list("days", list(DAYS))
    out = set()
    for i, day in enumerate(names):
        if day.lower() not in DAYS:
            raise ConfigError(f"expected {one_of(DAYS)}, got {day!r}{did_you_mean(day, DAYS)}",
                              path=t.source, key=f"{t.path('days')}[{i}]")
        out.add(DAYS.index(day.lower()))
    if not out:
        raise t.expected("days", "at least one day", names)
    return frozenset(out)


def _refs(t: Table, name: str, known: Sequence[str] | Mapping[str, object], what: str
          ) -> list[str]:
    values = t.string_list(name)
    for i, value in enumerate(values):
        if value not in known:
            hint = did_you_mean(value, known) if known else f" (no {what}s are defined)"
            raise ConfigError(f"unknown {what} {value!r}{hint}", path=t.source,
                              key=f"{t.path(name)}[{i}]")
    return values


def _pool(t: Table, units: Sequence[Unit], groups: Mapping[str, GroupConfig],
          patrol: PatrolConfig) -> tuple[str, ...]:
    """The units a schedule may use: its group and/or units, narrowed by kinds."""
    if not t.has("group") and not t.has("units"):
        raise t.error("missing group or units (who flies or drives the patrol)")
    by_id = {u.id: u for u in units}
    group = t.string("group", None)
    if group is not None and group not in groups:
        hint = did_you_mean(group, groups) if groups else " (no groups are defined)"
        raise t.error(f"unknown group {group!r}{hint}", "group")
    named = _refs(t, "units", by_id, "unit") if t.has("units") else None
    kinds = None
    if t.has("kinds"):
        kinds = [UnitKind(k) for k in _refs(t, "kinds", [k.value for k in UnitKind], "kind")]
    pool = [u for u in units if (group is None or u.group == group)
            and (named is None or u.id in named) and (kinds is None or u.kind in kinds)]
    from fleet.planning.patrols import AIR_ONLY
    if patrol.pattern in AIR_ONLY:
        pool = [u for u in pool if u.domain is Domain.AIR]
    pool = [u for u in pool if not u.read_only]
    if not pool:
        who = " and ".join(filter(None, [f"group {group!r}" if group else "",
                                         f"units {named}" if named else "",
                                         f"kinds {[k.value for k in kinds]}" if kinds else ""]))
        need = "aircraft" if patrol.pattern in AIR_ONLY else "unit"
        raise t.error(f"no commandable {need} in {who} for {patrol.pattern} patrol "
                      f"{patrol.id!r}")
    if len(pool) < patrol.split:
        raise t.error(f"patrol {patrol.id!r} is split among {patrol.split} units but only "
                      f"{len(pool)} qualify")
    return tuple(u.id for u in pool)


def _patrol_schedule(t: Table, patrols: Mapping[str, PatrolConfig], units: Sequence[Unit],
                     groups: Mapping[str, GroupConfig]) -> PatrolSchedule:
    t.check_keys(PATROL_KEYS)
    sid = t.string("id", id_like=True)
    patrol_id = t.string("patrol")
    if patrol_id not in patrols:
        hint = did_you_mean(patrol_id, patrols) if patrols else " (no [[patrols]] are defined)"
        raise t.error(f"unknown patrol {patrol_id!r}{hint}", "patrol")
    return PatrolSchedule(
        id=sid, name=t.string("name", sid), patrol=patrol_id, start=_time(t, "start"),
        end=_time(t, "end"), every_min=t.number("every_min", None, ge=1),
        days=_days(t), pool=_pool(t, units, groups, patrols[patrol_id]),
        retries=t.integer("retries", 2, ge=0, le=20), enabled=t.boolean("enabled", True))


def _roster(t: Table, groups: Mapping[str, GroupConfig], taken: Seen) -> Roster:
    t.check_keys(ROSTER_KEYS)
    crews = t.string_list("crews")
    if len(crews) < 2 or len(set(crews)) != len(crews):
        raise t.expected("crews", "at least 2 distinct crew names", crews)
    shifts = t.integer("shifts_per_day", len(crews) - 1, ge=1, le=len(crews))
    if 24 * 60 % shifts:
        raise t.expected("shifts_per_day", "a number of shifts that divides 24 h in whole "
                         "minutes", shifts)
    epoch = t.raw("epoch", dt.date(2024, 1, 1))
    if not isinstance(epoch, dt.date) or isinstance(epoch, dt.datetime):
        raise t.expected("epoch", "a TOML local date like 2024-01-01", epoch)
    land = [g.id for g in groups.values() if g.domain is Domain.LAND]
    names = _refs(t, "groups", groups, "group") if t.has("groups") else land
    for name in names:
        taken.add(name, t, "groups")
    return Roster(t.string("id", id_like=True), tuple(crews), shifts,
                  _time(t, "first_shift", dt.time(8, 0)), epoch, tuple(names))


def _moment(t: Table, name: str) -> dt.datetime | dt.time:
    value = t.raw(name)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            from fleet.planning.local_time import CITY_TZ
            value = value.astimezone(CITY_TZ).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        raise t.expected(name, "a date-time (2025-06-01T08:00:00) or a time (\"08:00\")",
                         value)
    return _time(t, name)


def _blackout(t: Table) -> Blackout:
    t.check_keys(BLACKOUT_KEYS)
    start, end = _moment(t, "start"), _moment(t, "end")
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        raise t.error(f"start and end must both be date-times or both times, got "
                      f"{describe(start)} and {describe(end)}", "end")
    if isinstance(start, dt.datetime):
        if t.has("days"):
            raise t.error("days applies to daily blackouts (times), not date-times", "days")
        if end <= start:  # type: ignore[operator]
            raise t.error(f"expected an end after the start ({start.isoformat()}), got "
                          f"{end.isoformat()}", "end")
    bid = t.string("id", id_like=True)
    return Blackout(bid, t.string("reason", t.string("name", bid)), start, end,
                    _days(t) if not isinstance(start, dt.datetime) else frozenset(),
                    frozenset(t.string_list("applies_to", [])))


def parse_schedules(root: Table, patrols: tuple[PatrolConfig, ...], units: Sequence[Unit],
                    groups: Sequence[GroupConfig]) -> tuple[ScheduleEntry, ...]:
    by_patrol = {p.id: p for p in patrols}
    by_group = {g.id: g for g in groups}
    ids = Seen("schedule id")
    rostered = Seen("rostered group")
    entries: list[ScheduleEntry] = []
    tables = root.tables("schedules")
    for t in tables:
        kind = t.choice("kind", KINDS, "patrol")
        entry: ScheduleEntry
        if kind == "patrol":
            entry = _patrol_schedule(t, by_patrol, units, by_group)
        elif kind == "roster":
            entry = _roster(t, by_group, rostered)
        else:
            entry = _blackout(t)
        ids.add(entry.id, t, "id")
        entries.append(entry)
    patrol_ids = [e.id for e in entries if isinstance(e, PatrolSchedule)]
    for t, entry in zip(tables, entries, strict=True):
        if isinstance(entry, Blackout) and entry.applies_to:
            _refs(t, "applies_to", patrol_ids, "patrol schedule")
    _check_overlaps(tables, entries, by_patrol)
    return tuple(entries)


def _windows(s: PatrolSchedule) -> list[tuple[int, int]]:
    """The schedule's weekly windows as [start, end) minutes from Monday 00:00."""
    start = s.start.hour * 60 + s.start.minute
    length = (s.end.hour * 60 + s.end.minute - start) % 1440 or 1440
    return [(d * 1440 + start, d * 1440 + start + length) for d in sorted(s.days)]


def _overlap(a: PatrolSchedule, b: PatrolSchedule) -> tuple[int, int] | None:
    week = 7 * 1440
    for a0, a1 in _windows(a):
        for b0, b1 in _windows(b):
            for shift in (-week, 0, week):
                lo, hi = max(a0, b0 + shift), min(a1, b1 + shift)
                if lo < hi:
                    return lo % week, hi % week
    return None


def _check_overlaps(tables: list[Table], entries: list[ScheduleEntry],
                    patrols: Mapping[str, PatrolConfig]) -> None:
    """Two schedules overlapping in time must not need more units than their pools hold:
    two that both name only air-1 from 20:00 would fight over it."""
    runs = [(t, e) for t, e in zip(tables, entries, strict=True)
            if isinstance(e, PatrolSchedule) and e.enabled]
    for i, (t, a) in enumerate(runs):
        for t_b, b in runs[:i]:
            shared = set(a.pool) & set(b.pool)
            need = patrols[a.patrol].split + patrols[b.patrol].split
            if not shared or need <= len(set(a.pool) | set(b.pool)):
                continue
            when = _overlap(a, b)
            if when is not None:
                day, minute = divmod(when[0], 1440)
                raise t.error(f"overlaps {t_b.key} ({b.id!r}) on {DAYS[day]} from "
                              f"{minute // 60:02d}:{minute % 60:02d}: together they need "
                              f"{need} units of {sorted(set(a.pool) | set(b.pool))}")
