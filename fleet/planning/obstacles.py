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
from .geometry import edges, offset_ring, points_in_ring


class Obstacles:
    def __init__(self, rings: Sequence[np.ndarray], clearance_m: float = 0.0) -> None:
        self.rings = [np.asarray(r, dtype=float) for r in rings]
        self.clearance_m = clearance_m
        self.guards = [offset_ring(r, clearance_m) if clearance_m else r for r in self.rings]
        margin = max(0.5, 0.01 * clearance_m)
        #: each exclusion's outline just outside its guard: detours turn at its corners,
        #: and coverage flies along it (a leg on it never crosses a guard)
        self.fences = [offset_ring(r, clearance_m + margin) for r in self.rings]
        self.nodes = np.vstack(self.fences) if self.fences else np.empty((0, 2))
        pairs = [edges(g) for g in self.guards]
        self._ea = np.vstack([a for a, _ in pairs]) if pairs else np.empty((0, 2))
        self._eb = np.vstack([b for _, b in pairs]) if pairs else np.empty((0, 2))
        self._box = np.array([[*g.min(axis=0), *g.max(axis=0)] for g in self.guards]
                             ).reshape(-1, 4)  # x0, y0, x1, y1 of each guard
        e = self._eb - self._ea  # edge sides as matrix products (see _crosses)
        self._normal = np.vstack([-e[:, 1], e[:, 0]])
        self._offset = e[:, 0] * self._ea[:, 1] - e[:, 1] * self._ea[:, 0]
        self._swap_a = np.vstack([self._ea[:, 1], -self._ea[:, 0]])
        self._swap_b = np.vstack([self._eb[:, 1], -self._eb[:, 0]])
        self._dist, self._next = self._solve_nodes()

    def __bool__(self) -> bool:
        return bool(self.rings)

    # -- tests ----------------------------------------------------------------------
    def inside(self, points: np.ndarray, guarded: bool = False) -> np.ndarray:
        """Which points lie inside an exclusion (or within its clearance if ``guarded``)."""
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        hit = np.zeros(len(pts), dtype=bool)
        for ring in self.guards if guarded else self.rings:
            lo, hi = ring.min(axis=0), ring.max(axis=0)
            near = np.flatnonzero(((pts >= lo) & (pts <= hi)).all(axis=1))
            hit[near] |= points_in_ring(pts[near], ring)
        return hit

    def _crosses(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """(P,) does leg p-q properly cross any guard edge: :func:`segments_cross` for
        every edge at once, its four orientations as (P, 2) @ (2, E) products."""
        u = q - p
        turn = u[:, 0] * p[:, 1] - u[:, 1] * p[:, 0]
        d1 = p @ self._normal - self._offset
        d2 = q @ self._normal - self._offset
        d3 = u @ self._swap_a - turn[:, None]
        d4 = u @ self._swap_b - turn[:, None]
        scale = 1e-9 * (1.0 + np.abs(d1) + np.abs(d2) + np.abs(d3) + np.abs(d4))
        return ((((d1 > scale) & (d2 < -scale)) | ((d1 < -scale) & (d2 > scale))) &
                (((d3 > scale) & (d4 < -scale)) | ((d3 < -scale) & (d4 > scale)))).any(axis=1)

    def blocked(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """For (M, 2) start and end points: does the straight leg enter a guard outline?"""
        p = np.asarray(p, dtype=float).reshape(-1, 2)
        q = np.asarray(q, dtype=float).reshape(-1, 2)
        if not self.rings or len(p) == 0:
            return np.zeros(max(len(p), len(q)), dtype=bool)
        p, q = np.broadcast_arrays(p, q)
        lo, hi = np.minimum(p, q), np.maximum(p, q)
        box = self._box
        near = ((lo[:, None, 0] <= box[None, :, 2]) & (hi[:, None, 0] >= box[None, :, 0]) &
                (lo[:, None, 1] <= box[None, :, 3]) & (hi[:, None, 1] >= box[None, :, 1])
                ).any(axis=1)  # only legs whose bounding box meets a guard's can enter it
        out = np.zeros(len(p), dtype=bool)
        if near.any():
            p, q = p[near], q[near]
            out[near] = self._crosses(p, q) | self.inside((p + q) / 2.0, guarded=True)
        return out

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

    def distances(self, a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        """(A, B) shortest clear-path lengths between two point sets (inf if enclosed);
        without ``b``, between the points of ``a`` (symmetric: half the leg tests)."""
        a = np.asarray(a, dtype=float).reshape(-1, 2)
        same = b is None
        b = a if b is None else np.asarray(b, dtype=float).reshape(-1, 2)
        direct = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
        if not self.rings:
            return direct
        if same:
            ia, ib = np.triu_indices(len(a), k=1)
            blocked = np.zeros(direct.shape, dtype=bool)
            blocked[ia, ib] = blocked[ib, ia] = self.blocked(a[ia], a[ib])
        else:
            ia, ib = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
            blocked = self.blocked(a[ia.ravel()], b[ib.ravel()]).reshape(direct.shape)
        if not blocked.any():
            return direct
        da = self._to_nodes(a)
        db = da if same else self._to_nodes(b)
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
