"""The closed loop: every dispatched unit is watched until its incident lets it go.

From the fleet's change stream (never by polling units):

* arrival: a unit inside the arrival radius of its incident is ON_SCENE "by position",
  stamped with the time its report arrived; an aircraft counts once it is en route and
  airborne (position only), then it is sent to orbit the scene. A ground unit or boat
  whose crew says it has arrived (its goto ``completed``, MQTT schema v1 "arrived", or
  its crew status turning on scene) is ON_SCENE "by crew report" at the time of that
  report, with its distance from the call. The crew's button is real input, so it
  counts wherever the unit is (a crew may stop short of the door), but one further than
  the radius is flagged (``beyond_radius``) with a warning: the demo once had a command
  vehicle 102 m away, never moving, "on scene" a second after dispatch, and the report
  counted a 0:01 response. Reports keep such arrivals apart (:mod:`.reports`);
* lost: a unit whose telemetry stops while assigned is flagged, an alert names the
  next unit in the ranking as its replacement; it is unflagged when heard again;
* landing: an aircraft RETURNING that reports disarmed is AVAILABLE again;
* targets: an incident with nobody on scene when its target time passes raises an
  alert and writes an audit row, once per incident even across restarts (the centre
  seeds the set from the audit), so a late response is noticed while it can be helped;
* hygiene: an open incident that looks forgotten (:mod:`.hygiene`) raises a
  ``dispatch.stale`` alert once per incident and reason.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING

from fleet.events import Alert, Severity, StatusChanged, UnitSnapshot
from fleet.geo import haversine_m
from fleet.model import Domain, LinkState, UnitStatus
from fleet.stream import Batch

from .deployment import AIRBORNE_M, on_scene_orbit
from .explain import distance, duration
from .hygiene import stale_reasons
from .incident import AssignmentStatus, EventKind, Incident
from .reports import CREW as CREW_REPORT
from .reports import POSITION

if TYPE_CHECKING:
    from .center import DispatchCenter

GOTO_COMPLETED = ": goto completed"  # the MQTT link's command.completed message for a goto
_BEFORE_SCENE = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACKNOWLEDGED,
                 AssignmentStatus.EN_ROUTE)


class ClosedLoop:
    def __init__(self, center: DispatchCenter, tick_s: float = 1.0,
                 batch_interval_s: float = 0.05) -> None:
        self.c = center
        self.tick_s = tick_s  # how often overdue targets are checked
        #: changes are taken at most this often (a few hundred units report every
        #: second); times are stamped from the reports, so waiting costs no precision
        self.batch_interval_s = batch_interval_s
        #: the centre's set, seeded from the audit's target_missed rows on resume
        self._overdue = center.target_missed
        self._stale: set[tuple[str, str]] = set()  # (incident, Stale.key) alerted

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._watch(), name="dispatch-watch")
            tg.create_task(self._targets(), name="dispatch-targets")

    async def _watch(self) -> None:
        with self.c.port.subscribe(max_events=1000, snapshots=False) as sub:
            await self._resync()
            async for batch in sub:
                await self._batch(batch)
                await asyncio.sleep(self.batch_interval_s)

    async def _targets(self) -> None:
        while True:
            await self._check_targets()
            await asyncio.sleep(self.tick_s)

    async def _batch(self, batch: Batch) -> None:
        if batch.dropped_events:
            await self._resync()
        for ev in batch.events:
            if isinstance(ev, StatusChanged) and self.c.owner(ev.unit_id) is not None:
                if ev.new is UnitStatus.LOST:
                    await self._lost(ev.unit_id, ev.time, ev.reason)
                    continue
                if ev.old is UnitStatus.LOST:
                    await self._recovered(ev.unit_id, ev.time)
                if ev.new is UnitStatus.ON_SCENE:
                    # the centre sets ON_SCENE only after recording the arrival, so one
                    # before it is the crew's (MQTT crew status) or an operator's word
                    await self._crew_report(ev.unit_id, ev.time,
                                            ev.reason or "status on scene")
            elif isinstance(ev, Alert) and ev.code == "command.completed" and ev.unit_id \
                    and ev.message.endswith(GOTO_COMPLETED):
                # only a goto's completion says "arrived": a released crew's set_status
                # completes too, and may land just after the unit is sent to a new call
                await self._crew_report(ev.unit_id, ev.time, "goto completed")
        state = self.c.port.view
        for unit_id in batch.unit_ids:
            if self._watched(unit_id):
                await self._position(state.snapshot(unit_id))

    def _watched(self, unit_id: str) -> bool:
        """Assigned units, and aircraft flying home (landing makes them available): a
        few of the fleet's hundreds, so only their snapshots are built."""
        if self.c.owner(unit_id) is not None:
            return True
        state = self.c.port.view
        return state.duty_status(unit_id) is UnitStatus.RETURNING and \
            state.unit(unit_id).domain is Domain.AIR

    async def _resync(self) -> None:
        """Check every assigned unit from scratch (at start, and after missed events)."""
        state = self.c.port.view
        for unit_id, incident_id in self.c.assigned().items():
            inc = self.c.incident(incident_id)
            a = inc.assignment(unit_id)
            lost = state.link_state(unit_id) is LinkState.LOST
            if a is not None and lost and a.lost_at is None:
                await self._lost(unit_id, self.c.port.wall(), "no telemetry")
            elif a is not None and not lost and a.lost_at is not None:
                await self._recovered(unit_id, self.c.port.wall())
            if state.duty_status(unit_id) is UnitStatus.ON_SCENE:
                # a crew's "on scene" among the missed events (its time is lost too)
                await self._crew_report(unit_id, self.c.port.wall(), "status on scene (resync)")
            await self._position(state.snapshot(unit_id))

    async def _position(self, snap: UnitSnapshot) -> None:
        c, t = self.c, snap.telemetry
        if t is None or math.isnan(t.lat_deg):
            return
        incident_id = c.owner(snap.id)
        air = snap.unit.domain is Domain.AIR
        if incident_id is None:
            if air and snap.duty_status is UnitStatus.RETURNING and t.armed is False:
                c.port.set_status(snap.id, UnitStatus.AVAILABLE, "landed")
            return
        inc = c.incident(incident_id)
        a = inc.assignment(snap.id)
        if a is None or a.status not in _BEFORE_SCENE:
            return
        d = haversine_m(t.lat_deg, t.lon_deg, inc.lat, inc.lon)
        s = c.settings
        if air and (a.status is not AssignmentStatus.EN_ROUTE or d > s.air_arrival_radius_m
                    or (t.relative_alt_m or 0.0) < AIRBORNE_M):
            return
        if not air and d > s.arrival_radius_m:
            return
        await self._arrived(snap.id, t.received_time, distance_m=round(d, 1), by=POSITION)

    async def _crew_report(self, unit_id: str, time: float, report: str) -> None:
        """The crew says the unit has arrived (ground units and boats; aircraft arrive by
        position only): on scene at the report's time, wherever its last position is,
        flagged when that is beyond the arrival radius or unknown."""
        c = self.c
        incident_id = c.owner(unit_id)
        if incident_id is None or c.port.view.unit(unit_id).domain is Domain.AIR:
            return
        inc = c.incident(incident_id)
        a = inc.assignment(unit_id)
        if a is None or a.status not in _BEFORE_SCENE:
            return
        t = c.port.view.telemetry(unit_id)
        d = None if t is None or math.isnan(t.lat_deg) or math.isnan(t.lon_deg) else \
            round(haversine_m(t.lat_deg, t.lon_deg, inc.lat, inc.lon), 1)
        await self._arrived(unit_id, time, by=CREW_REPORT, report=report, distance_m=d,
                            beyond_radius=d is not None and d > c.settings.arrival_radius_m)

    async def _arrived(self, unit_id: str, time: float, **data: object) -> None:
        c = self.c
        incident_id = c.owner(unit_id)
        a = None if incident_id is None else c.incident(incident_id).assignment(unit_id)
        if a is not None:
            # a unit already at the place reports from before it was sent: it is on
            # scene from its assignment, never before the call
            time = max(time, a.assigned_at)
        if incident_id is None or not await c.record_unit(EventKind.ON_SCENE, incident_id,
                                                          unit_id, time=time, **data):
            return
        inc = c.incident(incident_id)
        unit = c.port.view.unit(unit_id)
        c.port.set_status(unit_id, UnitStatus.ON_SCENE, inc.id)
        severity, how = self._how(inc, unit_id)
        c.alert(severity, "dispatch.on_scene", f"{inc.id}: {unit.callsign} on scene {how}",
                unit_id)
        if unit.domain is Domain.AIR:
            c.spawn_for(unit_id, lambda: on_scene_orbit(c, inc, unit_id), f"orbit-{unit_id}")

    def _how(self, inc: Incident, unit_id: str) -> tuple[Severity, str]:
        """How the arrival was established, for its alert: a crew report the position
        does not bear out is a warning, so the operator can ask the crew."""
        a = inc.assignment(unit_id)
        assert a is not None and a.on_scene_at is not None
        after = f"{duration(a.on_scene_at - inc.received_at)} after the call"
        d = a.arrival_distance_m
        if a.arrived_by != CREW_REPORT:
            return Severity.INFO, f"{after} ({distance(d)} from it)" if d is not None \
                else after
        if d is None:
            return Severity.WARNING, f"by crew report with no position to check it ({after})"
        if a.beyond_radius:
            return Severity.WARNING, (
                f"by crew report {distance(d)} from the call, beyond the "
                f"{distance(self.c.settings.arrival_radius_m)} radius ({after})")
        return Severity.INFO, f"by crew report {distance(d)} from the call, {after}"

    async def _lost(self, unit_id: str, time: float, reason: str) -> None:
        incident_id = self.c.owner(unit_id)
        if incident_id is None or not await self.c.record_unit(
                EventKind.LOST, incident_id, unit_id, time=time, reason=reason):
            return
        await self.c.propose_replacement(incident_id, unit_id, f"is lost ({reason})")

    async def _recovered(self, unit_id: str, time: float) -> None:
        incident_id = self.c.owner(unit_id)
        if incident_id is None:
            return
        if await self.c.record_unit(EventKind.RECOVERED, incident_id, unit_id, time=time):
            self.c.alert(Severity.NOTICE, "dispatch.unit_recovered",
                         f"{incident_id}: {self.c.port.view.unit(unit_id).callsign} "
                         "heard again", unit_id)

    async def _check_targets(self) -> None:
        now = self.c.port.wall()
        opened = self.c.incidents(open_only=True)
        for inc in opened:
            if inc.on_scene_at is None and inc.id not in self._overdue and \
                    now > inc.received_at + inc.target_s:
                self._overdue.add(inc.id)
                # the row first: a restart that finds it neither writes it nor alerts
                # again (a crash between the two loses this alert, never repeats it)
                await self.c.audit_only("incident.target_missed", inc.id, None,
                                        target_s=inc.target_s)
                self.c.alert(Severity.WARNING, "dispatch.target_missed",
                             f"{inc.id}: nobody on scene {duration(inc.target_s)} after the "
                             f"call ({inc.zone_name} target)")
        self._check_stale(opened, now)

    def _check_stale(self, opened: list[Incident], now: float) -> None:
        """Alert each reason an open incident needs review, once (restarts alert again:
        that is when forgotten incidents come back)."""
        ids = {inc.id for inc in opened}
        self._stale = {k for k in self._stale if k[0] in ids}
        for inc in opened:
            for s in stale_reasons(inc, now, self.c.settings, self.c.callsign):
                if (inc.id, s.key) not in self._stale:
                    self._stale.add((inc.id, s.key))
                    self.c.alert(s.severity, "dispatch.stale", f"{inc.id}: {s.message}",
                                 s.unit_id)
