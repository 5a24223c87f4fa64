"""The schedule executor: the core-side component that runs ``[[schedules]]`` patrols.

This is the one asynchronous module of :mod:`fleet.planning` (the rest is pure). It is
owned by :class:`fleet.service.FleetService` (``svc.schedules``) and runs in its task
group. For each due run it picks available units from the schedule's pool (nearest
first), plans the patrol from where they stand, and drives it:

* aircraft fly sorties cut to their endurance and battery: upload, arm, MISSION_START,
  then follow telemetry until they land; progress is the mission item being flown;
* ground and water units get a looping ``Patrol`` route for ``duration_min``, then
  return to their post.

A unit that is lost, refuses a command or is taken for an incident is replaced by the
next available one, which takes over where the job stopped, up to ``retries`` times.
Every run is recorded (``records``, the log, an alert per change of state, and the
dispatch audit when it runs) as completed, failed or skipped with the reason. A run
skipped because no unit was available is tried again every ``retry_s`` (5 min) while its
slot lasts (until the schedule's next run, or the end of its window), so a once-a-night
patrol is not lost because every drone was out at 20:00.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from fleet.config.schedules import Blackout, PatrolSchedule
from fleet.config.validate import did_you_mean
from fleet.events import Alert, Severity
from fleet.model import Domain

from .errors import PlanningError
from .legs import LegDriver
from .local_time import local
from .patrols import anchor, build_plan
from .plans import PatrolPlan
from .route import Route
from .runs import LegRecord, PatrolRoute, RunRecord, rank_candidates
from .schedule import blocking, next_runs, roster_for, shift_at, slot, upcoming

if TYPE_CHECKING:
    from fleet.config.patrols import PatrolConfig
    from fleet.service import FleetService

log = logging.getLogger("fleet.schedules")
_DONE = 1e-3  # seconds of job left that count as none
NO_UNIT = "no available unit"


class ScheduleExecutor:
    def __init__(self, service: FleetService, *, late_grace_s: float = 120.0,
                 poll_s: float = 30.0, command_timeout_s: float = 60.0,
                 history: int = 500, retry_s: float = 300.0) -> None:
        self.svc = service
        config = service.config
        self.entries = config.schedules
        self.schedules = {e.id: e for e in self.entries if isinstance(e, PatrolSchedule)}
        self.patrols = {p.id: p for p in config.patrols}
        self._zones = {z.id: z for z in config.zones}
        self._sites = {s.id: s for s in config.key_sites}
        self.late_grace_s = late_grace_s
        self.poll_s = poll_s
        self.retry_s = retry_s
        self.command_timeout_s = command_timeout_s
        self.records: deque[RunRecord] = deque(maxlen=history)
        self._busy: set[str] = set()
        self._ids = itertools.count(1)
        self._tg: asyncio.TaskGroup | None = None
        self.legs = LegDriver(service, command_timeout_s)
        #: audit rows not yet handed to the dispatch audit (bounded: oldest dropped)
        self._audit: deque[tuple[str, str | None, dict[str, Any]]] = deque(maxlen=history)
        self._routes: list[PatrolRoute] | None = None

    # -- the clock ------------------------------------------------------------------
    async def run(self) -> None:
        """Start due runs until cancelled (returns at once with no patrol schedules)."""
        if not self.schedules:
            return
        async with asyncio.TaskGroup() as tg:
            self._tg = tg
            try:
                await self._clock()
            finally:
                self._tg = None

    async def _clock(self) -> None:
        """Wake at the next occurrence (or every ``poll_s``, so a wall-clock jump is seen
        within that), start everything due since the last wake-up."""
        cursor = local(self.svc.wall() - self.late_grace_s)
        while True:
            self._flush_audit()
            now = local(self.svc.wall())
            until = now + dt.timedelta(microseconds=1)
            for occ in upcoming(self.entries, cursor, until):
                late = (now - occ.at).total_seconds()
                if occ.blocked_by is not None:
                    self._skip(occ.schedule, occ.at, f"blackout {occ.blocked_by.id}: "
                                                     f"{occ.blocked_by.reason}")
                elif late > self.late_grace_s:
                    self._skip(occ.schedule, occ.at, f"missed: due {late:.0f} s earlier")
                else:
                    assert self._tg is not None
                    self._tg.create_task(self._run_due(occ.schedule, occ.at),
                                         name=f"schedule-{occ.schedule.id}")
            cursor = max(cursor, until)
            upcoming_run = next_runs(self.entries, cursor, 1)
            wait = self.poll_s
            if upcoming_run:
                wait = min(wait, (upcoming_run[0].at - now).total_seconds())
            await asyncio.sleep(max(wait, 0.01))

    def patrol_routes(self) -> list[PatrolRoute]:
        """Every configured patrol's path in lat/lon, planned once (for consoles to
        draw), with the units of the schedules that run it."""
        if self._routes is None:
            units: dict[str, list[str]] = {}
            for s in self.schedules.values():
                units.setdefault(s.patrol, []).extend(s.pool)
            routes = []
            for p in self.patrols.values():
                try:
                    plan = build_plan(p, self._zones, self._sites,
                                      speed_m_s=p.speed_m_s or 10.0)
                except PlanningError as err:  # checked at load; never fatal for a drawing
                    log.info("patrol %s not drawn: %s", p.id, err)
                    continue
                points = tuple((float(a), float(b)) for a, b in plan.latlon())
                routes.append(PatrolRoute(p.id, p.name, points,
                                          tuple(dict.fromkeys(units.get(p.id, ())))))
            self._routes = routes
        return self._routes

    async def run_now(self, schedule_id: str, *, force: bool = False) -> RunRecord:
        """Run one occurrence now and wait for its end; a blackout skips it unless ``force``."""
        if schedule_id not in self.schedules:
            hint = did_you_mean(schedule_id, self.schedules) or \
                f"; known: {', '.join(self.schedules) or 'none'}"
            raise PlanningError(f"unknown schedule {schedule_id!r}{hint}")
        schedule = self.schedules[schedule_id]
        now = local(self.svc.wall())
        blackout = blocking([e for e in self.entries if isinstance(e, Blackout)], schedule_id,
                            now)
        if blackout is not None and not force:
            return self._skip(schedule, now, f"blackout {blackout.id}: {blackout.reason}")
        return await self.execute(schedule, now)

    async def _run_due(self, schedule: PatrolSchedule, due: dt.datetime) -> None:
        """Execute; while no unit is available, try again every ``retry_s`` within the
        run's slot."""
        slot_end = slot(schedule, due).timestamp()
        while True:
            rec = await self.execute(schedule, due)
            if rec.state != "skipped" or not rec.reason.startswith(NO_UNIT):
                return
            if self.svc.wall() + self.retry_s >= slot_end:
                return
            await asyncio.sleep(self.retry_s)

    # -- one run --------------------------------------------------------------------
    async def execute(self, schedule: PatrolSchedule, due: dt.datetime) -> RunRecord:
        """Pick units, plan, drive every part; the record says how it went."""
        patrol = self.patrols[schedule.patrol]
        rec = RunRecord(f"run-{next(self._ids)}", schedule.id, patrol.id, due)
        self.records.append(rec)
        near = anchor(patrol, self._zones, self._sites)
        ready, why = rank_candidates([self.svc.snapshot(u) for u in schedule.pool],
                                     self._busy, near)
        if len(ready) < patrol.split:
            detail = ", ".join(f"{u}: {r}" for u, r in why.items())
            return self._finish(rec, "skipped", f"{NO_UNIT} ({detail})")
        first = [s.unit.id for s in ready[:patrol.split]]
        self._busy.update(first)
        try:
            plan = await asyncio.to_thread(self._plan, patrol, schedule, first[0])
        except PlanningError as err:
            self._busy.difference_update(first)
            return self._finish(rec, "failed", f"cannot plan: {err}")
        rec.started = self.svc.wall()
        self._event(rec, Severity.INFO, "started", f"with {', '.join(first)}")
        parts = plan.job.split(patrol.split)
        outcomes: list[str | None] = [None] * len(parts)

        async def drive(k: int) -> None:
            outcomes[k] = await self._drive_part(rec, schedule, patrol, plan, parts[k],
                                                 first[k])

        try:
            async with asyncio.TaskGroup() as tg:
                for k in range(len(parts)):
                    tg.create_task(drive(k))
        finally:
            self._busy.difference_update(first)
        failures = [o for o in outcomes if o]
        if failures:
            return self._finish(rec, "failed", "; ".join(failures))
        return self._finish(rec, "completed")

    def _plan(self, patrol: PatrolConfig, schedule: PatrolSchedule, unit_id: str
              ) -> PatrolPlan:
        """Planned once per run at the pool's slowest speed, from the first unit's spot,
        so any replacement can fly or drive the same timeline."""
        pool = [self.svc.state.unit(u) for u in schedule.pool]
        speed = patrol.speed_m_s or min(u.capabilities.cruise_speed_m_s for u in pool)
        t = self.svc.snapshot(unit_id).telemetry
        start = (t.lat_deg, t.lon_deg) if t is not None else None
        return build_plan(patrol, self._zones, self._sites, speed_m_s=speed, start=start)

    async def _drive_part(self, rec: RunRecord, schedule: PatrolSchedule,
                          patrol: PatrolConfig, plan: PatrolPlan, part: Route, unit_id: str
                          ) -> str | None:
        """Fly or drive one part to its end, replacing units that drop out. Returns None
        when done, or why it could not be finished."""
        tau, driven_s, tried, failures = 0.0, 0.0, {unit_id}, 0
        need_s = patrol.duration_min * 60.0
        while True:
            unit = self.svc.state.unit(unit_id)
            leg = LegRecord(unit_id, self.svc.wall(), self._crew(unit.group), from_s=tau)
            rec.legs.append(leg)
            self._busy.add(unit_id)
            try:
                why = f"schedule {rec.schedule_id}"
                if unit.domain is Domain.AIR:
                    outcome, reason, tau = await self.legs.fly(unit_id, plan, part, tau,
                                                               patrol.alt_m, patrol.reserve, why)
                    done = part.duration_s - tau < _DONE
                else:
                    outcome, reason, spent = await self.legs.drive(unit_id, plan, part,
                                                                   need_s - driven_s, why)
                    driven_s += spent
                    done = need_s - driven_s < _DONE
            finally:
                self._busy.discard(unit_id)
            leg.outcome, leg.reason, leg.ended, leg.to_s = outcome, reason, self.svc.wall(), tau
            if done:
                return None
            failures += 1
            self._event(rec, Severity.WARNING, outcome, f"{unit_id}: {reason}", unit_id)
            if failures > schedule.retries:
                return f"{unit_id} {outcome} ({reason}); {schedule.retries} retries spent"
            here = plan.frame.to_latlon(part.position(tau))[0]
            ready, why = rank_candidates([self.svc.snapshot(u) for u in schedule.pool
                                          if u not in tried], self._busy,
                                         (float(here[0]), float(here[1])))
            if not ready:
                others = ", ".join(f"{u}: {r}" for u, r in why.items()) or "none in the pool"
                return f"{unit_id} {outcome} ({reason}); no unit to take over ({others})"
            unit_id = ready[0].unit.id
            tried.add(unit_id)
            self._event(rec, Severity.NOTICE, "replaced",
                        f"{unit_id} takes over from {leg.unit_id}", unit_id)

    # -- records --------------------------------------------------------------------
    def _crew(self, group: str) -> str | None:
        roster = roster_for(self.entries, group)
        if roster is None:
            return None
        return shift_at(roster, local(self.svc.wall())).crew

    def _skip(self, schedule: PatrolSchedule, due: dt.datetime, reason: str) -> RunRecord:
        rec = RunRecord(f"run-{next(self._ids)}", schedule.id, schedule.patrol, due)
        self.records.append(rec)
        return self._finish(rec, "skipped", reason)

    def _finish(self, rec: RunRecord, state: str, reason: str = "") -> RunRecord:
        rec.state, rec.reason, rec.ended = state, reason, self.svc.wall()
        log.info("%s", rec.line())
        severity = {"completed": Severity.INFO, "skipped": Severity.NOTICE}.get(
            state, Severity.WARNING)
        self._event(rec, severity, state, reason)
        return rec

    def _event(self, rec: RunRecord, severity: Severity, what: str, detail: str,
               unit_id: str | None = None) -> None:
        """One alert, one log line and (when dispatch runs) one audit row per change."""
        message = f"schedule {rec.schedule_id} {rec.run_id}: {what}" + \
            (f": {detail}" if detail else "")
        self.svc.stream.emit(Alert(self.svc.wall(), severity, f"schedule.{what}", message,
                                   unit_id=unit_id))
        self._audit.append((f"schedule.{what}", unit_id, {
            "run": rec.run_id, "schedule": rec.schedule_id, "patrol": rec.patrol_id,
            "due": rec.due.isoformat(), "at": self.svc.wall(), "detail": detail}))
        self._flush_audit()

    def _flush_audit(self) -> None:
        """Rows go to the dispatch audit once it is open (it opens as the core starts, so
        a run started at once waits here); without a dispatch centre, memory and log only."""
        dispatch: Any = getattr(self.svc, "dispatch", None)
        if dispatch is None or not getattr(dispatch, "available", False):
            return
        while self._audit:
            kind, unit_id, data = self._audit.popleft()
            dispatch.audit_later(kind, None, unit_id, **data)

    def next(self, count: int = 10) -> list[Any]:
        """The next runs as the clock will see them (blocked ones included)."""
        return next_runs(self.entries, local(self.svc.wall()), count)
