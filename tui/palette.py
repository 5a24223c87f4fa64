"""The command palette (ctrl+p): every command, filter, sort and view action by name.

Each entry calls the same screen action a key would, so the palette and the keys never
disagree about what a command does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from fleet.model import KINDS, UnitStatus
from tui.alert_book import LEVELS
from tui.command_plans import SPECS
from tui.desk_rows import place
from tui.schedule_rows import when
from tui.table_rows import COLUMNS, KIND_SHORT

#: (palette title, key, DeskFlow action, help) of the actions on the selected incident
DESK_ENTRIES: tuple[tuple[str, str, str, str], ...] = (
    ("Dispatch recommendation to the incident", "s", "send",
     "the recommendation explained; y dispatches it"),
    ("Dispatch: choose the units to send", "u", "choose_units", "space marks, y sends"),
    ("Accept the proposed replacement for a failed or lost unit", "r", "replace", ""),
    ("Clear incident with a disposition", "c", "clear", "its units are released"),
    ("Close incident", "C", "close", "after clear"),
    ("Cancel incident", "K", "cancel", "with a reason; its units are released"),
    ("Add a note to the incident", "N", "note", ""),
)


class FleetCommands(Provider):
    def _entries(self) -> list[tuple[str, Callable[[], object], str]]:
        from tui.screens.main import MainScreen

        screen = next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)
        if screen is None:
            return []
        run = screen.run_action
        out: list[tuple[str, Callable[[], object], str]] = [
            (f"{spec.title} ({spec.key})", partial(run, f"command('{spec.name}')"), spec.help)
            for spec in SPECS
        ]
        out += [
            ("Fit all units on the map (0)", partial(run, "fit_all"), ""),
            ("Follow the selected unit on the map (f)", partial(run, "follow"), ""),
            ("Zoom the map in (+)", partial(run, "zoom(1.5)"), ""),
            ("Zoom the map out (-)", partial(run, "zoom(0.6666667)"), ""),
            ("Mark every shown unit (M)", partial(run, "mark_all"), ""),
            ("Acknowledge all alerts (X)", partial(run, "ack_all"), ""),
            ("Clear the filter", partial(screen.set_filter, ""), ""),
        ]
        out += [(f"Sort by {c.title}", partial(screen.sort_by, c.key), "") for c in COLUMNS]
        out += [(f"Filter: only {KIND_SHORT[k]}s", partial(screen.set_filter,
                 f"kind:{k.value}"), "") for k in KINDS]
        out += [(f"Filter: status {s.value.replace('_', ' ')}",
                 partial(screen.set_filter, f"status:{s.value}"), "") for s in UnitStatus]
        groups = sorted({str(s.unit.group) for s in screen.model.units.values()
                         if s.unit.group})
        out += [(f"Filter: group {g}", partial(screen.set_filter, f"group:{g}"), "")
                for g in groups]
        out += [(f"Alerts: show {label}", partial(screen.set_alert_level, i), "")
                for i, (label, _) in enumerate(LEVELS)]
        if screen.desk_view.configured:
            out += self._desk_entries(screen)
        out += self._schedule_entries(screen)
        return out

    def _schedule_entries(self, screen: Any) -> list[tuple[str, Callable[[], object], str]]:
        """The schedules screen, and each schedule's actions (each opens the screen on it)."""
        schedules = getattr(screen.flow.service, "schedules", None)
        if schedules is None:
            return []
        run = screen.run_action
        out: list[tuple[str, Callable[[], object], str]] = [
            ("Schedules: next runs, pause, skip, run now (S)", partial(run, "schedules"), "")]
        for s in schedules.status():

            def act(then: str, sid: str = s.id) -> Callable[[], object]:
                return partial(run, f"schedules({sid!r}, {then!r})")

            out.append((f"Schedule {s.id}: resume" if s.paused else f"Schedule {s.id}: pause",
                        act("resume" if s.paused else "pause"),
                        "" if s.paused else "no run starts until resumed"))
            if s.skipping is not None:
                out.append((f"Schedule {s.id}: run the skipped run ({when(s.skipping)})",
                            act("unskip"), ""))
            else:
                out.append((f"Schedule {s.id}: skip the next run", act("skip"), ""))
            out.append((f"Schedule {s.id}: run now", act("run_now"), "confirmed"))
            out += [(f"Schedule {s.id}: replace the unit handed over in {run_id}",
                     act("replace"), "confirmed") for run_id in s.handed_over[-1:]]
        return out

    def _desk_entries(self, screen: Any) -> list[tuple[str, Callable[[], object], str]]:
        """The incident desk's actions (on the incident under the desk's cursor), and
        each listed incident by id to jump to it."""
        act = screen.desk_action
        out: list[tuple[str, Callable[[], object], str]] = [
            ("New incident: take a call (n)", partial(screen.run_action, "new_call"),
             "location, category, priority, notes, caller ref; then the recommendation"),
            ("Incidents: show the incident desk (i)", partial(screen.show_desk, True), ""),
            ("Units: show the units table (i)", partial(screen.show_desk, False), ""),
        ]
        out += [(f"{title} ({key})", partial(act, name), help_text)
                for title, key, name, help_text in DESK_ENTRIES]
        now = screen.desk_view.wall()
        out += [(f"Incident {inc.id}: {inc.category} at {place(inc)} ({inc.status.value})",
                 partial(screen.show_incident, inc.id), "select it in the desk and on the map")
                for inc in screen.model.incidents.shown(now)]
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self._entries():
            yield DiscoveryHit(name, callback, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text or None)
