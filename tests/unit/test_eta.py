"""ETA ranking: matches a plain-Python haversine, respects eligibility, ranks nearest first."""

import math

import numpy as np
import pytest
from factories import make_unit, tel
from hypothesis import given, settings
from hypothesis import strategies as st

from fleet.eta import kind_filter, rank_by_eta, status_filter, travel
from fleet.geo import EARTH_RADIUS_M
from fleet.model import UnitKind, UnitStatus
from fleet.state import FleetState


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def test_eta_of_each_domain():
    state = FleetState([make_unit("car"), make_unit("drone", UnitKind.DRONE),
                        make_unit("boat", UnitKind.PATROL_BOAT)])
    for uid in ("car", "drone", "boat"):
        state.ingest(uid, tel(26.90, 112.57), now=0.0)
    ranked = {state.unit_at(r.index).id: r for r in
              rank_by_eta(state.columns, 26.91, 112.57, k=3, road_factor=1.5)}
    d = haversine_m(26.90, 112.57, 26.91, 112.57)
    assert ranked["car"].distance_m == pytest.approx(d, rel=1e-9)
    assert ranked["car"].eta_s == pytest.approx(d * 1.5 / 11.0)  # by road, patrol car speed
    assert ranked["drone"].eta_s == pytest.approx(d / 12.0 + 30.0)  # straight line + launch
    assert ranked["boat"].eta_s == pytest.approx(d * 1.5 / 13.0)


def test_only_eligible_units_rank():
    state = FleetState([make_unit(f"c{i}") for i in range(4)] + [make_unit("d", UnitKind.DRONE)])
    for i in range(4):
        state.ingest(f"c{i}", tel(26.90 + i * 0.001, 112.57), now=0.0)
    state.ingest("d", tel(26.91, 112.57), now=0.0)
    state.set_status("c0", UnitStatus.EN_ROUTE)
    state.set_status("c1", UnitStatus.OUT_OF_SERVICE)
    state.add_unit(make_unit("never-heard"))
    ids = [state.unit_at(r.index).id for r in rank_by_eta(state.columns, 26.90, 112.57, k=10)]
    assert ids == ["c2", "c3", "d"]  # by ETA: the drone is 1.1 km off and needs 30 s to launch
    only_cars = rank_by_eta(state.columns, 26.90, 112.57, k=10,
                            kinds=kind_filter([UnitKind.PATROL_CAR]))
    assert [state.unit_at(r.index).id for r in only_cars] == ["c2", "c3"]
    committed = rank_by_eta(state.columns, 26.90, 112.57, k=10,
                            statuses=status_filter([UnitStatus.EN_ROUTE]))
    assert [state.unit_at(r.index).id for r in committed] == ["c0"]


def test_empty_and_k_zero():
    state = FleetState([])
    assert rank_by_eta(state.columns, 0, 0, k=5) == []
    state.add_unit(make_unit("a"))
    state.ingest("a", tel(), now=0)
    assert rank_by_eta(state.columns, 0, 0, k=0) == []


@settings(max_examples=50, deadline=None)
@given(
    points=st.lists(st.tuples(st.floats(-60, 60), st.floats(-179, 179)), min_size=1,
                    max_size=40),
    target=st.tuples(st.floats(-60, 60), st.floats(-179, 179)),
    k=st.integers(1, 50),
)
def test_top_k_matches_brute_force(points, target, k):
    state = FleetState([make_unit(f"u{i}") for i in range(len(points))])
    for i, (lat, lon) in enumerate(points):
        state.ingest(f"u{i}", tel(lat, lon), now=0.0)
    got = rank_by_eta(state.columns, *target, k=k, road_factor=1.0)
    want = sorted(haversine_m(*target, lat, lon) / 11.0 for lat, lon in points)[:k]
    assert [r.eta_s for r in got] == pytest.approx(want, rel=1e-6, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(
    points=st.lists(st.tuples(st.floats(-60, 60), st.floats(-179, 179)), min_size=1,
                    max_size=40),
    target=st.tuples(st.floats(-60, 60), st.floats(-179, 179)),
    road=st.floats(1.0, 2.0),
)
def test_ranked_etas_are_the_kernels(points, target, road):
    """rank_by_eta ranks by fleet.eta.travel's numbers (the one ETA kernel, which the
    dispatch ranking uses too), exactly; the distance it reports is the exact arc."""
    state = FleetState([make_unit(f"u{i}", UnitKind.DRONE if i % 2 else UnitKind.PATROL_CAR)
                        for i in range(len(points))])
    for i, (lat, lon) in enumerate(points):
        state.ingest(f"u{i}", tel(lat, lon), now=0.0)
    n = len(points)
    distance, eta, chord = np.empty(n), np.empty(n), np.empty(n)
    travel(state.columns, *target, road, distance=distance, eta=eta, chord=chord)
    ranked = rank_by_eta(state.columns, *target, k=n, road_factor=road)
    assert [r.index for r in ranked] == sorted(range(n), key=lambda i: (eta[i], i))
    assert [r.eta_s for r in ranked] == [eta[r.index] for r in ranked]
    for r in ranked:
        assert r.distance_m == pytest.approx(haversine_m(*target, *points[r.index]),
                                             rel=1e-7, abs=1.0)  # 1 m: near antipodes
