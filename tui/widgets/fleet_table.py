"""The fleet table: one row per unit, updated cell by cell from the app's snapshot map.

The table reads (never writes) the app's ``unit_id -> UnitSnapshot`` mapping. The app
tells it which units changed; it redraws only the cells whose text or style changed, so
a telemetry flood costs the table nothing beyond the units that really moved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import NamedTuple

from rich.text import Text
from textual.geometry import Region
from textual.reactive import reactive
from textual.widgets import DataTable

from fleet.events import UnitSnapshot
from fleet.model import LinkState
from tui.widgets.cells import MISSING, STATUS_STYLE, age, label, natural_key, number

LOST_ROW_STYLE = "bold red"
NOT_HEARD = "not heard"


class Cell(NamedTuple):
    text: str
    style: str = ""
    justify: str = "left"

    def render(self) -> Text:
        return Text(self.text, style=self.style, justify=self.justify)  # type: ignore[arg-type]


#: (column key, header); the key doubles as the DataTable column key
COLUMNS: tuple[tuple[str, str], ...] = (
    ("callsign", "Callsign"), ("kind", "Kind"), ("group", "Group"), ("status", "Status"),
    ("mode", "Mode"), ("battery", "Batt %"), ("speed", "Speed m/s"), ("alt", "Alt m"),
    ("age", "Age"),
)
AGE_COLUMN = len(COLUMNS) - 1


def status_label(snap: UnitSnapshot) -> str:
    """What the status column says; a unit never heard is not (yet) "lost"."""
    if snap.link_state is LinkState.NEVER_SEEN:
        return NOT_HEARD
    return label(snap.status)


def unit_cells(snap: UnitSnapshot, now_mono: float) -> tuple[Cell, ...]:
    """One row's cells. LOST rows are red throughout; never-heard rows are dimmed."""
    unit, tel = snap.unit, snap.telemetry
    row_style = (LOST_ROW_STYLE if snap.link_state is LinkState.LOST
                 else "dim" if snap.link_state is LinkState.NEVER_SEEN else "")
    status_style = row_style or STATUS_STYLE.get(snap.status, "")
    battery = getattr(tel, "battery_pct", None)
    battery_style = row_style or (
        "bold red" if isinstance(battery, int | float) and battery < 15
        else "yellow" if isinstance(battery, int | float) and battery < 30 else ""
    )
    return (
        Cell(str(unit.callsign or unit.id), row_style or "bold"),
        Cell(label(unit.kind), row_style),
        Cell(str(unit.group or MISSING), row_style),
        Cell(status_label(snap), status_style),
        Cell(str(tel.mode) if tel is not None and tel.mode else MISSING, row_style),
        Cell(number(battery), battery_style, "right"),
        Cell(number(getattr(tel, "ground_speed_m_s", None), ".1f"), row_style, "right"),
        Cell(number(getattr(tel, "alt_m", None)), row_style, "right"),
        Cell(age(now_mono, snap.last_seen_mono), row_style, "right"),
    )


def matches(snap: UnitSnapshot, terms: list[str]) -> bool:
    """True when every filter term is in the callsign, kind, group or status."""
    if not terms:
        return True
    unit = snap.unit
    hay = " ".join((
        str(unit.callsign), str(unit.id), str(unit.kind), label(unit.kind), str(unit.group),
        status_label(snap), str(snap.status) if snap.link_state is not LinkState.NEVER_SEEN
        else "",
    )).casefold()
    return all(term in hay for term in terms)


class FleetTable(DataTable):
    """The unit table; ``filter_text`` narrows it to matching units."""

    filter_text: reactive[str] = reactive("", init=False)
    # class-level: DataTable.__init__ already calls refresh()
    _deferring = False
    _deferred: bool | None = None  # None: no refresh asked; else whether layout is wanted

    def __init__(
        self, units: Mapping[str, UnitSnapshot], monotonic: Callable[[], float], **kwargs
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._units = units
        self._monotonic = monotonic
        self._shown: dict[str, tuple[Cell, ...]] = {}  # what each visible row displays
        self._terms: list[str] = []

    def on_mount(self) -> None:
        for key, header in COLUMNS:
            self.add_column(header, key=key)
        self.rebuild()

    def watch_filter_text(self, text: str) -> None:
        self._terms = text.casefold().split()
        self.rebuild()

    @property
    def shown_ids(self) -> list[str]:
        """Unit ids of the visible rows, in display order."""
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def cells_of(self, unit_id: str) -> tuple[Cell, ...] | None:
        """What the row of ``unit_id`` shows now, or None if it is not shown."""
        return self._shown.get(unit_id)

    def rebuild(self) -> None:
        """Redraw every row from scratch (on mount and when the filter changes)."""
        with self._one_refresh():
            self.clear()
            self._shown.clear()
            now = self._monotonic()
            snaps = [s for s in self._units.values() if matches(s, self._terms)]
            snaps.sort(key=lambda s: natural_key(str(s.unit.callsign or s.unit.id)))
            for snap in snaps:
                self._add(snap, now)

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False,
        recompose: bool = False,
    ) -> FleetTable:
        """DataTable refreshes once per updated cell; inside :meth:`_one_refresh` those
        calls collapse into one (a tick touching 300 rows would otherwise spend most of
        its time asking for repaints)."""
        if self._deferring and not recompose:
            self._deferred = bool(self._deferred) or layout
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    @contextmanager
    def _one_refresh(self) -> Iterator[None]:
        self._deferring, self._deferred = True, None
        try:
            yield
        finally:
            self._deferring = False
            if self._deferred is not None:
                self.refresh(layout=self._deferred)

    def update_units(self, unit_ids: Iterable[str]) -> None:
        """Bring the rows of the changed units up to date, adding or removing as the
        filter says."""
        with self._one_refresh():
            self._update_units(unit_ids)

    def _update_units(self, unit_ids: Iterable[str]) -> None:
        now = self._monotonic()
        added = False
        for unit_id in unit_ids:
            snap = self._units.get(unit_id)
            if snap is None or not matches(snap, self._terms):
                if unit_id in self._shown:
                    self.remove_row(unit_id)
                    del self._shown[unit_id]
            elif unit_id in self._shown:
                self._update(unit_id, unit_cells(snap, now))
            else:
                self._add(snap, now)
                added = True
        if added:
            self.sort("callsign", key=lambda cell: natural_key(getattr(cell, "plain", "")))

    def update_ages(self) -> None:
        """Advance the link-age column; only cells whose whole seconds changed redraw."""
        now = self._monotonic()
        with self._one_refresh():
            for unit_id, shown in self._shown.items():
                snap = self._units.get(unit_id)
                if snap is None or snap.last_seen_mono is None:
                    continue
                cell = shown[AGE_COLUMN]._replace(text=age(now, snap.last_seen_mono))
                if cell != shown[AGE_COLUMN]:
                    self._update(unit_id, (*shown[:AGE_COLUMN], cell))

    def _add(self, snap: UnitSnapshot, now: float) -> None:
        cells = unit_cells(snap, now)
        self.add_row(*(c.render() for c in cells), key=snap.id)
        self._shown[snap.id] = cells

    def _update(self, unit_id: str, cells: tuple[Cell, ...]) -> None:
        old = self._shown[unit_id]
        for (key, _), before, after in zip(COLUMNS, old, cells, strict=True):
            if before != after:
                self.update_cell(unit_id, key, after.render())
        self._shown[unit_id] = cells
