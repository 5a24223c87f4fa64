"""Area coverage: a boustrophedon (lawnmower) route over a polygon, around no-fly zones.

1. Line spacing comes from the camera: swath = 2·alt·tan(hfov/2), spacing = swath·(1 - overlap).
2. The sweep direction is the candidate angle (the polygon's edge directions plus every
   10°) whose lines break into the fewest pieces: each piece costs two turns, and turns,
   not straight metres, are what stretch a survey.
3. Each band's flight interval is the polygon's extent within the band (see
   :mod:`.sweep`), minus the exclusions' extents inflated by a clearance: every point of
   the area farther than one spacing from an exclusion lies within half a spacing of the
   path, and no sweep line comes within the clearance of an exclusion.
4. Pieces are chained nearest-end-first from the start point (which gives the
   back-and-forth order and finishes one lobe of a concave area before the next), and
   every connecting leg that would cross an exclusion takes its shortest detour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import PlanningError
from .geometry import as_ring, check_polygon, path_length
from .obstacles import Obstacles
from .sweep import band_centres, band_projection, merge, midline_segments, rotation, subtract

MAX_LINES = 20_000
#: a turn costs about this many metres of straight flight (decelerate, turn, accelerate)
TURN_COST_M = 60.0
DEFAULT_CLEARANCE_M = 10.0


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

    waypoints: np.ndarray  # (K, 2): sweep ends and detour corners
    segments: np.ndarray  # (S, 2, 2): the sweep pieces, each as flown
    angle_deg: float  # sweep direction, counter-clockwise from east
    spacing_m: float

    @property
    def length_m(self) -> float:
        return path_length(self.waypoints)

    @property
    def turns(self) -> int:
        """Direction changes between pieces (two per connection)."""
        return max(0, 2 * (len(self.segments) - 1))


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


def _pieces(ring: np.ndarray, guards: Sequence[np.ndarray], angle: float, spacing: float
            ) -> tuple[np.ndarray, np.ndarray]:
    """(S, 2, 2) sweep pieces in world coordinates, unordered, and each one's band."""
    rot = rotation(angle)
    r = ring @ rot
    centres = band_centres(float(r[:, 1].min()), float(r[:, 1].max()), spacing)
    if len(centres) > MAX_LINES:
        raise PlanningError(f"{len(centres)} sweep lines exceed the {MAX_LINES} limit; "
                            f"raise the spacing or split the area")
    lo, hi = centres - spacing / 2.0, centres + spacing / 2.0
    area = band_projection(r, lo, hi)
    if guards:
        parts = [band_projection(g @ rot, lo, hi) for g in guards]
        holes = merge(*(np.concatenate(p) for p in zip(*parts, strict=True)))
        area = subtract(area, holes)
    band, x_lo, x_hi = area
    y = centres[band]
    ends = np.stack([np.column_stack([x_lo, y]), np.column_stack([x_hi, y])], axis=1)
    return ends @ rot.T, band


def _chain(pieces: np.ndarray, band: np.ndarray, spacing: float, start: np.ndarray
           ) -> np.ndarray:
    """Order and orient pieces greedily: fly next the nearest unflown end, where skipping
    over bands costs a spacing each (they will need a trip back), so a concave area is
    finished lobe by lobe instead of hopping across its gaps."""
    n = len(pieces)
    todo = np.ones(n, dtype=bool)
    here, here_band = start, None
    out = np.empty_like(pieces)
    for k in range(n):
        d = np.hypot(*(pieces - here).transpose(2, 0, 1))  # (S, 2): to each end
        if here_band is not None:
            d += (np.maximum(np.abs(band - here_band) - 1, 0) * spacing)[:, None]
        d[~todo] = np.inf
        flat = int(np.argmin(d))
        i, end = divmod(flat, 2)
        out[k] = pieces[i, ::-1] if end == 1 else pieces[i]
        todo[i] = False
        here, here_band = out[k, 1], band[i]
    return out


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
    angle = best_angle(ring, obstacles.guards, spacing_m) if angle_deg is None else angle_deg
    pieces, band = _pieces(ring, obstacles.guards, angle, spacing_m)
    if len(pieces) == 0:
        raise PlanningError(f"{name}: the exclusion zones (with {clearance_m:g} m clearance) "
                            f"cover the whole area; nothing is left to fly")
    origin = ring.mean(axis=0) if start is None else np.asarray(start, dtype=float)
    if start is None:  # begin at a corner: the end farthest from the centre
        flat = int(np.argmax(np.hypot(*(pieces - origin).transpose(2, 0, 1))))
        origin = pieces[divmod(flat, 2)]
    ordered = _chain(pieces, band, spacing_m, origin)
    points = ordered.reshape(-1, 2)
    keep = np.concatenate(([True], np.any(np.abs(np.diff(points, axis=0)) > 1e-6, axis=1)))
    waypoints = obstacles.route(points[keep])
    return CoveragePlan(waypoints, ordered, float(angle), float(spacing_m))
