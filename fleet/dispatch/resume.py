"""Taking up cut command sequences after a restart (the decisions: :mod:`.recovery`).

For every active assignment of a resumed incident a task waits for the unit's first
telemetry since the restart (an aircraft is never judged on what it said before the
crash), asks :func:`.recovery.plan`, and then either sends what the sequence would send
next, or flags the unit with a WARNING alert ``dispatch.resume_flagged`` naming the
unit, the incident and the step it stopped at.

Replay is idempotent: every decision is an audit row (``recovery.resumed`` with the
step and action, ``recovery.flagged`` with the step and why), and a unit already
flagged at the same step by an earlier restart is not flagged (nor alerted) again. The
row is written before the alert, so a crash between the two can lose an alert but never
repeat one; the ``dispatch.resumed`` summary still says the incident came back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from fleet.events import Severity
from fleet.model import Domain, LinkState

from . import deployment
from .chain import AuditRecord
from .incident import AssignmentStatus, Incident
from .recovery import FLAGGED, RESUMED, Do, Now, Plan, Step, last_steps, plan

if TYPE_CHECKING:
    from .center import DispatchCenter

log = logging.getLogger("fleet.dispatch")
#: how long a restart waits for a unit's first telemetry before flagging it
RESUME_WAIT_S = 20.0
#: where each stage of an aircraft's sequence is taken up (deployment.STAGES)
_START = {Do.RELAUNCH: "arm", Do.TAKEOFF: "takeoff", Do.CLIMB: "climb", Do.GOTO: "goto"}


def resume_work(center: DispatchCenter, incidents: Iterable[Incident],
                rows: Iterable[AuditRecord]) -> int:
    """Start a resume task per active assignment; how many were started."""
    rows = list(rows)
    steps = last_steps(rows)
    flagged = {(r.incident, r.unit, r.data.get("step")) for r in rows if r.kind == FLAGGED}
    started = 0
    for inc in incidents:
        if not inc.status.open:
            continue
        for a in inc.active:
            if a.unit_id not in center.port.view:
                continue  # removed from the config since: nothing to command
            step = steps.get((inc.id, a.unit_id), Step())
            center.spawn_for(a.unit_id, lambda i=inc.id, u=a.unit_id, s=step:
                             resume_unit(center, i, u, s, flagged), f"resume-{inc.id}-{a.unit_id}")
            started += 1
    return started


async def resume_unit(center: DispatchCenter, incident_id: str, unit_id: str, step: Step,
                      flagged: set[tuple[str | None, str | None, object]]) -> None:
    air = center.port.view.unit(unit_id).domain is Domain.AIR
    a = center.incident(incident_id).assignment(unit_id)
    if a is None or not a.status.active:
        return
    now = None
    if air or a.status not in (AssignmentStatus.EN_ROUTE, AssignmentStatus.ON_SCENE):
        now = await _heard(center, unit_id, air)
        a = center.incident(incident_id).assignment(unit_id)  # it may have moved on
        if a is None or not a.status.active:
            return
    p = plan(air, a.status, step, now)
    log.info("resume %s %s at %s: %s (%s)", incident_id, unit_id, p.step, p.do, p.why)
    if p.do is Do.WATCH:
        return
    if p.do is Do.FLAG:
        await _flag(center, incident_id, unit_id, p, flagged)
        return
    await center.audit_only(RESUMED, incident_id, unit_id, step=p.step, action=p.do.value,
                            why=p.why)
    center.alert(Severity.NOTICE, "dispatch.resumed_unit",
                 f"{incident_id}: {center.callsign(unit_id)} resumed after the restart at "
                 f"{p.step}: {p.why}", unit_id)
    inc = center.incident(incident_id)
    if p.do is Do.ORBIT:
        await deployment.on_scene_orbit(center, inc, unit_id)
    else:
        await deployment.send_unit(center, inc, unit_id, _START.get(p.do) if air else None)


async def _flag(center: DispatchCenter, incident_id: str, unit_id: str, p: Plan,
                flagged: set[tuple[str | None, str | None, object]]) -> None:
    if (incident_id, unit_id, p.step) in flagged:
        return  # an earlier restart flagged it at this very step: once is enough
    await center.audit_only(FLAGGED, incident_id, unit_id, step=p.step, why=p.why)
    center.alert(Severity.WARNING, "dispatch.resume_flagged",
                 f"{incident_id}: {center.callsign(unit_id)} ({unit_id}) stopped at "
                 f"{p.step} when fleet restarted; {p.why}. Check it, then reassign or "
                 "release it", unit_id)


async def _heard(center: DispatchCenter, unit_id: str, air: bool) -> Now | None:
    """The unit's state from its first telemetry since the restart (an aircraft's must
    say armed or not and how high), or None if none came in :data:`RESUME_WAIT_S`."""
    state = center.port.view

    def known() -> bool:
        if state.link_state(unit_id) is not LinkState.OK:
            return False
        t = state.telemetry(unit_id)
        return t is not None and (not air or (t.armed is not None
                                              and t.relative_alt_m is not None))

    try:
        await center.wait_for(known, RESUME_WAIT_S)
    except TimeoutError:
        return None
    t = state.telemetry(unit_id)
    assert t is not None
    return Now(t.armed, t.relative_alt_m, t.mode)
