"""Planar geometry on (N, 2) numpy arrays of metres: rings, tests, offsets.

A *ring* is a simple polygon as an (N, 2) array, counter-clockwise, first point not
repeated. Every function is vectorised over points or edges; nothing loops per point in
Python, because the coverage and response code call these on thousands of points.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .errors import PlanningError

#: below this area a polygon is a mistake (a typo in a coordinate), not a patrol area
MIN_AREA_M2 = 100.0


def signed_area(ring: np.ndarray) -> float:
    """Shoelace area: positive for counter-clockwise rings."""
    a, b = edges(ring)
    return 0.5 * float(np.dot(a[:, 0], b[:, 1]) - np.dot(a[:, 1], b[:, 0]))


def as_ring(points: Iterable[Iterable[float]] | np.ndarray, name: str = "polygon") -> np.ndarray:
    """A counter-clockwise ring from (x, y) points; a repeated closing point and repeated
    consecutive points are dropped. Raises PlanningError naming ``name`` if degenerate."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if not np.isfinite(pts).all():
        raise PlanningError(f"{name}: coordinates must be finite numbers")
    if len(pts) > 1:
        keep = np.any(pts != np.roll(pts, 1, axis=0), axis=1)
        pts = pts[keep] if keep.any() else pts[:1]
    if len(pts) < 3:
        raise PlanningError(f"{name}: expected at least 3 distinct points, got {len(pts)}")
    return pts if signed_area(pts) >= 0 else pts[::-1].copy()


