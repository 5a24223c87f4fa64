"""Hypothesis strategies and helpers for planar shapes in metres."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from fleet.planning.geometry import as_ring, points_in_ring


@st.composite
def star_polygons(draw: st.DrawFn, *, radius: tuple[float, float] = (150.0, 900.0),
                  vertices: tuple[int, int] = (3, 12)) -> np.ndarray:
    """A simple polygon: vertices at sorted angles around the origin, random radii
    (star-shaped, so never self-intersecting, often concave)."""
    n = draw(st.integers(*vertices))
    gaps = np.array(draw(st.lists(st.floats(0.2, 1.0), min_size=n, max_size=n)))
    angles = np.cumsum(gaps) / gaps.sum() * 2 * np.pi + draw(st.floats(0, 2 * np.pi))
    radii = np.array(draw(st.lists(st.floats(*radius), min_size=n, max_size=n)))
    return as_ring(np.column_stack((radii * np.cos(angles), radii * np.sin(angles))))


def sample_inside(ring: np.ndarray, n: int = 4000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lo, hi = ring.min(axis=0), ring.max(axis=0)
    pts = rng.uniform(lo, hi, (n, 2))
    return pts[points_in_ring(pts, ring)]


def square(cx: float, cy: float, half: float) -> np.ndarray:
    return np.array([[cx - half, cy - half], [cx + half, cy - half],
                     [cx + half, cy + half], [cx - half, cy + half]], dtype=float)
