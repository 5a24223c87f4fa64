"""The header: fleet name, units per status, link health and the clock, on two lines.

The app sets the reactive attributes; the bar only redraws when one of them changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from fleet.events import ConnectionState
from fleet.model import UnitStatus
from tui.widgets.cells import CONNECTION_STYLE, STATUS_STYLE, label

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


def summarize_counts(counts: Mapping[UnitStatus, int], not_heard: int = 0) -> dict[str, int]:
    """Header counts from the core's per-status counts.

    The core counts never-heard units as LOST; they are shown apart as "not heard" so
    "lost" means units that went silent.
    """
    out = {name: sum(int(counts.get(s, 0)) for s in statuses) for name, statuses in COUNT_GROUPS}
    not_heard = max(0, min(not_heard, out["lost"]))
    out["lost"] -= not_heard
    out["not heard"] = not_heard
    return out


class HeaderBar(Widget):
    """Two lines of fleet-wide state; see the module docstring."""

    fleet_name: reactive[str] = reactive("")
    counts: reactive[dict[str, int]] = reactive(dict)
    links: reactive[tuple[tuple[str, ConnectionState], ...]] = reactive(tuple)
    clock: reactive[str] = reactive("")

    def set_links(self, links: Iterable[tuple[str, ConnectionState]]) -> None:
        self.links = tuple(links)

    def render(self) -> Text:
        top = Text.assemble((self.fleet_name or "fleet", "bold"), "  ")
        for name, n in self.counts.items():
            style = _GROUP_STYLE.get(name, "dim") if n else "dim"
            top.append(f"{name} ", "dim" if not n else "")
            top.append(f"{n}", style)
            top.append("  ")
        top.append(self.clock, "bold")
        bottom = Text("links: ", "dim")
        if not self.links:
            bottom.append("none configured", "dim")
        for name, state in self.links:
            bottom.append(f"{name} ", "")
            bottom.append(f"● {label(state)}", CONNECTION_STYLE.get(state, ""))
            bottom.append("  ")
        return Text("\n").join((top, bottom))
