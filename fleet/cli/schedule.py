"""``fleet schedule list|next|run-now``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import math
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from fleet.cli.plan import EXIT_OK, EXIT_USAGE, load
from fleet.config import FleetConfig
from fleet.config.schedules import DAYS, Blackout, PatrolSchedule, Roster
from fleet.planning.errors import PlanningError
from fleet.planning.local_time import CITY_TZ
from fleet.planning.schedule import next_runs, shift_at

if TYPE_CHECKING:
    from fleet.service import FleetService

EXIT_FAILED = 1


def _at(args: argparse.Namespace) -> dt.datetime:
    if args.at is None:
        return dt.datetime.now(CITY_TZ)
    return dt.datetime.fromisoformat(args.at).replace(tzinfo=CITY_TZ)


def _days(days: frozenset[int]) -> str:
    return "daily" if len(days) == 7 else ",".join(DAYS[d] for d in sorted(days))


def describe(entry: object, at: dt.datetime) -> str:
    if isinstance(entry, PatrolSchedule):
        every = f"every {entry.every_min:g} min" if entry.every_min else "once"
        off = "" if entry.enabled else " (disabled)"
        return (f"{entry.id}: patrol {entry.patrol} {every} {entry.start:%H:%M}-"
                f"{entry.end:%H:%M} {_days(entry.days)}, units {', '.join(entry.pool)}, "
                f"{entry.retries} retries{off}")
    if isinstance(entry, Roster):
        shift = shift_at(entry, at)
        return (f"{entry.id}: roster of crews {', '.join(entry.crews)}, "
                f"{entry.shifts_per_day} shifts a day from {entry.first_shift:%H:%M}, groups "
                f"{', '.join(entry.groups)}; on duty now: crew {shift.crew} until "
                f"{shift.end:%H:%M}")
    assert isinstance(entry, Blackout)
    when = (f"{entry.start:%Y-%m-%d %H:%M} to {entry.end:%Y-%m-%d %H:%M}"
            if isinstance(entry.start, dt.datetime)
            else f"{entry.start:%H:%M}-{entry.end:%H:%M} {_days(entry.days)}")
    scope = ", ".join(sorted(entry.applies_to)) or "all schedules"
    return f"{entry.id}: blackout {when} for {scope}: {entry.reason}"


POOL_WAIT_S = 15.0


async def _pool_placed(svc: FleetService, pool: Iterable[str], timeout: float) -> None:
    """Wait until every unit of the pool is heard with a position, or ``timeout``: this
    core has just started, and a drone that has just booted has no GPS fix yet."""
    units = list(pool)

    def placed() -> bool:
        return all((t := svc.state.telemetry(u)) is not None and math.isfinite(t.lat_deg)
                   for u in units)

    with contextlib.suppress(TimeoutError), svc.subscribe(units=units, max_events=16) as sub:
        async with asyncio.timeout(timeout):
            while not placed():
                await sub.next_batch()


async def _run_now(config: FleetConfig, schedule_id: str, timeout: float) -> int:
    from fleet.service import FleetService

    async with FleetService(config) as svc:
        schedule = svc.schedules.schedules.get(schedule_id)
        if schedule is not None:
            await _pool_placed(svc, schedule.pool, POOL_WAIT_S)
        async with asyncio.timeout(timeout):
            rec = await svc.schedules.run_now(schedule_id)
    print(rec.line())
    for leg in rec.legs:
        crew = f" crew {leg.crew}" if leg.crew else ""
        print(f"  {leg.unit_id}{crew}: {leg.outcome} {leg.reason}".rstrip())
    return EXIT_OK if rec.state == "completed" else EXIT_FAILED


def main(args: argparse.Namespace) -> int:
    config = load(args)
    if args.action == "run-now":
        try:
            return asyncio.run(_run_now(config, args.schedule, args.timeout))
        except PlanningError as err:
            print(f"fleet: schedule: {err}", file=sys.stderr)
            return EXIT_USAGE
        except TimeoutError:
            print(f"fleet: schedule: {args.schedule} did not finish within {args.timeout:g} s",
                  file=sys.stderr)
            return EXIT_FAILED
    try:
        at = _at(args)
    except ValueError:
        print(f"fleet: schedule: --at expects YYYY-MM-DDTHH:MM, got {args.at!r}", file=sys.stderr)
        return EXIT_USAGE
    print(f"times are Asia/Shanghai (UTC+8); as of {at:%Y-%m-%d %H:%M}")
    if args.action == "list":
        if not config.schedules:
            print("no [[schedules]] in the config")
        for entry in config.schedules:
            print(describe(entry, at))
        return EXIT_OK
    runs = next_runs(config.schedules, at, args.count)
    if not runs:
        print("no runs in the next 8 days")
    for occ in runs:
        blocked = f"  skipped: blackout {occ.blocked_by.id}" if occ.blocked_by else ""
        print(f"{occ.at:%a %Y-%m-%d %H:%M}  {occ.schedule.id} ({occ.schedule.patrol}){blocked}")
    return EXIT_OK
