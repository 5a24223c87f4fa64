"""The status the console shows: what a unit does, and whose intent it follows.

A unit on an incident shows its incident status (dispatched, en route, on scene): that is
what the dispatcher works from. Any other unit shows what it does, read from its reports
(:func:`fleet.activity.activity`): landed, holding, transit, on patrol, returning... so a
drone hovering for six minutes says "holding", not "available". Beside it, whose command
it follows: the operator's, a schedule's or the dispatcher's. Pure (no Textual).
"""

from __future__ import annotations

from fleet.activity import Activity, activity
from fleet.city_time import clock
from fleet.events import UnitSnapshot
from fleet.model import Domain, LinkState, UnitStatus
from fleet.tasking import Tasking
from tui.cells import STATUS_STYLE, label

NOT_HEARD = "not heard"

ACTIVITY_STYLE: dict[Activity, str] = {
    Activity.LANDED: "green",
    Activity.STOPPED: "green",
    Activity.MOVING: "cyan",
    Activity.ON_PATROL: "cyan",
    Activity.TAKING_OFF: "bold cyan",
    Activity.TRANSIT: "bold cyan",
    Activity.HOLDING: "bold cyan",
    Activity.OVERWATCH: "bold cyan",
    Activity.AIRBORNE: "bold cyan",
    Activity.LANDING: "blue",
    Activity.RETURNING: "blue",
}

#: sorting by status puts what needs attention first
DUTY_RANK: dict[str, int] = {
    "lost": 0, "en route": 1, "dispatched": 2, "on scene": 3, "airborne": 4, "holding": 5,
    "overwatch": 6, "transit": 7, "taking off": 8, "landing": 9, "returning": 10,
    "moving": 11, "on patrol": 12, "patrolling": 12, "stopped": 13, "landed": 13,
    "available": 14, "out of service": 15, NOT_HEARD: 16,
}

#: header label -> the shown statuses it sums, in display order
COUNT_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("on patrol", frozenset({"on patrol", "patrolling"})),
    ("en route", frozenset({"dispatched", "en route"})),
    ("on scene", frozenset({"on scene"})),
    ("flying", frozenset({"taking off", "transit", "holding", "overwatch", "airborne",
                          "landing"})),
    ("moving", frozenset({"moving"})),
    ("returning", frozenset({"returning"})),
    ("idle", frozenset({"landed", "stopped", "available"})),
    ("out of service", frozenset({"out of service"})),
    ("lost", frozenset({"lost"})),
)
GROUP_STYLE: dict[str, str] = {
    "on patrol": "cyan", "en route": "bold yellow", "on scene": "magenta",
    "flying": "bold cyan", "moving": "cyan", "returning": "blue", "idle": "green",
    "out of service": "dim", "lost": "bold red",
}

_ORIGIN_SHORT = {"operator": "op", "schedule": "sched", "dispatch": "disp"}


def shown_activity(snap: UnitSnapshot) -> Activity | None:
    """The activity the status column shows, or None when it shows a CAD status instead."""
    if snap.link_state is not LinkState.OK:
        return None
    status = snap.duty_status
    if status.committed or status is UnitStatus.OUT_OF_SERVICE:
        return None
    return activity(snap)


def duty_label(snap: UnitSnapshot) -> str:
    """What the status column says."""
    if snap.link_state is LinkState.NEVER_SEEN:
        return NOT_HEARD
    act = shown_activity(snap)
    return act.value if act is not None else label(snap.status)


def duty_style(snap: UnitSnapshot) -> str:
    act = shown_activity(snap)
    return ACTIVITY_STYLE[act] if act is not None else STATUS_STYLE.get(snap.status, "")


def intent_label(snap: UnitSnapshot) -> str:
    """Whose command the unit follows and which: ``op goto``, ``sched patrol``, ``disp``;
    empty when nobody has told it anything since fleet started, or for an aircraft that
    has landed and disarmed since (the detail's task line still says what it was)."""
    t = snap.tasking
    if t is None:
        return ""
    tel = snap.telemetry
    if snap.unit.domain is Domain.AIR and tel is not None and tel.armed is False:
        return ""  # landed and disarmed: whatever it was told, it is done
    who = _ORIGIN_SHORT.get(t.origin, t.origin)
    return f"{who} {t.command}"


_ORIGIN_WORDS = {"operator": "operator", "schedule": "schedule", "dispatch": "dispatcher"}
_TASK_WORDS = {"goto": "go to", "overwatch": "overwatch", "patrol": "patrol",
               "mission": "fly mission", "hold": "hold", "return": "return home",
               "land": "land", "takeoff": "take off"}


def task_words(t: Tasking) -> str:
    """``operator: go to 26.90500, 112.61000 (since 14:02:10)`` for the detail pane."""
    words = _TASK_WORDS.get(t.command, t.command)
    if t.target is not None:
        words += f" {t.target[0]:.5f}, {t.target[1]:.5f}"
    if t.route:
        words += f" ({len(t.route)} points)"
    return f"{_ORIGIN_WORDS.get(t.origin, t.origin)}: {words} (since {clock(t.since)})"


def count_groups(labels: list[str]) -> dict[str, int]:
    """Units per header group from their shown statuses; "not heard" apart."""
    out = {name: sum(1 for lab in labels if lab in members) for name, members in COUNT_GROUPS}
    out[NOT_HEARD] = sum(1 for lab in labels if lab == NOT_HEARD)
    return out
