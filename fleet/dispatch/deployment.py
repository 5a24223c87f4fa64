"""What "send this unit" means per kind, as sequences of fleet commands.

* Aircraft: arm and take off to the safe altitude (``drone_alt_m``) unless already
  airborne, climb, then GUIDED goto over the incident at that altitude; on arrival an
  overwatch orbit around it (flown in GUIDED by fleet: docs/flight-safety.md). Transit
  starts only at altitude: a reposition during the climb would cross the city low.
* Ground units and boats: a ``goto`` (MQTT), which their crew drives (sails).

Every command, its result and any failure is an audit row; a unit that fails (rejected,
no acknowledgement, no route) is marked failed, taken out of service, flagged with an
alert, and the next unit in the ranking is proposed in its place.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from fleet.commands import (
    Arm,
    Command,
    Goto,
    Orbit,
    Origin,
    ReturnToLaunch,
    SetStatus,
    Takeoff,
    command_name,
)
from fleet.errors import CommandError, FleetTimeoutError, NoRouteError
from fleet.events import Severity
from fleet.model import Domain, LinkState, UnitStatus

from .eligibility import Reason
from .incident import AssignmentStatus, EventKind, Incident
from .recovery import AIRBORNE_M

if TYPE_CHECKING:
    from .center import DispatchCenter

FAILURES = (CommandError, NoRouteError, FleetTimeoutError)


async def send_unit(center: DispatchCenter, inc: Incident, unit_id: str,
                    start: str | None = None) -> None:
    """The unit's command sequence; ``start`` takes an aircraft's up at a later stage
    (``takeoff``, ``climb``, ``goto``: a restart resuming a cut sequence, :mod:`.resume`)."""
    try:
        if center.port.view.unit(unit_id).domain is Domain.AIR:
            await _fly(center, inc, unit_id, start)
        else:
            await command(center, inc.id, unit_id, Goto(inc.lat, inc.lon))
            a = center.incident(inc.id).assignment(unit_id)
            if a is None or a.status is AssignmentStatus.ASSIGNED:  # resumed: maybe acked
                await _progress(center, inc.id, unit_id, EventKind.ACKNOWLEDGED)
            await _progress(center, inc.id, unit_id, EventKind.EN_ROUTE)
    except FAILURES as exc:
        await _failed(center, inc.id, unit_id, str(exc))
    except _Withdrawn:
        if center.port.view.unit(unit_id).domain is Domain.AIR:
            await recall_aircraft(center, unit_id)  # in case a command crossed the recall


STAGES = ("arm", "takeoff", "climb", "goto")


async def _fly(center: DispatchCenter, inc: Incident, unit_id: str,
               start: str | None = None) -> None:
    port, alt = center.port, center.settings.drone_alt_m
    if start is None:
        tel = port.view.telemetry(unit_id)
        airborne = bool(tel and tel.armed and (tel.relative_alt_m or 0.0) >= AIRBORNE_M)
        start = "goto" if airborne else "arm"
    stage = STAGES.index(start)
    if stage <= 0:
        await command(center, inc.id, unit_id, Arm())
        await _progress(center, inc.id, unit_id, EventKind.ACKNOWLEDGED)
    if stage <= 1:
        await command(center, inc.id, unit_id, Takeoff(alt))
    if stage <= 2:
        await climb(center, unit_id, min(alt * 0.9, alt - 2.0))
    await command(center, inc.id, unit_id, Goto(inc.lat, inc.lon, alt))
    a = center.incident(inc.id).assignment(unit_id)
    if a is None or a.status is AssignmentStatus.ASSIGNED:  # airborne when sent: no arm
        await _progress(center, inc.id, unit_id, EventKind.ACKNOWLEDGED)
    await _progress(center, inc.id, unit_id, EventKind.EN_ROUTE)


async def _progress(center: DispatchCenter, incident_id: str, unit_id: str,
                    kind: EventKind) -> None:
    """Record an acknowledgement or en route; if the incident moved on meanwhile
    (cancelled, unit released) and the unit is no longer on it, call the unit back."""
    if await center.record_unit(kind, incident_id, unit_id):
        if kind is EventKind.EN_ROUTE:
            center.port.set_status(unit_id, UnitStatus.EN_ROUTE, incident_id)
        return
    a = center.incident(incident_id).assignment(unit_id)
    if a is None or not a.status.active:
        raise _Withdrawn()


class _Withdrawn(Exception):
    """The unit was released while its commands were in flight (handled by the caller)."""


def _check_assigned(center: DispatchCenter, incident_id: str, unit_id: str) -> None:
    a = center.incident(incident_id).assignment(unit_id)
    if a is None or not a.status.active:
        raise _Withdrawn()


async def command(center: DispatchCenter, incident_id: str | None, unit_id: str,
                  cmd: Command, timeout: float | None = None) -> None:
    """Send one command with audit rows before and after (acked or failed); a unit
    released from ``incident_id`` meanwhile gets nothing more for it.

    The check, the "sent" row and the send happen with no await between them, so a
    release cannot slip in; the "sent" row is queued (durable within one commit) and
    the result row is awaited."""
    name = command_name(cmd)
    if incident_id is not None and not isinstance(cmd, ReturnToLaunch):
        _check_assigned(center, incident_id, unit_id)
    center.audit_later("command.sent", incident_id, unit_id, command=name, args=_args(cmd))
    try:
        await center.port.send(unit_id, cmd, timeout=timeout or center.settings.ack_timeout_s,
                              origin=Origin.DISPATCH)
    except asyncio.CancelledError:
        center.audit_later("command.cancelled", incident_id, unit_id, command=name)
        raise
    except FAILURES as exc:
        await center.audit_only("command.failed", incident_id, unit_id, command=name,
                                error=str(exc))
        raise
    await center.audit_only("command.acked", incident_id, unit_id, command=name)


async def climb(center: DispatchCenter, unit_id: str, alt_m: float) -> None:
    timeout = center.settings.takeoff_timeout_s
    try:
        async with asyncio.timeout(timeout):
            async with aclosing(center.port.reports(unit_id)) as reports:
                async for t in reports:
                    if (t.relative_alt_m or 0.0) >= alt_m:
                        return
    except TimeoutError:
        raise FleetTimeoutError(f"{unit_id}: did not climb to {alt_m:.0f} m within "
                                f"{timeout:g} s") from None


async def _failed(center: DispatchCenter, incident_id: str, unit_id: str, reason: str) -> None:
    if not await center.record_unit(EventKind.FAILED, incident_id, unit_id, reason=reason):
        return
    port = center.port
    port.set_status(unit_id, UnitStatus.OUT_OF_SERVICE, f"failed {incident_id}: {reason}")
    center.alert(Severity.WARNING, "dispatch.unit_failed",
                 f"{incident_id}: {port.view.unit(unit_id).callsign} failed: {reason}",
                 unit_id=unit_id)
    await center.propose_replacement(incident_id, unit_id, f"failed ({reason})")
    tel = port.view.telemetry(unit_id)
    if port.view.unit(unit_id).domain is Domain.AIR and tel is not None and tel.armed:
        await _best_effort(center, incident_id, unit_id, ReturnToLaunch())


async def on_scene_orbit(center: DispatchCenter, inc: Incident, unit_id: str) -> None:
    """Circle the incident at the safe altitude; if that fails the aircraft keeps
    hovering where it arrived (GUIDED), which still gives overwatch."""
    s = center.settings
    timeout = s.ack_timeout_s * 3 + 4 * s.orbit_radius_m / 2.0
    await _best_effort(center, inc.id, unit_id,
                       Orbit(inc.lat, inc.lon, s.orbit_radius_m, s.drone_alt_m), timeout)


async def recall_aircraft(center: DispatchCenter, unit_id: str) -> None:
    """Back to launch; the supervisor makes it AVAILABLE once it has landed."""
    port = center.port
    tel = port.view.telemetry(unit_id)
    if tel is not None and tel.armed is False and (tel.relative_alt_m or 0.0) < 1.0:
        # on the ground already (it never took off, or landed): nothing to fly home, and
        # an RTL on the pad would leave it in a mode ArduCopter refuses to arm in
        port.set_status(unit_id, UnitStatus.AVAILABLE, "released on the ground")
        return
    port.set_status(unit_id, UnitStatus.RETURNING, "released")
    if port.view.link_state(unit_id) is LinkState.OK:
        await _best_effort(center, None, unit_id, ReturnToLaunch())


async def release_crew(center: DispatchCenter, unit_id: str) -> None:
    """Tell a ground unit's or boat's crew terminal it is free (CAD practice: the MDT
    shows "available"), so the crew leaves the scene and resumes its patrol; AVAILABLE
    in fleet at once, whatever the terminal answers."""
    port = center.port
    port.set_status(unit_id, UnitStatus.AVAILABLE, "released")
    if port.view.link_state(unit_id) is LinkState.OK:
        await _best_effort(center, None, unit_id, SetStatus(UnitStatus.AVAILABLE))


async def _best_effort(center: DispatchCenter, incident_id: str | None, unit_id: str,
                       cmd: Command, timeout: float | None = None) -> None:
    try:
        await command(center, incident_id, unit_id, cmd, timeout)
    except _Withdrawn:
        pass
    except FAILURES as exc:
        center.alert(Severity.WARNING, f"dispatch.{command_name(cmd)}_failed", str(exc),
                     unit_id=unit_id)


def unavailable_reason(center: DispatchCenter, unit_id: str) -> str:
    """Why ``unit_id`` cannot be sent now ("" if it can); UnknownUnitError if unknown.

    The rule is :mod:`.eligibility`'s, the one the recommender applies (through its
    ranker, with the centre's assignments): whatever it recommends passes here."""
    state = center.port.view
    row = state.index_of(unit_id)
    reason = center.recommender.ranker.eligibility(row)
    return "" if reason is Reason.ELIGIBLE else _why(center, unit_id, reason)


def _why(center: DispatchCenter, unit_id: str, reason: Reason) -> str:
    state = center.port.view
    status = state.status(unit_id)
    match reason:
        case Reason.READ_ONLY:
            return "read-only in the config (watched, never commanded)"
        case Reason.NOT_HEARD:
            return "never heard (no telemetry yet)"
        case Reason.LOST:
            return "lost (no telemetry)"
        case Reason.COMMITTED:
            owner = center.owner(unit_id)
            if owner is not None and not status.committed:
                return f"committed to {owner} (its crew reports {status.value.replace('_', ' ')})"
            return f"committed to {owner or 'another incident'} ({status.value})"
        case Reason.NO_POSITION:
            return "no position fix"
        case Reason.LOW_BATTERY:
            pct = float(state.columns.battery_pct[state.index_of(unit_id)])
            reserve = center.settings.reserve_pct.get(state.unit(unit_id).domain, 0.0)
            return f"battery {pct:.0f} % below the {reserve:.0f} % reserve"
        case _:
            return f"{status.value.replace('_', ' ')}, not available"


def _args(cmd: Command) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(cmd).items()
            if isinstance(v, (int, float, str, bool)) and not (isinstance(v, float)
                                                               and math.isnan(v))}
