"""``fleet plan coverage|perimeter|tour|corridor``: plan, summarise, draw, export."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from fleet import geo
from fleet.config import FleetConfig, demo_config_path, load_config
from fleet.missions import write_plan
from fleet.model import Base, Position, UnitKind
from fleet.planning.errors import PlanningError
from fleet.planning.geometry import as_ring
from fleet.planning.output import sortie_plan
from fleet.planning.plans import (
    PatrolPlan,
    plan_area_coverage,
    plan_corridor,
    plan_orbit,
    plan_perimeter,
    plan_site_tour,
)
from fleet.planning.render import Layer, draw
from fleet.planning.sorties import Budget, Sortie
from fleet.spelling import did_you_mean

EXIT_OK, EXIT_USAGE = 0, 2


def load(args: argparse.Namespace) -> FleetConfig:
    return load_config(args.config or demo_config_path())


def pick(what: str, wanted: str, known: dict[str, object]) -> object:
    if wanted not in known:
        hint = did_you_mean(wanted, known) or (
            f"; known: {', '.join(sorted(known))}" if known else f"; no {what}s defined")
        raise PlanningError(f"unknown {what} {wanted!r}{hint}")
    return known[wanted]


def drone_bases(config: FleetConfig) -> list[Base]:
    seen: dict[str, Base] = {}
    for unit in config.units:
        if unit.kind is UnitKind.DRONE and unit.base is not None:
            seen.setdefault(unit.base.id, unit.base)
    return list(seen.values())


def choose_base(args: argparse.Namespace, config: FleetConfig, near: np.ndarray) -> Base:
    """--from, --base, or the drone base nearest the middle of the job."""
    if args.origin is not None:
        return Base("from", "given point", Position(*args.origin))
    if args.base is not None:
        return pick("base", args.base, config.bases)  # type: ignore[return-value]
    bases = drone_bases(config)
    if not bases:
        raise PlanningError("no drone base in the config: give --base ID or --from LAT,LON")
    centre = near.mean(axis=0)
    return min(bases, key=lambda b: geo.distance_m(centre[0], centre[1], b.position.lat_deg,
                                                   b.position.lon_deg))


def build(args: argparse.Namespace, config: FleetConfig) -> tuple[PatrolPlan, Base]:
    drone = config.kinds[UnitKind.DRONE]
    speed = args.speed or drone.cruise_speed_m_s
    zones = {z.id: z for z in config.zones}
    sites = {s.id: s for s in config.key_sites}
    if args.pattern == "tour":
        ids = [s.id for s in config.key_sites] if args.sites == "all" else \
            [x.strip() for x in args.sites.split(",") if x.strip()]
        chosen = [pick("key site", i, sites) for i in ids]
        pts = np.array([(s.position.lat_deg, s.position.lon_deg) for s in chosen])  # type: ignore[attr-defined]
        if len(pts) == 0:
            raise PlanningError("tour: no key sites to visit")
        base = choose_base(args, config, pts)
        start = (base.position.lat_deg, base.position.lon_deg)
        return plan_site_tour(pts, speed_m_s=speed, loiter_s=args.loiter, start=start,
                              closed=not args.open, exclusions=args.exclude), base
    if args.pattern == "corridor":
        line = np.array(args.line)
        base = choose_base(args, config, line)
        return plan_corridor(line, offset_m=args.offset, speed_m_s=speed,
                             exclusions=args.exclude), base
    if getattr(args, "site", None):
        site = pick("key site", args.site, sites)
        centre = (site.position.lat_deg, site.position.lon_deg)  # type: ignore[attr-defined]
        base = choose_base(args, config, np.array([centre]))
        radius = args.radius or site.radius_m  # type: ignore[attr-defined]
        return plan_orbit(centre, radius_m=radius, speed_m_s=speed, exclusions=args.exclude,
                          start=(base.position.lat_deg, base.position.lon_deg)), base
    area = np.array(pick("zone", args.zone, zones).polygon if args.zone  # type: ignore[attr-defined]
                    else args.polygon)
    base = choose_base(args, config, area)
    start = (base.position.lat_deg, base.position.lon_deg)
    if args.pattern == "perimeter":
        return plan_perimeter(area, offset_m=args.offset, speed_m_s=speed,
                              exclusions=args.exclude, start=start), base
    from fleet.planning.coverage import line_spacing
    spacing = args.spacing or line_spacing(args.alt, args.hfov, args.overlap)
    return plan_area_coverage(area, spacing_m=spacing, speed_m_s=speed,
                              exclusions=args.exclude, start=start, angle_deg=args.angle,
                              name=f"zone {args.zone}" if args.zone else "polygon"), base


def out_paths(out: Path, shape: Sequence[int]) -> list[Path]:
    """mission.plan for one sortie; mission-1.plan... or mission-d1-2.plan for drones."""
    if sum(shape) == 1:
        return [out]
    stem, suffix = out.stem, out.suffix or ".plan"
    if len(shape) == 1:
        return [out.with_name(f"{stem}-{k + 1}{suffix}") for k in range(shape[0])]
    return [out.with_name(f"{stem}-d{d + 1}-{k + 1}{suffix}")
            for d, n in enumerate(shape) for k in range(n)]


def summary(plan: PatrolPlan, parts: list[list[Sortie]], base: Base) -> list[str]:
    job = plan.job
    lines = [f"{plan.kind}: {job.length_m / 1000:.2f} km, {job.duration_s / 60:.1f} min at "
             f"{job.speed_m_s:g} m/s, {len(job)} points; base {base.id} ({base.name})"]
    detail = plan.detail
    if plan.kind == "coverage" and detail is not None:
        lines.append(f"sweep {detail.angle_deg:g}° from east, spacing {detail.spacing_m:.1f} m, "  # type: ignore[union-attr]
                     f"{len(detail.segments)} lines, {detail.turns} turns")  # type: ignore[union-attr]
    for d, sorties in enumerate(parts):
        times = ", ".join(f"{s.flight_s / 60:.1f}" for s in sorties)
        who = f"drone {d + 1}: " if len(parts) > 1 else ""
        lines.append(f"{who}{len(sorties)} sortie(s) of {times} min")
    return lines


def picture(plan: PatrolPlan, parts: list[list[Sortie]], area: np.ndarray | None,
            color: bool) -> str:
    layers = []
    if area is not None:
        ring = as_ring(plan.frame.to_xy(area))
        layers.append(Layer([np.vstack([ring, ring[:1]])], "2"))
    flights = [s.path() for sorties in parts for s in sorties]
    layers.append(Layer(flights, "36"))
    layers.append(Layer([np.vstack([r, r[:1]]) for r in plan.obstacles.rings], "31"))
    return draw(layers, color=color)


def show_file(path: Path) -> int:
    """Import a plan: its route, holds and altitude, drawn."""
    from fleet.geo import LocalFrame
    from fleet.missions import MissionFileError, read_plan
    from fleet.planning.output import route_from_items

    try:
        plan = read_plan(path)
        points, holds, alt = route_from_items(plan.mission)
    except (MissionFileError, PlanningError) as err:
        print(f"fleet: plan: {err}", file=sys.stderr)
        return EXIT_USAGE
    home = plan.home
    everything = points if home is None else np.vstack([points, [[home.lat_deg, home.lon_deg]]])
    frame = LocalFrame.around(everything)
    xy = frame.to_xy(everything)
    length = float(np.hypot(*np.diff(xy, axis=0).T).sum())
    print(f"{path}: {len(plan.mission)} items, {len(points)} route points, {length / 1000:.2f} km "
          f"at {alt:g} m, {holds.sum():g} s of holds")
    print(draw([Layer([xy], "36")], color=sys.stdout.isatty()))
    return EXIT_OK


def main(args: argparse.Namespace) -> int:
    if args.pattern == "show":
        return show_file(args.file)
    if args.drones < 1:
        print("fleet: plan: --drones must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    config = load(args)
    drone = config.kinds[UnitKind.DRONE]
    try:
        plan, base = build(args, config)
        budget = Budget((args.endurance or drone.endurance_min) * 60.0, args.reserve)
        parts = plan.sorties((base.position.lat_deg, base.position.lon_deg), budget,
                             parts=args.drones)
        plans = [sortie_plan(s, plan.frame, alt_m=args.alt, home_alt_amsl_m=base.position.alt_m)
                 for sorties in parts for s in sorties]
    except PlanningError as err:
        print(f"fleet: plan: {err}", file=sys.stderr)
        return EXIT_USAGE
    for line in summary(plan, parts, base):
        print(line)
    if args.show:
        area = None
        if getattr(args, "zone", None):
            area = np.array(next(z.polygon for z in config.zones if z.id == args.zone))
        elif getattr(args, "polygon", None):
            area = np.array(args.polygon)
        print(picture(plan, parts, area, color=sys.stdout.isatty()))
    if args.out is not None:
        for path, mission in zip(out_paths(args.out, [len(p) for p in parts]), plans,
                                 strict=True):
            write_plan(mission, path)
            print(f"wrote {path} ({len(mission.mission)} items)")
    return EXIT_OK
