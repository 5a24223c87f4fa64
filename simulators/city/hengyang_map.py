"""Hengyang's main roads and rivers: the polylines of ``fleet/data/hengyang_map.json``.

The console draws the same file, so what an operator sees is what simulated vehicles
drive on. It is read as data, by path (the simulators never import fleet's code). The
graph builder (``noding.py``) nodes the polylines where they cross or where an end meets
another way; a road crosses a river only as a ``bridge`` way (a test checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

LatLon = tuple[float, float]
MAP_FILE = Path(__file__).resolve().parents[2] / "fleet" / "data" / "hengyang_map.json"


@dataclass(frozen=True)
class Way:
    name: str
    kind: str  # avenue, street, old_town, bridge, highway (roads) or river
    points: tuple[LatLon, ...]


def _load(path: Path = MAP_FILE) -> tuple[dict, list[dict]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SystemExit(f"city map not found: {path} ({exc.strerror})") from None
    return doc, doc["ways"]


def _way(raw: dict, kind: str | None = None) -> Way:
    return Way(raw["name"], kind or raw["kind"], tuple((p[0], p[1]) for p in raw["points"]))


_DOC, _RAW = _load()
_BY_NAME = {w["name"]: w for w in _RAW}

# The Xiang flows south -> north through the city; the Zheng joins it from the west at Shigu.
XIANG = _way(_BY_NAME["Xiang River"])
ZHENG = _way(_BY_NAME["Zheng River"])
RIVERS = tuple(_way(w) for w in _RAW if w["kind"] == "river")

# Where boats sail: every navigable river or reach (driven as kind "river").
WATERWAYS = tuple(_way(w, "river") for w in _RAW
                  if w["kind"] in ("river", "waterway") and w.get("navigable"))

BRIDGES = tuple(_way(w) for w in _RAW if w["kind"] == "bridge")
ROADS = tuple(_way(w) for w in _RAW if w["kind"] in ("avenue", "street", "old_town",
                                                     "highway", "bridge"))

#: free-flow speed limit (m/s) and typical congestion (0 free .. 1 jammed) per road kind
ROAD_KINDS: dict[str, tuple[float, float]] = {
    "highway": (22.0, 0.10),
    "avenue": (16.7, 0.35),
    "bridge": (16.7, 0.45),
    "street": (13.9, 0.35),
    "old_town": (8.3, 0.55),
    "access": (8.3, 0.2),       # the simulator's spur from a road to a square
    "river": (12.0, 0.0),
}
