"""The fleet table: a Line API widget that draws only the rows on screen.

A DataTable re-renders every updated cell through Rich (~120 ms for 500x8 cells); here
each visible line is built from the model on demand and cached per unit until that unit
changes, so a thousand units reporting every second cost the rows on screen, nothing more.
The cursor follows a unit, not a row number: a re-sort never moves the operator's
selection onto another unit. A table narrower than all its columns leaves out the least
needed ones (:func:`columns_for`) rather than scroll sideways: the map beside it needs
the room more than the mode or the group does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from fleet.model import LinkState
from tui.guard import guarded
from tui.model import ConsoleModel
from tui.table_rows import AGE, COLUMN_KEYS, COLUMNS, Cell, Column, Filter, RowOrder, row_cells

MARK = "●"
LOST_MARK = "!"
GUTTER = 2  # mark + lost flag
SEP = 1
#: the columns a narrow table gives up, first to last: the mode (the task says what the
#: unit does), the group and the kind (the callsign names both: "RP03 Moto 1"), then the
#: altitude and the speed. The callsign, status, battery and age always stay.
DROP_ORDER = ("mode", "group", "kind", "alt", "speed", "task")


def table_width(columns: tuple[Column, ...]) -> int:
    return GUTTER + sum(c.width + SEP for c in columns)


WIDTH = table_width(COLUMNS)


def columns_for(width: int, columns: tuple[Column, ...] = COLUMNS) -> tuple[Column, ...]:
    """The columns shown in ``width`` cells: all if they fit, else without the first of
    :data:`DROP_ORDER` until they do (or none is left to drop: the table scrolls)."""
    for key in DROP_ORDER:
        if table_width(columns) <= width:
            break
        columns = tuple(c for c in columns if c.key != key)
    return columns


def fit(text: str, width: int, justify: str) -> str:
    """``text`` cut or padded to exactly ``width`` cells."""
    text = set_cell_size(text, width) if len(text) > width else text
    return text.rjust(width) if justify == "right" else text.ljust(width)


class UnitTable(ScrollView, can_focus=True):
    """One line per unit the filter lets through; the first line is the header."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"unit-table--header", "unit-table--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
        Binding("space", "toggle_mark", "Mark", key_display="space"),
    ]

    class Highlighted(Message):
        """The operator moved the cursor onto ``unit_id``."""

        def __init__(self, unit_id: str) -> None:
            super().__init__()
            self.unit_id = unit_id

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, UnitTable.Highlighted)

    class MarksChanged(Message):
        """The multi-selection changed (the model holds it)."""

    class SortChanged(Message):
        def __init__(self, key: str, reverse: bool) -> None:
            super().__init__()
            self.key = key
            self.reverse = reverse

    def __init__(self, model: ConsoleModel, monotonic: Callable[[], float], **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.monotonic = monotonic
        self.order = RowOrder()
        self.cursor_id: str | None = None
        self._filter_text = ""
        self._known = -1  # how many units the order was computed from
        self._rows: dict[str, tuple[str, bool, Strip]] = {}  # id -> (age, marked, line)
        self._styles: dict[str, Style] = {}
        self._base: Style | None = None  # the widget's own style, resolved once
        self.columns: tuple[Column, ...] = COLUMNS
        self._cells = tuple(range(len(COLUMNS)))  # which of row_cells' cells are shown
        self._width = WIDTH

    # -- data in ---------------------------------------------------------------------
    @property
    def shown_ids(self) -> list[str]:
        return self.order.ids

    def shows(self, unit_id: str) -> bool:
        """Whether ``unit_id`` has a row (the filter lets it through)."""
        return unit_id in self.order.index

    def cells_of(self, unit_id: str) -> tuple[Cell, ...] | None:
        """What the row of ``unit_id`` says now, or None if it is filtered out."""
        snap = self.model.units.get(unit_id)
        if snap is None or unit_id not in self.order.index:
            return None
        return row_cells(snap, self.monotonic())

    def update_units(self, changed: Iterable[str], *, reorder: bool = False,
                     fallback_row: int | None = None) -> bool:
        """Redraw after these units changed (the timer's call; cheap when off screen).

        True if the cursor's unit left the table (the filter no longer lets it through):
        the cursor is then on the row that took its place (``fallback_row``, if given),
        or on none if the table is empty; the screen reads :attr:`cursor_id`."""
        changed = set(changed)
        for unit_id in changed:
            self._rows.pop(unit_id, None)
        now = self.monotonic()
        grown = len(self.model.units) != self._known
        moved = False
        if reorder or grown or self.order.needs_recompute(len(changed)):
            self._known = len(self.model.units)
            row = self.order.index.get(self.cursor_id or "", 0)
            moved = self.order.recompute(self.model.units, now)
            self.virtual_size = Size(self._width, len(self.order.ids) + 1)
            if self._cursor_hidden():
                ids = self.order.ids
                row = row if fallback_row is None else fallback_row
                self.cursor_id = ids[min(row, len(ids) - 1)] if ids else None
                self._scroll_to_cursor()
                self.refresh()
                return True
        if moved:
            self.refresh()
        else:
            self._refresh_rows(changed)
        return False

    def _cursor_hidden(self) -> bool:
        return self.cursor_id is not None and self.cursor_id not in self.order.index

    def tick(self) -> None:
        """Once a second: the age column moves on."""
        self.refresh()

    def set_filter_text(self, text: str) -> bool:
        """Filter the rows; True if the cursor's unit is filtered out (the cursor is then
        on the first row, or none)."""
        self.order.filter = Filter.parse(text)
        self._filter_text = text.strip()
        self.scroll_to(y=0, animate=False, immediate=True)
        return self.update_units((), reorder=True, fallback_row=0)

    @property
    def filter_text(self) -> str:
        """The filter as the operator typed it ("" when none)."""
        return self._filter_text

    def sort_by(self, key: str, reverse: bool | None = None) -> None:
        self.order.sort_by(key, reverse)
        self._after_sort()

    def next_sort(self) -> None:
        self.order.next_sort()
        self._after_sort()

    def _after_sort(self) -> None:
        self.update_units((), reorder=True)
        self.refresh()
        self.post_message(self.SortChanged(self.order.sort_key, self.order.reverse))

    def select_unit(self, unit_id: str | None, *, scroll: bool = True) -> None:
        """Put the cursor on ``unit_id`` (the map or another widget chose it)."""
        self.cursor_id = unit_id
        if scroll:
            self._scroll_to_cursor()
        self.refresh()

    def _refresh_rows(self, unit_ids: set[str]) -> None:
        """Repaint just the visible lines of these units (the compositor's cost is per
        line, so a few changed rows must not repaint the whole table)."""
        if not unit_ids:
            return
        top = round(self.scroll_y)
        visible = self.order.ids[top:top + max(0, self.size.height - 1)]
        width = max(self.size.width, self._width)
        for y, unit_id in enumerate(visible, start=1):
            if unit_id in unit_ids:
                self.refresh(Region(0, y, width, 1))

    # -- cursor ----------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        ids = self.order.ids
        if not ids:
            return
        i = self.order.index.get(self.cursor_id or "", -1)
        i = 0 if i < 0 else min(len(ids) - 1, max(0, i + delta))
        self._move_to(ids[i])

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 2))

    def action_cursor_to(self, index: int) -> None:
        if self.order.ids:
            self._move_to(self.order.ids[index])

    def action_toggle_mark(self) -> None:
        if self.cursor_id is None:
            return
        self.model.toggle_mark(self.cursor_id)
        self._rows.pop(self.cursor_id, None)
        self.refresh()
        self.post_message(self.MarksChanged())
        self.action_cursor(1)

    def _move_to(self, unit_id: str) -> None:
        if unit_id != self.cursor_id:
            self.cursor_id = unit_id
            self.post_message(self.Highlighted(unit_id))
        self._scroll_to_cursor()
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        i = self.order.index.get(self.cursor_id or "")
        if i is None:
            return
        body = max(1, self.size.height - 1)
        top = round(self.scroll_y)
        if i < top:
            self.scroll_to(y=i, animate=False, immediate=True)
        elif i >= top + body:
            self.scroll_to(y=i - body + 1, animate=False, immediate=True)

    @guarded()
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            self._header_clicked(offset.x + round(self.scroll_x))
            return
        i = round(self.scroll_y) + offset.y - 1
        if 0 <= i < len(self.order.ids):
            self._move_to(self.order.ids[i])

    def _header_clicked(self, x: int) -> None:
        edge = GUTTER
        for column in self.columns:
            if x < edge + column.width + SEP:
                self.sort_by(column.key)
                return
            edge += column.width + SEP

    # -- drawing ---------------------------------------------------------------------
    def on_resize(self) -> None:
        # the vertical scrollbar's column is kept whether or not the rows need it now
        self._fit_columns(self.size.width - self.styles.scrollbar_size_vertical)

    def _fit_columns(self, width: int) -> None:
        """Show the columns that fit ``width``; the cached lines were drawn with others."""
        columns = columns_for(width)
        if columns == self.columns:
            return
        self.columns = columns
        self._cells = tuple(COLUMN_KEYS.index(c.key) for c in columns)
        self._width = table_width(columns)
        self._rows.clear()
        self.virtual_size = Size(self._width, len(self.order.ids) + 1)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._rows.clear()
        self._base = None

    @property
    def base_style(self) -> Style:
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.base_style + Style.parse(name)
        return style

    @guarded(lambda self, y: Strip.blank(self.size.width))
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = round(self.scroll_x), round(self.scroll_y)
        width = self.size.width
        base = self.base_style
        if y == 0:
            line = self._header()
        else:
            i = scroll_y + y - 1
            if i >= len(self.order.ids):
                return Strip.blank(width, base)
            line = self._row(self.order.ids[i])
        return line.crop_extend(scroll_x, scroll_x + width, base)

    def _header(self) -> Strip:
        style = self.get_component_rich_style("unit-table--header")
        arrow = "▼" if self.order.reverse else "▲"
        segments = [Segment(" " * GUTTER, style)]
        for column in self.columns:
            title = column.title + (arrow if column.key == self.order.sort_key else "")
            segments.append(Segment(fit(title, column.width, column.justify) + " ", style))
        return Strip(segments, self._width)

    def _row(self, unit_id: str) -> Strip:
        snap = self.model.units[unit_id]
        cursor = unit_id == self.cursor_id
        marked = unit_id in self.model.marked
        cells = row_cells(snap, self.monotonic())
        if not cursor:
            cached = self._rows.get(unit_id)
            if cached is not None and cached[0] == cells[AGE].text and cached[1] == marked:
                return cached[2]
        extra = self.get_component_rich_style("unit-table--cursor") if cursor else None
        lost = snap.link_state is LinkState.LOST
        gutter = [Cell(MARK, "bold cyan") if marked else Cell(" "),
                  Cell(LOST_MARK, "bold white on red") if lost else Cell(" ")]
        segments = []
        for cell in gutter:
            segments.append(self._segment(cell.text, cell.style, extra))
        for i, column in zip(self._cells, self.columns, strict=True):
            cell = cells[i]
            segments.append(self._segment(fit(cell.text, column.width, column.justify) + " ",
                                          cell.style, extra))
        line = Strip(segments, self._width)
        if not cursor:
            self._rows[unit_id] = (cells[AGE].text, marked, line)
        return line

    def _segment(self, text: str, style_name: str, extra: Style | None) -> Segment:
        style = self._style(style_name)
        return Segment(text, style + extra if extra is not None else style)
