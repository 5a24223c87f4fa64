"""Sweep lines over a polygon, all at once: the band projections behind the lawnmower.

Rotate the polygon so the sweep direction is +x. Band k is the strip |y - c_k| <= s/2
around sweep line k. Flying line k from the least to the greatest x of the polygon
*within the band* (not merely where the line meets the polygon) puts every point of the
polygon within s/2 of the path: that is what a camera swath of width s needs, including
in the tips of a slanted polygon, where a line-polygon intersection falls short.

The projection of polygon ∩ band onto x is exact: cut each band at the vertices inside
it; between cuts every crossing edge spans the sub-band, so each (left edge, right edge)
pair bounds a trapezoid whose x-extent is the min/max of its corners. One numpy pass
handles every band, then intervals are merged per band with a running maximum.
"""

from __future__ import annotations

import math

import numpy as np

from .geometry import edges


def rotation(angle_deg: float) -> np.ndarray:
    """The matrix taking world xy to sweep coordinates (sweep direction -> +x)."""
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s], [s, c]])  # applied as points @ R: rotates by -angle


def band_centres(y_min: float, y_max: float, spacing: float) -> np.ndarray:
    """Centres of the fewest bands of height ``spacing`` covering [y_min, y_max], centred."""
    height = y_max - y_min
    n = max(1, math.ceil(height / spacing - 1e-9))
    first = y_min + (height - (n - 1) * spacing) / 2.0
    return first + spacing * np.arange(n)


