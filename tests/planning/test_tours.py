"""Tours against brute force on small sets, and the variants (start, open, detours)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapes import square

from fleet.planning import PlanningError, plan_site_tour, plan_tour
from fleet.planning.geometry import as_ring
from fleet.planning.obstacles import Obstacles

coords = st.floats(0, 2000, allow_nan=False)
point_sets = st.lists(st.tuples(coords, coords), min_size=1, max_size=7, unique=True)


def brute_force(points: np.ndarray, start: np.ndarray | None, closed: bool) -> float:
    nodes = points if start is None else np.vstack([points, start])
    dist = np.hypot(*(nodes[:, None] - nodes[None]).transpose(2, 0, 1))
    n, best = len(points), np.inf
    for perm in itertools.permutations(range(n)):
        walk = ([n] if start is not None else []) + list(perm)
        length = sum(dist[a, b] for a, b in itertools.pairwise(walk))
        if closed and len(walk) > 1:
            length += dist[walk[-1], walk[0]]
        best = min(best, length)
    return best


@settings(max_examples=80, deadline=None)
@given(point_sets, st.booleans(), st.booleans())
def test_small_tours_match_brute_force(points, with_start, closed):
    pts = np.array(points)
    start = np.array([1000.0, -300.0]) if with_start else None
    tour = plan_tour(pts, start=start, closed=closed)
    assert sorted(tour.order) == list(range(len(pts)))
    assert tour.length_m <= brute_force(pts, start, closed) * 1.02 + 1e-6


def test_a_case_where_the_heuristics_missed_the_optimum_by_2_percent():
    pts = np.array([(240.0, 1391.0), (1211.0, 1333.0), (0.0, 238.0), (332.0, 0.0),
                    (1117.0, 1812.0), (1782.0, 0.0)])
    start = np.array([1000.0, -300.0])
    tour = plan_tour(pts, start=start, closed=False)
    assert tour.length_m == pytest.approx(brute_force(pts, start, False))


def test_an_open_tour_from_a_start_begins_near_it():
    line = np.array([[float(x), 0.0] for x in range(0, 1000, 100)])
    rng = np.random.default_rng(3)
    shuffled = line[rng.permutation(len(line))]
    tour = plan_tour(shuffled, start=np.array([-50.0, 0.0]), closed=False)
    xs = shuffled[list(tour.order), 0]
    assert list(xs) == sorted(xs)  # walks away from the start along the line
    assert tour.length_m == pytest.approx(950.0)


def test_a_wall_between_stops_is_walked_around():
    wall = as_ring(np.array([[-10, -400], [10, -400], [10, 400], [-10, 400]], dtype=float))
    pts = np.array([[-100.0, 0.0], [100.0, 0.0]])
    dist = Obstacles([wall], 0.0).distances(pts, pts)
    tour = plan_tour(pts, closed=True, distances=dist)
    assert tour.length_m > 1600  # around the wall and back, not 400 m straight


def test_site_tour_holds_at_every_site_and_never_enters_an_exclusion():
    sites = [(26.8950, 112.5780), (26.8900, 112.5970), (26.8928, 112.6271),
             (26.9080, 112.6170), (26.8800, 112.6060)]
    no_fly = [(26.897, 112.600), (26.897, 112.610), (26.886, 112.610), (26.886, 112.600)]
    plan = plan_site_tour(sites, speed_m_s=12.0, loiter_s=45.0, start=(26.8930, 112.5880),
                          exclusions=[no_fly])
    held = plan.job.loiter_s > 0
    assert held.sum() == len(sites)
    assert np.allclose(np.sort(plan.latlon()[held], axis=0),
                       np.sort(np.array(sites), axis=0), atol=1e-9)
    hole = plan.obstacles.rings[0]
    assert not plan.obstacles.blocked(plan.job.points[:-1], plan.job.points[1:]).any()
    assert not plan.obstacles.inside(plan.job.points).any() and hole is not None


def test_a_site_inside_an_exclusion_is_named():
    with pytest.raises(PlanningError, match="site 2 lies inside an exclusion zone"):
        plan_site_tour([(26.80, 112.50), (26.90, 112.60)], speed_m_s=10.0,
                       exclusions=[[(26.91, 112.59), (26.91, 112.61), (26.89, 112.61),
                                    (26.89, 112.59)]])
    assert square(0, 0, 1).shape == (4, 2)
