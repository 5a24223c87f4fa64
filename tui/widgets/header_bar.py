"""The header: clock, open and late incidents, alerts needing attention, units per status
and per kind, link and broker health. A line too long for the terminal is cut, never
wrapped.

The app sets the reactive attributes on its refresh tick; the bar redraws only when one
of them changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from fleet.counters import ACTIVITY
from fleet.events import ConnectionState, UnitSnapshot
from fleet.model import KINDS, LinkState
from tui.cells import CONNECTION_STYLE, label
from tui.duty_words import GROUP_STYLE, count_groups, duty_label
from tui.guard import guarded
from tui.table_rows import KIND_SHORT

NOT_HEARD = "not heard"


def summarize_counts(units: Iterable[UnitSnapshot]) -> dict[str, int]:
    """Units per header group by what they do (:mod:`tui.duty_words`); never-heard
    units are "not heard", not "lost"."""
    return count_groups([duty_label(s) for s in units])


def summarize_kinds(units: Iterable[UnitSnapshot]) -> dict[str, tuple[int, int]]:
    """Kind label -> (units, of which lost), in the model's kind order."""
    lost = LinkState.LOST
    tally = Counter((s.unit.kind, s.link_state is lost) for s in units)
    return {KIND_SHORT[k]: (tally[(k, False)] + tally[(k, True)], tally[(k, True)])
            for k in KINDS if tally[(k, False)] or tally[(k, True)]}


class HeaderBar(Widget):
    """Three lines of fleet-wide state; see the module docstring."""

    fleet_name: reactive[str] = reactive("")
    counts: reactive[dict[str, int]] = reactive(dict)
    kinds: reactive[dict[str, tuple[int, int]]] = reactive(dict)
    links: reactive[tuple[tuple[str, ConnectionState, str], ...]] = reactive(tuple)
    unseen: reactive[int] = reactive(0)
    #: link name -> ((reason, count), ...), most first
    refused: reactive[dict[str, tuple[tuple[str, int], ...]]] = reactive(dict)
    clock: reactive[str] = reactive("")
    #: (open, late, dispatch available); None: the console has no dispatch centre
    incidents: reactive[tuple[int, int, bool] | None] = reactive(None)

    def set_units(self, units: Iterable[UnitSnapshot]) -> None:
        units = list(units)
        self.counts = summarize_counts(units)
        self.kinds = summarize_kinds(units)

    def set_links(self, links: Iterable[tuple[str, ConnectionState, str]]) -> None:
        self.links = tuple(links)

    def set_counters(self, counters: Mapping[str, Mapping[str, int]]) -> None:
        """The core's counters (fleet.counters): each link's refusals, by reason."""
        self.refused = {
            name: tuple(sorted(((k, v) for k, v in c.items() if k not in ACTIVITY and v),
                               key=lambda kv: -kv[1]))
            for name, c in counters.items()}

    @guarded(lambda self: Text("(header cannot be shown: see the log)", "red"))
    def render(self) -> Text:
        lines = (self._status_line(), self._kinds_line(), self._links_line())
        width = max(1, self.content_region.width)
        for line in lines:  # a narrow terminal cuts a line, never wraps it into the next
            line.truncate(width, overflow="ellipsis")
        return Text("\n").join(lines)

    def _incidents_part(self) -> Text:
        if self.incidents is None:
            return Text()
        n, late, available = self.incidents
        if not available:
            return Text.assemble(("dispatch unavailable", "bold red"), "  ")
        part = Text.assemble(("incidents ", "" if n else "dim"), (f"{n}", "bold" if n else
                                                                  "dim"))
        if late:
            part.append(" · ")
            part.append(f"{late} late", "bold white on red")
        part.append("  ")
        return part

    def _status_line(self) -> Text:
        top = Text.assemble((self.fleet_name or "fleet", "bold"), "  ", (self.clock, "bold"),
                            "  ")
        top.append_text(self._incidents_part())
        if self.unseen:  # the alert book's attention count: WARNING or worse, not acked
            top.append(f"{self.unseen} need{'s' if self.unseen == 1 else ''} attention",
                       "bold yellow")
            top.append("  ")
        for name, n in self.counts.items():
            style = (GROUP_STYLE.get(name, "") if n else "dim")
            if name == "lost" and n:
                style = "bold white on red"
            top.append(f"{name} ", "dim" if not n else "")
            top.append(f"{n}", style)
            top.append("  ")
        return top

    def _kinds_line(self) -> Text:
        line = Text("units: ", "dim")
        for kind, (n, lost) in self.kinds.items():
            line.append(f"{kind} {n}")
            if lost:
                line.append(f" ({lost} lost)", "bold red")
            line.append("  ")
        return line

    def _links_line(self) -> Text:
        line = Text("links: ", "dim")
        if not self.links:
            line.append("none configured", "dim")
        for name, state, detail in self.links:
            line.append("broker " if name == "mqtt" else "", "bold")
            line.append(f"{name} ")
            line.append(f"● {label(state)}", CONNECTION_STYLE.get(state, ""))
            if detail and state is not ConnectionState.CONNECTED:
                line.append(f" ({detail})", "dim")
            refused = self.refused.get(name)
            if refused:  # counted since its first alert: by reason, most first
                reasons = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in refused)
                line.append(f" refused: {reasons}", "yellow")
            line.append("  ")
        return line


def link_rows(links: Iterable[object]) -> list[tuple[str, ConnectionState, str]]:
    """(name, state, detail) of the service's LinkStatus values."""
    return [(str(getattr(ls, "name", "?")), getattr(ls, "state", ConnectionState.UNAVAILABLE),
             str(getattr(ls, "detail", ""))) for ls in links]
