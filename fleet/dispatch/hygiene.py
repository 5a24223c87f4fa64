"""Closure hygiene: open incidents that look forgotten, flagged for review, pure.

A restart replays every open incident from the audit, so a call an operator forgot to
clear stays open (its units committed) for days unless someone notices. These checks
say which incidents to look at and why; the supervisor raises each as an alert once,
and the console shows them as a flag (``DispatchCenter.stale``). Nothing is changed
automatically: only an operator knows whether a unit is still needed at a scene.

* a unit on scene longer than ``stale_on_scene_min`` (60 min);
* an incident not cleared ``stale_open_min`` (120 min) after the call;
* units sent but nobody on scene ``stale_unreached_factor`` (3) times the target after
  the call (the target-missed alert came long before; this asks for a decision).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fleet.events import Severity

from .explain import duration
from .incident import AssignmentStatus, Incident, IncidentStatus
from .settings import DispatchSettings

_SENT = (IncidentStatus.DISPATCHED, IncidentStatus.EN_ROUTE)


@dataclass(frozen=True, slots=True)
class Stale:
    #: stable for the incident and cause ("unreached", "open", "on_scene:<unit>"), so an
    #: alert is raised once per cause although the message's durations keep growing
    key: str
    message: str  # without the incident id: "Moto 8 on scene for 2 h 10 min — clear..."
    severity: Severity
    unit_id: str | None = None  # the unit it is about, if one


def stale_reasons(inc: Incident, now: float, settings: DispatchSettings,
                  callsign: Callable[[str], str] = str) -> list[Stale]:
    """Why ``inc`` needs an operator's review at ``now`` (empty: it does not)."""
    if not inc.status.open:
        return []
    out: list[Stale] = []
    waited = now - inc.received_at
    factor = settings.stale_unreached_factor
    if inc.on_scene_at is None and inc.status in _SENT and waited > factor * inc.target_s:
        out.append(Stale(
            "unreached",
            f"nobody on scene {duration(waited)} after the call ({factor:g}x the "
            f"{duration(inc.target_s)} target) — reassign, or cancel it?", Severity.WARNING))
    for a in inc.active:
        if a.status is AssignmentStatus.ON_SCENE and a.on_scene_at is not None and \
                now - a.on_scene_at > settings.stale_on_scene_min * 60:
            out.append(Stale(
                f"on_scene:{a.unit_id}",
                f"{callsign(a.unit_id)} on scene for {duration(now - a.on_scene_at)} — "
                "clear or release it?", Severity.NOTICE, a.unit_id))
    if waited > settings.stale_open_min * 60:
        out.append(Stale("open", f"open for {duration(waited)}, not cleared — clear or "
                                 "cancel it?", Severity.NOTICE))
    return out
