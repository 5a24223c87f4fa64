"""Area coverage: a boustrophedon (lawnmower) route over a polygon, around no-fly zones.

1. Line spacing comes from the camera: swath = 2·alt·tan(hfov/2), spacing = swath·(1 - overlap).
2. The sweep direction is the candidate angle (the polygon's edge directions plus every
   10°) whose lines break into the fewest pieces: each piece costs two turns, and turns,
   not straight metres, are what stretch a survey.
3. Each band's line is flown over the polygon's extent within the band (see
   :mod:`.sweep`), except where the line itself runs inside an exclusion's *fence* (the
   exclusion grown by its clearance and a 0.5 m margin); the fences' outline is flown
   too where it can see the area (see :mod:`.contour`). Together they put every point of
   the area outside the exclusions within half a spacing of the path (when clearance +
   0.5 m is at most half a spacing; docs/planning.md has the exact statement), and
   nothing flown comes within the clearance.
4. Pieces are chained nearest-end-first from the start point (which gives the
   back-and-forth order and finishes one lobe of a concave area before the next), the
   order is shortened by 2-opt and Or-opt on the true connection lengths (see
   :mod:`.chain`), and every connecting leg that would cross an exclusion takes its
   shortest detour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import chain
from .contour import outline_arcs
from .errors import PlanningError
from .geometry import as_ring, check_polygon, path_length
from .obstacles import Obstacles
from .sweep import (
    band_centres,
    band_projection,
    line_intervals,
    merge,
    midline_segments,
    rotation,
    subtract,
)

MAX_LINES = 20_000
#: a turn costs about this many metres of straight flight (decelerate, turn, accelerate)
TURN_COST_M = 60.0
DEFAULT_CLEARANCE_M = 10.0
#: the chained order is improved (2-opt, Or-opt) up to this many pieces; beyond, it is
#: kept as chained (each improving sweep is a square matrix over the pieces' ends)
IMPROVE_MAX_PIECES = 250


def swath_width(alt_m: float, hfov_deg: float) -> float:
    """Ground width seen by a nadir camera with horizontal field of view ``hfov_deg``."""
    if not 0 < hfov_deg < 180:
        raise PlanningError(f"field of view: expected 0 < hfov_deg < 180, got {hfov_deg:g}")
    if alt_m <= 0:
        raise PlanningError(f"altitude: expected alt_m > 0, got {alt_m:g}")
    return 2.0 * alt_m * math.tan(math.radians(hfov_deg) / 2.0)


def line_spacing(alt_m: float, hfov_deg: float, overlap: float = 0.2) -> float:
    """Distance between sweep lines so adjacent swaths overlap by ``overlap`` (0..0.9)."""
    if not 0 <= overlap <= 0.9:
        raise PlanningError(f"overlap: expected 0..0.9, got {overlap:g}")
    return swath_width(alt_m, hfov_deg) * (1.0 - overlap)


@dataclass(frozen=True, slots=True)
class CoveragePlan:
    """A coverage route in the local frame (metres), in flight order."""

    waypoints: np.ndarray  # (K, 2): sweep ends, outline corners and detour corners
    segments: np.ndarray  # (S, 2, 2): the sweep pieces, each as flown
    angle_deg: float  # sweep direction, counter-clockwise from east
    spacing_m: float
    #: (C, 2, 2): legs flown along the no-fly zones' fences, each as flown
    outline: np.ndarray = field(default_factory=lambda: np.empty((0, 2, 2)))
    arcs: int = 0  # how many runs along a fence those legs make

    @property
    def length_m(self) -> float:
        return path_length(self.waypoints)

    @property
    def turns(self) -> int:
        """Direction changes of more than 10° along the route (two per line-to-line
        connection; fence runs and detours add their corners)."""
        d = np.diff(self.waypoints, axis=0)
        if len(d) < 2:
            return 0
        cross = d[:-1, 0] * d[1:, 1] - d[:-1, 1] * d[1:, 0]
        dot = (d[:-1] * d[1:]).sum(axis=1)
        return int((np.abs(np.arctan2(cross, dot)) > math.radians(10.0)).sum())

    @property
    def survey_legs(self) -> np.ndarray:
        """(S + C, 2, 2): every leg the coverage guarantee rests on."""
        return np.concatenate((self.segments, self.outline))


def _candidate_angles(ring: np.ndarray) -> np.ndarray:
    d = np.diff(np.vstack([ring, ring[:1]]), axis=0)
    length = np.hypot(d[:, 0], d[:, 1])
    longest = np.argsort(length)[::-1][:24]
    edge_angles = np.degrees(np.arctan2(d[longest, 1], d[longest, 0])) % 180.0
    angles = np.concatenate([edge_angles, np.arange(0.0, 180.0, 10.0)])
    angles = np.unique(np.round(angles, 1))
    return angles


def best_angle(ring: np.ndarray, holes: Sequence[np.ndarray], spacing_m: float) -> float:
    """The sweep direction (degrees) with the fewest line pieces, then the shortest lines."""
    best, best_cost = 0.0, math.inf
    for angle in _candidate_angles(ring):
        rot = rotation(float(angle))
        r = ring @ rot
        centres = band_centres(float(r[:, 1].min()), float(r[:, 1].max()), spacing_m)
        pieces = midline_segments(r, [h @ rot for h in holes], centres)
        cost = pieces * 2 * TURN_COST_M + len(centres) * 1e-3  # tie-break: fewer lines
        if cost < best_cost - 1e-9:
            best, best_cost = float(angle), cost
    return best


def _pieces(ring: np.ndarray, fences: Sequence[np.ndarray], angle: float, spacing: float
            ) -> tuple[list[np.ndarray], np.ndarray, int]:
    """The polylines to fly in world coordinates, unordered (sweep pieces first, then
    arcs along the fences), each one's band, and how many are sweep pieces."""
    rot = rotation(angle)
    r = ring @ rot
    centres = band_centres(float(r[:, 1].min()), float(r[:, 1].max()), spacing)
    if len(centres) > MAX_LINES:
        raise PlanningError(f"{len(centres)} sweep lines exceed the {MAX_LINES} limit; "
                            f"raise the spacing or split the area")
    lo, hi = centres - spacing / 2.0, centres + spacing / 2.0
    swept = band_projection(r, lo, hi)
    area = swept
    walls = [f @ rot for f in fences]
    if walls:
        parts = [line_intervals(w, centres) for w in walls]
        area = subtract(area, merge(*(np.concatenate(p) for p in zip(*parts, strict=True))))
    band, x_lo, x_hi = area
    y = centres[band]
    ends = np.stack([np.column_stack([x_lo, y]), np.column_stack([x_hi, y])], axis=1)
    pieces = list(ends @ rot.T)
    arcs = outline_arcs(walls, centres, spacing, swept,
                        (float(r[:, 1].min()), float(r[:, 1].max()))) if walls else []
    arc_band = [int(np.clip(np.rint((a[:, 1].mean() - centres[0]) / spacing), 0,
                            len(centres) - 1)) for a in arcs]
    pieces += [a @ rot.T for a in arcs]
    return pieces, np.concatenate((band, np.array(arc_band, dtype=int))), len(band)


