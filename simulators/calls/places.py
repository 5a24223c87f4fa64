"""Where calls come from: key sites, zones, incident categories, rivers and roads.

The simulators never import fleet, so ``fleet demo`` writes what its config knows to a
JSON file (``fleet/demo.py``, ``places_document``) and this module reads it back:

    {"v": 1, "name": "Hengyang",
     "key_sites": [{"id", "name", "lat", "lon", "radius_m"}],
     "zones": [{"id", "name", "target_min", "polygon": [[lat, lon], ...]}],
     "categories": [{"id", "name", "priority"}],
     "rivers": [[[lat, lon], ...], ...],          # optional: water rescues need them
     "roads": [[[lat, lon], ...], ...]}           # optional: calls then fall near roads

Only ``zones`` and ``categories`` are required. A file is checked whole: ``PlacesError``
names the first thing wrong, so a bad file is one line on stderr, not a traceback.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .geo import LatLon

VERSION = 1


class PlacesError(ValueError):
    """The places file is missing or malformed (the message says where)."""


@dataclass(frozen=True)
class KeySite:
    id: str
    name: str
    lat: float
    lon: float
    radius_m: float = 300.0


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    target_min: float
    polygon: tuple[LatLon, ...]


@dataclass(frozen=True)
class Category:
    id: str
    name: str = ""
    priority: int | None = None


@dataclass(frozen=True)
class Places:
    name: str
    key_sites: tuple[KeySite, ...]
    zones: tuple[Zone, ...]
    categories: tuple[Category, ...]
    rivers: tuple[tuple[LatLon, ...], ...] = ()
    roads: tuple[tuple[LatLon, ...], ...] = ()

    @property
    def downtown(self) -> Zone | None:
        """The zone called ``downtown``, else the first with the strictest target."""
        by_id = {z.id: z for z in self.zones}
        if "downtown" in by_id:
            return by_id["downtown"]
        return min(self.zones, key=lambda z: z.target_min) if self.zones else None


def load_places(path: str | Path) -> Places:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlacesError(f"{path}: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise PlacesError(f"{path}: not JSON: {exc}") from None
    try:
        return parse_places(doc)
    except PlacesError as exc:
        raise PlacesError(f"{path}: {exc}") from None


def parse_places(doc: Any) -> Places:
    if not isinstance(doc, dict):
        raise PlacesError("expected a JSON object")
    if doc.get("v", VERSION) != VERSION:
        raise PlacesError(f"v must be {VERSION}")
    zones = tuple(_zone(z, f"zones[{i}]") for i, z in enumerate(_list(doc, "zones")))
    if not zones:
        raise PlacesError("zones: at least one zone is needed")
    categories = tuple(_category(c, f"categories[{i}]")
                       for i, c in enumerate(_list(doc, "categories")))
    if not categories:
        raise PlacesError("categories: at least one category is needed")
    sites = tuple(_site(s, f"key_sites[{i}]")
                  for i, s in enumerate(_list(doc, "key_sites", required=False)))
    rivers = tuple(_line(r, f"rivers[{i}]")
                   for i, r in enumerate(_list(doc, "rivers", required=False)))
    roads = tuple(_line(r, f"roads[{i}]")
                  for i, r in enumerate(_list(doc, "roads", required=False)))
    return Places(str(doc.get("name", "")), sites, zones, categories, rivers, roads)


def _list(doc: dict, key: str, *, required: bool = True) -> list:
    value = doc.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise PlacesError(f"{key}: expected a list")
    return value


def _obj(raw: Any, where: str, *keys: str) -> dict:
    if not isinstance(raw, dict):
        raise PlacesError(f"{where}: expected an object")
    missing = [k for k in keys if k not in raw]
    if missing:
        raise PlacesError(f"{where}: missing {', '.join(missing)}")
    return raw


def _number(value: Any, where: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not lo <= value <= hi:
        raise PlacesError(f"{where}: expected a number in [{lo}, {hi}], got {value!r}")
    return float(value)


def _point(raw: Any, where: str) -> LatLon:
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise PlacesError(f"{where}: expected [lat, lon]")
    return _number(raw[0], where, -90, 90), _number(raw[1], where, -180, 180)


def _line(raw: Any, where: str, least: int = 2) -> tuple[LatLon, ...]:
    if not isinstance(raw, list) or len(raw) < least:
        raise PlacesError(f"{where}: expected at least {least} [lat, lon] points")
    return tuple(_point(p, f"{where}[{i}]") for i, p in enumerate(raw))


def _zone(raw: Any, where: str) -> Zone:
    z = _obj(raw, where, "id", "polygon")
    return Zone(str(z["id"]), str(z.get("name", z["id"])),
                _number(z.get("target_min", 5), f"{where}.target_min", 0),
                _line(z["polygon"], f"{where}.polygon", 3))


def _site(raw: Any, where: str) -> KeySite:
    s = _obj(raw, where, "id", "lat", "lon")
    return KeySite(str(s["id"]), str(s.get("name", s["id"])),
                   _number(s["lat"], f"{where}.lat", -90, 90),
                   _number(s["lon"], f"{where}.lon", -180, 180),
                   _number(s.get("radius_m", 300.0), f"{where}.radius_m", 1))


def _category(raw: Any, where: str) -> Category:
    if isinstance(raw, str):
        return Category(raw)
    c = _obj(raw, where, "id")
    priority = c.get("priority")
    return Category(str(c["id"]), str(c.get("name", "")),
                    None if priority is None else int(_number(priority, f"{where}.priority")))
