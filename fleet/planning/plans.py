"""Patrol patterns in latitude/longitude: the entry points most callers want.

Each builder takes (lat, lon) pairs, works in a :class:`LocalFrame` around them and
returns a :class:`PatrolPlan`: the job as a route timeline, the no-fly zones, and the
frame to turn it back into coordinates. :mod:`.output` makes missions and commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fleet.geo import LocalFrame

from .coverage import DEFAULT_CLEARANCE_M, CoveragePlan, plan_coverage
from .errors import PlanningError, UnreachableError
from .geometry import as_ring, check_polygon
from .obstacles import Obstacles
from .perimeter import corridor_loop, orbit_loop, perimeter_loop
from .route import Route
from .sorties import Budget, Sortie, plan_sorties
from .tours import Tour, plan_tour

LatLon = Sequence[tuple[float, float]] | np.ndarray


@dataclass(frozen=True, slots=True)
class PatrolPlan:
    """What to patrol, in a local frame. ``loop``: ground units repeat it until relieved."""

    kind: str  # coverage, perimeter, orbit, corridor, tour
    frame: LocalFrame
    job: Route
    obstacles: Obstacles
    loop: bool = False
    detail: CoveragePlan | Tour | None = None

    def latlon(self) -> np.ndarray:
        """The job's points as (K, 2) [lat, lon]."""
        return self.frame.to_latlon(self.job.points)

    def sorties(self, base: tuple[float, float], budget: Budget, *, parts: int = 1
                ) -> list[list[Sortie]]:
        """The job split into ``parts`` (one per unit, equal time), each cut into sorties
        from ``base`` that fit ``budget``. Unreachable points name their coordinates."""
        home = self.frame.point(*base)
        try:
            return [plan_sorties(part, home, budget, obstacles=self.obstacles)
                    for part in self.job.split(parts)]
        except UnreachableError as err:
            xy = getattr(err, "point_xy", None)
            if xy is None:
                raise
            lat, lon = self.frame.to_latlon(xy)[0]
            raise UnreachableError(
                f"{self.kind}: ({lat:.5f}, {lon:.5f}) is out of reach from base "
                f"({base[0]:.5f}, {base[1]:.5f}): {err}") from None


def _frame(*groups: LatLon | None) -> LocalFrame:
    pts = [np.asarray(g, dtype=float).reshape(-1, 2) for g in groups if g is not None]
    return LocalFrame.around(np.vstack(pts))


def _obstacles(frame: LocalFrame, exclusions: Sequence[LatLon], clearance_m: float
               ) -> Obstacles:
    rings = []
    for i, ex in enumerate(exclusions):
        ring = as_ring(frame.to_xy(ex), f"exclusion {i + 1}")
        check_polygon(ring, f"exclusion {i + 1}", min_area_m2=1.0)
        rings.append(ring)
    return Obstacles(rings, clearance_m)


def _clear(points: np.ndarray, obstacles: Obstacles, kind: str) -> np.ndarray:
    inside = obstacles.inside(points)
    if inside.any():
        k = int(np.argmax(inside))
        raise PlanningError(f"{kind}: point {k + 1} lies inside an exclusion zone")
    return obstacles.route(points)


def plan_area_coverage(area: LatLon, *, spacing_m: float, speed_m_s: float,
                       exclusions: Sequence[LatLon] = (), start: tuple[float, float] | None = None,
                       angle_deg: float | None = None,
                       clearance_m: float = DEFAULT_CLEARANCE_M, name: str = "area"
                       ) -> PatrolPlan:
    """A lawnmower over ``area`` (see :mod:`.coverage`), starting near ``start``."""
    frame = _frame(area, *exclusions, [start] if start else None)
    obstacles = _obstacles(frame, exclusions, clearance_m)
    detail = plan_coverage(frame.to_xy(area), spacing_m, obstacles=obstacles,
                           angle_deg=angle_deg, start=frame.point(*start) if start else None,
                           name=name)
    return PatrolPlan("coverage", frame, Route(detail.waypoints, speed_m_s), obstacles,
                      detail=detail)


