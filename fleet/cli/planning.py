"""``fleet plan``, ``fleet coverage`` and ``fleet schedule``: registered by fleet.cli.

Handlers import their work lazily, so ``fleet --help`` stays quick. Bad input is one
line on stderr and exit code 2, as everywhere in fleet.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from fleet.cli.args import positive_float


def points_arg(text: str) -> list[tuple[float, float]]:
    """``"lat,lon lat,lon ..."`` (spaces or semicolons between points)."""
    points = []
    for part in text.replace(";", " ").split():
        try:
            lat_text, lon_text = part.split(",")
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected 'lat,lon lat,lon ...', got {part!r}") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise argparse.ArgumentTypeError(f"({lat}, {lon}) is not a position")
        points.append((lat, lon))
    if not points:
        raise argparse.ArgumentTypeError("expected at least one 'lat,lon' point")
    return points


def point_arg(text: str) -> tuple[float, float]:
    points = points_arg(text)
    if len(points) != 1:
        raise argparse.ArgumentTypeError(f"expected one 'lat,lon', got {len(points)} points")
    return points[0]


def _config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, default=None, metavar="FILE",
                   help="fleet config (TOML); default: the Hengyang demo")


def _flight_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("flight")
    g.add_argument("--alt", type=positive_float, default=60.0, metavar="M",
                   help="altitude above the base (default 60)")
    g.add_argument("--speed", type=positive_float, default=None, metavar="M_S",
                   help="cruise speed (default: the drone kind's)")
    g.add_argument("--base", default=None, metavar="ID",
                   help="base id to fly from (default: the nearest base with drones)")
    g.add_argument("--from", dest="origin", type=point_arg, default=None, metavar="LAT,LON",
                   help="fly from this point instead of a base")
    g.add_argument("--drones", type=int, default=1, metavar="N",
                   help="split the job among N drones (default 1)")
    g.add_argument("--endurance", type=positive_float, default=None, metavar="MIN",
                   help="flight endurance (default: the drone kind's)")
    g.add_argument("--reserve", type=float, default=0.25, metavar="F",
                   help="share of endurance kept in reserve (default 0.25)")
    g.add_argument("--exclude", type=points_arg, action="append", default=[],
                   metavar="POLYGON", help="a no-fly polygon 'lat,lon lat,lon ...' (repeatable)")
    g.add_argument("--out", type=Path, default=None, metavar="FILE.plan",
                   help="write QGroundControl plans (one per sortie: FILE-1.plan, ...)")
    g.add_argument("--show", action="store_true", help="draw the plan on the terminal")


def register(subparsers: Any) -> None:
    plan = subparsers.add_parser("plan", help="plan a patrol: coverage, perimeter, tour, corridor",
                                 description="Plan a drone patrol and export it as "
                                 "QGroundControl .plan files.")
    kinds = plan.add_subparsers(dest="pattern", metavar="PATTERN", required=True)

    cov = kinds.add_parser("coverage", help="lawnmower over an area",
                           description="Boustrophedon coverage of a zone or polygon.")
    _config_option(cov)
    where = cov.add_mutually_exclusive_group(required=True)
    where.add_argument("--zone", metavar="ID", help="a zone from the config")
    where.add_argument("--polygon", type=points_arg, metavar="POLYGON",
                       help="'lat,lon lat,lon ...'")
    cov.add_argument("--spacing", type=positive_float, default=None, metavar="M",
                     help="line spacing (default: from --hfov, --overlap and --alt)")
    cov.add_argument("--hfov", type=positive_float, default=70.0, metavar="DEG",
                     help="camera horizontal field of view (default 70)")
    cov.add_argument("--overlap", type=float, default=0.2, metavar="F",
                     help="side overlap between swaths (default 0.2)")
    cov.add_argument("--angle", type=float, default=None, metavar="DEG",
                     help="sweep direction, degrees counter-clockwise from east "
                          "(default: fewest turns)")
    _flight_options(cov)

    per = kinds.add_parser("perimeter", help="loop around a zone, polygon or key site",
                           description="Perimeter patrol at an offset around an area, or "
                           "an orbit around a key site.")
    _config_option(per)
    where = per.add_mutually_exclusive_group(required=True)
    where.add_argument("--zone", metavar="ID")
    where.add_argument("--polygon", type=points_arg, metavar="POLYGON")
    where.add_argument("--site", metavar="ID", help="a key site: orbit it")
    per.add_argument("--offset", type=float, default=50.0, metavar="M",
                     help="distance outside the area (default 50)")
    per.add_argument("--radius", type=positive_float, default=None, metavar="M",
                     help="orbit radius around a site (default: its radius_m)")
    _flight_options(per)

    tour = kinds.add_parser("tour", help="visit key sites", description="Visit key sites "
                            "in the shortest order found, loitering at each.")
    _config_option(tour)
    tour.add_argument("--sites", default="all", metavar="ID,ID,...",
                      help="key site ids (default: all)")
    tour.add_argument("--loiter", type=float, default=60.0, metavar="S",
                      help="seconds over each site (default 60)")
    tour.add_argument("--open", action="store_true",
                      help="end at the last site instead of returning")
    _flight_options(tour)

    cor = kinds.add_parser("corridor", help="along a road or river and back",
                           description="Fly along a polyline and back, one side each way.")
    _config_option(cor)
    cor.add_argument("--line", type=points_arg, required=True, metavar="LINE",
                     help="'lat,lon lat,lon ...'")
    cor.add_argument("--offset", type=float, default=0.0, metavar="M",
                     help="distance to each side (default 0: back on the same line)")
    _flight_options(cor)
    show = kinds.add_parser("show", help="summarise and draw a QGroundControl .plan file",
                            description="Read a .plan (ours or QGroundControl's) and draw "
                            "its route on the terminal.")
    show.add_argument("file", type=Path, metavar="FILE.plan")
    plan.set_defaults(handler=_run("fleet.cli.plan"))

    coverage = subparsers.add_parser(
        "coverage", help="response-time coverage of zones and key sites",
        description="Share of each zone reachable within its target (1/3/5 min) and "
        "where idle units should wait. Offline, units are placed at their bases.")
    _config_option(coverage)
    coverage.add_argument("--cell", type=positive_float, default=None, metavar="M",
                          help="demand grid cell size (default: about 2,000 cells)")
    coverage.add_argument("--domains", default="land", metavar="D,D",
                          help="unit domains that count (default land)")
    coverage.add_argument("--recommend", type=int, default=0, metavar="N",
                          help="also suggest up to N moves of idle units")
    coverage.add_argument("--listen", type=positive_float, default=None, metavar="S",
                          help="run the core for S seconds and use live telemetry")
    coverage.set_defaults(handler=_run("fleet.cli.coverage"))

    schedule = subparsers.add_parser("schedule", help="scheduled patrols: list, next, run-now",
                                     description="The [[schedules]] of the config.")
    actions = schedule.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (("list", "every schedule, roster and blackout"),
                       ("next", "the next runs")):
        sp = actions.add_parser(name, help=text, description=text)
        _config_option(sp)
        sp.add_argument("--at", default=None, metavar="YYYY-MM-DDTHH:MM",
                        help="local time (Asia/Shanghai) to look from (default: now)")
        sp.add_argument("--count", type=int, default=10, metavar="N",
                        help="how many runs to show (next; default 10)")
    now = actions.add_parser("run-now", help="start one run of a schedule now",
                             description="Start the core with the config's links, run the "
                             "schedule's patrol once and wait for it to finish.")
    _config_option(now)
    now.add_argument("schedule", metavar="ID")
    now.add_argument("--timeout", type=positive_float, default=3600.0, metavar="S",
                     help="give up after S seconds (default 3600)")
    schedule.set_defaults(handler=_run("fleet.cli.schedule"))


def _run(module: str) -> Any:
    def handler(args: argparse.Namespace) -> int:
        import importlib
        return importlib.import_module(module).main(args)
    return handler