def band_projection(ring: np.ndarray, lo: np.ndarray, hi: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x-intervals of ``ring`` ∩ {lo[k] <= y <= hi[k]} for every band k, merged.

    ``ring`` is in sweep coordinates. Returns (band, x_lo, x_hi), sorted by band then x.
    """
    vy = np.unique(ring[:, 1])
    first = np.searchsorted(vy, lo, side="right")
    inner = np.maximum(np.searchsorted(vy, hi, side="left") - first, 0)
    per_band = inner + 2  # boundaries: lo, the vertices strictly inside, hi
    band_of = np.repeat(np.arange(len(lo)), per_band)
    start = np.cumsum(per_band) - per_band
    rank = np.arange(len(band_of)) - start[band_of]
    inside_idx = np.clip(first[band_of] + rank - 1, 0, len(vy) - 1)
    level = np.where(rank == 0, lo[band_of],
                     np.where(rank == per_band[band_of] - 1, hi[band_of], vy[inside_idx]))
    same = band_of[:-1] == band_of[1:]
    y1, y2, band = level[:-1][same], level[1:][same], band_of[:-1][same]
    keep = y2 > y1
    y1, y2, band = y1[keep], y2[keep], band[keep]
    if len(band) == 0:
        return band, y1, y2
    a, b = edges(ring)
    ym = (y1 + y2)[:, None] / 2.0
    crossing = (a[None, :, 1] > ym) != (b[None, :, 1] > ym)
    dy = b[:, 1] - a[:, 1]
    slope = np.divide(b[:, 0] - a[:, 0], dy, out=np.zeros_like(dy), where=dy != 0)
    x_at = a[None, :, 0] + (ym - a[None, :, 1]) * slope[None, :]
    order = np.argsort(np.where(crossing, x_at, np.inf), axis=1)
    count = crossing.sum(axis=1)
    pairs = order.shape[1] // 2
    left, right = order[:, 0:2 * pairs:2], order[:, 1:2 * pairs:2]
    valid = (2 * np.arange(pairs) + 1)[None, :] < count[:, None]

    def x_of(e: np.ndarray, y: np.ndarray) -> np.ndarray:
        return a[e, 0] + (y[:, None] - a[e, 1]) * slope[e]

    x_lo = np.minimum(x_of(left, y1), x_of(left, y2))[valid]
    x_hi = np.maximum(x_of(right, y1), x_of(right, y2))[valid]
    return merge(np.broadcast_to(band[:, None], valid.shape)[valid], x_lo, x_hi)


def line_intervals(ring: np.ndarray, centres: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x-intervals where the lines y = centres[k] run inside ``ring`` (sweep coordinates),
    as (band, x_lo, x_hi), merged. A vertex on a line counts as below it (the half-open
    crossing rule), so a line along the ring's lower edge is inside, along its upper
    edge or through a lone vertex outside: either way consistently with its outline."""
    a, b = edges(ring)
    y = centres[:, None]
    crossing = (a[None, :, 1] > y) != (b[None, :, 1] > y)
    dy = b[:, 1] - a[:, 1]
    slope = np.divide(b[:, 0] - a[:, 0], dy, out=np.zeros_like(dy), where=dy != 0)
    xs = np.sort(np.where(crossing, a[None, :, 0] + (y - a[None, :, 1]) * slope, np.inf),
                 axis=1)
    pairs = xs.shape[1] // 2
    valid = (2 * np.arange(pairs) + 1)[None, :] < crossing.sum(axis=1)[:, None]
    band = np.broadcast_to(np.arange(len(centres))[:, None], valid.shape)
    return merge(band[valid], xs[:, 0:2 * pairs:2][valid], xs[:, 1:2 * pairs:2][valid])


def merge(band: np.ndarray, x_lo: np.ndarray, x_hi: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of overlapping or touching intervals within each band (vectorised)."""
    if len(band) == 0:
        return band, x_lo, x_hi
    order = np.lexsort((x_lo, band))
    band, x_lo, x_hi = band[order], x_lo[order], x_hi[order]
    span = float(x_hi.max() - x_lo.min()) + 1.0
    shift = band * (2.0 * span) - x_lo.min()  # bands in disjoint, increasing x ranges
    lo_s, hi_s = x_lo + shift, x_hi + shift
    reach = np.maximum.accumulate(hi_s)
    starts = np.flatnonzero(np.concatenate(([True], lo_s[1:] > reach[:-1])))
    merged_hi = np.maximum.reduceat(hi_s, starts)
    return band[starts], x_lo[starts], merged_hi - shift[starts]


def subtract(area: tuple[np.ndarray, np.ndarray, np.ndarray],
             holes: tuple[np.ndarray, np.ndarray, np.ndarray],
             min_piece: float = 1e-6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area intervals minus hole intervals, band by band (both merged and sorted)."""
    a_band, a_lo, a_hi = area
    h_band, h_lo, h_hi = holes
    if len(h_band) == 0:
        return area
    out_band: list[int] = []
    out_lo: list[float] = []
    out_hi: list[float] = []
    h_first = np.searchsorted(h_band, a_band, side="left")
    h_last = np.searchsorted(h_band, a_band, side="right")
    for k in range(len(a_band)):
        lo, hi, cut = float(a_lo[k]), float(a_hi[k]), False
        for j in range(h_first[k], h_last[k]):
            if h_hi[j] <= lo or h_lo[j] >= hi:
                continue
            cut = True
            if h_lo[j] - lo > min_piece:
                out_band.append(int(a_band[k]))
                out_lo.append(lo)
                out_hi.append(float(h_lo[j]))
            lo = max(lo, float(h_hi[j]))
        if hi - lo > min_piece or (not cut and hi >= lo):  # a zero-length tip still counts
            out_band.append(int(a_band[k]))
            out_lo.append(lo)
            out_hi.append(hi)
    return np.array(out_band, dtype=int), np.array(out_lo), np.array(out_hi)


def midline_segments(ring: np.ndarray, holes: list[np.ndarray], centres: np.ndarray) -> int:
    """How many pieces the sweep lines make (area runs + hole interruptions): the turn
    count of a sweep angle, estimated from the lines alone, for choosing the angle."""
    total = 0
    for poly in (ring, *holes):
        a, b = edges(poly)
        crossing = (a[None, :, 1] > centres[:, None]) != (b[None, :, 1] > centres[:, None])
        total += int(crossing.sum()) // 2
    return total
