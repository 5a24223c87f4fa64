"""The closed loop: every dispatched unit is watched until its incident lets it go.

From the fleet's change stream (never by polling units):

* arrival: a unit inside the arrival radius of its incident is ON_SCENE, stamped with
  the time its report arrived; an aircraft counts once it is en route and airborne,
  then it is sent to orbit the scene. A ground unit or boat that reports its goto
  ``completed`` (MQTT schema v1: "arrived") is on scene too, wherever it stopped: a
  crew parks on the nearest road, which may be further than the radius;
* lost: a unit whose telemetry stops while assigned is flagged, an alert names the
  next unit in the ranking as its replacement; it is unflagged when heard again;
* landing: an aircraft RETURNING that reports disarmed is AVAILABLE again;
* targets: an incident with nobody on scene when its target time passes raises an
  alert (once), so a late response is noticed while it can still be helped.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING

from fleet.events import Alert, Severity, StatusChanged, UnitSnapshot
from fleet.model import Domain, LinkState, UnitStatus
from fleet.stream import Batch

from .actions import AIRBORNE_M, on_scene_orbit
from .explain import duration
from .incident import AssignmentStatus, EventKind
from .places import distance_m

if TYPE_CHECKING:
    from .center import DispatchCenter

_BEFORE_SCENE = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACKNOWLEDGED,
                 AssignmentStatus.EN_ROUTE)


class Supervisor:
    def __init__(self, center: DispatchCenter, tick_s: float = 1.0,
                 batch_interval_s: float = 0.05) -> None:
        self.c = center
        self.tick_s = tick_s  # how often overdue targets are checked
        #: changes are taken at most this often (a few hundred units report every
        #: second); times are stamped from the reports, so waiting costs no precision
        self.batch_interval_s = batch_interval_s
        self._overdue: set[str] = set()

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._watch(), name="dispatch-watch")
            tg.create_task(self._targets(), name="dispatch-targets")

    async def _watch(self) -> None:
        with self.c.svc.subscribe(max_events=1000, snapshots=False) as sub:
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
                elif ev.old is UnitStatus.LOST:
                    await self._recovered(ev.unit_id, ev.time)
            elif isinstance(ev, Alert) and ev.code == "command.completed" and ev.unit_id:
                await self._completed(ev.unit_id, ev.time)
        state = self.c.svc.state
        for unit_id in batch.unit_ids:
            if self._watched(unit_id):
                await self._position(state.snapshot(unit_id))

    def _watched(self, unit_id: str) -> bool:
        """Assigned units, and aircraft flying home (landing makes them available): a
        few of the fleet's hundreds, so only their snapshots are built."""
        if self.c.owner(unit_id) is not None:
            return True
        state = self.c.svc.state
        return state.duty_status(unit_id) is UnitStatus.RETURNING and \
            state.unit(unit_id).domain is Domain.AIR

    async def _resync(self) -> None:
        """Check every assigned unit from scratch (at start, and after missed events)."""
        state = self.c.svc.state
        for unit_id, incident_id in self.c.assigned().items():
            inc = self.c.incident(incident_id)
            a = inc.assignment(unit_id)
            lost = state.link_state(unit_id) is LinkState.LOST
            if a is not None and lost and a.lost_at is None:
                await self._lost(unit_id, self.c.svc.wall(), "no telemetry")
            elif a is not None and not lost and a.lost_at is not None:
                await self._recovered(unit_id, self.c.svc.wall())
            await self._position(state.snapshot(unit_id))

    async def _position(self, snap: UnitSnapshot) -> None:
        c, t = self.c, snap.telemetry
        if t is None or math.isnan(t.lat_deg):
            return
        incident_id = c.owner(snap.id)
        air = snap.unit.domain is Domain.AIR
        if incident_id is None:
            if air and snap.duty_status is UnitStatus.RETURNING and t.armed is False:
                c.svc.set_status(snap.id, UnitStatus.AVAILABLE, "landed")
            return
        inc = c.incident(incident_id)
        a = inc.assignment(snap.id)
        if a is None or a.status not in _BEFORE_SCENE:
            return
        d = distance_m(t.lat_deg, t.lon_deg, inc.lat, inc.lon)
        s = c.settings
        if air and (a.status is not AssignmentStatus.EN_ROUTE or d > s.air_arrival_radius_m
                    or (t.relative_alt_m or 0.0) < AIRBORNE_M):
            return
        if not air and d > s.arrival_radius_m:
            return
        await self._arrived(snap.id, t.received_time, distance_m=round(d, 1), by="position")

    async def _completed(self, unit_id: str, time: float) -> None:
        """The unit says its goto is done (ground units and boats: the only command sent
        to them while assigned)."""
        c = self.c
        incident_id = c.owner(unit_id)
        if incident_id is None or c.svc.state.unit(unit_id).domain is Domain.AIR:
            return
        a = c.incident(incident_id).assignment(unit_id)
        if a is not None and a.status in _BEFORE_SCENE:
            await self._arrived(unit_id, time, by="unit reported arrival")

    async def _arrived(self, unit_id: str, time: float, **data: object) -> None:
        c = self.c
        incident_id = c.owner(unit_id)
        if incident_id is None or not await c.record_unit(EventKind.ON_SCENE, incident_id,
                                                          unit_id, time=time, **data):
            return
        inc = c.incident(incident_id)
        unit = c.svc.state.unit(unit_id)
        c.svc.set_status(unit_id, UnitStatus.ON_SCENE, inc.id)
        c.alert(Severity.INFO, "dispatch.on_scene",
                f"{inc.id}: {unit.callsign} on scene "
                f"{duration(time - inc.received_at)} after the call", unit_id)
        if unit.domain is Domain.AIR:
            c.spawn_for(unit_id, lambda: on_scene_orbit(c, inc, unit_id), f"orbit-{unit_id}")

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
                         f"{incident_id}: {self.c.svc.state.unit(unit_id).callsign} "
                         "heard again", unit_id)

    async def _check_targets(self) -> None:
        now = self.c.svc.wall()
        for inc in self.c.incidents(open_only=True):
            if inc.on_scene_at is None and inc.id not in self._overdue and \
                    now > inc.received_at + inc.target_s:
                self._overdue.add(inc.id)
                self.c.alert(Severity.WARNING, "dispatch.target_missed",
                             f"{inc.id}: nobody on scene {duration(inc.target_s)} after the "
                             f"call ({inc.zone_name} target)")
                await self.c.audit_only("incident.target_missed", inc.id, None,
                                        target_s=inc.target_s)
