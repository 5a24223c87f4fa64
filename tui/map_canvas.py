"""The city in a terminal: a viewport over lat/lon and a braille raster, pure numpy.

A terminal cell holds a 2x4 grid of braille dots, and since a cell is about twice as tall
as it is wide the dots are square, so one scale (metres per dot) serves both axes. Lines
are clipped to the view and sampled in one vectorised pass, so re-drawing the city when
the operator pans costs a few milliseconds, not a Python loop per dot.

Nothing here knows Textual or Rich: the map widget turns the :class:`Grid` of characters
and style names into screen lines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from fleet.geo import METRES_PER_DEG

LatLon = tuple[float, float]
# bit of each dot in a braille cell, by [row % 4][column % 2] (Unicode's numbering)
_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
BRAILLE_BLANK = 0x2800


PAN_FRACTION = 0.25  # of the view's shorter side: a step goes as far either way
PAGE_FRACTION = 0.75  # of the view along the axis: a page, a quarter of it kept in view


def pan_step(dx: int, dy: int, w_dots: int, h_dots: int, big: bool = False
             ) -> tuple[float, float]:
    """The dots a pan key moves the view (``dx``, ``dy``: -1, 0 or 1). Always a share of
    what is on screen, so a step means the same on a street and on the whole city: a
    quarter of the shorter side (the same distance across as down), or a page."""
    if big:
        return dx * PAGE_FRACTION * w_dots, dy * PAGE_FRACTION * h_dots
    step = PAN_FRACTION * min(w_dots, h_dots)
    return dx * step, dy * step


@dataclass(slots=True)
class Viewport:
    """What the map shows: a centre and a scale. Dots are counted from the top left."""

    lat: float
    lon: float
    m_per_dot: float

    MIN_M_PER_DOT = 1.0
    MAX_M_PER_DOT = 5_000.0

    def _kx(self) -> float:
        return METRES_PER_DEG * math.cos(math.radians(self.lat)) / self.m_per_dot

    def project(self, lats: np.ndarray, lons: np.ndarray, w_dots: int, h_dots: int
                ) -> tuple[np.ndarray, np.ndarray]:
        """Dot coordinates (float) of many points at once."""
        x = w_dots / 2 + (lons - self.lon) * self._kx()
        y = h_dots / 2 - (lats - self.lat) * (METRES_PER_DEG / self.m_per_dot)
        return x, y

    def project_one(self, lat: float, lon: float, w_dots: int, h_dots: int
                    ) -> tuple[float, float]:
        x = w_dots / 2 + (lon - self.lon) * self._kx()
        y = h_dots / 2 - (lat - self.lat) * (METRES_PER_DEG / self.m_per_dot)
        return x, y

    def unproject(self, x: float, y: float, w_dots: int, h_dots: int) -> LatLon:
        lat = self.lat - (y - h_dots / 2) * self.m_per_dot / METRES_PER_DEG
        lon = self.lon + (x - w_dots / 2) / self._kx()
        return lat, lon

    def pan(self, fx: float, fy: float, w_dots: int, h_dots: int) -> None:
        """Move the centre by a fraction of the view (x right, y down)."""
        self.pan_dots(fx * w_dots, fy * h_dots, w_dots, h_dots)

    def pan_dots(self, dx: float, dy: float, w_dots: int, h_dots: int) -> None:
        """Move the centre by ``dx``, ``dy`` dots (x right, y down); the scale stays."""
        self.lat, self.lon = self.unproject(w_dots / 2 + dx, h_dots / 2 + dy, w_dots, h_dots)

    def zoom(self, factor: float) -> None:
        """``factor`` > 1 zooms in."""
        self.m_per_dot = min(self.MAX_M_PER_DOT,
                             max(self.MIN_M_PER_DOT, self.m_per_dot / factor))

    @classmethod
    def fit(cls, points: Iterable[LatLon], w_dots: int, h_dots: int,
            margin: float = 0.08) -> Viewport | None:
        """The view that shows every point with a margin; None if there are none."""
        pts = [(a, b) for a, b in points if math.isfinite(a) and math.isfinite(b)]
        if not pts:
            return None
        lats = [p[0] for p in pts]
        lons = [p[1] for p in pts]
        lat = (min(lats) + max(lats)) / 2
        lon = (min(lons) + max(lons)) / 2
        height_m = (max(lats) - min(lats)) * METRES_PER_DEG
        width_m = (max(lons) - min(lons)) * METRES_PER_DEG * math.cos(math.radians(lat))
        usable = 1 - 2 * margin
        scale = max(width_m / max(1, w_dots * usable), height_m / max(1, h_dots * usable),
                    cls.MIN_M_PER_DOT * 20)
        return cls(lat, lon, min(scale, cls.MAX_M_PER_DOT))


def clip_segments(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray,
                  w: float, h: float) -> tuple[np.ndarray, ...]:
    """Liang-Barsky clipping of many segments to [0, w) x [0, h); drops those outside."""
    dx, dy = x1 - x0, y1 - y0
    t0 = np.zeros_like(x0)
    t1 = np.ones_like(x0)
    keep = np.ones(x0.shape, dtype=bool)
    for p, q in ((-dx, x0), (dx, w - 1e-9 - x0), (-dy, y0), (dy, h - 1e-9 - y0)):
        parallel = p == 0
        keep &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        t0 = np.where(~parallel & (p < 0), np.maximum(t0, r), t0)
        t1 = np.where(~parallel & (p > 0), np.minimum(t1, r), t1)
    keep &= t0 <= t1
    return (x0 + t0 * dx)[keep], (y0 + t0 * dy)[keep], (x0 + t1 * dx)[keep], \
        (y0 + t1 * dy)[keep]


class BrailleLayer:
    """One colour's dots over a ``w`` x ``h`` cell area."""

    def __init__(self, w_cells: int, h_cells: int) -> None:
        self.w, self.h = w_cells, h_cells
        self.mask = np.zeros((h_cells, w_cells), dtype=np.uint8)

    def dots(self, xs: np.ndarray, ys: np.ndarray) -> None:
        xi = np.floor(xs).astype(np.int64)
        yi = np.floor(ys).astype(np.int64)
        ok = (xi >= 0) & (xi < self.w * 2) & (yi >= 0) & (yi < self.h * 4)
        xi, yi = xi[ok], yi[ok]
        np.bitwise_or.at(self.mask, (yi // 4, xi // 2), _BITS[yi % 4, xi % 2])

    def polyline(self, xs: np.ndarray, ys: np.ndarray, joins: np.ndarray | None = None,
                 stride: int = 1) -> None:
        """Polylines through dot coordinates, clipped to the layer. ``joins`` (one flag
        per segment) marks the segments to skip: where one line ends and the next begins.
        ``stride`` > 1 keeps one dot in ``stride`` along each segment: a dotted line, told
        apart from the solid roads and routes it crosses."""
        if len(xs) < 2:
            self.dots(xs, ys)
            return
        x0, y0, x1, y1 = xs[:-1], ys[:-1], xs[1:], ys[1:]
        if joins is not None:
            x0, y0, x1, y1 = x0[~joins], y0[~joins], x1[~joins], y1[~joins]
        x0, y0, x1, y1 = clip_segments(x0, y0, x1, y1, self.w * 2, self.h * 4)
        if not len(x0):
            return
        n = np.ceil(np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))).astype(np.int64) + 1
        seg = np.repeat(np.arange(len(n)), n)
        starts = np.repeat(np.cumsum(n) - n, n)
        step = np.arange(int(n.sum())) - starts
        if stride > 1:
            keep = step % stride == 0
            seg, step = seg[keep], step[keep]
        t = step / np.maximum(n[seg] - 1, 1)
        self.dots(x0[seg] + (x1 - x0)[seg] * t, y0[seg] + (y1 - y0)[seg] * t)


