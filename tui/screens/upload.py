"""Missions going up, one line per aircraft, until each is verified or fails; esc cancels
what has not finished.

The uploads run in this screen's workers (``run`` does one: the flow's send), so
cancelling one is cancelling its worker, which cancels the send and releases the link's
mission lock. The link reports progress from its own task, possibly from another
thread; every report is handed to the screen's loop with ``call_soon_threadsafe``, so
the rows are only ever touched there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.upload_rows import Phase, UploadRow, bar

Progress = Callable[[int, int], None]
_STYLE = {Phase.VERIFIED: "green", Phase.FAILED: "bold red", Phase.CANCELLED: "yellow",
          Phase.WAITING: "dim"}


class UploadScreen(ModalScreen[list[UploadRow]]):
    """Dismisses with the rows (their outcome) once closed after every upload ended."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel / close"),
        Binding("enter", "close", "Close", show=False),
    ]

    def __init__(self, title: str, rows: Sequence[UploadRow],
                 run: Callable[[UploadRow, Progress], Awaitable[None]],
                 on_change: Callable[[UploadRow], None] = lambda row: None) -> None:
        super().__init__()
        self.title_text = title
        self.rows = list(rows)
        self.run = run
        self.on_change = on_change
        self._ended: set[str] = set()  # rows whose final state was reported
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def finished(self) -> bool:
        return all(row.finished for row in self.rows)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self._text(), id="uploads")
            yield Label(self._hint(), id="hint")

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        for row in self.rows:
            self.run_worker(self._one(row), group="uploads", exit_on_error=False)

    async def _one(self, row: UploadRow) -> None:
        loop = self._loop
        assert loop is not None

        def progress(done: int, total: int) -> None:  # the link's task, or any thread
            loop.call_soon_threadsafe(self._progress, row, done, total)

        row.start()
        self._changed(row)
        try:
            await self.run(row, progress)
        except asyncio.CancelledError:
            row.cancelled()
            raise
        finally:
            self._changed(row)

    def _progress(self, row: UploadRow, done: int, total: int) -> None:
        row.progress(done, total)
        self._changed(row)

    def _changed(self, row: UploadRow) -> None:
        if row.finished:
            if row.unit_id in self._ended:
                return
            self._ended.add(row.unit_id)
        self.on_change(row)
        if self.is_attached:
            self.query_one("#uploads", Static).update(self._text())
            self.query_one("#hint", Label).update(self._hint())

    def _text(self) -> Text:
        text = Text()
        width = max((len(r.callsign) for r in self.rows), default=0)
        for row in self.rows:
            text.append(f"{row.callsign:<{width}}  ", "bold")
            text.append(bar(row), "cyan")
            text.append(f"  {row.status()}\n", _STYLE.get(row.phase, ""))
        return text

    def _hint(self) -> str:
        if self.finished:
            ok = sum(r.phase is Phase.VERIFIED for r in self.rows)
            return f"Done: {ok} of {len(self.rows)} verified. enter or esc closes."
        return "esc cancels the uploads that have not finished"

    def action_cancel(self) -> None:
        """Cancel the uploads still running; once everything has ended, close."""
        if self.finished:
            self.dismiss(self.rows)
            return
        self.workers.cancel_group(self, "uploads")
        for row in self.rows:  # a worker cancelled before it ran never says so itself
            if not row.finished:
                row.cancelled()
                self._changed(row)

    def action_close(self) -> None:
        if self.finished:
            self.dismiss(self.rows)
