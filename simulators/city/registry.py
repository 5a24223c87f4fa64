"""The fleet registry read as data (TOML, docs/config.md): which units exist and where they live.

The simulator uses the same unit ids, MQTT addresses, bases and topic prefix as fleet, but
reads the file with ``tomllib`` itself: it never imports ``fleet`` (it meets the core only on
the wire), so a broken core cannot hide behind a shared parser.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .kinds import KINDS, LAND_KINDS, WATER_KINDS

ABBREVIATIONS = {"command_vehicle": "cv", "patrol_car": "pc", "motorcycle": "mc",
                 "command_boat": "cb", "patrol_boat": "pb"}


class RegistryError(ValueError):
    """The registry file is missing or lacks what the simulator needs."""


@dataclass(frozen=True)
class UnitSpec:
    id: str
    address: str         # MQTT client id and topic segment
    kind: str
    group: str
    base_id: str
    base_lat: float
    base_lon: float

    @property
    def on_water(self) -> bool:
        return self.kind in WATER_KINDS


@dataclass(frozen=True)
class Registry:
    path: Path
    units: tuple[UnitSpec, ...]
    land_groups: tuple[str, ...]
    topic_prefix: str = "fleet/v1"
    broker_url: str | None = None
    username: str | None = None
    keepalive_s: int = 30

    def choose(self, groups: int, boats: int) -> list[UnitSpec]:
        """The units of the first ``groups`` land groups and the first ``boats`` boats."""
        if groups > len(self.land_groups):
            raise RegistryError(f"{self.path}: asked for {groups} groups, the registry has "
                                f"{len(self.land_groups)}")
        boat_specs = [u for u in self.units if u.on_water]
        if boats > len(boat_specs):
            raise RegistryError(f"{self.path}: asked for {boats} boats, the registry has "
                                f"{len(boat_specs)}")
        chosen = set(self.land_groups[:groups])
        land = [u for u in self.units if u.kind in LAND_KINDS and u.group in chosen]
        return land + boat_specs[:boats]


def default_registry_path() -> Path:
    """fleet's shipped demo registry, found by path next to this package (not imported)."""
    return Path(__file__).resolve().parents[2] / "fleet" / "data" / "hengyang.toml"


def load_registry(path: Path | None = None) -> Registry:
    path = path or default_registry_path()
    try:
        return _parse(path)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RegistryError):
            raise
        raise RegistryError(f"{path}: unexpected registry layout ({exc!r})") from None


def _parse(path: Path) -> Registry:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"registry not found: {path} (pass --registry PATH)") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    bases = {b["id"]: b for b in doc.get("bases", [])}
    groups = {g["id"]: g for g in doc.get("groups", [])}
    units: list[UnitSpec] = []

    def add(unit_id: str, kind: str, group: str, base_id: str | None, address: str) -> None:
        if base_id is None or base_id not in bases:
            raise RegistryError(f"{path}: unit {unit_id} has no base the simulator can use")
        base = bases[base_id]
        units.append(UnitSpec(unit_id, address, kind, group, base_id, float(base["lat"]),
                              float(base["lon"])))

    for g in groups.values():
        counters: dict[str, int] = {}
        for kind, count in g.get("complement", {}).items():
            if kind not in KINDS:
                continue        # aircraft report over MAVLink, not to this simulator
            for _ in range(int(count)):
                counters[kind] = counters.get(kind, 0) + 1
                unit_id = f"{g['id']}-{ABBREVIATIONS[kind]}{counters[kind]}"
                add(unit_id, kind, g["id"], g.get("base"), unit_id)
    for u in doc.get("units", []):
        if u["kind"] in KINDS:
            group = u.get("group", "")
            base = u.get("base") or groups.get(group, {}).get("base")
            add(u["id"], u["kind"], group, base, u.get("mqtt", u["id"]))
    mqtt = doc.get("mqtt", {})
    land_groups = tuple(g["id"] for g in groups.values() if g.get("domain") == "land"
                        and any(u.group == g["id"] for u in units))
    return Registry(path, tuple(units), land_groups, mqtt.get("topic_prefix", "fleet/v1"),
                    mqtt.get("url"), mqtt.get("username"), int(mqtt.get("keepalive_s", 30)))
