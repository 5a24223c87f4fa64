"""The schedules screen as data: one row per patrol schedule and the selected one's detail.

Pure (no Textual). Times are the city's (Asia/Shanghai), as the schedules are written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from fleet.planning.local_time import local
from fleet.planning.runs import HANDED_OVER, RunRecord, ScheduleStatus
from tui.cells import MISSING
from tui.table_rows import Cell

Callsign = Callable[[str], str]

COLUMNS: tuple[str, ...] = ("schedule", "patrol", "next run", "state", "last run")
STATE_STYLE = {"running": "bold cyan", "paused": "yellow", "blackout": "magenta",
               "disabled": "dim", "idle": "", HANDED_OVER: "bold yellow"}
RUN_STYLE = {"completed": "green", "failed": "bold red", "skipped": "dim",
             HANDED_OVER: "yellow", "running": "cyan"}


def when(at: dt.datetime | float | None) -> str:
    """``Mon 20:30`` in city time."""
    if at is None:
        return MISSING
    moment = local(at) if isinstance(at, float | int) else at
    return f"{moment:%a %H:%M}"


def units(run: RunRecord, callsign: Callsign, *, running_only: bool = False) -> str:
    legs = [leg for leg in run.legs if not running_only or leg.outcome == "running"]
    return ", ".join(dict.fromkeys(callsign(leg.unit_id) for leg in legs)) or "picking units"


def state(s: ScheduleStatus, callsign: Callsign) -> tuple[str, str]:
    """(what the state cell says, its style key). Running wins: it is what is in the air."""
    if s.running:
        return "running: " + "; ".join(units(r, callsign, running_only=True)
                                       for r in s.running), "running"
    if not s.enabled:
        return "disabled (config)", "disabled"
    if s.paused:
        return "paused", "paused"
    if s.blackout_now:
        return f"blackout {s.blackout_now.split(':')[0]}", "blackout"
    if s.handed_over:
        return f"{HANDED_OVER}: {', '.join(s.handed_over)}", HANDED_OVER
    return "idle", "idle"


def next_run(s: ScheduleStatus) -> str:
    if s.next_at is None:
        return MISSING
    text = when(s.next_at)
    if s.skipping == s.next_at:
        return f"{text} (skip)"
    if s.next_blackout:
        return f"{text} (blackout)"
    if s.paused:
        return f"{text} (paused)"
    return text


def last_run(run: RunRecord | None) -> Cell:
    if run is None:
        return Cell(MISSING, "dim")
    return Cell(f"{run.state} {when(run.due)}", RUN_STYLE.get(run.state, ""))


def row(s: ScheduleStatus, callsign: Callsign) -> list[Cell]:
    text, key = state(s, callsign)
    return [Cell(s.name if s.name == s.id else f"{s.name} ({s.id})", "bold"),
            Cell(s.patrol_id), Cell(next_run(s)), Cell(text, STATE_STYLE.get(key, "")),
            last_run(s.last)]


def leg_line(run: RunRecord, callsign: Callsign) -> list[str]:
    out = []
    for leg in run.legs:
        why = f" ({leg.reason})" if leg.reason else ""
        crew = f" crew {leg.crew}" if leg.crew else ""
        out.append(f"    {callsign(leg.unit_id)}{crew}: {leg.outcome}{why}")
    return out


def detail(s: ScheduleStatus | None, callsign: Callsign) -> list[str]:
    """The selected schedule in full: window, next run, runs under way with their legs,
    runs awaiting a replacement, the last run."""
    if s is None:
        return ["No patrol schedule in the config."]
    lines = [f"{s.name} ({s.id}): patrol {s.patrol_id}, {s.window}"
             + ("" if s.enabled else ", disabled in the config")]
    nxt = f"next run: {next_run(s)}"
    if s.skipping is not None and s.skipping != s.next_at:
        nxt += f"; the run due {when(s.skipping)} will be skipped"
    lines.append(nxt)
    if s.paused:
        lines.append("paused: no run starts until resumed (p); runs under way go on")
    if s.blackout_now:
        lines.append(f"blackout now: {s.blackout_now}")
    for run in s.running:
        resumes = f", replacing {run.resumes}" if run.resumes else ""
        lines.append(f"running {run.run_id} (due {when(run.due)}{resumes}):")
        lines += leg_line(run, callsign)
    for run_id in s.handed_over:
        lines.append(f"{run_id}: handed over to the operator; r sends a replacement to "
                     "finish it")
    if s.last is not None:
        why = f": {s.last.reason}" if s.last.reason else ""
        lines.append(f"last: {s.last.run_id} due {when(s.last.due)} {s.last.state}{why}")
        lines += leg_line(s.last, callsign)
    return lines


def find(statuses: Sequence[ScheduleStatus], schedule_id: str | None) -> ScheduleStatus | None:
    return next((s for s in statuses if s.id == schedule_id), None)
