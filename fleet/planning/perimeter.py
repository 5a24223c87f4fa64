"""Perimeter, orbit and corridor patrols: loops around a place or along a line.

All in local metres. Loops are returned closed (first point repeated at the end) so a
route's length and timeline include the leg back to the start; ground units get them as
looping ``Patrol`` routes without the repeat.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import PlanningError
from .geometry import as_ring, check_polygon, offset_polyline, offset_ring

#: spacing of the points approximating an orbit: short enough that the chord stays
#: within a few metres of the circle, long enough to keep missions small
ORBIT_STEP_M = 60.0


def _start_near(loop: np.ndarray, start: np.ndarray | None) -> np.ndarray:
    """The open ring rotated to begin at its point nearest ``start``, then closed."""
    if start is not None:
        k = int(np.argmin(np.hypot(*(loop - np.asarray(start, dtype=float)).T)))
        loop = np.roll(loop, -k, axis=0)
    return np.vstack([loop, loop[:1]])


def perimeter_loop(area: np.ndarray, offset_m: float, *, start: np.ndarray | None = None,
                   name: str = "perimeter") -> np.ndarray:
    """Around a polygon at ``offset_m`` outside it (negative: inside), counter-clockwise."""
    ring = as_ring(area, name)
    check_polygon(ring, name)
    loop = offset_ring(ring, offset_m) if offset_m else ring
    if offset_m < 0:
        check_polygon(as_ring(loop, name), f"{name} (after a {offset_m:g} m inset)")
    return _start_near(loop, start)


def orbit_loop(centre: np.ndarray, radius_m: float, *, start: np.ndarray | None = None,
               step_m: float = ORBIT_STEP_M) -> np.ndarray:
    """A circle around a site, as a polygon whose chords are about ``step_m`` long."""
    if not radius_m > 0:
        raise PlanningError(f"orbit: expected a radius > 0, got {radius_m:g}")
    n = max(8, math.ceil(2 * math.pi * radius_m / step_m))
    a = np.linspace(0.0, 2 * math.pi, n, endpoint=False)
    loop = np.asarray(centre, dtype=float) + radius_m * np.column_stack((np.cos(a), np.sin(a)))
    return _start_near(loop, start)


def corridor_loop(line: np.ndarray, offset_m: float = 0.0, *, name: str = "corridor"
                  ) -> np.ndarray:
    """Along a road or river and back: out on the left side at ``offset_m``, back on the
    right (for a river, one bank each way); with 0 offset, back on the same line."""
    pts = np.asarray(line, dtype=float).reshape(-1, 2)
    keep = np.concatenate(([True], np.any(np.abs(np.diff(pts, axis=0)) > 1e-6, axis=1)))
    pts = pts[keep]
    if len(pts) < 2:
        raise PlanningError(f"{name}: expected a line of at least 2 distinct points, "
                            f"got {len(pts)}")
    if offset_m < 0:
        raise PlanningError(f"{name}: expected an offset >= 0, got {offset_m:g}")
    out = offset_polyline(pts, offset_m) if offset_m else pts
    back = (offset_polyline(pts, -offset_m) if offset_m else pts)[::-1]
    return np.vstack([out, back[1:] if not offset_m else back, out[:1]])
