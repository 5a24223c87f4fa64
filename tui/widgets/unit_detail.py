"""The selected unit in full: the incident it is on, telemetry, readiness, battery trend,
last command, and its own log (every alert about it, the vehicle's chatter included)."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from fleet.events import UnitSnapshot
from fleet.model import Domain, GpsFix, LinkState
from tui.cells import (
    MISSING,
    SEVERITY_STYLE,
    age,
    clock,
    label,
    number,
    sparkline,
)
from tui.duty_words import duty_style, task_words
from tui.guard import guarded
from tui.home_words import KEY, home_words
from tui.model import ConsoleModel, Progress
from tui.table_rows import KIND_SHORT, status_label

RECENT = 4
PROGRESS_STYLE = {Progress.SENDING: "yellow", Progress.ACCEPTED: "green",
                  Progress.FAILED: "bold red", Progress.CANCELLED: "dim"}


def yes_no(value: object) -> Text:
    if value is None:
        return Text(MISSING, "dim")
    return Text("yes", "green") if value else Text("no", "yellow")


def detail_table(snap: UnitSnapshot, model: ConsoleModel, now_mono: float) -> Table:
    """Label/value pairs, two pairs a line, short labels so it fits beside the table."""
    tel = snap.telemetry
    grid = Table.grid(padding=(0, 1))
    for _ in range(2):
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(no_wrap=True, min_width=12)
    link = Text(label(snap.link_state),
                "bold red" if snap.link_state is LinkState.LOST else "")
    if snap.link_state is not LinkState.NEVER_SEEN:
        link.append(f" · {snap.link or MISSING} · {age(now_mono, snap.last_seen_mono)}")
    status = Text(status_label(snap), duty_style(snap))
    if snap.link_state is not LinkState.NEVER_SEEN and status_label(snap) != label(
            snap.duty_status):
        status.append(f" (duty {label(snap.duty_status)})", "dim")

    def field(name: str, fmt: str = ".0f") -> str:
        return number(getattr(tel, name, None), fmt)

    pos = f"{field('lat_deg', '.5f')}, {field('lon_deg', '.5f')}" if tel else MISSING
    alt = f"{field('relative_alt_m')} m ({field('alt_m')} AMSL)" if tel else MISSING
    gps = MISSING
    if tel is not None and (tel.gps_fix is not None or tel.satellites is not None):
        fix = GpsFix(tel.gps_fix).name.replace("_", " ") if tel.gps_fix is not None else MISSING
        gps = f"{fix} · {tel.satellites if tel.satellites is not None else MISSING} sats"
    mission = getattr(tel, "mission_seq", None)
    rows = [
        ("status", status, "link", link),
        ("mode", Text(str(getattr(tel, "mode", None) or MISSING)),
         "armed", yes_no(getattr(tel, "armed", None))),
        ("ready", yes_no(getattr(tel, "ready", None)), "gps", Text(gps)),
        ("pos", Text(pos), "alt", Text(alt)),
        ("speed", Text(f"{field('ground_speed_m_s', '.1f')} m/s"),
         "heading", Text(f"{field('heading_deg')}°")),
        ("battery", Text(f"{field('battery_pct')} % · {field('battery_v', '.1f')} V"),
         "mission", Text(f"item {mission}" if mission is not None else MISSING)),
    ]
    if snap.tasking is not None:
        rows.append(("task", Text(task_words(snap.tasking)), "", Text("")))
    for row in rows:
        grid.add_row(*row)
    return grid


def home_line(snap: UnitSnapshot) -> Text | None:
    """``home    at base Airport``, or in yellow ``1.2 km from base Airport`` and the key
    that puts it back; a dash for an aircraft that has not said; None for crewed units."""
    words = home_words(snap)
    if words is None and snap.unit.domain is not Domain.AIR:
        return None
    line = Text("home    ", "dim", no_wrap=True, overflow="ellipsis")
    if words is None:
        line.append(MISSING, "dim")
    elif words[1]:
        line.append(words[0], "bold yellow")
        line.append(f"  ({KEY}: home to base)", "dim")
    else:
        line.append(words[0])
    return line


def trend_line(model: ConsoleModel, unit_id: str) -> Text:
    values = model.trend(unit_id)
    line = Text("trend   ", "dim")
    if values:
        line.append(sparkline(values), "green")
        line.append(f"  last {len(values)} readings", "dim")
    else:
        line.append(MISSING, "dim")
    return line


def title_line(snap: UnitSnapshot, incident: str | None = None) -> Text:
    """Callsign, id, the incident it is on (if any), kind, group, base: one line."""
    unit = snap.unit
    base = unit.base.name if unit.base is not None else MISSING
    on = (f" · on {incident}", "bold yellow") if incident else ""
    return Text.assemble((str(unit.callsign or unit.id), "bold"), (f"  {unit.id}", "dim"), on,
                         f" · {KIND_SHORT.get(unit.kind, label(unit.kind))}",
                         f" · group {unit.group or MISSING}", (f" · base {base}", "dim"),
                         no_wrap=True, overflow="ellipsis")


class UnitDetail(Widget):
    """Shows :attr:`unit_id`; the app calls :meth:`update_unit` when it may have changed."""

    def __init__(self, model: ConsoleModel, monotonic: Callable[[], float], **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.monotonic = monotonic
        self.unit_id: str | None = None

    def show(self, unit_id: str | None) -> None:
        if unit_id != self.unit_id:
            self.unit_id = unit_id
            self.refresh()

    def update_unit(self, changed: set[str]) -> None:
        if self.unit_id in changed:
            self.refresh()

    @guarded(lambda self: Text("(this unit cannot be shown: see the log)", "red"))
    def render(self) -> Group | Text:
        snap = self.model.units.get(self.unit_id or "")
        if snap is None:
            return Text("No unit selected: move the table cursor or click a unit on the map.",
                        "dim")
        incident = self.model.incidents.owner(snap.id)  # the desk's, if it is on one
        parts: list[Table | Text] = [title_line(snap, incident.id if incident else None),
                                     detail_table(snap, self.model, self.monotonic())]
        if (home := home_line(snap)) is not None:
            parts.append(home)
        parts.append(trend_line(self.model, snap.id))
        last = self.model.last_command.get(snap.id)
        line = Text("command ", "dim", no_wrap=True, overflow="ellipsis")
        if last is None:
            line.append(MISSING, "dim")
        else:
            line.append(last.line(), PROGRESS_STYLE.get(last.progress, ""))
            line.append(f"  {clock(last.time)}", "dim")
        parts.append(line)
        for unit_line in self.model.alerts.unit_lines(snap.id, RECENT):
            alert = unit_line.alert
            recent = Text.assemble((clock(alert.time), "dim"), " ",
                                   (unit_line.text, SEVERITY_STYLE.get(alert.severity, "")))
            recent.no_wrap, recent.overflow = True, "ellipsis"
            parts.append(recent)
        return Group(*parts)
