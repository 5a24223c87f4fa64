"""A routable graph of ways (roads or waterways): nodes, edges with lengths, A* routing.

Pure and synchronous: the simulator builds one road graph and one waterway graph at start and
asks them for nearest nodes and routes. Routes minimise free-flow travel time (length over
the way kind's speed limit), so units prefer avenues, as drivers do.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .geo import HENGYANG, LocalFrame, haversine_m
from .hengyang_map import ROAD_KINDS

ROUTE_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class Edge:
    u: int
    v: int
    length_m: float
    way: str
    kind: str

    @property
    def limit_m_s(self) -> float:
        return ROAD_KINDS[self.kind][0]

    @property
    def congestion(self) -> float:
        return ROAD_KINDS[self.kind][1]

    def other(self, node: int) -> int:
        return self.v if node == self.u else self.u


class Graph:
    """Undirected graph over lat/lon nodes; edges are straight segments between nodes."""

    def __init__(self, lat: list[float], lon: list[float], edges: list[Edge],
                 frame: LocalFrame = HENGYANG) -> None:
        self.frame = frame
        self.lat = list(lat)
        self.lon = list(lon)
        self.edges: list[Edge] = []
        self.adjacency: list[list[int]] = [[] for _ in self.lat]
        self._by_pair: dict[tuple[int, int], int] = {}
        self._xy = frame.array_to_xy(np.column_stack([self.lat, self.lon]))
        self._routes: OrderedDict[tuple[int, int], tuple[int, ...] | None] = OrderedDict()
        for e in edges:
            self._add_edge(e)

    # -- structure -----------------------------------------------------------------

    @property
    def node_count(self) -> int:
        return len(self.lat)

    def point(self, node: int) -> tuple[float, float]:
        return self.lat[node], self.lon[node]

    def edge_between(self, u: int, v: int) -> Edge:
        return self.edges[self._by_pair[(min(u, v), max(u, v))]]

    def neighbours(self, node: int) -> list[int]:
        return [self.edges[i].other(node) for i in self.adjacency[node]]

    def _add_edge(self, e: Edge) -> None:
        key = (min(e.u, e.v), max(e.u, e.v))
        if e.u == e.v or key in self._by_pair:
            return
        self._by_pair[key] = len(self.edges)
        self.adjacency[e.u].append(len(self.edges))
        self.adjacency[e.v].append(len(self.edges))
        self.edges.append(e)

    def add_spur(self, lat: float, lon: float, name: str, kind: str) -> int:
        """Join a point (a square, a pontoon) to its nearest node; returns the new node."""
        near, _ = self.nearest_node(lat, lon)
        node = len(self.lat)
        self.lat.append(lat)
        self.lon.append(lon)
        self.adjacency.append([])
        x, y = self.frame.to_xy(lat, lon)
        self._xy = np.vstack([self._xy, [x, y]])
        self._add_edge(Edge(near, node, haversine_m(lat, lon, *self.point(near)), name, kind))
        self._routes.clear()
        return node

    # -- queries -------------------------------------------------------------------

    def nearest_node(self, lat: float, lon: float) -> tuple[int, float]:
        """The node closest to a point and its distance in metres."""
        x, y = self.frame.to_xy(lat, lon)
        d2 = (self._xy[:, 0] - x) ** 2 + (self._xy[:, 1] - y) ** 2
        node = int(np.argmin(d2))
        return node, haversine_m(lat, lon, *self.point(node))

    def nodes_within(self, lat: float, lon: float, radius_m: float) -> list[int]:
        x, y = self.frame.to_xy(lat, lon)
        d2 = (self._xy[:, 0] - x) ** 2 + (self._xy[:, 1] - y) ** 2
        return [int(i) for i in np.flatnonzero(d2 <= radius_m * radius_m)]

    def travel_time_s(self, nodes: list[int]) -> float:
        return sum(self.edge_between(a, b).length_m / self.edge_between(a, b).limit_m_s
                   for a, b in itertools.pairwise(nodes))

    def length_m(self, nodes: list[int]) -> float:
        return sum(self.edge_between(a, b).length_m for a, b in itertools.pairwise(nodes))

    def route(self, start: int, goal: int) -> list[int] | None:
        """Fastest free-flow path as a node list (A*), or None if ``goal`` is unreachable."""
        key = (start, goal)
        if key in self._routes:
            self._routes.move_to_end(key)
            path = self._routes[key]
        else:
            path = self._astar(start, goal)
            self._routes[key] = path
            if len(self._routes) > ROUTE_CACHE_SIZE:
                self._routes.popitem(last=False)
        return None if path is None else list(path)

    def _astar(self, start: int, goal: int) -> tuple[int, ...] | None:
        top_speed = max(ROAD_KINDS[e.kind][0] for e in self.edges) if self.edges else 1.0
        glat, glon = self.point(goal)

        def heuristic(n: int) -> float:
            return haversine_m(self.lat[n], self.lon[n], glat, glon) / top_speed

        best = {start: 0.0}
        came_from: dict[int, int] = {}
        frontier = [(heuristic(start), 0.0, start)]
        while frontier:
            _, cost, node = heapq.heappop(frontier)
            if node == goal:
                return _unwind(came_from, goal)
            if cost > best.get(node, math.inf):
                continue
            for i in self.adjacency[node]:
                e = self.edges[i]
                nxt = e.other(node)
                new_cost = cost + e.length_m / e.limit_m_s
                if new_cost < best.get(nxt, math.inf):
                    best[nxt] = new_cost
                    came_from[nxt] = node
                    heapq.heappush(frontier, (new_cost + heuristic(nxt), new_cost, nxt))
        return None

    def components(self) -> list[set[int]]:
        """Connected components (a healthy map has one)."""
        seen: set[int] = set()
        parts = []
        for root in range(self.node_count):
            if root in seen:
                continue
            part, stack = {root}, [root]
            while stack:
                for nxt in self.neighbours(stack.pop()):
                    if nxt not in part:
                        part.add(nxt)
                        stack.append(nxt)
            seen |= part
            parts.append(part)
        return parts


def _unwind(came_from: dict[int, int], goal: int) -> tuple[int, ...]:
    path = [goal]
    while path[-1] in came_from:
        path.append(came_from[path[-1]])
    return tuple(reversed(path))
