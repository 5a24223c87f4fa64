"""Turn hand-drawn polylines into a graph: node where ways cross or where a way ends on another.

Digitised ways never meet exactly, so an end within ``snap_m`` of another way is moved onto
it (a T-junction) and crossings become shared nodes. Long edges are split so that the nearest
node to any point on a road is close, which is what snapping goto targets relies on.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence

import numpy as np

from .geo import HENGYANG, LocalFrame, haversine_m
from .graph import Edge, Graph
from .hengyang_map import Way

MERGE_M = 1.0
ON_SEGMENT_M = 0.5


def build_graph(ways: Sequence[Way], *, frame: LocalFrame = HENGYANG, snap_m: float = 60.0,
                max_edge_m: float = 250.0) -> Graph:
    """A fresh graph (callers add spurs to it); the noding itself is computed once."""
    lat, lon, edges = _noded(tuple(ways), frame, snap_m, max_edge_m)
    return Graph(list(lat), list(lon), list(edges), frame)


@functools.cache
def _noded(ways: tuple[Way, ...], frame: LocalFrame, snap_m: float,
           max_edge_m: float) -> tuple[tuple[float, ...], tuple[float, ...], tuple[Edge, ...]]:
    lines = [frame.array_to_xy(np.array(w.points, dtype=float)) for w in ways]
    _snap_ends(lines, snap_m)
    seg_a, seg_b, seg_way = _segments(lines)
    splits = _split_points(seg_a, seg_b, lines)

    nodes = _NodeIndex(MERGE_M)
    raw_edges: list[tuple[int, int, int]] = []
    for i in range(len(seg_a)):
        a, b = seg_a[i], seg_b[i]
        ts = sorted({0.0, 1.0, *splits[i]})
        ids = [nodes.add(a + t * (b - a)) for t in ts]
        raw_edges += [(u, v, int(seg_way[i])) for u, v in itertools.pairwise(ids)
                      if u != v]

    latlon = [frame.to_latlon(x, y) for x, y in nodes.points]
    lat, lon = [p[0] for p in latlon], [p[1] for p in latlon]
    edges: list[Edge] = []
    for u, v, w in raw_edges:
        way = ways[w]
        length = haversine_m(lat[u], lon[u], lat[v], lon[v])
        pieces = max(1, math.ceil(length / max_edge_m))
        chain = [u]
        for k in range(1, pieces):
            f = k / pieces
            lat.append(lat[u] + f * (lat[v] - lat[u]))
            lon.append(lon[u] + f * (lon[v] - lon[u]))
            chain.append(len(lat) - 1)
        chain.append(v)
        for p, q in itertools.pairwise(chain):
            edges.append(Edge(p, q, haversine_m(lat[p], lon[p], lat[q], lon[q]), way.name,
                              way.kind))
    return tuple(lat), tuple(lon), tuple(edges)


def _snap_ends(lines: list[np.ndarray], snap_m: float) -> None:
    """Move each way's ends onto the nearest other way within ``snap_m``."""
    for i, line in enumerate(lines):
        for end in (0, -1):
            best: tuple[float, np.ndarray] | None = None
            for j, other in enumerate(lines):
                if j == i:
                    continue
                d, q = _nearest_on_polyline(line[end], other)
                if d <= snap_m and (best is None or d < best[0]):
                    best = (d, q)
            if best is not None:
                line[end] = best[1]


def _nearest_on_polyline(p: np.ndarray, line: np.ndarray) -> tuple[float, np.ndarray]:
    a, b = line[:-1], line[1:]
    ab = b - a
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.maximum(np.einsum("ij,ij->i", ab, ab),
                                                             1e-12), 0.0, 1.0)
    q = a + t[:, None] * ab
    d = np.hypot(*(q - p).T)
    k = int(np.argmin(d))
    return float(d[k]), q[k]


def _segments(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = np.vstack([ln[:-1] for ln in lines])
    b = np.vstack([ln[1:] for ln in lines])
    way = np.concatenate([np.full(len(ln) - 1, i) for i, ln in enumerate(lines)])
    return a, b, way


def _split_points(a: np.ndarray, b: np.ndarray, lines: list[np.ndarray]) -> list[list[float]]:
    """Parameters t in (0, 1) where each segment must be split."""
    splits: list[list[float]] = [[] for _ in range(len(a))]
    r = b - a
    # proper crossings between any two segments
    cross = r[:, None, 0] * r[None, :, 1] - r[:, None, 1] * r[None, :, 0]
    diff = a[None, :, :] - a[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (diff[..., 0] * r[None, :, 1] - diff[..., 1] * r[None, :, 0]) / cross
        u = (diff[..., 0] * r[:, None, 1] - diff[..., 1] * r[:, None, 0]) / cross
    hit = (np.abs(cross) > 1e-9) & (t > 0) & (t < 1) & (u > 0) & (u < 1)
    for i, j in zip(*np.nonzero(hit), strict=True):
        splits[i].append(float(t[i, j]))
    # vertices (ends after snapping, or shape points) lying on another segment
    vertices = np.vstack(lines)
    length2 = np.maximum(np.einsum("ij,ij->i", r, r), 1e-12)
    for p in vertices:
        tp = np.einsum("ij,ij->i", p - a, r) / length2
        q = a + np.clip(tp, 0, 1)[:, None] * r
        near = (np.hypot(*(q - p).T) <= ON_SEGMENT_M) & (tp > 1e-9) & (tp < 1 - 1e-9)
        for i in np.flatnonzero(near):
            splits[i].append(float(tp[i]))
    return splits


class _NodeIndex:
    """Points merged within ``merge_m`` via a coarse grid: the ids of graph nodes."""

    def __init__(self, merge_m: float) -> None:
        self.merge_m = merge_m
        self.points: list[tuple[float, float]] = []
        self._grid: dict[tuple[int, int], list[int]] = {}

    def add(self, p: np.ndarray) -> int:
        x, y = float(p[0]), float(p[1])
        cx, cy = math.floor(x / self.merge_m), math.floor(y / self.merge_m)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for k in self._grid.get((cx + dx, cy + dy), ()):
                    px, py = self.points[k]
                    if math.hypot(px - x, py - y) <= self.merge_m:
                        return k
        self.points.append((x, y))
        self._grid.setdefault((cx, cy), []).append(len(self.points) - 1)
        return len(self.points) - 1
