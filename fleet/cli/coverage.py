"""``fleet coverage``: the response-time table, and where idle units should wait."""

from __future__ import annotations

import argparse
import asyncio
import sys

from fleet.cli.plan import EXIT_OK, EXIT_USAGE, load
from fleet.config import FleetConfig
from fleet.model import Domain, UnitStatus
from fleet.planning.demand import demand_grid
from fleet.planning.placement import recommend
from fleet.planning.response import MOVABLE_DOMAINS, Responders, coverage_table, live_rows


def _domains(text: str) -> tuple[Domain, ...]:
    names = [d.strip() for d in text.split(",") if d.strip()]
    bad = [d for d in names if d not in {x.value for x in Domain}]
    if bad or not names:
        raise ValueError(f"unknown domain {bad[0] if bad else text!r}; expected air, land, water")
    return tuple(Domain(d) for d in names)


async def _listen(config: FleetConfig, seconds: float, domains: tuple[Domain, ...], frame
                  ) -> tuple[Responders, Responders]:  # type: ignore[no-untyped-def]
    """Run the core for ``seconds`` and take the units it hears (counting, idle)."""
    from fleet.service import FleetService

    async with FleetService(config) as svc:
        await asyncio.sleep(seconds)  # gather telemetry: what the operator asked for
        cols, units = svc.state.columns, [svc.state.unit_at(i) for i in range(len(svc.state))]
        counting = live_rows(cols, domains=domains)
        idle = live_rows(cols, statuses=(UnitStatus.AVAILABLE,), domains=MOVABLE_DOMAINS)
        return (Responders.from_columns(cols, units, frame, counting),
                Responders.from_columns(cols, units, frame, idle))


def main(args: argparse.Namespace) -> int:
    config = load(args)
    try:
        domains = _domains(args.domains)
    except ValueError as err:
        print(f"fleet: coverage: {err}", file=sys.stderr)
        return EXIT_USAGE
    if not config.zones and not config.key_sites:
        print("fleet: coverage: the config has no zones or key sites", file=sys.stderr)
        return EXIT_USAGE
    demand = demand_grid(config.zones, config.key_sites, cell_m=args.cell)
    if args.listen:
        units, idle = asyncio.run(_listen(config, args.listen, domains, demand.frame))
        print(f"live: {len(units)} {'/'.join(d.value for d in domains)} units heard in "
              f"{args.listen:g} s")
    else:
        placed = [u for u in config.units if u.domain in domains]
        units = Responders.at_bases(placed, demand.frame)
        idle = Responders.at_bases([u for u in placed if u.domain in MOVABLE_DOMAINS],
                                   demand.frame)
        print(f"offline: no telemetry, so {len(units)} {'/'.join(d.value for d in domains)} "
              f"units are placed at their bases")
    print(f"demand: {len(demand)} points, cells of {demand.cell_m:.0f} m")
    print(f"{'area':<24} {'kind':<5} {'target':>6} {'reached':>8} {'slowest':>8}")
    for row in coverage_table(demand, units):
        slowest = f"{row.worst_eta_s / 60:.1f} min" if row.worst_eta_s < 1e9 else "never"
        print(f"{row.id:<24} {row.kind:<5} {row.target_min:>4g} m {row.share:>8.1%} "
              f"{slowest:>8}")
    if args.recommend > 0:
        fixed_ids = set(units.ids) - set(idle.ids)
        fixed = units.take([i for i, u in enumerate(units.ids) if u in fixed_ids])
        rec = recommend(demand, fixed, idle, max_moves=args.recommend)
        print(f"recommendation: {rec.before:.1%} -> {rec.after:.1%} of demand reached")
        for s in rec.suggestions:
            print(f"  {s.unit_id}: wait at {s.lat_deg:.5f},{s.lon_deg:.5f} "
                  f"({s.distance_m:.0f} m away, +{s.share:.1%} of demand)")
    return EXIT_OK
