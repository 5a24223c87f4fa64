"""The networks units move on: Hengyang's roads and its waterways, with every base joined in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .graph import Graph
from .hengyang_map import ROADS, WATERWAYS
from .noding import build_graph
from .registry import UnitSpec

AT_NODE_M = 1.0
LAND_SNAP_M = 800.0     # a goto further than this from any road is "no route"
WATER_SNAP_M = 500.0    # ... or from the river, for boats


@dataclass
class CityMap:
    roads: Graph
    waterways: Graph
    base_nodes: dict[tuple[bool, str], int] = field(default_factory=dict)

    def network(self, on_water: bool) -> Graph:
        return self.waterways if on_water else self.roads

    def snap_limit_m(self, on_water: bool) -> float:
        return WATER_SNAP_M if on_water else LAND_SNAP_M

    def base_node(self, spec: UnitSpec) -> int:
        """The node for a unit's base: the square (or pontoon) joined to its nearest node."""
        key = (spec.on_water, spec.base_id)
        if key not in self.base_nodes:
            graph = self.network(spec.on_water)
            node, distance = graph.nearest_node(spec.base_lat, spec.base_lon)
            if distance > AT_NODE_M:
                node = graph.add_spur(spec.base_lat, spec.base_lon, f"access to {spec.base_id}",
                                      "river" if spec.on_water else "access")
            self.base_nodes[key] = node
        return self.base_nodes[key]


def build_city_map(units: Iterable[UnitSpec] = ()) -> CityMap:
    city = CityMap(build_graph(ROADS), build_graph(WATERWAYS, max_edge_m=150.0))
    for spec in units:
        city.base_node(spec)
    return city
