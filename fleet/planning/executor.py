"""The schedule executor: the core-side component that runs ``[[schedules]]`` patrols.

This is the one asynchronous module of :mod:`fleet.planning` (the rest is pure). It is
composed by :class:`fleet.service.FleetService` (``svc.schedules``), runs in the core's
task group, and reaches the fleet only through a :class:`fleet.port.FleetPort`.
For each due run it picks available units from the schedule's pool (nearest
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

Hand-over: an operator's command to a unit on a run (the core calls
:meth:`ScheduleExecutor.command_sent` with the command's origin before it goes out)
stops the executor driving that unit at once; its leg ends "handed over" and no
replacement is sent until the operator asks (:meth:`ScheduleExecutor.replace`).
Operators may also pause a schedule, skip its next run or start one now (kept in
memory only, :mod:`.controls`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fleet.commands import Command, Origin
from fleet.events import Alert, Severity
from fleet.model import Domain, Unit
from fleet.spelling import did_you_mean

from .controls import PAUSED, Controls
from .errors import PlanningError
from .legs import LegDriver
from .local_time import local
from .patrols import anchor, build_plan
from .plans import PatrolPlan
from .route import Route
from .runs import (
    HANDED_OVER,
    HandOver,
    LegRecord,
    PatrolRoute,
    RunRecord,
    ScheduleStatus,
    command_label,
    rank_candidates,
    takes_over,
)
from .schedule import (
    Occurrence,
    blocking,
    describe_window,
    next_runs,
    roster_for,
    shift_at,
    slot,
    upcoming,
)
from .settings import Blackout, PatrolSchedule

if TYPE_CHECKING:
    from fleet.model import KeySite, Zone
    from fleet.port import FleetPort

    from .settings import PatrolConfig, ScheduleEntry

#: (kind, unit id or None, data): a row for the audit, True once it is taken
AuditSink = Callable[[str, str | None, dict[str, Any]], bool]

log = logging.getLogger("fleet.schedules")
_DONE = 1e-3  # seconds of job left that count as none
NO_UNIT = "no available unit"
_WEEK = dt.timedelta(days=8)


class _Claim:
    """A unit the executor drives: from its pick for a run to the end of its leg."""

    __slots__ = ("handover", "task")

    def __init__(self) -> None:
        self.handover: HandOver | None = None
        self.task: asyncio.Task[tuple[str, str, float, float]] | None = None


@dataclass(frozen=True, slots=True)
class _Rest:
    """What a hand-over left of one part, for a replacement the operator asks for."""

    schedule: PatrolSchedule
    plan: PatrolPlan
    part: Route
    tau: float  # job seconds flown (aircraft)
    driven_s: float  # seconds driven (ground and water units)
    where: tuple[float, float]  # (lat, lon) where the unit left the job
    unit_id: str  # the unit handed over
    handover: HandOver
    done: float  # share of the part done


def _who(by: str) -> str:
    return "the operator" if by == Origin.OPERATOR else by


class ScheduleExecutor:
    def __init__(self, port: FleetPort, *, schedules: Sequence[ScheduleEntry] = (),
                 patrols: Sequence[PatrolConfig] = (), zones: Sequence[Zone] = (),
                 key_sites: Sequence[KeySite] = (), audit: AuditSink | None = None,
                 late_grace_s: float = 120.0, poll_s: float = 30.0,
                 command_timeout_s: float = 60.0, history: int = 500,
                 retry_s: float = 300.0) -> None:
        self.port = port
        self.entries = list(schedules)
        self.schedules = {e.id: e for e in self.entries if isinstance(e, PatrolSchedule)}
        self.patrols = {p.id: p for p in patrols}
        self._zones = {z.id: z for z in zones}
        self._sites = {s.id: s for s in key_sites}
        self._audit_sink = audit
        self.late_grace_s = late_grace_s
        self.poll_s = poll_s
        self.retry_s = retry_s
        self.command_timeout_s = command_timeout_s
        self.records: deque[RunRecord] = deque(maxlen=history)
        self.controls = Controls()
        self._claims: dict[str, _Claim] = {}  # unit id -> the run's hold on it
        self._rests: dict[str, list[_Rest]] = {}  # run id -> handed-over parts left
        self._history = history
        self._ids = itertools.count(1)
        self._tg: asyncio.TaskGroup | None = None
        self.legs = LegDriver(port, command_timeout_s)
        #: audit rows not yet handed to the dispatch audit (bounded: oldest dropped)
        self._audit: deque[tuple[str, str | None, dict[str, Any]]] = deque(maxlen=history)
        self._routes: list[PatrolRoute] | None = None
        port.watch_commands(self.command_sent)  # an operator's command takes a unit over

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
        cursor = local(self.port.wall() - self.late_grace_s)
        while True:
            self._flush_audit()
            now = local(self.port.wall())
            until = now + dt.timedelta(microseconds=1)
            for occ in upcoming(self.entries, cursor, until):
                late = (now - occ.at).total_seconds()
                held = self.controls.verdict(occ.schedule.id, occ.at)
                if held == PAUSED:
                    log.info("schedule %s due %s: not started (paused)", occ.schedule.id,
                             f"{occ.at:%Y-%m-%d %H:%M}")
                elif held is not None:
                    self._skip(occ.schedule, occ.at, held)
                elif occ.blocked_by is not None:
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

    def _schedule(self, schedule_id: str) -> PatrolSchedule:
        if schedule_id not in self.schedules:
            hint = did_you_mean(schedule_id, self.schedules) or \
                f"; known: {', '.join(self.schedules) or 'none'}"
            raise PlanningError(f"unknown schedule {schedule_id!r}{hint}")
        return self.schedules[schedule_id]

    async def run_now(self, schedule_id: str, *, force: bool = False) -> RunRecord:
        """Run one occurrence now and wait for its end; a blackout skips it unless ``force``.
        A paused schedule runs too (the operator asked for this one)."""
        schedule = self._schedule(schedule_id)
        now = local(self.port.wall())
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
            if self.port.wall() + self.retry_s >= slot_end:
                return
            if schedule.id in self.controls.paused:
                return
            await asyncio.sleep(self.retry_s)

    # -- one run --------------------------------------------------------------------
    async def execute(self, schedule: PatrolSchedule, due: dt.datetime) -> RunRecord:
        """Pick units, plan, drive every part; the record says how it went."""
        patrol = self.patrols[schedule.patrol]
        rec = RunRecord(f"run-{next(self._ids)}", schedule.id, patrol.id, due)
        self.records.append(rec)
        near = anchor(patrol, self._zones, self._sites)
        ready, why = rank_candidates([self.port.snapshot(u) for u in schedule.pool],
                                     self._claims, near)
        if len(ready) < patrol.split:
            detail = ", ".join(f"{u}: {r}" for u, r in why.items())
            return self._finish(rec, "skipped", f"{NO_UNIT} ({detail})")
        first = [s.unit.id for s in ready[:patrol.split]]
        for unit_id in first:  # from now on an operator's command takes it over
            self._claims[unit_id] = _Claim()
        try:
            plan = await asyncio.to_thread(self._plan, patrol, schedule, first[0])
        except PlanningError as err:
            for unit_id in first:
                self._claims.pop(unit_id, None)
            return self._finish(rec, "failed", f"cannot plan: {err}")
        self._drop_rests(schedule.id)
        rec.started = self.port.wall()
        self._event(rec, Severity.INFO, "started", f"with {', '.join(first)}")
        starts = [(part, 0.0, 0.0, unit_id)
                  for part, unit_id in zip(plan.job.split(patrol.split), first, strict=True)]
        return await self._drive_all(rec, schedule, plan, starts)

    async def _drive_all(self, rec: RunRecord, schedule: PatrolSchedule, plan: PatrolPlan,
                         starts: Sequence[tuple[Route, float, float, str]]) -> RunRecord:
        """Drive every part (route, τ, seconds driven, first unit) at once; then the
        record's end: failed if any part failed, handed over if any was, else completed."""
        outcomes: list[str | _Rest | None] = [None] * len(starts)

        async def drive(k: int) -> None:
            part, tau, driven_s, unit_id = starts[k]
            outcomes[k] = await self._drive_part(rec, schedule, plan, part, unit_id, tau,
                                                 driven_s)

        try:
            async with asyncio.TaskGroup() as tg:
                for k in range(len(starts)):
                    tg.create_task(drive(k))
        finally:
            for _, _, _, unit_id in starts:  # a unit picked but never driven (cancelled)
                if not any(leg.unit_id == unit_id for leg in rec.legs):
                    self._claims.pop(unit_id, None)
        failures = [o for o in outcomes if isinstance(o, str)]
        if failures:
            return self._finish(rec, "failed", "; ".join(failures))
        rests = [o for o in outcomes if isinstance(o, _Rest)]
        if rests:
            left = "; ".join(f"{r.unit_id} to {_who(r.handover.by)} ({r.handover.command}) "
                             f"after {r.done:.0%} of its part" for r in rests)
            return self._finish(rec, HANDED_OVER, f"{left}; the rest waits for a replacement")
        return self._finish(rec, "completed")

    def _plan(self, patrol: PatrolConfig, schedule: PatrolSchedule, unit_id: str
              ) -> PatrolPlan:
        """Planned once per run at the pool's slowest speed, from the first unit's spot,
        so any replacement can fly or drive the same timeline."""
        pool = [self.port.view.unit(u) for u in schedule.pool]
        speed = patrol.speed_m_s or min(u.capabilities.cruise_speed_m_s for u in pool)
        t = self.port.snapshot(unit_id).telemetry
        start = (t.lat_deg, t.lon_deg) if t is not None else None
        return build_plan(patrol, self._zones, self._sites, speed_m_s=speed, start=start)

    async def _drive_part(self, rec: RunRecord, schedule: PatrolSchedule, plan: PatrolPlan,
                          part: Route, unit_id: str, tau: float = 0.0, driven_s: float = 0.0
                          ) -> str | _Rest | None:
        """Fly or drive one part to its end from τ (or ``driven_s``), replacing units that
        drop out. None when done; what an operator's hand-over left; or why it failed."""
        patrol = self.patrols[schedule.patrol]
        tried, failures = {unit_id}, 0
        need_s = patrol.duration_min * 60.0
        while True:
            unit = self.port.view.unit(unit_id)
            leg = LegRecord(unit_id, self.port.wall(), self._crew(unit.group), from_s=tau)
            rec.legs.append(leg)
            claim = self._claims.setdefault(unit_id, _Claim())
            why = f"schedule {rec.schedule_id}"
            started = self.port.monotonic()
            result = None
            if claim.handover is None:  # not taken over between its pick and now
                claim.task = asyncio.create_task(self._leg(unit, patrol, plan, part, tau,
                                                           need_s - driven_s, why, leg))
                try:
                    result = await claim.task
                except asyncio.CancelledError:
                    me = asyncio.current_task()
                    if claim.handover is None or (me is not None and me.cancelling()):
                        raise  # the run itself is cancelled (the core stops)
                finally:
                    self._claims.pop(unit_id, None)
            else:
                self._claims.pop(unit_id, None)
            if result is None:
                assert claim.handover is not None
                if unit.domain is not Domain.AIR:
                    driven_s += self.port.monotonic() - started
                return self._handed_over(rec, schedule, plan, part, unit, leg, claim.handover,
                                         tau if leg.to_s is None else leg.to_s, driven_s,
                                         need_s, why)
            outcome, reason, tau, spent = result
            driven_s += spent
            done = (need_s - driven_s < _DONE) if unit.domain is not Domain.AIR \
                else (part.duration_s - tau < _DONE)
            leg.outcome, leg.reason, leg.ended, leg.to_s = outcome, reason, self.port.wall(), tau
            if done:
                return None
            failures += 1
            self._event(rec, Severity.WARNING, outcome, f"{unit_id}: {reason}", unit_id)
            if failures > schedule.retries:
                return f"{unit_id} {outcome} ({reason}); {schedule.retries} retries spent"
            here = plan.frame.to_latlon(part.position(tau))[0]
            ready, whynot = rank_candidates([self.port.snapshot(u) for u in schedule.pool
                                             if u not in tried], self._claims,
                                            (float(here[0]), float(here[1])))
            if not ready:
                others = ", ".join(f"{u}: {r}" for u, r in whynot.items()) or \
                    "none in the pool"
                return f"{unit_id} {outcome} ({reason}); no unit to take over ({others})"
            unit_id = ready[0].unit.id
            self._claims[unit_id] = _Claim()
            tried.add(unit_id)
            self._event(rec, Severity.NOTICE, "replaced",
                        f"{unit_id} takes over from {leg.unit_id}", unit_id)

    async def _leg(self, unit: Unit, patrol: PatrolConfig, plan: PatrolPlan, part: Route,
                   tau: float, remaining_s: float, why: str, leg: LegRecord
                   ) -> tuple[str, str, float, float]:
        """One unit's leg: (outcome, reason, τ reached, seconds driven). An aircraft's τ
        so far is kept in ``leg.to_s`` as it flies."""
        if unit.domain is Domain.AIR:
            def heard(reached: float) -> None:
                leg.to_s = reached

            outcome, reason, tau = await self.legs.fly(unit.id, plan, part, tau, patrol.alt_m,
                                                       patrol.reserve, why, heard)
            return outcome, reason, tau, 0.0
        outcome, reason, spent = await self.legs.drive(unit.id, plan, part, remaining_s, why)
        return outcome, reason, tau, spent

    def _handed_over(self, rec: RunRecord, schedule: PatrolSchedule, plan: PatrolPlan,
                     part: Route, unit: Unit, leg: LegRecord, handover: HandOver, tau: float,
                     driven_s: float, need_s: float, why: str) -> _Rest | None:
        """Record a leg taken over by an operator; keep what is left for a replacement
        (None if nothing is)."""
        self.legs.release(unit.id, why)
        leg.outcome, leg.handover, leg.ended, leg.to_s = HANDED_OVER, handover, handover.at, tau
        leg.reason = f"{handover.by} sent {handover.command}"
        self._event(rec, Severity.NOTICE, "handed_over", leg.reason, unit.id,
                    message=f"schedule {rec.schedule_id}: {unit.callsign} handed over to "
                            f"{_who(handover.by)} ({handover.command})")
        if unit.domain is Domain.AIR:
            left, done = part.duration_s - tau, tau / max(part.duration_s, _DONE)
        else:
            left, done = need_s - driven_s, driven_s / max(need_s, _DONE)
        if left < _DONE:
            return None
        here = plan.frame.to_latlon(part.position(tau))[0]
        rest = _Rest(schedule, plan, part, tau, driven_s, (float(here[0]), float(here[1])),
                     unit.id, handover, min(max(done, 0.0), 1.0))
        self._rests.setdefault(rec.run_id, []).append(rest)
        while len(self._rests) > self._history:
            del self._rests[next(iter(self._rests))]
        return rest

    def _drop_rests(self, schedule_id: str) -> None:
        """A new run of a schedule supersedes what hand-overs left of its earlier runs."""
        for run_id in [r for r, rests in self._rests.items()
                       if rests[0].schedule.id == schedule_id]:
            log.info("schedule %s: %s's handed-over rest dropped (a new run started)",
                     schedule_id, run_id)
            del self._rests[run_id]

    # -- the operator ---------------------------------------------------------------
    def command_sent(self, unit_id: str, command: Command, origin: Origin) -> None:
        """Told by the core before a command goes out (``FleetPort.watch_commands``): an operator's
        command that moves a unit on a run takes it over (the leg stops at once)."""
        if origin in (Origin.SCHEDULE, Origin.DISPATCH) or not takes_over(command):
            return
        claim = self._claims.get(unit_id)
        if claim is None or claim.handover is not None:
            return
        claim.handover = HandOver(str(origin), command_label(command), self.port.wall())
        if claim.task is not None:
            claim.task.cancel()

    def pause(self, schedule_id: str, *, by: str = Origin.OPERATOR) -> bool:
        """Start no run of ``schedule_id`` until :meth:`resume` (runs under way go on).
        False if it was paused already."""
        schedule = self._schedule(schedule_id)
        if not self.controls.pause(schedule_id, by, self.port.wall()):
            return False
        self._note(schedule, "paused", f"paused by {_who(by)}; runs under way go on")
        return True

    def resume(self, schedule_id: str, *, by: str = Origin.OPERATOR) -> bool:
        """Undo :meth:`pause` (missed runs are not made up). False if not paused."""
        schedule = self._schedule(schedule_id)
        if not self.controls.resume(schedule_id):
            return False
        self._note(schedule, "resumed", f"resumed by {_who(by)}")
        return True

    def skip_next(self, schedule_id: str, *, by: str = Origin.OPERATOR) -> dt.datetime:
        """Mark the next run that would start (not in a blackout) to be skipped; returns
        when it is due. Raises PlanningError if none is due within 8 days."""
        schedule = self._schedule(schedule_id)
        occ = next((o for o in self._upcoming(schedule) if o.blocked_by is None), None)
        if occ is None:
            raise PlanningError(f"schedule {schedule_id!r} has no run in the next 8 days")
        self.controls.skip(schedule_id, occ.at, _who(by), self.port.wall())
        self._note(schedule, "skip", f"the run due {occ.at:%a %H:%M} will be skipped "
                                     f"({_who(by)})")
        return occ.at

    def unskip(self, schedule_id: str, *, by: str = Origin.OPERATOR) -> bool:
        """Undo :meth:`skip_next`. False if no run was marked."""
        schedule = self._schedule(schedule_id)
        at = self.controls.skipping(schedule_id)
        if at is None or not self.controls.unskip(schedule_id):
            return False
        self._note(schedule, "unskip", f"the run due {at:%a %H:%M} will run ({_who(by)})")
        return True

    def start_now(self, schedule_id: str, *, by: str = Origin.OPERATOR) -> None:
        """:meth:`run_now` without waiting: the run goes on in the executor's tasks."""
        schedule = self._schedule(schedule_id)
        self._note(schedule, "run_now", f"run now asked by {_who(by)}", Severity.INFO)
        self._spawn(self.run_now(schedule_id), f"schedule-{schedule_id}-now")

    async def replace(self, run_id: str, *, by: str = Origin.OPERATOR) -> RunRecord:
        """Send fresh units to fly or drive what hand-overs left of ``run_id`` (a new run
        that ``resumes`` it) and wait for its end. Raises PlanningError if nothing is left."""
        return await self._resume(run_id, self._take_rests(run_id), by)

    def start_replacement(self, run_id: str, *, by: str = Origin.OPERATOR) -> None:
        """:meth:`replace` without waiting."""
        rests = self._take_rests(run_id)
        self._spawn(self._resume(run_id, rests, by), f"schedule-{run_id}-replacement")

    def _take_rests(self, run_id: str) -> list[_Rest]:
        rests = self._rests.pop(run_id, None)
        if rests is None:
            raise PlanningError(f"{run_id} has nothing handed over left to replace")
        return rests

    def _spawn(self, coro: Coroutine[Any, Any, RunRecord], name: str) -> None:
        if self._tg is None:
            coro.close()
            raise PlanningError("the schedule clock is not running")
        self._tg.create_task(coro, name=name)

    async def _resume(self, run_id: str, rests: list[_Rest], by: str) -> RunRecord:
        schedule = rests[0].schedule
        old = next((r for r in self.records if r.run_id == run_id), None)
        due = old.due if old is not None else local(self.port.wall())
        rec = RunRecord(f"run-{next(self._ids)}", schedule.id, schedule.patrol, due,
                        resumes=run_id)
        self.records.append(rec)
        starts: list[tuple[Route, float, float, str]] = []
        whynot: dict[str, str] = {}
        for rest in rests:
            ready, whynot = rank_candidates([self.port.snapshot(u) for u in schedule.pool],
                                            self._claims, rest.where)
            if not ready:
                break
            unit_id = ready[0].unit.id
            self._claims[unit_id] = _Claim()
            starts.append((rest.part, rest.tau, rest.driven_s, unit_id))
        if len(starts) < len(rests):
            for *_, unit_id in starts:
                self._claims.pop(unit_id, None)
            self._rests[run_id] = rests  # the operator may ask again
            detail = ", ".join(f"{u}: {r}" for u, r in whynot.items()) or "none in the pool"
            return self._finish(rec, "skipped", f"{NO_UNIT} to replace ({detail})")
        rec.started = self.port.wall()
        units = ", ".join(u for *_, u in starts)
        self._event(rec, Severity.INFO, "started",
                    f"with {units}, replacing what {run_id} handed over ({_who(by)} asked)")
        return await self._drive_all(rec, schedule, rests[0].plan, starts)

    # -- what the console shows -----------------------------------------------------
    def _upcoming(self, schedule: PatrolSchedule) -> list[Occurrence]:
        now = local(self.port.wall())
        blackouts = [e for e in self.entries if isinstance(e, Blackout)]
        return upcoming([schedule, *blackouts], now, now + _WEEK)

    def status(self) -> list[ScheduleStatus]:
        """Every patrol schedule: next run, pause, skip, blackout, runs under way, the
        last run that ended, and runs whose handed-over parts await a replacement."""
        now = local(self.port.wall())
        blackouts = [e for e in self.entries if isinstance(e, Blackout)]
        out = []
        for s in self.schedules.values():
            nxt = next(iter(self._upcoming(s)), None)
            now_blocked = blocking(blackouts, s.id, now)
            mine = [r for r in self.records if r.schedule_id == s.id]
            out.append(ScheduleStatus(
                s.id, s.name, s.patrol, describe_window(s), s.enabled,
                s.id in self.controls.paused,
                nxt.at if nxt else None,
                nxt.blocked_by.id if nxt and nxt.blocked_by else None,
                self.controls.skipping(s.id),
                f"{now_blocked.id}: {now_blocked.reason}" if now_blocked else None,
                tuple(r for r in mine if r.state == "running"),
                next((r for r in reversed(mine) if r.state != "running"), None),
                tuple(run_id for run_id, rests in self._rests.items()
                      if rests[0].schedule.id == s.id)))
        return out

    # -- records --------------------------------------------------------------------
    def _crew(self, group: str) -> str | None:
        roster = roster_for(self.entries, group)
        if roster is None:
            return None
        return shift_at(roster, local(self.port.wall())).crew

    def _skip(self, schedule: PatrolSchedule, due: dt.datetime, reason: str) -> RunRecord:
        rec = RunRecord(f"run-{next(self._ids)}", schedule.id, schedule.patrol, due)
        self.records.append(rec)
        return self._finish(rec, "skipped", reason)

    def _finish(self, rec: RunRecord, state: str, reason: str = "") -> RunRecord:
        rec.state, rec.reason, rec.ended = state, reason, self.port.wall()
        log.info("%s", rec.line())
        severity = {"completed": Severity.INFO, "skipped": Severity.NOTICE,
                    HANDED_OVER: Severity.NOTICE}.get(state, Severity.WARNING)
        self._event(rec, severity, state.replace(" ", "_"), reason)
        return rec

    def _event(self, rec: RunRecord, severity: Severity, what: str, detail: str,
               unit_id: str | None = None, *, message: str | None = None) -> None:
        """One alert, one log line and (when dispatch runs) one audit row per change."""
        if message is None:
            message = f"schedule {rec.schedule_id} {rec.run_id}: {what.replace('_', ' ')}" + \
                (f": {detail}" if detail else "")
        self.port.emit(Alert(self.port.wall(), severity, f"schedule.{what}", message,
                                   unit_id=unit_id))
        self._audit.append((f"schedule.{what}", unit_id, {
            "run": rec.run_id, "schedule": rec.schedule_id, "patrol": rec.patrol_id,
            "due": rec.due.isoformat(), "at": self.port.wall(), "detail": detail}))
        self._flush_audit()

    def _note(self, schedule: PatrolSchedule, what: str, detail: str,
              severity: Severity = Severity.NOTICE) -> None:
        """An operator's action on a schedule: an alert, a log line, an audit row."""
        self.port.emit(Alert(self.port.wall(), severity, f"schedule.{what}",
                                   f"schedule {schedule.id}: {detail}"))
        self._audit.append((f"schedule.{what}", None, {
            "schedule": schedule.id, "patrol": schedule.patrol, "at": self.port.wall(),
            "detail": detail}))
        self._flush_audit()

    def _flush_audit(self) -> None:
        """Rows go to the audit once it takes them (the dispatch audit opens as the core
        starts, so a run started at once waits here); without one, memory and log only."""
        sink = self._audit_sink
        while self._audit and sink is not None:
            kind, unit_id, data = self._audit[0]
            if not sink(kind, unit_id, data):
                return
            self._audit.popleft()

    def next(self, count: int = 10) -> list[Any]:
        """The next runs as the clock will see them (blocked ones included)."""
        return next_runs(self.entries, local(self.port.wall()), count)
