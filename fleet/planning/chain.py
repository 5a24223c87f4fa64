"""The order in which coverage flies its pieces (sweep lines and runs along fences).

A greedy chain builds an order: fly next the nearest unflown end, where skipping over
bands costs a spacing each (they will need a trip back), so a concave area is finished
lobe by lobe. Local search then shortens the order on the true lengths of the
connections (detours included): 2-opt (fly a stretch of pieces backwards) and Or-opt
(move a run of up to :data:`MAX_RUN` pieces elsewhere, either way round), each move
type evaluated for every position at once as a numpy matrix, the best move applied
until none helps.

An order is a list of (piece, reversed); piece i runs from ``ends[i, 0]`` to
``ends[i, 1]`` unless reversed.
"""

from __future__ import annotations

import numpy as np

Order = list[tuple[int, bool]]

#: longest run of pieces an Or-opt move carries
MAX_RUN = 6
_EPS = 1e-6


def greedy(ends: np.ndarray, band: np.ndarray, spacing: float, start: np.ndarray) -> Order:
    """Nearest unflown end first, with a spacing per band skipped."""
    n = len(ends)
    todo = np.ones(n, dtype=bool)
    here, here_band = np.asarray(start, dtype=float), None
    out: Order = []
    for _ in range(n):
        d = np.hypot(*(ends - here).transpose(2, 0, 1))  # (S, 2): to each end
        if here_band is not None:
            d += (np.maximum(np.abs(band - here_band) - 1, 0) * spacing)[:, None]
        d[~todo] = np.inf
        i, end = divmod(int(np.argmin(d)), 2)
        out.append((i, end == 1))
        todo[i] = False
        here, here_band = ends[i, 1 - end], int(band[i])
    return out


def length(order: Order, dist: np.ndarray) -> float:
    """Connection length of an order on ``dist`` over the nodes (2i, 2i + 1: piece i's
    ends; 2m: the start)."""
    seq = np.array([i for i, _ in order])
    rev = np.array([r for _, r in order], dtype=int)
    first, last = 2 * seq + rev, 2 * seq + 1 - rev
    hops = np.concatenate(([dist[len(dist) - 1, first[0]]], dist[last[:-1], first[1:]]))
    return float(hops.sum())


def improve(order: Order, dist: np.ndarray, max_moves: int = 10_000) -> Order:
    """2-opt and Or-opt on the pieces until no move shortens the connections.

    ``dist``: (2m + 1) square, as for :func:`length`."""
    m = len(order)
    start, none = 2 * m, 2 * m + 1
    d = np.zeros((2 * m + 2, 2 * m + 2))  # ``none``: after the last piece, free
    d[:none, :none] = dist
    seq = np.array([i for i, _ in order])
    rev = np.array([r for _, r in order], dtype=int)
    runs = range(1, min(MAX_RUN, m - 1) + 1)
    pos, gaps = np.arange(m), np.arange(m + 1)
    backwards_only = pos[:, None] > pos[None, :]
    beside = {r: (gaps[None, :] >= pos[:m - r + 1, None]) &
              (gaps[None, :] <= pos[:m - r + 1, None] + r) for r in runs}
    for _ in range(max_moves):
        first, last = 2 * seq + rev, 2 * seq + 1 - rev
        # gap g lies before piece g (g = m: after the last); its ends are a[g] -> b[g]
        gap_a = np.concatenate(([start], last))
        gap_b = np.concatenate((first, [none]))
        into_first = d[np.ix_(gap_a, first)]  # (m + 1, m)
        into_last = d[np.ix_(gap_a, last)]
        from_last = d[np.ix_(last, gap_b)]  # (m, m + 1)
        from_first = d[np.ix_(first, gap_b)]
        bridge = d[gap_a, gap_b]  # (m + 1,)
        best, move = -_EPS, None
        # 2-opt: fly pieces i..j backwards
        delta = into_last[:m] + from_first[:, 1:] - bridge[:m, None] - bridge[None, 1:]
        delta[backwards_only] = np.inf
        k = int(np.argmin(delta))
        if delta.flat[k] < best:
            best, move = float(delta.flat[k]), ("flip", *divmod(k, m))
        # Or-opt: take pieces i..i+r-1 out, put them into gap g, forwards or backwards
        for r in runs:
            n = m - r + 1
            gain = bridge[:n] + bridge[r:] - d[gap_a[:n], gap_b[r:]]
            fwd = into_first[:, :n].T + from_last[r - 1:]
            bwd = into_last[:, r - 1:].T + from_first[:n]
            delta = np.minimum(fwd, bwd) - bridge[None, :] - gain[:, None]
            delta[beside[r]] = np.inf
            k = int(np.argmin(delta))
            if delta.flat[k] < best:
                ii, gg = divmod(k, m + 1)
                best, move = float(delta.flat[k]), ("move", ii, gg, r,
                                                     bool(bwd[ii, gg] < fwd[ii, gg]))
        if move is None:
            break
        if move[0] == "flip":
            _, i0, j0 = move
            seq[i0:j0 + 1] = seq[i0:j0 + 1][::-1].copy()
            rev[i0:j0 + 1] = 1 - rev[i0:j0 + 1][::-1]
        else:
            _, i0, g0, r, backwards = move
            run_seq, run_rev = seq[i0:i0 + r].copy(), rev[i0:i0 + r].copy()
            if backwards:
                run_seq, run_rev = run_seq[::-1], 1 - run_rev[::-1]
            at = g0 if g0 < i0 else g0 - r
            seq = np.insert(np.delete(seq, np.s_[i0:i0 + r]), at, run_seq)
            rev = np.insert(np.delete(rev, np.s_[i0:i0 + r]), at, run_rev)
    return [(int(i), bool(r)) for i, r in zip(seq, rev, strict=True)]
