"""The road and river networks: connected, rivers crossed only on bridges, routes sane."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.city.city_map import build_city_map
from simulators.city.geo import HENGYANG, haversine_m
from simulators.city.graph import Graph
from simulators.city.hengyang_map import BRIDGES, RIVERS, XIANG, Way
from simulators.city.noding import build_graph
from simulators.city.registry import load_registry

REGISTRY = load_registry()
CITY = build_city_map(REGISTRY.units)
ROADS, WATER = CITY.roads, CITY.waterways


def _crosses(p1, p2, q1, q2) -> bool:
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (orient(p1, p2, q1) * orient(p1, p2, q2) < 0
            and orient(q1, q2, p1) * orient(q1, q2, p2) < 0)


def _rivers_crossed(graph: Graph, edge) -> list[str]:
    p = HENGYANG.to_xy(*graph.point(edge.u)), HENGYANG.to_xy(*graph.point(edge.v))
    hits = []
    for river in RIVERS:
        xy = [HENGYANG.to_xy(*pt) for pt in river.points]
        hits += [river.name for q1, q2 in itertools.pairwise(xy) if _crosses(*p, q1, q2)]
    return hits


def test_each_network_is_one_connected_piece_with_every_base_joined():
    assert len(ROADS.components()) == 1
    assert len(WATER.components()) == 1
    assert len(CITY.base_nodes) == len({(u.on_water, u.base_id) for u in REGISTRY.units})


def test_roads_cross_rivers_only_on_bridges_and_every_bridge_crosses_one():
    bridge_crossings = {}
    for edge in ROADS.edges:
        crossed = _rivers_crossed(ROADS, edge)
        if edge.kind == "bridge":
            bridge_crossings.setdefault(edge.way, []).extend(crossed)
        else:
            assert not crossed, f"{edge.way} ({edge.kind}) crosses {crossed}"
    assert {name: len(c) for name, c in bridge_crossings.items()} == {b.name: 1 for b in BRIDGES}
    xiang = [n for n, c in bridge_crossings.items() if c == [XIANG.name]]
    assert len(xiang) >= 5


def test_every_post_is_close_to_a_road_and_the_pontoon_to_the_river():
    for unit in REGISTRY.units:
        graph = WATER if unit.on_water else ROADS
        node = CITY.base_node(unit)
        assert graph.point(node) == (unit.base_lat, unit.base_lon)  # units park at the square
        nearest_other = min(haversine_m(*graph.point(node), *graph.point(n))
                            for n in graph.neighbours(node))
        assert nearest_other < (500 if unit.on_water else 600), unit.base_id


def test_crossing_the_xiang_goes_over_a_bridge():
    west, _ = ROADS.nearest_node(26.889, 112.597)   # Bubugao Plaza, west bank
    east, _ = ROADS.nearest_node(26.8925, 112.626)  # Railway Station, east bank
    path = ROADS.route(west, east)
    assert path is not None
    assert any(ROADS.edge_between(a, b).kind == "bridge" for a, b in itertools.pairwise(path))


def test_boats_sail_the_river_between_its_ends():
    south, _ = WATER.nearest_node(26.815, 112.630)
    north, _ = WATER.nearest_node(26.985, 112.668)
    path = WATER.route(south, north)
    assert path is not None and WATER.length_m(path) > 18_000


def test_noding_joins_crossings_and_t_junctions():
    ways = [Way("ew", "street", ((26.90, 112.50), (26.90, 112.52))),
            Way("ns", "street", ((26.89, 112.51), (26.91, 112.51))),
            Way("t", "street", ((26.8996, 112.515), (26.88, 112.515)))]  # ends 45 m short
    graph = build_graph(ways, max_edge_m=10_000)
    assert len(graph.components()) == 1
    crossing, d = graph.nearest_node(26.90, 112.51)
    assert d < 1.0 and len(graph.neighbours(crossing)) == 4
    tee, d = graph.nearest_node(26.90, 112.515)
    assert d < 1.0 and len(graph.neighbours(tee)) == 3


def _dijkstra_cost(graph: Graph, start: int, goal: int) -> float:
    import heapq
    best, frontier = {start: 0.0}, [(0.0, start)]
    while frontier:
        cost, node = heapq.heappop(frontier)
        if node == goal:
            return cost
        if cost > best[node]:
            continue
        for i in graph.adjacency[node]:
            e = graph.edges[i]
            c = cost + e.length_m / e.limit_m_s
            if c < best.get(e.other(node), math.inf):
                best[e.other(node)] = c
                heapq.heappush(frontier, (c, e.other(node)))
    return math.inf


nodes = st.integers(0, ROADS.node_count - 1)


@settings(max_examples=40, deadline=None)
@given(nodes, nodes)
def test_routes_are_connected_optimal_and_no_shorter_than_the_crow_flies(a, b):
    path = ROADS.route(a, b)
    assert path is not None and path[0] == a and path[-1] == b
    assert all(b2 in ROADS.neighbours(a2) for a2, b2 in itertools.pairwise(path))
    assert ROADS.length_m(path) >= haversine_m(*ROADS.point(a), *ROADS.point(b)) - 1e-6
    assert ROADS.travel_time_s(path) == pytest.approx(_dijkstra_cost(ROADS, a, b))
    back = ROADS.route(b, a)
    assert back is not None
    assert ROADS.travel_time_s(back) == pytest.approx(ROADS.travel_time_s(path))


@settings(max_examples=25, deadline=None)
@given(nodes, nodes, nodes)
def test_route_costs_obey_the_triangle_inequality(a, b, c):
    cost = {pair: ROADS.travel_time_s(ROADS.route(*pair) or []) for pair in ((a, b), (b, c),
                                                                             (a, c))}
    assert cost[(a, c)] <= cost[(a, b)] + cost[(b, c)] + 1e-6


LAND_POSTS = sorted({(u.base_lat, u.base_lon) for u in REGISTRY.units if not u.on_water})


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(LAND_POSTS), st.floats(0, 360), st.floats(0, 700))
def test_anywhere_near_a_post_snaps_to_a_road_a_goto_can_use(post, bearing, metres):
    lat = post[0] + metres * math.cos(math.radians(bearing)) / 111_195
    lon = post[1] + metres * math.sin(math.radians(bearing)) / (
        111_195 * math.cos(math.radians(lat)))
    node, distance = ROADS.nearest_node(lat, lon)
    assert distance == pytest.approx(haversine_m(lat, lon, *ROADS.point(node)))
    assert distance <= CITY.snap_limit_m(False)