def concat_lines(lines: Sequence[Sequence[LatLon]]) -> tuple[np.ndarray, np.ndarray]:
    """Many polylines as one (n, 2) array and a per-segment flag for the joins between
    them, so a layer is projected and sampled in one numpy pass."""
    arrays = [np.asarray(line, dtype=float).reshape(-1, 2) for line in lines if len(line)]
    if not arrays:
        return np.zeros((0, 2)), np.zeros(0, dtype=bool)
    pts = np.concatenate(arrays)
    joins = np.zeros(max(0, len(pts) - 1), dtype=bool)
    ends = np.cumsum([len(a) for a in arrays])[:-1]
    joins[ends - 1] = True
    return pts, joins


@dataclass(slots=True)
class Grid:
    """Characters and style names, row by row, ready for the widget to colour."""

    chars: list[list[str]]
    styles: list[list[str]]
    #: cell (x, y) -> unit id of the glyph drawn there, for clicks
    hits: dict[tuple[int, int], str] = field(default_factory=dict)
    #: the kinds of marker drawn (``"home"``, ``"site"``...), for the map's legend
    legend: set[str] = field(default_factory=set)

    @classmethod
    def blank(cls, w: int, h: int) -> Grid:
        return cls([[" "] * w for _ in range(h)], [[""] * w for _ in range(h)])

    def put(self, x: int, y: int, text: str, style: str) -> bool:
        if not 0 <= y < len(self.chars):
            return False
        row, srow = self.chars[y], self.styles[y]
        placed = False
        for i, ch in enumerate(text):
            if 0 <= x + i < len(row):
                row[x + i] = ch
                srow[x + i] = style
                placed = True
        return placed

    def copy(self) -> Grid:
        return Grid([r[:] for r in self.chars], [r[:] for r in self.styles], dict(self.hits),
                    set(self.legend))


def raster(layers: Sequence[tuple[str, Sequence[Sequence[LatLon]]]], view: Viewport,
           w: int, h: int) -> Grid:
    """Draw polylines into a grid; later layers win a cell's colour, all keep their dots."""
    grid = Grid.blank(w, h)
    if w <= 0 or h <= 0:
        return grid
    combined = np.zeros((h, w), dtype=np.uint8)
    owner = np.full((h, w), -1, dtype=np.int16)
    for i, (_style, lines) in enumerate(layers):
        layer = BrailleLayer(w, h)
        pts, joins = concat_lines(lines)
        if len(pts):
            xs, ys = view.project(pts[:, 0], pts[:, 1], w * 2, h * 4)
            layer.polyline(xs, ys, joins)
        combined |= layer.mask
        owner[layer.mask != 0] = i
    for y in range(h):
        mrow, orow = combined[y].tolist(), owner[y].tolist()
        crow, srow = grid.chars[y], grid.styles[y]
        for x in range(w):
            if mrow[x]:
                crow[x] = chr(BRAILLE_BLANK | mrow[x])
                srow[x] = layers[orow[x]][0]
    return grid


def closed(ring: Sequence[LatLon]) -> list[LatLon]:
    """A polygon ring as a polyline that returns to its start."""
    pts = list(ring)
    return [*pts, pts[0]] if pts and pts[0] != pts[-1] else pts
