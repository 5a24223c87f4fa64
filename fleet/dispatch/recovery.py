"""After a restart: where each assignment's command sequence stood, and what to do. Pure.

Issue #14: a core killed after a drone's arm and takeoff were acknowledged, before its
goto, came back with the drone "dispatched" for ever, hovering over its base. The audit
already holds every step (``command.sent`` / ``acked`` / ``failed`` / ``cancelled``
rows, and the incident events), so :func:`last_steps` reads where each sequence was cut
and :func:`plan` decides, from that and the unit's telemetry **now**, whether to resume
it or to flag it for the operator:

* crewed units (cars, boats): a goto not yet acknowledged is sent again (the same
  destination: harmless); en route or on scene, the closed loop simply carries on;
* aircraft are never commanded blindly. What the sequence would do next is done only
  when the telemetry says the aircraft is where that step leaves it:

  - before the takeoff was acknowledged and **disarmed on the ground**: launched again
    (arm, take off, climb, goto), which is what the sequence was doing;
  - armed on the ground before the takeoff was acknowledged: take off, climb, goto;
  - takeoff acknowledged, armed in GUIDED: wait for the safe altitude, then goto;
  - goto sent but not acknowledged, airborne in GUIDED: the goto again (same target);
  - en route, airborne in GUIDED: nothing to send (it is flying there);
  - on scene, airborne in GUIDED: the overwatch orbit again (fleet flies it, and it
    stopped with the core);
  - anything else (not heard, RTL or LAND because its GCS failsafe fired while fleet
    was down, landed after it had taken off, a failed or unknown step): **flagged**, a
    WARNING naming the unit, the incident and the step, and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .chain import AuditRecord
from .incident import AssignmentStatus

AIRBORNE_M = 5.0  # armed and above this: airborne (as the dispatch sequence judges it)
ON_PAD_M = 1.0  # below this: on the ground
GUIDED = "GUIDED"
RESUMED = "recovery.resumed"  # audit row: a cut sequence taken up again (step, action)
FLAGGED = "recovery.flagged"  # audit row: left to the operator (step, why)


@dataclass(frozen=True, slots=True)
class Step:
    """The last command of an assignment: ``None`` when nothing was sent yet."""

    command: str | None = None
    state: str | None = None  # sent, acked, failed, cancelled


def last_steps(rows: Iterable[AuditRecord]) -> dict[tuple[str, str], Step]:
    """Per (incident, unit): the last command row since the unit's latest assignment."""
    out: dict[tuple[str, str], Step] = {}
    for r in rows:
        if r.incident is None or r.unit is None:
            continue
        key = (r.incident, r.unit)
        if r.kind == "unit.assigned":
            out[key] = Step()
        elif r.kind.startswith("command.") and key in out:
            out[key] = Step(str(r.data.get("command")), r.kind.removeprefix("command."))
    return out


def describe(status: AssignmentStatus, step: Step) -> str:
    """Where the sequence stopped, for alerts and the audit: "takeoff acked"."""
    done = f"{step.command} {step.state}" if step.command else ""
    if status is AssignmentStatus.ON_SCENE:
        return f"on scene, {done}" if done else "on scene"
    if status is AssignmentStatus.EN_ROUTE:
        return f"en route, {done}" if done else "en route"
    return done or "assigned, nothing sent"


class Do(StrEnum):
    WATCH = "watch"  # nothing to send: the closed loop carries on
    RELAUNCH = "relaunch"  # arm, take off, climb, goto
    TAKEOFF = "takeoff"  # take off, climb, goto
    CLIMB = "climb"  # wait for the safe altitude, then goto
    GOTO = "goto"  # (re)send the goto
    ORBIT = "orbit"  # (re)start the overwatch orbit
    FLAG = "flag"  # tell the operator; send nothing


@dataclass(frozen=True, slots=True)
class Now:
    """What the unit's telemetry says after the restart (None fields: not reported)."""

    armed: bool | None = None
    alt_m: float | None = None  # above home
    mode: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    do: Do
    step: str  # where the sequence stopped (describe())
    why: str


def plan(air: bool, status: AssignmentStatus, step: Step, now: Now | None) -> Plan:
    """What to do about one active assignment after a restart; ``now`` is None when the
    unit has not been heard since."""
    where = describe(status, step)
    if not air:
        return _ground(status, where, now)
    if now is None:
        return Plan(Do.FLAG, where, "not heard since the restart: its state is unknown")
    if now.armed is None or now.alt_m is None:
        return Plan(Do.FLAG, where, "its telemetry does not say whether it is armed and how "
                    "high it is")
    return _aircraft(status, step, where, now)


def _ground(status: AssignmentStatus, where: str, now: Now | None) -> Plan:
    if status in (AssignmentStatus.EN_ROUTE, AssignmentStatus.ON_SCENE):
        return Plan(Do.WATCH, where, "its crew has the destination")
    if now is None:
        return Plan(Do.FLAG, where, "not heard since the restart: its goto cannot be sent")
    return Plan(Do.GOTO, where, "goto sent again (its acknowledgement was not recorded)")


def _aircraft(status: AssignmentStatus, step: Step, where: str, now: Now) -> Plan:
    mode = (now.mode or "").upper()
    alt = now.alt_m or 0.0
    guided = mode == GUIDED
    airborne = bool(now.armed) and alt >= AIRBORNE_M
    on_pad = alt < ON_PAD_M
    state = f"{'armed' if now.armed else 'disarmed'} at {alt:.0f} m in {mode or 'an unknown mode'}"
    if step.state == "failed":
        return Plan(Do.FLAG, where, f"its last command failed; now {state}")
    if status is AssignmentStatus.ON_SCENE:
        if airborne and guided:
            return Plan(Do.ORBIT, where, f"{state}: overwatch orbit started again")
        return Plan(Do.FLAG, where, f"was on scene, now {state}: not commanded blindly")
    if status is AssignmentStatus.EN_ROUTE or step.command in ("goto", "orbit"):
        if not (airborne and guided):
            return Plan(Do.FLAG, where, f"was in transit, now {state}: not commanded blindly")
        if status is AssignmentStatus.EN_ROUTE:
            return Plan(Do.WATCH, where, f"{state}: flying to the scene")
        return Plan(Do.GOTO, where, f"{state}: goto sent again")
    if step.command == "takeoff" and step.state == "acked":
        if now.armed and guided:
            return Plan(Do.CLIMB, where, f"{state}: goto once at the safe altitude")
        return Plan(Do.FLAG, where, f"took off, now {state}: not launched again blindly")
    # nothing our sequence did had lifted it yet
    if not now.armed and on_pad:
        return Plan(Do.RELAUNCH, where, f"{state}: launched again, as the sequence was doing")
    if now.armed and on_pad and mode in _PAD_MODES:
        return Plan(Do.TAKEOFF, where, f"{state}: takeoff, as the sequence was doing")
    if airborne and guided:
        return Plan(Do.CLIMB, where, f"{state}: goto once at the safe altitude")
    return Plan(Do.FLAG, where, f"now {state}: not what the sequence left it in")


#: modes an aircraft armed on its pad by the sequence may be in before its takeoff (the
#: takeoff switches to GUIDED); a return, landing or mission mode is someone else's plan
_PAD_MODES = frozenset({GUIDED, "STABILIZE", "ALT_HOLD", "LOITER", "POSHOLD"})
