"""The schedules screen (``S``): every patrol schedule with its next run, its state and its
last run; pause or resume it, skip its next run, run it now, or send a replacement to
finish what an operator's hand-over left. Read from the executor once a second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from fleet.planning.errors import PlanningError
from fleet.planning.runs import ScheduleStatus
from tui import schedule_rows as rows
from tui.guard import guarded
from tui.screens.question import QuestionScreen
from tui.service_api import ScheduleService

#: what the palette may ask the screen to do to a schedule as it opens
ACTIONS = ("pause", "resume", "skip", "unskip", "run_now", "replace")


class ScheduleScreen(ModalScreen[None]):
    """``select`` puts the cursor on a schedule; ``then`` runs one of :data:`ACTIONS` on it."""

    DEFAULT_CSS = """
    ScheduleScreen { align: center middle; }
    #schedules { width: 96%; height: 92%; border: round $primary; background: $surface;
                 border-title-align: left; }
    #schedule-table { height: 1fr; min-height: 4; }
    #schedule-detail { height: auto; max-height: 14; padding: 0 1;
                       border-top: solid $primary; }
    #schedules .hint { color: $text-muted; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "toggle_pause", "Pause/resume",
                tooltip="Pause the schedule (no run starts until resumed), or resume it"),
        Binding("k", "toggle_skip", "Skip next",
                tooltip="Skip the schedule's next run, or run it after all"),
        Binding("n", "act('run_now')", "Run now",
                tooltip="Run now: start a run of the schedule at once (confirmed)"),
        Binding("r", "act('replace')", "Replace",
                tooltip="Replace: send a unit to finish what a hand-over left (confirmed)"),
        Binding("escape,S,q", "close", "Back", tooltip="Back to the main screen"),
    ]
    REFRESH_S = 1.0

    def __init__(self, schedules: ScheduleService, callsign: Callable[[str], str],
                 operator: str, *, select: str = "", then: str = "") -> None:
        super().__init__()
        self.schedules = schedules
        self.callsign = callsign
        self.operator = operator
        self._select = select
        self._then = then
        self.statuses: list[ScheduleStatus] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="schedules") as box:
            box.border_title = "Schedules (city time, UTC+8)"
            yield Label("p pause/resume · k skip next · n run now · r replace a handed-over "
                        "unit · esc back", classes="hint")
            yield DataTable(id="schedule-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="schedule-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for title in rows.COLUMNS:
            table.add_column(title, key=title)
        self.refresh_rows()
        if self._select:
            self._move_to(self._select)
        table.focus()
        self.set_interval(self.REFRESH_S, self.refresh_rows)
        if self._then in ACTIONS:
            self.call_after_refresh(self.act, self._then)

    # -- the view --------------------------------------------------------------------
    @property
    def selected(self) -> ScheduleStatus | None:
        table = self.query_one(DataTable)
        if not self.statuses or not 0 <= table.cursor_row < len(self.statuses):
            return None
        return self.statuses[table.cursor_row]

    @guarded()
    def refresh_rows(self) -> None:
        """Read every schedule's state and redraw; the cursor stays on its schedule."""
        table = self.query_one(DataTable)
        keep = self.selected.id if self.selected is not None else self._select
        self.statuses = self.schedules.status()
        table.clear()
        for s in self.statuses:
            table.add_row(*(Text(c.text, c.style) for c in rows.row(s, self.callsign)),
                          key=s.id)
        self._move_to(keep)
        self._show_detail()

    def _move_to(self, schedule_id: str) -> None:
        index = next((k for k, s in enumerate(self.statuses) if s.id == schedule_id), None)
        if index is not None:
            self.query_one(DataTable).move_cursor(row=index)

    def _show_detail(self) -> None:
        lines = rows.detail(self.selected, self.callsign)
        self.query_one("#schedule-detail", Static).update(Text("\n".join(lines)))

    @on(DataTable.RowHighlighted)
    @guarded()
    def _highlighted(self) -> None:
        self._show_detail()

    # -- actions -----------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss(None)

    @guarded()
    def action_toggle_pause(self) -> None:
        s = self.selected
        if s is not None:
            self.act("resume" if s.paused else "pause")

    @guarded()
    def action_toggle_skip(self) -> None:
        s = self.selected
        if s is not None:
            self.act("unskip" if s.skipping is not None else "skip")

    @guarded()
    def action_act(self, name: str) -> None:
        self.act(name)

    def act(self, name: str) -> None:
        """One of :data:`ACTIONS` on the selected schedule; a refusal is a notice."""
        s = self.selected
        if s is None:
            self.notify("No schedule selected.", severity="warning")
            return
        sx, by = self.schedules, self.operator
        try:
            if name == "pause":
                if sx.pause(s.id, by=by):
                    self.notify(f"{s.name}: paused; no run starts until resumed (p).")
            elif name == "resume":
                if sx.resume(s.id, by=by):
                    self.notify(f"{s.name}: resumed.")
            elif name == "skip":
                at = sx.skip_next(s.id, by=by)
                self.notify(f"{s.name}: the run due {rows.when(at)} will be skipped "
                            "(k again runs it).")
            elif name == "unskip":
                if sx.unskip(s.id, by=by):
                    self.notify(f"{s.name}: the next run will run.")
            elif name == "run_now":
                self._confirm_run_now(s)
            elif name == "replace":
                self._confirm_replace(s)
        except PlanningError as err:
            self.notify(f"{s.name}: {err}", severity="error")
        self.refresh_rows()

    def _confirm_run_now(self, s: ScheduleStatus) -> None:
        lines = [f"Starts a run of patrol {s.patrol_id} at once, with the nearest available "
                 "units of the schedule's pool."]
        if s.running:
            lines.append("A run of it is already under way: "
                         + "; ".join(rows.units(r, self.callsign) for r in s.running) + ".")
        if s.blackout_now:
            lines.append(f"A blackout is in force ({s.blackout_now}): the run will be "
                         "recorded as skipped.")
        if s.paused:
            lines.append("The schedule is paused: this one run goes ahead all the same.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._do(lambda: self.schedules.start_now(s.id, by=self.operator),
                         f"{s.name}: run started.")

        self.app.push_screen(QuestionScreen(f"Run {s.name} now?", lines, "Run now"), answered)

    def _confirm_replace(self, s: ScheduleStatus) -> None:
        if not s.handed_over:
            self.notify(f"{s.name}: no handed-over run to finish.", severity="warning")
            return
        run_id = s.handed_over[-1]
        lines = [f"{run_id}: a unit was handed over to the operator before it finished.",
                 "Sends the nearest available unit of the pool to finish its part, from "
                 "where it stopped."]

        def answered(yes: bool | None) -> None:
            if yes:
                self._do(lambda: self.schedules.start_replacement(run_id, by=self.operator),
                         f"{s.name}: a replacement goes out for {run_id}.")

        self.app.push_screen(QuestionScreen(f"Replace in {run_id}?", lines, "Replace"),
                             answered)

    def _do(self, call: Callable[[], object], done: str) -> None:
        try:
            call()
        except PlanningError as err:
            self.notify(str(err), severity="error")
        else:
            self.notify(done)
        self.refresh_rows()
