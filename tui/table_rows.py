"""The fleet table as data: its columns, the filter, the sort, and each row's cells.

Pure (no Textual): the table widget asks :class:`RowOrder` which units to show in which
order and :func:`row_cells` what each row says, and only turns that into screen lines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from fleet.events import UnitSnapshot
from fleet.model import Domain, LinkState, UnitKind
from tui.cells import MISSING, age, label, natural_key, number
from tui.duty_words import DUTY_RANK, duty_label, duty_style, intent_label

LOST_ROW_STYLE = "bold red"
NEVER_ROW_STYLE = "dim"

KIND_SHORT: dict[UnitKind, str] = {
    UnitKind.DRONE: "drone", UnitKind.HELICOPTER: "helicopter",
    UnitKind.COMMAND_VEHICLE: "cmd vehicle", UnitKind.PATROL_CAR: "patrol car",
    UnitKind.MOTORCYCLE: "motorcycle", UnitKind.COMMAND_BOAT: "cmd boat",
    UnitKind.PATROL_BOAT: "patrol boat",
}

class Cell(NamedTuple):
    text: str
    style: str = ""
    justify: str = "left"


def status_label(snap: UnitSnapshot) -> str:
    """What the status column says: what the unit does (:mod:`tui.duty_words`)."""
    return duty_label(snap)


def altitude(snap: UnitSnapshot) -> float | None:
    """Height above home for aircraft (what a pilot means by altitude); ground and water
    units have none worth a column."""
    tel = snap.telemetry
    if tel is None:
        return None
    if tel.relative_alt_m is not None:
        return tel.relative_alt_m
    return tel.alt_m if snap.unit.kind.domain is Domain.AIR else None


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    justify: str = "left"
    #: sort value (None sorts last whichever the direction)
    sort_value: Callable[[UnitSnapshot, float], Any] | None = None


def _tel(name: str) -> Callable[[UnitSnapshot, float], Any]:
    return lambda s, _now: _finite(getattr(s.telemetry, name, None))


COLUMNS: tuple[Column, ...] = (
    Column("callsign", "Callsign", 16,
           sort_value=lambda s, _n: natural_key(str(s.unit.callsign or s.id))),
    Column("kind", "Kind", 11, sort_value=lambda s, _n: KIND_SHORT.get(s.unit.kind, "")),
    Column("group", "Group", 6, sort_value=lambda s, _n: natural_key(str(s.unit.group))),
    Column("status", "Status", 14,
           sort_value=lambda s, _n: DUTY_RANK.get(status_label(s), 99)),
    Column("task", "Task", 12, sort_value=lambda s, _n: intent_label(s) or None),
    Column("mode", "Mode", 9, sort_value=lambda s, _n: getattr(s.telemetry, "mode", None)),
    Column("battery", "Batt%", 5, "right", _tel("battery_pct")),
    Column("speed", "m/s", 5, "right", _tel("ground_speed_m_s")),
    Column("alt", "Alt m", 5, "right", lambda s, _n: _finite(altitude(s))),
    Column("age", "Age", 5, "right",
           lambda s, now: None if s.last_seen_mono is None else now - s.last_seen_mono),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
AGE = COLUMN_KEYS.index("age")


def row_cells(snap: UnitSnapshot, now_mono: float) -> tuple[Cell, ...]:
    """One row's cells. LOST rows are red throughout; never-heard rows are dimmed."""
    unit, tel = snap.unit, snap.telemetry
    row_style = (LOST_ROW_STYLE if snap.link_state is LinkState.LOST
                 else NEVER_ROW_STYLE if snap.link_state is LinkState.NEVER_SEEN else "")
    battery = _finite(getattr(tel, "battery_pct", None))
    battery_style = row_style or (
        "bold red" if battery is not None and battery < 15
        else "yellow" if battery is not None and battery < 30 else "")
    return (
        Cell(str(unit.callsign or unit.id), row_style or "bold"),
        Cell(KIND_SHORT.get(unit.kind, label(unit.kind)), row_style),
        Cell(str(unit.group or MISSING), row_style),
        Cell(status_label(snap), row_style or duty_style(snap)),
        Cell(intent_label(snap) or MISSING, row_style or "dim"),
        Cell(str(tel.mode) if tel is not None and tel.mode else MISSING, row_style),
        Cell(number(battery), battery_style, "right"),
        Cell(number(getattr(tel, "ground_speed_m_s", None), ".1f"), row_style, "right"),
        Cell(number(altitude(snap)), row_style, "right"),
        Cell(age(now_mono, snap.last_seen_mono), row_style, "right"),
    )


