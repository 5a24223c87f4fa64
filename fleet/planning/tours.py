"""Point-of-interest tours: visit every site once, shortest first-found, in milliseconds.

Nearest-neighbour construction from a few starts, then 2-opt (reverse a stretch) and
Or-opt (move a run of 1-3 stops elsewhere, either way round) until neither improves.
Each sweep evaluates every move at once as an n×n numpy matrix and applies the best,
so 50 stops take a few milliseconds. Up to 9 nodes every cycle is tried (the
heuristics missed the optimum by 2 % on a 6-stop case hypothesis found), and the tests
check small sets against brute force. OR-Tools would find the optimum more often on
hundreds of stops, but a patrol visits tens, where this is within a few percent,
without a 30 MB dependency.

Every variant is solved as a closed cycle on a distance matrix: a fixed start adds a
depot node; an open tour (no return) adds a dummy node at distance 0 from everything,
whose two neighbours are then the path's ends.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np

from .errors import PlanningError

_EPS = 1e-9
EXACT_MAX = 9  # nodes (stops, plus the start and an open tour's dummy) solved exactly


@dataclass(frozen=True, slots=True)
class Tour:
    order: tuple[int, ...]  # indices into the points, in visiting order
    length_m: float  # including the legs from and (when closed) back to the start


def tour_length(dist: np.ndarray, cycle: np.ndarray) -> float:
    return float(dist[cycle, np.roll(cycle, -1)].sum())


def _nearest_neighbour(dist: np.ndarray, first: int) -> np.ndarray:
    n = len(dist)
    seen = np.zeros(n, dtype=bool)
    cycle = np.empty(n, dtype=int)
    cycle[0], seen[first] = first, True
    for k in range(1, n):
        row = np.where(seen, np.inf, dist[cycle[k - 1]])
        cycle[k] = int(np.argmin(row))
        seen[cycle[k]] = True
    return cycle


def _two_opt_move(dist: np.ndarray, cycle: np.ndarray) -> bool:
    """Apply the best improving 2-opt move; False if there is none."""
    n = len(cycle)
    a, b = cycle, np.roll(cycle, -1)
    edge = dist[a, b]
    delta = dist[a[:, None], a[None, :]] + dist[b[:, None], b[None, :]] \
        - edge[:, None] - edge[None, :]
    delta = np.triu(delta, k=2)  # j >= i + 2; adjacent edges share a node
    delta[0, n - 1] = 0.0  # the first and last edges are adjacent too
    flat = int(np.argmin(delta))
    if delta.flat[flat] > -_EPS:
        return False
    i, j = divmod(flat, n)
    cycle[i + 1:j + 1] = cycle[i + 1:j + 1][::-1].copy()
    return True


def _or_opt_move(dist: np.ndarray, cycle: np.ndarray) -> np.ndarray | None:
    """The cycle after the best improving Or-opt move, or None."""
    n = len(cycle)
    best, best_move = -_EPS, None
    nxt = np.roll(cycle, -1)
    edge = dist[cycle, nxt]
    pos = np.arange(n)
    for run in (1, 2, 3):
        if n < run + 3:
            break
        first, last = cycle, np.roll(cycle, -(run - 1))
        before, after = np.roll(cycle, 1), np.roll(cycle, -run)
        removed = dist[before, first] + dist[last, after] - dist[before, after]  # (n,) by i
        fwd = dist[cycle[None, :], first[:, None]] + dist[last[:, None], nxt[None, :]]
        rev = dist[cycle[None, :], last[:, None]] + dist[first[:, None], nxt[None, :]]
        insert = np.minimum(fwd, rev) - edge[None, :]  # (i, j): put run i into edge j
        delta = insert - removed[:, None]
        # edge j must lie outside the run and not be one of the two edges it leaves
        offset = (pos[None, :] - pos[:, None]) % n
        delta[(offset >= n - 1) | (offset < run)] = np.inf
        flat = int(np.argmin(delta))
        if delta.flat[flat] < best:
            best, best_move = float(delta.flat[flat]), (run, *divmod(flat, n),
                                                         bool(rev.flat[flat] < fwd.flat[flat]))
    if best_move is None:
        return None
    run, i, j, reverse = best_move
    idx = [(i + k) % n for k in range(run)]
    segment = [int(cycle[k]) for k in idx]
    if reverse:
        segment.reverse()
    anchor = int(cycle[j])
    rest = [int(c) for k, c in enumerate(cycle) if k not in set(idx)]
    at = rest.index(anchor) + 1
    return np.array(rest[:at] + segment + rest[at:])


def improve(dist: np.ndarray, cycle: np.ndarray) -> np.ndarray:
    """2-opt to a local optimum, then one Or-opt move, repeated until neither helps."""
    cycle = cycle.copy()
    while True:
        while _two_opt_move(dist, cycle):
            pass
        moved = _or_opt_move(dist, cycle)
        if moved is None:
            return cycle
        cycle = moved


def solve_cycle(dist: np.ndarray, starts: int = 8) -> np.ndarray:
    """A short Hamiltonian cycle on a symmetric distance matrix (the shortest, up to
    ``EXACT_MAX`` nodes)."""
    n = len(dist)
    if n <= 3:
        return np.arange(n)
    if n <= EXACT_MAX:
        return _exact_cycle(dist)
    best, best_len = None, np.inf
    for first in np.linspace(0, n - 1, min(starts, n)).astype(int):
        cycle = improve(dist, _nearest_neighbour(dist, int(first)))
        length = tour_length(dist, cycle)
        if length < best_len - _EPS:
            best, best_len = cycle, length
    assert best is not None
    return best


@functools.lru_cache(maxsize=EXACT_MAX)
def _all_cycles(n: int) -> np.ndarray:
    rest = np.array(list(itertools.permutations(range(1, n))), dtype=np.intp)
    cycles = np.hstack([np.zeros((len(rest), 1), dtype=np.intp), rest])
    cycles.setflags(write=False)
    return cycles


def _exact_cycle(dist: np.ndarray) -> np.ndarray:
    """Every cycle through node 0 at once: (n-1)! rows, 40,320 at 9 nodes (~10 ms, the
    table built once per size). The heuristics can miss the optimum by a few percent on
    small sets, where the exact answer is cheap."""
    cycles = _all_cycles(len(dist))
    lengths = dist[cycles, np.roll(cycles, -1, axis=1)].sum(axis=1)
    return cycles[int(np.argmin(lengths))]


def plan_tour(points: np.ndarray, *, start: np.ndarray | None = None, closed: bool = True,
              distances: np.ndarray | None = None, starts: int = 8) -> Tour:
    """Visit every point once. ``distances`` (n+1 square with the start last, or n square
    without one) replaces straight lines, e.g. detours around no-fly zones."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    n = len(pts)
    if n == 0:
        raise PlanningError("tour: no points to visit")
    nodes = pts if start is None else np.vstack([pts, np.asarray(start, dtype=float)])
    if distances is None:
        gap = nodes[:, None, :] - nodes[None, :, :]
        dist = np.hypot(gap[..., 0], gap[..., 1])
    else:
        dist = np.asarray(distances, dtype=float)
        if dist.shape != (len(nodes), len(nodes)):
            raise PlanningError(f"tour: distances must be {len(nodes)}×{len(nodes)}, "
                                f"got {dist.shape}")
    if not np.isfinite(dist).all():
        i = int(np.flatnonzero(~np.isfinite(dist).all(axis=1))[0])
        raise PlanningError(f"tour: stop {i + 1} cannot be reached from every other stop")
    depot = n if start is not None else None
    work = dist
    if not closed:
        work = _open_path_matrix(dist, depot)
    cycle = list(solve_cycle(work, starts))
    dummy = len(work) - 1 if not closed else None
    anchor = next(c for c in (depot, dummy, cycle[0]) if c is not None)
    k = cycle.index(anchor)
    cycle = cycle[k:] + cycle[:k]
    if depot is not None and dummy is not None and cycle[1] == dummy:
        cycle = [cycle[0], *cycle[1:][::-1]]  # walk away from the dummy
    order = tuple(int(c) for c in cycle if c != depot and c != dummy)
    walk = ([depot] if depot is not None else []) + list(order)
    length = float(dist[walk[:-1], walk[1:]].sum()) if len(walk) > 1 else 0.0
    if closed and len(walk) > 1:
        length += float(dist[walk[-1], walk[0]])
    return Tour(order, length)


def _open_path_matrix(dist: np.ndarray, depot: int | None) -> np.ndarray:
    """``dist`` plus a dummy node at distance 0 from every node. With a depot, its legs
    to real stops cost a large constant extra, so the best cycle puts the dummy beside
    it: the cycle is then a path from the depot to wherever the dummy's other side is."""
    m = len(dist)
    grown = np.zeros((m + 1, m + 1))
    grown[:m, :m] = dist
    if depot is not None:
        penalty = 10.0 * (float(dist.max()) * m + 1.0)
        grown[depot, :m] += penalty
        grown[:m, depot] += penalty
        grown[depot, depot] = 0.0
    return grown
