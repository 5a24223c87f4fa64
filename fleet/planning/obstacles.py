"""No-fly polygons: is a straight leg clear, and the shortest detour when it is not.

Each exclusion is inflated by a clearance (the *guard* outline, which legs must not
cross) and once more by a small margin (the *nodes* a detour may turn at, strictly
outside the guards). Detours are shortest paths in the visibility graph of the nodes:
node-to-node distances are solved once (Floyd–Warshall, V ≤ a few hundred), so each
query costs two visibility rows and one min-plus product.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import UnreachableError
from .geometry import edges, offset_ring, points_in_ring, segments_cross


class Obstacles:
    def __init__(self, rings: Sequence[np.ndarray], clearance_m: float = 0.0) -> None:
        self.rings = [np.asarray(r, dtype=float) for r in rings]
        self.clearance_m = clearance_m
        self.guards = [offset_ring(r, clearance_m) if clearance_m else r for r in self.rings]
        margin = max(0.5, 0.01 * clearance_m)
        nodes = [offset_ring(r, clearance_m + margin) for r in self.rings]
        self.nodes = np.vstack(nodes) if nodes else np.empty((0, 2))
        pairs = [edges(g) for g in self.guards]
        self._ea = np.vstack([a for a, _ in pairs]) if pairs else np.empty((0, 2))
        self._eb = np.vstack([b for _, b in pairs]) if pairs else np.empty((0, 2))
        self._dist, self._next = self._solve_nodes()

    def __bool__(self) -> bool:
        return bool(self.rings)

    # -- tests ----------------------------------------------------------------------
    def inside(self, points: np.ndarray, guarded: bool = False) -> np.ndarray:
        """Which points lie inside an exclusion (or within its clearance if ``guarded``)."""
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        hit = np.zeros(len(pts), dtype=bool)
        for ring in self.guards if guarded else self.rings:
            hit |= points_in_ring(pts, ring)
        return hit

    def blocked(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """For (M, 2) start and end points: does the straight leg enter a guard outline?"""
        p = np.asarray(p, dtype=float).reshape(-1, 2)
        q = np.asarray(q, dtype=float).reshape(-1, 2)
        if not self.rings or len(p) == 0:
            return np.zeros(max(len(p), len(q)), dtype=bool)
        p, q = np.broadcast_arrays(p, q)
        crosses = segments_cross(p[:, None], q[:, None], self._ea[None], self._eb[None])
        return crosses.any(axis=1) | self.inside((p + q) / 2.0, guarded=True)

    # -- detours --------------------------------------------------------------------
    def _solve_nodes(self) -> tuple[np.ndarray, np.ndarray]:
        nodes = self.nodes
        v = len(nodes)
        if v == 0:
            return np.zeros((0, 0)), np.zeros((0, 0), dtype=int)
        i, j = np.triu_indices(v, k=1)
        ok = ~self.blocked(nodes[i], nodes[j])
        dist = np.full((v, v), np.inf)
        np.fill_diagonal(dist, 0.0)
        length = np.hypot(*(nodes[i] - nodes[j]).T)
        dist[i[ok], j[ok]] = dist[j[ok], i[ok]] = length[ok]
        nxt = np.tile(np.arange(v), (v, 1))
        for k in range(v):
            via = dist[:, k:k + 1] + dist[k:k + 1, :]
            better = via < dist
            if better.any():
                dist = np.where(better, via, dist)
                nxt = np.where(better, nxt[:, k:k + 1], nxt)
        return dist, nxt

    def _to_nodes(self, points: np.ndarray) -> np.ndarray:
        """(P, V) straight distances from points to the nodes they see (inf if hidden)."""
        p = np.repeat(points, len(self.nodes), axis=0)
        q = np.tile(self.nodes, (len(points), 1))
        d = np.hypot(*(p - q).T)
        d[self.blocked(p, q)] = np.inf
        return d.reshape(len(points), len(self.nodes))

    def distances(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(A, B) shortest clear-path lengths between two point sets (inf if enclosed)."""
        a = np.asarray(a, dtype=float).reshape(-1, 2)
        b = np.asarray(b, dtype=float).reshape(-1, 2)
        direct = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
        if not self.rings:
            return direct
        ia, ib = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
        blocked = self.blocked(a[ia.ravel()], b[ib.ravel()]).reshape(direct.shape)
        if not blocked.any():
            return direct
        da, db = self._to_nodes(a), self._to_nodes(b)
        via = (da[:, :, None] + self._dist[None]).min(axis=1)  # (A, V): a -> any node -> w
        around = (via[:, None, :] + db[None, :, :]).min(axis=2)
        return np.where(blocked, around, direct)

    def path(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """The shortest clear path from p to q as (K, 2) points, p and q included."""
        p = np.asarray(p, dtype=float).reshape(2)
        q = np.asarray(q, dtype=float).reshape(2)
        if not self.rings or not self.blocked(p, q)[0]:
            return np.vstack([p, q])
        dp, dq = self._to_nodes(np.vstack([p, q]))
        total = dp[:, None] + self._dist + dq[None, :]
        u, w = np.unravel_index(int(np.argmin(total)), total.shape)
        if not np.isfinite(total[u, w]):
            raise UnreachableError(
                f"no clear path from ({p[0]:.0f}, {p[1]:.0f}) to ({q[0]:.0f}, {q[1]:.0f}) m: "
                f"the exclusion zones enclose one of them")
        hops = [int(u)]
        while hops[-1] != w:
            hops.append(int(self._next[hops[-1], w]))
        return np.vstack([p, self.nodes[hops], q])

    def route(self, points: np.ndarray) -> np.ndarray:
        """A polyline with every blocked leg replaced by its detour."""
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        if not self.rings or len(pts) < 2:
            return pts
        bad = self.blocked(pts[:-1], pts[1:])
        if not bad.any():
            return pts
        out = [pts[:1]]
        for k in range(len(pts) - 1):
            leg = self.path(pts[k], pts[k + 1]) if bad[k] else pts[k:k + 2]
            out.append(leg[1:])
        return np.vstack(out)
