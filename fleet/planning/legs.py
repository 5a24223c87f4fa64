"""Driving one unit through one leg of a scheduled patrol: the core side of a sortie.

An aircraft gets the next sortie cut from where it stands and its battery, then upload,
arm, MISSION_START, and is followed on its telemetry until it lands, is lost or is taken
for an incident; its progress is the mission item it flies. A ground or water unit gets
the part as a looping ``Patrol`` for the time left, then returns to its post. Each leg
answers (outcome, reason, progress) and never raises for a unit's failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING

from fleet import commands as c
from fleet.errors import FleetError, FleetTimeoutError
from fleet.model import Telemetry, UnitStatus

from .output import patrol_command, sortie_items
from .plans import PatrolPlan
from .route import Route
from .sorties import Budget, Sortie, next_sortie

if TYPE_CHECKING:
    from fleet.port import FleetPort


class LegDriver:
    def __init__(self, port: FleetPort, command_timeout_s: float = 60.0) -> None:
        self.port = port
        self.command_timeout_s = command_timeout_s

    async def fly(self, unit_id: str, plan: PatrolPlan, part: Route, tau: float, alt_m: float,
                  reserve: float, why: str, progress: Callable[[float], None] | None = None
                  ) -> tuple[str, str, float]:
        """One sortie of ``part`` from τ, from where the aircraft stands:
        (outcome, reason, job τ reached). ``progress`` hears the τ reached as it grows
        (so a leg cancelled by a hand-over still knows where it stopped)."""
        snap = self.port.snapshot(unit_id)
        t = snap.telemetry
        assert t is not None
        caps = snap.unit.capabilities
        battery = (t.battery_pct if t.battery_pct is not None else 100.0) / 100.0
        try:
            base = plan.frame.point(t.lat_deg, t.lon_deg)
            sortie = next_sortie(part, base, Budget(caps.endurance_min * 60.0 * battery, reserve),
                                 start_s=tau, obstacles=plan.obstacles)
            items = sortie_items(sortie, plan.frame, alt_m=alt_m)
        except FleetError as err:
            return "failed", f"cannot plan a sortie: {err}", tau
        self.port.set_status(unit_id, UnitStatus.PATROLLING, why)
        try:
            timeout = self.command_timeout_s
            await self._send(unit_id, c.UploadMission(items), timeout)
            await self._send(unit_id, c.Arm(), timeout)
            # MISSION_START is sent only to a vehicle the link knows is armed; the ACK of
            # the arm command can come before the heartbeat that says so
            await self._until(unit_id, lambda t: bool(t.armed), timeout)
            await self._send(unit_id, c.StartMission(), timeout)
            outcome, reason, reached = await self._follow_flight(unit_id, sortie, len(items),
                                                                 progress)
        except FleetError as err:
            outcome, reason, reached = "failed", str(err), tau
        finally:
            self.release(unit_id, why)
        return outcome, reason, reached

    async def _send(self, unit_id: str, command: c.Command, timeout: float) -> None:
        await self.port.send(unit_id, command, timeout=timeout, origin=c.Origin.SCHEDULE)

    async def _until(self, unit_id: str, ok: Callable[[Telemetry], bool], timeout: float
                     ) -> None:
        with self.port.subscribe(units=[unit_id], max_events=16) as sub:
            try:
                async with asyncio.timeout(timeout):
                    while (t := self.port.snapshot(unit_id).telemetry) is None or not ok(t):
                        await sub.next_batch()
            except TimeoutError:
                raise FleetTimeoutError(f"{unit_id}: no armed report within {timeout:g} s"
                                        ) from None

    async def _follow_flight(self, unit_id: str, sortie: Sortie, n_items: int,
                             heard: Callable[[float], None] | None = None
                             ) -> tuple[str, str, float]:
        """Watch the aircraft until it lands, is lost or is taken for an incident."""
        first_route_item = 3 + len(sortie.outbound)  # takeoff, speed, detour, then the route
        route = sortie.route

        def progress(seq: int) -> float:
            """Job τ done once mission item ``seq`` (1-based, = ArduPilot seq) is current."""
            k = seq - first_route_item  # route point being flown to
            if k <= 0:
                return sortie.start_s
            if k >= len(route):
                return sortie.end_s
            return sortie.start_s + float(route.depart[k - 1])

        limit = 3.0 * sortie.flight_s + 300.0
        airborne, armed_seen, seq = False, False, 0
        with self.port.subscribe(units=[unit_id], max_events=64) as sub:
            try:
                async with asyncio.timeout(limit):
                    while True:
                        snap = self.port.snapshot(unit_id)
                        t = snap.telemetry
                        if t is not None and t.mission_seq is not None \
                                and t.mission_seq > seq:
                            seq = t.mission_seq
                            if heard is not None:
                                heard(progress(seq))
                        if snap.status is UnitStatus.LOST:
                            return "lost", "no telemetry", progress(seq)
                        if snap.duty_status.committed:
                            return "relieved", f"taken for an incident ({snap.duty_status})", \
                                progress(seq)
                        if t is not None and t.armed:
                            armed_seen = True
                            airborne = airborne or (t.relative_alt_m or 0.0) > 2.0
                        if armed_seen and not airborne and t is not None and t.armed is False:
                            return "failed", "disarmed before taking off", sortie.start_s
                        if airborne and t is not None and t.armed is False:
                            if seq >= n_items:  # reached RETURN_TO_LAUNCH: all flown
                                return "completed", "", sortie.end_s
                            return "failed", f"landed early at mission item {seq}", progress(seq)
                        await sub.next_batch()
            except TimeoutError:
                return "failed", f"no landing within {limit:.0f} s", progress(seq)

    async def drive(self, unit_id: str, plan: PatrolPlan, part: Route, remaining_s: float,
                    why: str) -> tuple[str, str, float]:
        """Drive the part's loop for ``remaining_s``: (outcome, reason, seconds driven)."""
        route = PatrolPlan(plan.kind, plan.frame, part, plan.obstacles, loop=True)
        started = self.port.monotonic()
        self.port.set_status(unit_id, UnitStatus.PATROLLING, why)
        try:
            await self._send(unit_id, patrol_command(route), self.command_timeout_s)
            outcome, reason = await self._watch(unit_id, remaining_s)
        except FleetError as err:
            outcome, reason = "failed", str(err)
        spent = self.port.monotonic() - started
        if outcome == "completed":
            spent = max(spent, remaining_s)
            with suppress(FleetError):
                await self._send(unit_id, c.ReturnToLaunch(), self.command_timeout_s)
        self.release(unit_id, why)
        return outcome, reason, spent

    def release(self, unit_id: str, why: str) -> None:
        """Back to available, unless an incident has taken the unit meanwhile. A lost
        aircraft is not picked again while it still reports itself armed."""
        if not self.port.snapshot(unit_id).duty_status.committed:
            with suppress(FleetError):
                self.port.set_status(unit_id, UnitStatus.AVAILABLE, why)

    async def _watch(self, unit_id: str, seconds: float) -> tuple[str, str]:
        with self.port.subscribe(units=[unit_id], max_events=64) as sub:
            try:
                async with asyncio.timeout(seconds):
                    while True:
                        snap = self.port.snapshot(unit_id)
                        if snap.status is UnitStatus.LOST:
                            return "lost", "no telemetry"
                        if snap.duty_status.committed:
                            return "relieved", f"taken for an incident ({snap.duty_status})"
                        await sub.next_batch()
            except TimeoutError:
                return "completed", ""
