"""The order coverage flies its pieces in: local search only ever shortens it."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fleet.planning import chain


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40), st.integers(0, 2**32 - 1))
def test_local_search_keeps_every_piece_once_and_never_lengthens(n, seed):
    rng = np.random.default_rng(seed)
    ends = rng.uniform(-500, 500, (n, 2, 2))
    start = rng.uniform(-500, 500, 2)
    nodes = np.vstack([ends.reshape(-1, 2), start[None]])
    dist = np.hypot(*(nodes[:, None] - nodes[None]).transpose(2, 0, 1))
    first = chain.greedy(ends, np.zeros(n, dtype=int), 50.0, start)
    better = chain.improve(first, dist)
    assert sorted(i for i, _ in better) == list(range(n))
    assert chain.length(better, dist) <= chain.length(first, dist) + 1e-9


def test_parallel_lines_are_flown_back_and_forth():
    ends = np.array([[[0, y], [1000, y]] for y in (0, 120, 60, 180)], dtype=float)
    nodes = np.vstack([ends.reshape(-1, 2), [[-10.0, 0.0]]])
    dist = np.hypot(*(nodes[:, None] - nodes[None]).transpose(2, 0, 1))
    order = chain.improve([(0, False), (1, False), (2, True), (3, True)], dist)
    assert [i for i, _ in order] == [0, 2, 1, 3]
    assert chain.length(order, dist) == 10 + 3 * 60