def plan_perimeter(area: LatLon, *, offset_m: float, speed_m_s: float,
                   exclusions: Sequence[LatLon] = (), start: tuple[float, float] | None = None,
                   clearance_m: float = DEFAULT_CLEARANCE_M, name: str = "perimeter"
                   ) -> PatrolPlan:
    """Around a polygon at ``offset_m`` outside it, as a loop."""
    frame = _frame(area, *exclusions, [start] if start else None)
    obstacles = _obstacles(frame, exclusions, clearance_m)
    loop = perimeter_loop(frame.to_xy(area), offset_m,
                          start=frame.point(*start) if start else None, name=name)
    return PatrolPlan("perimeter", frame, Route(_clear(loop, obstacles, name), speed_m_s),
                      obstacles, loop=True)


def plan_orbit(centre: tuple[float, float], *, radius_m: float, speed_m_s: float,
               exclusions: Sequence[LatLon] = (), start: tuple[float, float] | None = None,
               clearance_m: float = DEFAULT_CLEARANCE_M) -> PatrolPlan:
    """A circle of ``radius_m`` around a site (a key site's perimeter), as a loop."""
    frame = LocalFrame(*centre)
    obstacles = _obstacles(frame, exclusions, clearance_m)
    loop = orbit_loop(np.zeros(2), radius_m, start=frame.point(*start) if start else None)
    return PatrolPlan("orbit", frame, Route(_clear(loop, obstacles, "orbit"), speed_m_s),
                      obstacles, loop=True)


def plan_corridor(line: LatLon, *, offset_m: float = 0.0, speed_m_s: float,
                  exclusions: Sequence[LatLon] = (), clearance_m: float = DEFAULT_CLEARANCE_M,
                  name: str = "corridor") -> PatrolPlan:
    """Along a road or the river and back (one side each way at ``offset_m``)."""
    frame = _frame(line, *exclusions)
    obstacles = _obstacles(frame, exclusions, clearance_m)
    loop = corridor_loop(frame.to_xy(line), offset_m, name=name)
    return PatrolPlan("corridor", frame, Route(_clear(loop, obstacles, name), speed_m_s),
                      obstacles, loop=True)


def plan_site_tour(sites: LatLon, *, speed_m_s: float, loiter_s: float = 0.0,
                   start: tuple[float, float] | None = None, closed: bool = True,
                   exclusions: Sequence[LatLon] = (),
                   clearance_m: float = DEFAULT_CLEARANCE_M) -> PatrolPlan:
    """Visit every site once, holding ``loiter_s`` at each, shortest order first found.

    With ``start`` (the base) the order is planned from there; the job itself begins at
    the first site (sorties add the legs from and to base)."""
    frame = _frame(sites, *exclusions, [start] if start else None)
    obstacles = _obstacles(frame, exclusions, clearance_m)
    pts = frame.to_xy(sites)
    if obstacles.inside(pts).any():
        k = int(np.argmax(obstacles.inside(pts)))
        raise PlanningError(f"tour: site {k + 1} lies inside an exclusion zone")
    nodes = pts if start is None else np.vstack([pts, frame.point(*start)])
    dist = obstacles.distances(nodes, nodes) if obstacles else None
    tour = plan_tour(pts, start=None if start is None else nodes[-1], closed=closed,
                     distances=dist)
    ordered = pts[list(tour.order)]
    hold = np.full(len(ordered), float(loiter_s))
    if closed and start is None and len(ordered) > 1:
        ordered, hold = np.vstack([ordered, ordered[:1]]), np.append(hold, 0.0)
    path, path_hold = _route_with_holds(ordered, hold, obstacles)
    return PatrolPlan("tour", frame, Route(path, speed_m_s, path_hold), obstacles,
                      loop=closed, detail=tour)


def _route_with_holds(points: np.ndarray, hold: np.ndarray, obstacles: Obstacles
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Detour every blocked leg; detour corners get no loiter time."""
    if not obstacles or len(points) < 2:
        return points, hold
    out, out_hold = [points[:1]], [hold[:1]]
    for k in range(1, len(points)):
        leg = obstacles.path(points[k - 1], points[k])[1:]
        out.append(leg)
        out_hold.append(np.concatenate((np.zeros(len(leg) - 1), hold[k:k + 1])))
    return np.vstack(out), np.concatenate(out_hold)
