"""Coverage geometry, checked as properties over random polygons and exclusion zones."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapes import sample_inside, square, star_polygons

from fleet.planning import PlanningError, UnreachableError, plan_coverage
from fleet.planning.coverage import line_spacing, swath_width
from fleet.planning.geometry import (
    as_ring,
    edges,
    point_segment_distance,
    points_in_ring,
    segments_cross,
)
from fleet.planning.obstacles import Obstacles

TOL = 1e-6


def distance_to_path(points: np.ndarray, segments: np.ndarray) -> np.ndarray:
    return point_segment_distance(points, segments[:, 0], segments[:, 1]).min(axis=1)


@settings(max_examples=60, deadline=None)
@given(star_polygons(), st.floats(20.0, 120.0), st.none() | st.floats(0, 180))
def test_every_point_lies_within_half_a_spacing_of_a_sweep_line(ring, spacing, angle):
    plan = plan_coverage(ring, spacing, angle_deg=angle)
    pts = np.vstack([sample_inside(ring), ring])  # the corners too: the hardest points
    assert distance_to_path(pts, plan.segments).max() <= spacing / 2 + TOL


@settings(max_examples=40, deadline=None)
@given(star_polygons(radius=(500.0, 900.0)), st.floats(25.0, 80.0),
       st.floats(-150, 150), st.floats(-150, 150), st.floats(30, 120))
def test_exclusions_are_avoided_and_the_rest_is_covered(ring, spacing, cx, cy, half):
    hole = square(cx, cy, half)
    clearance = 10.0
    plan = plan_coverage(ring, spacing, exclusions=[hole], clearance_m=clearance)
    # no waypoint inside, no leg through it
    assert not points_in_ring(plan.waypoints, hole).any()
    a, b = edges(hole)
    wp = plan.waypoints
    assert not segments_cross(wp[:-1, None], wp[1:, None], a[None], b[None]).any()
    # and every point farther than a band (plus clearance) from it is still covered
    pts = sample_inside(ring)
    far = point_segment_distance(pts, a, b).min(axis=1) > spacing + clearance + TOL
    far &= ~points_in_ring(pts, hole)
    assert distance_to_path(pts[far], plan.segments).max() <= spacing / 2 + TOL


def test_the_sweep_runs_along_a_long_thin_area():
    strip = np.array([[0, 0], [2000, 0], [2000, 200], [0, 200]], dtype=float)
    plan = plan_coverage(strip, 50.0)
    assert plan.angle_deg in (0.0, 180.0)  # 4 long lines, not 40 short ones
    assert len(plan.segments) == 4 and plan.turns == 6


@pytest.mark.parametrize("angle", [0.0, 90.0])
def test_a_concave_area_is_flown_lobe_by_lobe(angle):
    u_shape = np.array([[0, 0], [900, 0], [900, 900], [600, 900], [600, 300], [300, 300],
                        [300, 900], [0, 900]], dtype=float)
    plan = plan_coverage(u_shape, 60.0, angle_deg=angle)
    left_arm = np.flatnonzero(plan.segments[:, :, 0].max(axis=1) <= 300 + 1e-6)
    assert len(left_arm) > 3
    assert left_arm.max() - left_arm.min() + 1 == len(left_arm)  # flown in one go


def test_camera_footprint_sets_the_spacing():
    assert swath_width(60.0, 90.0) == pytest.approx(120.0)
    assert line_spacing(60.0, 90.0, overlap=0.25) == pytest.approx(90.0)
    with pytest.raises(PlanningError, match="overlap"):
        line_spacing(60.0, 90.0, overlap=0.95)


def test_self_intersecting_polygon_is_refused_naming_the_edges():
    bow_tie = np.array([[0, 0], [500, 500], [500, 0], [0, 500]], dtype=float)
    with pytest.raises(PlanningError, match=r"area: edges 1 and 3 cross"):
        plan_coverage(bow_tie, 30.0)


def test_tiny_and_degenerate_polygons_are_refused():
    with pytest.raises(PlanningError, match="area 25 m² is below"):
        plan_coverage(square(0, 0, 2.5), 10.0)
    with pytest.raises(PlanningError, match="at least 3 distinct points, got 2"):
        plan_coverage(np.array([[0, 0], [10, 0], [0, 0]]), 10.0)
    with pytest.raises(PlanningError, match="exclusion 1: edges"):
        plan_coverage(square(0, 0, 500), 30.0,
                      exclusions=[np.array([[0, 0], [50, 50], [50, 0], [0, 50]])])


def test_exclusions_covering_the_whole_area_are_an_error():
    with pytest.raises(PlanningError, match="cover the whole area"):
        plan_coverage(square(0, 0, 200), 30.0, exclusions=[square(0, 0, 300)])


def test_detours_go_around_and_enclosed_points_are_unreachable():
    wall = np.array([[-10, -500], [10, -500], [10, 500], [-10, 500]], dtype=float)
    obs = Obstacles([as_ring(wall)], clearance_m=5.0)
    path = obs.path(np.array([-100.0, 0.0]), np.array([100.0, 0.0]))
    assert len(path) == 4  # around one end of the wall: two corners
    assert not obs.blocked(path[:-1], path[1:]).any()
    assert obs.distances(np.array([[-100.0, 0.0]]), np.array([[100.0, 0.0]]))[0, 0] == \
        pytest.approx(np.hypot(np.diff(path, axis=0)[:, 0], np.diff(path, axis=0)[:, 1]).sum())
    ring_in = square(0, 0, 100)
    ring_out = square(0, 0, 300)
    moat = Obstacles([as_ring(ring_out)], 0.0)  # a point inside is cut off from outside
    with pytest.raises(UnreachableError, match="enclose"):
        moat.path(np.array([0.0, 0.0]), np.array([1000.0, 0.0]))
    assert ring_in is not None
