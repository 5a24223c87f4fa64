"""The header: clock, open and late incidents, alerts needing attention, units per status
and per kind, link and broker health. A line too long for the terminal is cut, never
wrapped.

The app sets the reactive attributes on its refresh tick; the bar redraws only when one
of them changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from fleet.events import ConnectionState, UnitSnapshot
from fleet.model import KINDS, LinkState, UnitStatus
from tui.cells import CONNECTION_STYLE, STATUS_STYLE, label
from tui.guard import guarded
from tui.table_rows import KIND_SHORT

#: header label -> the statuses it sums, in display order
COUNT_GROUPS: tuple[tuple[str, tuple[UnitStatus, ...]], ...] = (
    ("available", (UnitStatus.AVAILABLE,)),
    ("patrolling", (UnitStatus.PATROLLING,)),
    ("en route", (UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE)),
    ("on scene", (UnitStatus.ON_SCENE,)),
    ("returning", (UnitStatus.RETURNING,)),
    ("out of service", (UnitStatus.OUT_OF_SERVICE,)),
    ("lost", (UnitStatus.LOST,)),
)
_GROUP_STYLE = {name: STATUS_STYLE[statuses[-1]] for name, statuses in COUNT_GROUPS}
NOT_HEARD = "not heard"


def summarize_counts(units: Iterable[UnitSnapshot]) -> dict[str, int]:
    """Units per header group; never-heard units are "not heard", not "lost"."""
    never = LinkState.NEVER_SEEN
    tally = Counter(None if s.link_state is never else s.status for s in units)
    out = {name: sum(tally[s] for s in statuses) for name, statuses in COUNT_GROUPS}
    out[NOT_HEARD] = tally[None]
    return out


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
    clock: reactive[str] = reactive("")
    #: (open, late, dispatch available); None: the console has no dispatch centre
    incidents: reactive[tuple[int, int, bool] | None] = reactive(None)

    def set_units(self, units: Iterable[UnitSnapshot]) -> None:
        units = list(units)
        self.counts = summarize_counts(units)
        self.kinds = summarize_kinds(units)

    def set_links(self, links: Iterable[tuple[str, ConnectionState, str]]) -> None:
        self.links = tuple(links)

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
            style = (_GROUP_STYLE.get(name, "") if n else "dim")
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
            line.append("  ")
        return line


def link_rows(links: Iterable[object]) -> list[tuple[str, ConnectionState, str]]:
    """(name, state, detail) of the service's LinkStatus values."""
    return [(str(getattr(ls, "name", "?")), getattr(ls, "state", ConnectionState.UNAVAILABLE),
             str(getattr(ls, "detail", ""))) for ls in links]
