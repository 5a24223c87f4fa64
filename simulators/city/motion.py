"""Following a node path along a graph at edge-dependent speeds; pure and exact at any step.

Time is consumed leg by leg, so a single long step (a fast-forward, or a deterministic test
advancing minutes at once) follows every corner of the route exactly.
"""

from __future__ import annotations

from collections.abc import Callable

from .geo import bearing_deg
from .graph import Edge, Graph

SpeedFn = Callable[[Edge], float]


class PathFollower:
    """Where a unit is along ``nodes``: the current leg and metres along it."""

    def __init__(self, graph: Graph, nodes: list[int], *, leg: int = 0,
                 along_m: float = 0.0) -> None:
        if not nodes:
            raise ValueError("a path needs at least one node")
        self.graph = graph
        self.nodes = nodes
        self.leg = leg
        self.along_m = along_m

    @classmethod
    def parked(cls, graph: Graph, node: int) -> PathFollower:
        return cls(graph, [node])

    def then(self, path: list[int]) -> PathFollower:
        """A follower that finishes the current leg, then takes ``path`` from that leg's end.

        ``path`` must start at :attr:`next_node` (a vehicle does not teleport or turn on the
        spot in the middle of a road; it drives on to the next junction).
        """
        if path[0] != self.next_node:
            raise ValueError("path must start where the current leg ends")
        if self.done or self.along_m == 0.0:
            return PathFollower(self.graph, list(path))
        return PathFollower(self.graph, [self.nodes[self.leg], *path], along_m=self.along_m)

    @property
    def done(self) -> bool:
        return self.leg >= len(self.nodes) - 1

    @property
    def next_node(self) -> int:
        """The node the unit reaches next (where it stands if it is at a node)."""
        if self.done:
            return self.nodes[-1]
        return self.nodes[self.leg] if self.along_m == 0.0 else self.nodes[self.leg + 1]

    @property
    def edge(self) -> Edge | None:
        if self.done:
            return None
        return self.graph.edge_between(self.nodes[self.leg], self.nodes[self.leg + 1])

    def position(self) -> tuple[float, float]:
        if self.done:
            return self.graph.point(self.nodes[-1])
        a, b = self.nodes[self.leg], self.nodes[self.leg + 1]
        length = self.graph.edge_between(a, b).length_m
        f = self.along_m / length if length > 0 else 0.0
        (la, oa), (lb, ob) = self.graph.point(a), self.graph.point(b)
        return la + f * (lb - la), oa + f * (ob - oa)

    def heading_deg(self) -> float | None:
        for leg in range(min(self.leg, len(self.nodes) - 2), len(self.nodes) - 1):
            a, b = self.graph.point(self.nodes[leg]), self.graph.point(self.nodes[leg + 1])
            if a != b:
                return bearing_deg(*a, *b)
        return None

    def remaining_m(self) -> float:
        if self.done:
            return 0.0
        total = sum(self.graph.edge_between(a, b).length_m
                    for a, b in zip(self.nodes[self.leg:], self.nodes[self.leg + 1:],
                                    strict=False))
        return total - self.along_m

    def advance(self, dt: float, speed: SpeedFn) -> tuple[float, float, float]:
        """Move for up to ``dt`` seconds: (seconds used, metres driven, last speed)."""
        used = driven = v = 0.0
        while not self.done and used < dt:
            edge = self.graph.edge_between(self.nodes[self.leg], self.nodes[self.leg + 1])
            v = speed(edge)
            left = edge.length_m - self.along_m
            if used + left / v <= dt:
                used += left / v
                driven += left
                self.leg += 1
                self.along_m = 0.0
            else:
                step = (dt - used) * v
                self.along_m += step
                driven += step
                used = dt
        return used, driven, v

    def skip(self, metres: float) -> None:
        """Jump ``metres`` ahead (to spread units along their first patrol loop)."""
        self.advance(metres, lambda _edge: 1.0)