def _order(ends: np.ndarray, band: np.ndarray, spacing: float, origin: np.ndarray,
           obstacles: Obstacles) -> chain.Order:
    """The flight order: the greedy chain, shortened by local search on the true lengths
    of the connections (detours included)."""
    order = chain.greedy(ends, band, spacing, origin)
    if len(ends) < 2 or len(ends) > IMPROVE_MAX_PIECES:
        return order
    nodes = np.vstack([ends.reshape(-1, 2), origin[None]])
    # lines and fence runs share ends: measure each point once
    unique, which = np.unique(np.round(nodes, 6), axis=0, return_inverse=True)
    dist = obstacles.distances(unique)[np.ix_(which.ravel(), which.ravel())]
    if not np.isfinite(dist).all():
        return order  # an enclosed piece: the route will say which
    return chain.improve(order, dist)


def _legs(polylines: list[np.ndarray]) -> np.ndarray:
    if not polylines:
        return np.empty((0, 2, 2))
    return np.concatenate([np.stack((p[:-1], p[1:]), axis=1) for p in polylines])


def plan_coverage(
    area: np.ndarray,
    spacing_m: float,
    *,
    exclusions: Sequence[np.ndarray] = (),
    angle_deg: float | None = None,
    start: np.ndarray | None = None,
    clearance_m: float = DEFAULT_CLEARANCE_M,
    name: str = "area",
    obstacles: Obstacles | None = None,
) -> CoveragePlan:
    """A lawnmower route over ``area`` (local metres) avoiding ``exclusions``.

    ``start`` (e.g. the base) picks the first piece; ``angle_deg`` forces a direction.
    ``obstacles``, if given, are the exclusions already prepared (with their clearance).
    """
    if not spacing_m > 0:
        raise PlanningError(f"{name}: expected a line spacing > 0, got {spacing_m:g}")
    ring = as_ring(area, name)
    check_polygon(ring, name)
    if obstacles is None:
        holes = []
        for i, ex in enumerate(exclusions):
            hole = as_ring(ex, f"exclusion {i + 1}")
            check_polygon(hole, f"exclusion {i + 1}", min_area_m2=1.0)
            holes.append(hole)
        obstacles = Obstacles(holes, clearance_m)
    clearance_m = obstacles.clearance_m
    angle = best_angle(ring, obstacles.fences, spacing_m) if angle_deg is None else angle_deg
    pieces, band, lines = _pieces(ring, obstacles.fences, angle, spacing_m)
    if lines == 0:
        raise PlanningError(f"{name}: the exclusion zones (with {clearance_m:g} m clearance) "
                            f"cover the whole area; nothing is left to fly")
    ends = np.stack([np.stack((p[0], p[-1])) for p in pieces])
    origin = ring.mean(axis=0) if start is None else np.asarray(start, dtype=float)
    if start is None:  # begin at a corner: the end farthest from the centre
        flat = int(np.argmax(np.hypot(*(ends[:lines] - origin).transpose(2, 0, 1))))
        origin = ends[divmod(flat, 2)]
    order = _order(ends, band, spacing_m, origin, obstacles)
    flown = [pieces[i][::-1] if rev else pieces[i] for i, rev in order]
    sweeps = [p for p, (i, _) in zip(flown, order, strict=True) if i < lines]
    along = [p for p, (i, _) in zip(flown, order, strict=True) if i >= lines]
    points = np.vstack(flown)
    keep = np.concatenate(([True], np.any(np.abs(np.diff(points, axis=0)) > 1e-6, axis=1)))
    waypoints = obstacles.route(points[keep])
    return CoveragePlan(waypoints, np.stack(sweeps), float(angle), float(spacing_m),
                        _legs(along), len(along))
