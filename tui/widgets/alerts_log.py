"""The alerts log: one line per alert (or per group of the same alert, with a count),
newest at the bottom, the ones that need attention marked.

Reads the model's :class:`~tui.alert_book.AlertBook` and draws only the visible lines.
While the cursor sits on the newest line the log follows new alerts; moved up, it stays
where the operator put it. No pop-ups: an alert is a line, acknowledged with a key.
Vehicle chatter is not here: it is in the unit's own log (the unit detail).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from fleet.events import Alert
from tui.alert_book import AlertBook, AlertLine
from tui.cells import SEVERITY_STYLE, clock, label
from tui.guard import guarded

UNSEEN = "●"


def alert_line(alert: Alert, message: str | None = None) -> Text:
    """``HH:MM:SS SEVERITY  message``, coloured by severity."""
    style = SEVERITY_STYLE.get(alert.severity, "")
    return Text.assemble(
        (clock(alert.time), "dim"), " ",
        (f"{label(alert.severity).upper():<9}", style), " ",
        (str(alert.message if message is None else message),
         style if style.startswith("bold") else ""),
    )


def entry_line(entry: AlertLine) -> Text:
    """An entry's line: its latest alert's time and severity, its text (with a count)."""
    return alert_line(entry.alert, entry.text)


class AlertsLog(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"alerts-log--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
        Binding("enter", "select", "Select its unit", show=False),
    ]

    class UnitChosen(Message):
        """The operator pressed enter on an alert about ``unit_id``."""

        def __init__(self, unit_id: str) -> None:
            super().__init__()
            self.unit_id = unit_id

    def __init__(self, book: AlertBook, **kwargs) -> None:
        super().__init__(**kwargs)
        self.book = book
        self.cursor = -1  # index into book.shown(); -1: follow the newest
        self._cache: dict[tuple[int, bool], Strip] = {}
        self._width = 0

    @property
    def lines(self) -> list[str]:
        """The text of every shown line (tests read this)."""
        return [entry_line(e).plain for e in self.book.shown()]

    def update_alerts(self) -> None:
        """New entries, an acknowledgement or a filter change: redraw."""
        shown = self.book.shown()
        self.virtual_size = Size(self.size.width, len(shown))
        self._cache.clear()
        if self.cursor < 0 or self.cursor >= len(shown):
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    @property
    def cursor_entry(self) -> AlertLine | None:
        shown = self.book.shown()
        if not shown:
            return None
        i = self.cursor if 0 <= self.cursor < len(shown) else len(shown) - 1
        return shown[i]

    def action_cursor(self, delta: int) -> None:
        shown = self.book.shown()
        if not shown:
            return
        i = self.cursor if 0 <= self.cursor < len(shown) else len(shown) - 1
        i = max(0, min(len(shown) - 1, i + delta))
        self._move(i, len(shown))

    def action_cursor_to(self, index: int) -> None:
        n = len(self.book.shown())
        if n:
            self._move(index % n, n)

    def _move(self, i: int, n: int) -> None:
        self.cursor = -1 if i == n - 1 else i
        top, body = round(self.scroll_y), max(1, self.size.height)
        if i < top:
            self.scroll_to(y=i, animate=False, immediate=True)
        elif i >= top + body:
            self.scroll_to(y=i - body + 1, animate=False, immediate=True)
        self.refresh()

    def action_select(self) -> None:
        entry = self.cursor_entry
        if entry is not None and entry.alert.unit_id:
            self.post_message(self.UnitChosen(entry.alert.unit_id))

    @guarded()
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        n = len(self.book.shown())
        if offset is not None and 0 <= round(self.scroll_y) + offset.y < n:
            self._move(round(self.scroll_y) + offset.y, n)

    @guarded(lambda self, y: Strip.blank(self.size.width))
    def render_line(self, y: int) -> Strip:
        shown = self.book.shown()
        i = round(self.scroll_y) + y
        width = self.size.width
        if width != self._width:
            self._width = width
            self._cache.clear()
        if i >= len(shown):
            return Strip.blank(width, self.rich_style)
        entry = shown[i]
        cursor = entry is self.cursor_entry and self.has_focus
        key = (entry.seq, entry.seen)
        if not cursor and key in self._cache:
            return self._cache[key]
        text = Text(UNSEEN + " " if entry.attention else "  ", "bold yellow")
        text.append_text(entry_line(entry))
        if entry.seen:
            text.stylize("dim", 2)
        base = self.rich_style
        if cursor:
            base = base + self.get_component_rich_style("alerts-log--cursor")
        text.style = base
        text.truncate(width)
        strip = Strip(list(text.render(self.app.console)), text.cell_len)
        strip = strip.extend_cell_length(width, base)
        if not cursor:
            self._cache[key] = strip
        return strip

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

