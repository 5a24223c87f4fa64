"""One incident in full: where, the target and the clock, its times, every unit sent
(state, ETA, distance left, how its arrival was established), failures with the
proposed replacement, notes, review flags, and for a call not yet sent the
recommendation as the CLI explains it."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from fleet.dispatch.explain import duration
from fleet.dispatch.incident import Assignment, AssignmentStatus, Incident, IncidentStatus
from tui.cells import clock, label
from tui.desk_rows import (
    STATUS_STYLE,
    UNIT_STATE,
    UNIT_STATE_STYLE,
    clock_cell,
    mmss,
    needs_replacement,
    place,
)
from tui.desk_view import DeskView
from tui.guard import guarded
from tui.model import ConsoleModel
from tui.screens.recommendation import explanation_text

KEYS_HINT = "s send · u choose units · r replace · c clear · C close · K cancel · N note"


def metres(m: float | None) -> str:
    if m is None:
        return ""
    return f"{m / 1000:.1f} km" if m >= 1000 else f"{m:.0f} m"


class IncidentDetail(Widget):
    """Shows :attr:`incident_id`; refreshed on its changes and once a second."""

    def __init__(self, model: ConsoleModel, view: DeskView, wall: Callable[[], float],
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.view = view
        self.wall = wall
        self.incident_id: str | None = None

    def show(self, incident_id: str | None) -> None:
        if incident_id != self.incident_id:
            self.incident_id = incident_id
            self.refresh(layout=True)

    @guarded(lambda self: Text("(this incident cannot be shown: see the log)", "red"))
    def render(self) -> RenderableType:
        inc = self.model.incidents.get(self.incident_id)
        if inc is None:
            status = self.view.status_line()
            return Text(status or "No incident selected. n takes a call; the list above "
                        "shows the open ones.", "bold red" if status else "dim")
        now = self.wall()
        parts: list[RenderableType] = [self._title(inc, now), self._where(inc),
                                       self._times(inc)]
        if inc.assignments:
            parts.append(self._units(inc, now))
        parts += self._replacement(inc)
        if inc.notes:
            parts.append(Text("notes", "bold"))
            parts += [Text(f"  {n}") for n in inc.notes]
        parts += [Text(f"review: {m}", "yellow") for m in self.view.stale(inc)]
        if inc.disposition:
            parts.append(Text.assemble(("disposition: ", "dim"), inc.disposition))
        if inc.cancel_reason:
            parts.append(Text.assemble(("cancelled: ", "dim"), inc.cancel_reason))
        if inc.status is IncidentStatus.RECEIVED:
            parts.append(Text("recommended now (s sends it, u chooses units):", "bold"))
            parts.append(explanation_text(self.view.recommendation(inc.id)))
        parts.append(Text(KEYS_HINT, "dim"))
        return Group(*parts)

    def _title(self, inc: Incident, now: float) -> Text:
        cat = self.view.categories.get(inc.category)
        name = f" ({cat.name})" if cat is not None and cat.name != inc.category else ""
        c = clock_cell(inc, now)
        return Text.assemble((inc.id, "bold"), f"  {inc.category}{name}  ",
                             (f"P{inc.priority}", "bold red" if inc.priority == 1 else ""),
                             "  ", (label(inc.status).upper(), STATUS_STYLE.get(inc.status, "")),
                             "  clock ", (c.text, c.style))

    def _where(self, inc: Incident) -> Text:
        site = f"{place(inc)} · " if inc.key_site_name else ""
        why = f"key site {inc.key_site_name}" if inc.key_site_name else (
            inc.placement_note or f"zone {inc.zone_name}")
        return Text.assemble(("at ", "dim"), f"{site}{inc.zone_name} · ",
                             f"{inc.lat:.5f}, {inc.lon:.5f}",
                             ("  target ", "dim"), f"{duration(inc.target_s)} ({why})")

    def _times(self, inc: Incident) -> Text:
        line = Text.assemble(("source ", "dim"), inc.source)
        if inc.ref:
            line.append_text(Text.assemble(("  ref ", "dim"), inc.ref))
        line.append_text(Text.assemble(("  received ", "dim"), clock(inc.received_at)))
        for name in ("dispatched", "en_route", "on_scene", "cleared", "closed", "cancelled"):
            t = getattr(inc, f"{name}_at")
            if t is not None:
                line.append(f"  {name.replace('_', ' ')} ", "dim")
                line.append(f"+{mmss(t - inc.received_at)}")
        return line

    def _units(self, inc: Incident, now: float) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for a in inc.assignments:
            state = Text(UNIT_STATE.get(a.status, a.status.value),
                         UNIT_STATE_STYLE.get(a.status, ""))
            if a.lost_at is not None:
                state = Text(f"{state.plain} LOST", "bold white on red")
            table.add_row(Text(f"  {self.model.callsign(a.unit_id)}", "bold"), state,
                          self._unit_detail(inc, a, now))
        return table

    def _unit_detail(self, inc: Incident, a: Assignment, now: float) -> Text:
        if a.status is AssignmentStatus.ON_SCENE:
            assert a.on_scene_at is not None
            out = Text(f"+{mmss(a.on_scene_at - inc.received_at)} after the call")
            if a.arrived_by:
                out.append(f" · by {a.arrived_by}")
            if a.arrival_distance_m is not None:
                out.append(f", {metres(a.arrival_distance_m)} from the call")
            if a.beyond_radius:
                out.append(" · BEYOND THE ARRIVAL RADIUS", "bold red")
            return out
        if a.status.active:
            out = Text()
            if a.eta_s is not None:
                left = a.assigned_at + a.eta_s - now
                out.append(f"ETA {mmss(left)}" if left >= 0 else f"{mmss(-left)} past its ETA",
                           "" if left >= 0 else "yellow")
            away = self.view.distance(a.unit_id, inc.lat, inc.lon)
            if away is not None:
                out.append(f"{' · ' if out else ''}{metres(away)} away")
            if a.lost_at is not None:
                out.append(f" · no telemetry since {clock(a.lost_at)}", "red")
            return out
        if a.status is AssignmentStatus.REASSIGNED:
            to = self.model.callsign(a.replaced_by) if a.replaced_by else "?"
            return Text(f"replaced by {to}" + (f" ({a.reason})" if a.reason else ""), "dim")
        return Text(a.reason, "red" if a.status is AssignmentStatus.FAILED else "dim")

    def _replacement(self, inc: Incident) -> list[Text]:
        if not needs_replacement(inc):
            return []
        proposal = self.view.proposal(inc.id)
        first = proposal.chosen[0] if proposal is not None and proposal.chosen else None
        if first is None:
            return [Text("replacement: none proposed; r sends the next unit in the ranking",
                         "yellow")]
        return [Text.assemble(("proposed replacement: ", "bold yellow"),
                              f"{first.callsign} ({first.kind.value}), ETA "
                              f"{duration(first.eta_s)}", ("  r sends it", "bold"))]
