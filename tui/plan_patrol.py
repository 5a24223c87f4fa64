"""A configured patrol (``[[patrols]]``) as missions for the aircraft the operator chose:
what ``patrol:<id>`` loads.

It plans as the schedule executor does (``fleet.planning.executor`` and ``legs``): the
patrol once, at the slowest of the aircraft's cruise speeds, from where the first one
stands; the job cut into one equal part per aircraft; for each, the first sortie of its
part from where it stands (or its base), within its endurance times its battery, minus
the patrol's reserve. Pure (numpy through fleet.planning); a failure is a reason per
unit, never an exception the screen has to catch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from fleet.config.patrols import PatrolConfig
from fleet.errors import FleetError
from fleet.events import UnitSnapshot
from fleet.model import KeySite, Zone
from fleet.planning.output import sortie_items
from fleet.planning.patrols import build_plan
from fleet.planning.sorties import Budget, next_sortie
from tui.patrol_routes import where
from tui.plan_load import Part, Planned


def battery_share(snap: UnitSnapshot) -> float:
    pct = snap.telemetry.battery_pct if snap.telemetry is not None else None
    return min(max(pct, 0.0), 100.0) / 100.0 if pct is not None and math.isfinite(pct) else 1.0


def plan_patrol(patrol: PatrolConfig, zones: Mapping[str, Zone], sites: Mapping[str, KeySite],
                aircraft: Sequence[UnitSnapshot]) -> Planned:
    """One part of ``patrol`` per aircraft that has a position or a base."""
    why = {s.id: "no position or base to plan from" for s in aircraft if where(s) is None}
    flying = [s for s in aircraft if s.id not in why]
    if not flying:
        return Planned(why=why)
    speed = patrol.speed_m_s or min(s.unit.capabilities.cruise_speed_m_s for s in flying)
    try:
        plan = build_plan(patrol, zones, sites, speed_m_s=speed, start=where(flying[0]))
        jobs = plan.job.split(len(flying))
    except FleetError as err:
        return Planned(why=why | {s.id: f"cannot plan patrol {patrol.id}: {err}"
                                  for s in flying})
    parts: dict[str, Part] = {}
    notes = []
    for k, (snap, job) in enumerate(zip(flying, jobs, strict=True)):
        spot = where(snap)
        assert spot is not None
        name = f"patrol {patrol.id}" + (f" (part {k + 1} of {len(jobs)})" if len(jobs) > 1
                                        else "")
        try:
            budget = Budget(snap.unit.capabilities.endurance_min * 60.0 * battery_share(snap),
                            patrol.reserve)
            sortie = next_sortie(job, plan.frame.point(*spot), budget,
                                 obstacles=plan.obstacles)
            items = sortie_items(sortie, plan.frame, alt_m=patrol.alt_m)
        except FleetError as err:
            why[snap.id] = f"cannot plan {name}: {err}"
            continue
        parts[snap.id] = Part(name, items, spot, speed)
        if sortie.end_s < job.duration_s - 1.0:
            share = sortie.end_s / job.duration_s if job.duration_s > 0 else 1.0
            notes.append(f"{snap.unit.callsign or snap.id}: one sortie flies {share:.0%} of "
                         f"{name} (endurance and battery); the rest is not loaded")
    return Planned(parts, why, tuple(notes))