def edges(ring: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points of every edge of a ring (closing edge included)."""
    return ring, np.concatenate((ring[1:], ring[:1]))


def _cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a[..., 0] - o[..., 0]) * (b[..., 1] - o[..., 1]) - \
        (a[..., 1] - o[..., 1]) * (b[..., 0] - o[..., 0])


def segments_cross(p: np.ndarray, q: np.ndarray, a: np.ndarray, b: np.ndarray,
                   eps: float = 1e-9) -> np.ndarray:
    """True where segment p-q properly crosses segment a-b (broadcast over leading axes).

    Touching at an end point or running along an edge is not a crossing: a path may
    graze an obstacle's (inflated) outline, it may not pass through it.
    """
    d1 = _cross(a, b, p)
    d2 = _cross(a, b, q)
    d3 = _cross(p, q, a)
    d4 = _cross(p, q, b)
    scale = eps * (1.0 + np.abs(d1) + np.abs(d2) + np.abs(d3) + np.abs(d4))
    return (((d1 > scale) & (d2 < -scale)) | ((d1 < -scale) & (d2 > scale))) & \
        (((d3 > scale) & (d4 < -scale)) | ((d3 < -scale) & (d4 > scale)))


def _segments_touch(p: np.ndarray, q: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True where two segments share any point (crossing, touching or overlapping)."""
    d1, d2 = _cross(a, b, p), _cross(a, b, q)
    d3, d4 = _cross(p, q, a), _cross(p, q, b)
    proper = (np.sign(d1) * np.sign(d2) < 0) & (np.sign(d3) * np.sign(d4) < 0)

    def on(o: np.ndarray, s: np.ndarray, t: np.ndarray, d: np.ndarray) -> np.ndarray:
        within = (np.minimum(s[..., 0], t[..., 0]) <= o[..., 0]) & \
            (o[..., 0] <= np.maximum(s[..., 0], t[..., 0])) & \
            (np.minimum(s[..., 1], t[..., 1]) <= o[..., 1]) & \
            (o[..., 1] <= np.maximum(s[..., 1], t[..., 1]))
        return (d == 0) & within

    return proper | on(p, a, b, d1) | on(q, a, b, d2) | on(a, p, q, d3) | on(b, p, q, d4)


def self_intersection(ring: np.ndarray) -> tuple[int, int] | None:
    """The first pair of non-adjacent edges that meet, or None for a simple ring."""
    n = len(ring)
    a, b = edges(ring)
    i, j = np.triu_indices(n, k=2)
    keep = ~((i == 0) & (j == n - 1))  # the closing edge is adjacent to the first
    i, j = i[keep], j[keep]
    hit = _segments_touch(a[i], b[i], a[j], b[j])
    if not hit.any():
        return None
    k = int(np.argmax(hit))
    return int(i[k]), int(j[k])


def check_polygon(ring: np.ndarray, name: str = "polygon", min_area_m2: float = MIN_AREA_M2
                  ) -> None:
    """Raise PlanningError if the ring crosses itself or is too small to mean anything."""
    crossing = self_intersection(ring)
    if crossing is not None:
        i, j = crossing
        raise PlanningError(f"{name}: edges {i + 1} and {j + 1} cross (the polygon "
                            f"intersects itself; list the points in order around it)")
    area = signed_area(ring)
    if area < min_area_m2:
        raise PlanningError(f"{name}: area {area:.0f} m² is below the {min_area_m2:g} m² "
                            f"minimum (check the coordinates)")


def points_in_ring(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Even-odd point-in-polygon for (P, 2) points; boundary points may go either way."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    a, b = edges(ring)
    px, py = pts[:, 0:1], pts[:, 1:2]
    ay, by = a[:, 1], b[:, 1]
    spans = (ay > py) != (by > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = a[:, 0] + (py - ay) * (b[:, 0] - a[:, 0]) / (by - ay)
    return (np.count_nonzero(spans & (px < x_at), axis=1) % 2) == 1


def offset_ring(ring: np.ndarray, distance_m: float, miter_limit: float = 4.0) -> np.ndarray:
    """The ring pushed outward (negative: inward) by ``distance_m``, with mitred corners.

    Sharp corners are clamped at ``miter_limit`` × distance so a spike does not become a
    kilometre-long detour; the result stays outside the original for outward offsets.
    """
    prev_pts = np.roll(ring, 1, axis=0)
    next_pts = np.roll(ring, -1, axis=0)
    n_in = _unit_normals(ring - prev_pts)   # normal of the edge arriving at each vertex
    n_out = _unit_normals(next_pts - ring)  # normal of the edge leaving it
    return ring + distance_m * _miter(n_in, n_out, miter_limit)


def offset_polyline(line: np.ndarray, distance_m: float, miter_limit: float = 4.0
                    ) -> np.ndarray:
    """An open polyline shifted to its left by ``distance_m`` (right when negative)."""
    right = _unit_normals(np.diff(line, axis=0))
    n_in = np.vstack([right[:1], right])
    n_out = np.vstack([right, right[-1:]])
    return line - distance_m * _miter(n_in, n_out, miter_limit)


def _unit_normals(vectors: np.ndarray) -> np.ndarray:
    """Right-hand normals (outward for a counter-clockwise ring), unit length."""
    length = np.hypot(vectors[:, 0], vectors[:, 1])
    length[length == 0] = 1.0
    return np.column_stack((vectors[:, 1], -vectors[:, 0])) / length[:, None]


def _miter(n_in: np.ndarray, n_out: np.ndarray, limit: float) -> np.ndarray:
    bisector = n_in + n_out
    denom = 1.0 + np.einsum("ij,ij->i", n_in, n_out)
    denom = np.maximum(denom, 2.0 / (limit * limit))  # |miter| = sqrt(2 / denom) <= limit
    return bisector / denom[:, None]


def path_length(points: np.ndarray) -> float:
    if len(points) < 2:
        return 0.0
    d = np.diff(points, axis=0)
    return float(np.hypot(d[:, 0], d[:, 1]).sum())


def point_segment_distance(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(P, S) distances from each point to each segment a[s]-b[s]."""
    p = np.asarray(points, dtype=float).reshape(-1, 1, 2)
    ab = b - a
    length2 = np.einsum("ij,ij->i", ab, ab)
    length2[length2 == 0] = 1.0
    t = np.clip(np.einsum("psj,sj->ps", p - a, ab) / length2, 0.0, 1.0)
    nearest = a + t[..., None] * ab
    return np.hypot(*(p - nearest).transpose(2, 0, 1))
