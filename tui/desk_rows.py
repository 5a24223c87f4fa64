"""The incident list as data: its columns and what each cell says, in which colour.

Pure (no Textual). The clock cell is the heart of it: time since the call against the
response target, green, amber in the last 20 % of the target, red once it is missed;
once someone is on scene it stops at the response time, green if met, red if not.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from fleet.dispatch.incident import Assignment, AssignmentStatus, Incident, IncidentStatus
from fleet.dispatch.places import OUTSIDE_ZONE_ID
from tui.cells import MISSING, label
from tui.desk_book import ended_at
from tui.table_rows import Cell

AMBER_FROM = 0.8  # of the target: the clock turns amber
ON_TIME_STYLE = "bold green"
AMBER_STYLE = "bold #ffaf00"
MISSED_STYLE = "bold white on red"
MISSED_RESPONSE_STYLE = "bold red"
ENDED_STYLE = "dim"

STATUS_STYLE: dict[IncidentStatus, str] = {
    IncidentStatus.RECEIVED: "bold red",
    IncidentStatus.DISPATCHED: "yellow",
    IncidentStatus.EN_ROUTE: "bold yellow",
    IncidentStatus.ON_SCENE: "magenta",
    IncidentStatus.CLEARED: "green",
    IncidentStatus.CLOSED: ENDED_STYLE,
    IncidentStatus.CANCELLED: ENDED_STYLE,
}
UNIT_STATE: dict[AssignmentStatus, str] = {
    AssignmentStatus.ASSIGNED: "assigned", AssignmentStatus.ACKNOWLEDGED: "ack",
    AssignmentStatus.EN_ROUTE: "en route", AssignmentStatus.ON_SCENE: "on scene",
    AssignmentStatus.RELEASED: "released", AssignmentStatus.FAILED: "FAILED",
    AssignmentStatus.REASSIGNED: "replaced",
}
UNIT_STATE_STYLE: dict[AssignmentStatus, str] = {
    AssignmentStatus.ASSIGNED: "yellow", AssignmentStatus.ACKNOWLEDGED: "yellow",
    AssignmentStatus.EN_ROUTE: "bold yellow", AssignmentStatus.ON_SCENE: "magenta",
    AssignmentStatus.RELEASED: "dim", AssignmentStatus.FAILED: "bold red",
    AssignmentStatus.REASSIGNED: "dim",
}


class Column(NamedTuple):
    key: str
    title: str
    width: int


#: the most needed first, so a narrow screen still shows them; 94 columns in all with
#: the table's padding (the desk is 96 wide beside the map)
COLUMNS: tuple[Column, ...] = (
    Column("id", "Incident", 10), Column("priority", "P", 2),
    Column("clock", "Clock/tgt", 10), Column("status", "Status", 10),
    Column("units", "Units", 12), Column("flags", "Flags", 9),
    Column("place", "Place", 14), Column("category", "Category", 11),
)
ID_PREFIX = "INC-"  # every id has it: the list leaves it out


def short_id(incident_id: str) -> str:
    return incident_id.removeprefix(ID_PREFIX)


def mmss(seconds: float | None) -> str:
    """``0:42``, ``12:05``, ``1:02:03``; "—" for unknown."""
    if seconds is None or not math.isfinite(seconds):
        return MISSING
    s = max(0, int(seconds))
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def clock_cell(inc: Incident, now: float) -> Cell:
    """Time since the call against the target; the response time once someone arrived."""
    target = mmss(inc.target_s)
    response = inc.response_s
    if response is not None:
        met = response <= inc.target_s
        return Cell(f"{mmss(response)}/{target}", ON_TIME_STYLE if met
                    else MISSED_RESPONSE_STYLE)
    if not inc.status.open:
        return Cell(f"{MISSING}/{target}", ENDED_STYLE)
    elapsed = now - inc.received_at
    if elapsed > inc.target_s:
        style = MISSED_STYLE
    elif elapsed >= AMBER_FROM * inc.target_s:
        style = AMBER_STYLE
    else:
        style = ON_TIME_STYLE
    return Cell(f"{mmss(elapsed)}/{target}", style)


def units_summary(inc: Incident) -> str:
    """E.g. ``2/3 on scene``, ``1/2 en route``, ``3 assigned``, ``none sent``."""
    active = inc.active
    if not active:
        return "none sent" if not inc.assignments else "released"
    n = len(active)
    for status, word in ((AssignmentStatus.ON_SCENE, "on scene"),
                         (AssignmentStatus.EN_ROUTE, "en route"),
                         (AssignmentStatus.ACKNOWLEDGED, "ack")):
        k = sum(a.status is status for a in active)
        if k:
            return f"{k}/{n} {word}"
    return f"{n} assigned"


def place(inc: Incident) -> str:
    if inc.key_site_name:
        return inc.key_site_name
    return "outside zones" if inc.zone_id == OUTSIDE_ZONE_ID else inc.zone_name


def needs_replacement(inc: Incident) -> list[Assignment]:
    """Units that failed (and were not replaced yet) or are lost while assigned."""
    if not inc.status.open:
        return []
    latest = {a.unit_id: a for a in inc.assignments}  # a unit's latest assignment
    return [a for a in latest.values()
            if (a.status is AssignmentStatus.FAILED and a.replaced_by is None)
            or (a.status.active and a.lost_at is not None)]


def flags(inc: Incident, *, proposal: bool, stale: bool) -> Cell:
    words = []
    out = needs_replacement(inc)
    if any(a.status is AssignmentStatus.FAILED for a in out):
        words.append("failed")
    if any(a.lost_at is not None for a in out):
        words.append("lost")
    if out and proposal:
        words.append("r")
    if stale:
        words.append("stale")
    style = "bold red" if out else "yellow"
    return Cell(" ".join(words), style)


def incident_cells(inc: Incident, now: float, *, proposal: bool = False,
                   stale: bool = False) -> tuple[Cell, ...]:
    """One cell per :data:`COLUMNS` entry."""
    ended = ended_at(inc) is not None
    dim = ENDED_STYLE if ended else ""
    return (
        Cell(short_id(inc.id), "bold" if not ended else dim),
        Cell(f"P{inc.priority}", "bold red" if inc.priority == 1 and not ended else dim),
        clock_cell(inc, now),
        Cell(label(inc.status), STATUS_STYLE.get(inc.status, "")),
        Cell(units_summary(inc), dim),
        flags(inc, proposal=proposal, stale=stale),
        Cell(place(inc), dim),
        Cell(inc.category, dim),
    )
