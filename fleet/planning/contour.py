"""Legs along the no-fly outlines: what sweep lines cut by an exclusion cannot see.

Sweep lines stop where they meet a *fence*: an exclusion pushed out by its clearance and
a small margin (:attr:`.Obstacles.fences`). A point next to a fence whose foot on its
band's line falls inside the fence is more than half a spacing from every line; but the
straight path from the point to that foot reaches the fence's outline within half a
spacing. A point between an exclusion and its fence is within clearance + margin of the
outline. So flying the outline of the union of fences covers both, wherever the outline
can serve the area: within half a spacing (Chebyshev) of the swept bands. A fence no
line crosses, with no other fence within half a spacing, needs none: every point's foot
near it is on a flown line.

The outline is cut where sweep lines cross it, so a turn from one line to the next
along a fence is one of these arcs and is not flown twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .geometry import edges, points_in_ring


def _clip(p: np.ndarray, d: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """(K, 2) merged parameter intervals of p + t·d (0 <= t <= 1) inside any rectangle
    (R, 4) = x0, x1, y0, y1 (Liang–Barsky, all rectangles at once)."""
    t0 = np.zeros(len(rects))
    t1 = np.ones(len(rects))
    for step, room in ((-d[0], p[0] - rects[:, 0]), (d[0], rects[:, 1] - p[0]),
                       (-d[1], p[1] - rects[:, 2]), (d[1], rects[:, 3] - p[1])):
        if step == 0:
            t0 = np.where(room < 0, np.inf, t0)
        elif step < 0:
            t0 = np.maximum(t0, room / step)
        else:
            t1 = np.minimum(t1, room / step)
    ok = t0 <= t1
    if not ok.any():
        return np.empty((0, 2))
    lo, hi = t0[ok], t1[ok]
    order = np.argsort(lo)
    lo, hi = lo[order], hi[order]
    reach = np.maximum.accumulate(hi)
    starts = np.flatnonzero(np.concatenate(([True], lo[1:] > reach[:-1])))
    ends = np.concatenate((starts[1:], [len(lo)])) - 1
    return np.column_stack((lo[starts], reach[ends]))


def _crossings(p: np.ndarray, q: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Parameters along p-q where it meets an edge of ``ring``."""
    a, b = edges(ring)
    d, e = q - p, b - a
    den = d[0] * e[:, 1] - d[1] * e[:, 0]
    w = a - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (w[:, 0] * e[:, 1] - w[:, 1] * e[:, 0]) / den
        u = (w[:, 0] * d[1] - w[:, 1] * d[0]) / den
    hit = (den != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    return t[hit]


def _simplify(points: list[np.ndarray]) -> np.ndarray:
    """Drop points that lie on the straight line between their neighbours."""
    pts = np.array(points)
    if len(pts) < 3:
        return pts
    d1, d2 = pts[1:-1] - pts[:-2], pts[2:] - pts[1:-1]
    cross = d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]
    scale = np.hypot(*d1.T) * np.hypot(*d2.T)
    bend = (np.abs(cross) > 1e-9 * scale) | ((d1 * d2).sum(axis=1) < 0) | (scale == 0)
    return pts[np.concatenate(([True], bend, [True]))]


def outline_arcs(fences: Sequence[np.ndarray], centres: np.ndarray, spacing: float,
                 swept: tuple[np.ndarray, np.ndarray, np.ndarray],
                 y_range: tuple[float, float]) -> list[np.ndarray]:
    """Polylines along the outline of the union of ``fences`` (sweep coordinates) worth
    flying, cut where the lines y = ``centres`` cross it. ``swept`` = (band, x_lo, x_hi)
    are the area's band intervals and ``y_range`` its extent across the lines: every
    area point lies in one of these rectangles, so outline farther than half a spacing
    from all of them (Chebyshev) can serve no point of the area and is left out."""
    band, x_lo, x_hi = swept
    half = spacing / 2.0
    y_lo = np.maximum(centres[band] - half, y_range[0])
    y_hi = np.minimum(centres[band] + half, y_range[1])
    rects = np.column_stack((x_lo - half, x_hi + half, y_lo - half, y_hi + half))
    boxes = np.array([[*f.min(axis=0), *f.max(axis=0)] for f in fences]).reshape(-1, 4)
    arcs: list[np.ndarray] = []
    for j, ring in enumerate(fences):
        others = [f for i, f in enumerate(fences) if i != j]
        x0, y0, x1, y1 = boxes[j]
        crossed = bool(((centres >= y0) & (centres < y1)).any())
        near = ((boxes[:, 0] <= x1 + half) & (boxes[:, 2] >= x0 - half) &
                (boxes[:, 1] <= y1 + half) & (boxes[:, 3] >= y0 - half))
        if not crossed and near.sum() == 1:
            continue  # no line stops at it or near it: every foot there is flown
        pieces: list[tuple[np.ndarray, np.ndarray, bool, bool]] = []  # start, end, kept, cut
        for p, q in zip(*edges(ring), strict=True):
            d = q - p
            kept = _clip(p, d, rects)
            if d[1] != 0:
                cuts = (centres - p[1]) / d[1]
                cuts = cuts[(cuts > 0) & (cuts <= 1)]
            else:
                cuts = np.empty(0)
            ts = np.unique(np.concatenate(([0.0, 1.0], kept.ravel(), cuts,
                                           *(_crossings(p, q, o) for o in others))))
            ts = np.clip(ts, 0.0, 1.0)
            mid = (ts[:-1] + ts[1:]) / 2.0
            k = np.searchsorted(kept[:, 0], mid, side="right") - 1
            keep = (k >= 0) & (mid <= kept[np.maximum(k, 0), 1]) if len(kept) else \
                np.zeros(len(mid), dtype=bool)
            points = p + ts[:, None] * d
            for o in others:
                keep &= ~points_in_ring(p + mid[:, None] * d, o)
            cut_after = np.isin(ts[1:], cuts)
            pieces += [(points[i], points[i + 1], bool(keep[i]), bool(cut_after[i]))
                       for i in range(len(mid))]
        arcs += _assemble(pieces)
    return arcs


def _assemble(pieces: list[tuple[np.ndarray, np.ndarray, bool, bool]]) -> list[np.ndarray]:
    """Maximal runs of kept pieces around a ring, broken at cuts and dropped pieces."""
    n = len(pieces)
    breaks = [i for i in range(n) if not pieces[i][2] or pieces[i][3]]
    if not breaks:  # the whole ring, uncut: a closed loop
        return [_simplify([pc[0] for pc in pieces] + [pieces[0][0]])]
    first = (breaks[0] + 1) % n
    arcs: list[np.ndarray] = []
    run: list[np.ndarray] = []
    for step in range(n):
        start, end, kept, cut = pieces[(first + step) % n]
        if kept:
            if not run:
                run.append(start)
            run.append(end)
        if (not kept or cut) and run:
            arcs.append(_simplify(run))
            run = []
    if run:
        arcs.append(_simplify(run))
    return [a for a in arcs if len(a) >= 2]
