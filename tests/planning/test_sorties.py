"""Routes as timelines, and sorties that fit the endurance budget."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapes import square, star_polygons

from fleet.planning import Budget, PlanningError, Route, UnreachableError, plan_coverage
from fleet.planning.geometry import as_ring
from fleet.planning.obstacles import Obstacles
from fleet.planning.plans import plan_area_coverage
from fleet.planning.sorties import plan_sorties


def test_route_positions_and_slices_follow_the_timeline():
    r = Route(np.array([[0, 0], [100, 0], [100, 100]]), 10.0, np.array([0, 5, 0]))
    assert list(r.arrive) == [0, 10, 25] and r.duration_s == 25
    assert r.position([5, 12, 20]).tolist() == [[50, 0], [100, 0], [100, 50]]
    part = r.slice(12, 20)  # mid-loiter to mid-leg: 3 s of hold left, then 50 m
    assert part.points.tolist() == [[100, 0], [100, 50]]
    assert part.loiter_s.tolist() == [3, 0] and part.duration_s == pytest.approx(8)
    assert sum(p.duration_s for p in r.split(4)) == pytest.approx(r.duration_s)


@settings(max_examples=30, deadline=None)
@given(star_polygons(radius=(300.0, 1500.0)), st.floats(20, 60), st.floats(8, 25),
       st.floats(0.1, 0.4), st.floats(-3000, 3000), st.floats(-3000, 3000))
def test_every_sortie_fits_the_endurance_and_together_they_fly_everything(
        ring, endurance_min, speed, reserve, bx, by):
    job = Route(plan_coverage(ring, 40.0).waypoints, speed)
    base = np.array([bx, by])
    budget = Budget(endurance_min * 60.0, reserve)
    try:
        sorties = plan_sorties(job, base, budget)
    except UnreachableError:
        far = np.hypot(*(job.points - base).T).max()
        assert 2 * far / speed > budget.usable_s - 1e-6  # only when truly out of reach
        return
    limit = endurance_min * 60.0 * (1 - reserve)
    for s in sorties:
        assert s.flight_s <= limit + 1e-6
        flown = np.vstack([s.base, s.route.points, s.base])
        length = np.hypot(*np.diff(flown, axis=0).T).sum()
        assert budget.overhead_s + length / speed + s.route.loiter_s.sum() <= limit + 1e-6
    assert sorties[0].start_s == 0 and sorties[-1].end_s == pytest.approx(job.duration_s)
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(sorties))


def test_sorties_detour_around_exclusions_on_the_way_out_and_back():
    hole = as_ring(square(0, 0, 300))
    obstacles = Obstacles([hole], 10.0)
    job = Route(np.array([[600.0, -200.0], [600.0, 200.0]]), 10.0)
    sortie = plan_sorties(job, np.array([-800.0, 0.0]), Budget(1800), obstacles=obstacles)[0]
    path = sortie.path()
    assert len(sortie.outbound) and len(sortie.inbound)
    assert not obstacles.blocked(path[:-1], path[1:]).any()


def test_unreachable_points_name_their_coordinates():
    area = [(27.25, 112.73), (27.26, 112.73), (27.26, 112.74), (27.25, 112.74)]  # Nanyue
    plan = plan_area_coverage(area, spacing_m=60, speed_m_s=12.0)
    with pytest.raises(UnreachableError, match=r"\(27\.2\d+, 112\.7\d+\) is out of reach "
                                               r"from base \(26\.89300, 112\.58800\)"):
        plan.sorties((26.8930, 112.5880), Budget(20 * 60))


def test_a_budget_without_flight_time_is_refused():
    with pytest.raises(PlanningError, match="leaves no flight time"):
        Budget(60.0, reserve=0.5)