def _norm(text: str) -> str:
    return text.casefold().replace("_", " ")


@dataclass(frozen=True, slots=True)
class Filter:
    """``kind:drone,boat group:rp08 status:lost`` plus free words, all of which must match.

    Values match as substrings (``kind:boat`` is every boat); commas mean "any of".
    """

    kinds: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    FIELDS = ("kind", "group", "status")

    @classmethod
    def parse(cls, text: str) -> Filter:
        found: dict[str, list[str]] = {"kind": [], "group": [], "status": [], "terms": []}
        for word in text.split():
            name, sep, value = word.partition(":")
            if sep and name.casefold() in cls.FIELDS:
                found[name.casefold()] += [_norm(v) for v in value.split(",") if v]
            else:
                found["terms"].append(_norm(word))
        return cls(tuple(found["kind"]), tuple(found["group"]), tuple(found["status"]),
                   tuple(found["terms"]))

    def __bool__(self) -> bool:
        return bool(self.kinds or self.groups or self.statuses or self.terms)

    @property
    def volatile(self) -> bool:
        """Whether a telemetry update can change the answer (status, mode)."""
        return bool(self.statuses or self.terms)

    def matches(self, snap: UnitSnapshot) -> bool:
        unit = snap.unit
        kind = _norm(f"{unit.kind.value} {KIND_SHORT.get(unit.kind, '')}")
        status = status_label(snap)
        if snap.link_state is LinkState.OK:  # what it does, and its CAD status
            status += f" {label(snap.status)}"
        if self.kinds and not any(k in kind for k in self.kinds):
            return False
        if self.groups and not any(g in _norm(str(unit.group)) for g in self.groups):
            return False
        if self.statuses and not any(s in status for s in self.statuses):
            return False
        if self.terms:
            mode = getattr(snap.telemetry, "mode", None) or ""
            hay = _norm(f"{unit.callsign} {unit.id} {kind} {unit.group} {status} {mode}")
            return all(t in hay for t in self.terms)
        return True


class RowOrder:
    """Which units the table shows, in which order; recomputed when the data says so."""

    def __init__(self) -> None:
        self.filter = Filter()
        self.sort_key = "callsign"
        self.reverse = False
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self._by_callsign: dict[str, tuple] = {}  # natural sort keys, computed once a unit

    @property
    def column(self) -> Column:
        return COLUMNS[COLUMN_KEYS.index(self.sort_key)]

    def needs_recompute(self, changed: int) -> bool:
        """After ``changed`` unit updates: only a volatile sort or filter reorders rows."""
        return changed > 0 and (self.sort_key != "callsign" or self.filter.volatile)

    def recompute(self, units: Mapping[str, UnitSnapshot], now: float) -> bool:
        """Filter and sort ``units``; True if the shown ids or their order changed."""
        snaps = [s for s in units.values() if self.filter.matches(s)]
        keys = self._by_callsign
        if len(keys) != len(units):
            callsign = COLUMNS[0].sort_value
            assert callsign is not None
            keys.update((u, callsign(s, now)) for u, s in units.items() if u not in keys)
        snaps.sort(key=lambda s: keys[s.id])
        if self.sort_key != "callsign" or self.reverse:
            value = self.column.sort_value
            assert value is not None
            keyed = [(value(s, now), s) for s in snaps]
            present = [(k, s) for k, s in keyed if k is not None]
            present.sort(key=lambda ks: ks[0], reverse=self.reverse)
            snaps = [s for _, s in present] + [s for k, s in keyed if k is None]
        ids = [s.id for s in snaps]
        if ids == self.ids:
            return False
        self.ids = ids
        self.index = {u: i for i, u in enumerate(ids)}
        return True

    def sort_by(self, key: str, reverse: bool | None = None) -> None:
        if key not in COLUMN_KEYS:
            raise ValueError(f"no column {key!r}")
        if reverse is None:
            reverse = not self.reverse if key == self.sort_key else False
        self.sort_key, self.reverse = key, reverse

    def next_sort(self) -> str:
        """Sort by the next column (wrapping), ascending."""
        i = (COLUMN_KEYS.index(self.sort_key) + 1) % len(COLUMN_KEYS)
        self.sort_by(COLUMN_KEYS[i], reverse=False)
        return self.sort_key
