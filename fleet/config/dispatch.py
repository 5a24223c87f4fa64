"""The ``[dispatch]`` section: audit file, operator, reserves, categories, river.

Every key is optional (docs/dispatch.md lists them with their defaults); categories
given here replace the built-in one with the same id or add a new one.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fleet.config.validate import Table, check_number, describe
from fleet.dispatch.categories import DEFAULT_CATEGORIES, PRIORITIES, Category, Requirement
from fleet.dispatch.river_crossings import Crossings
from fleet.dispatch.settings import DEFAULT_RESERVE_PCT, DispatchSettings
from fleet.errors import ConfigError
from fleet.model import Domain, UnitKind
from fleet.roads_rivers import read_city_map

DISPATCH_KEYS = ("audit_db", "audit_key_file", "audit_anchor_dir", "audit_checkpoint_rows",
                 "audit_checkpoint_min", "operator", "default_target_min", "default_road_factor",
                 "extent_margin_m", "rivers", "river_reach_m", "drone_alt_m", "orbit_radius_m",
                 "arrival_radius_m", "air_arrival_radius_m", "ack_timeout_s",
                 "takeoff_timeout_s", "cad_intake", "reserve_pct", "categories", "road_map",
                 "stale_on_scene_min", "stale_open_min", "stale_unreached_factor")
CATEGORY_KEYS = ("name", "priority", "units")
REQUIREMENT_KEYS = ("count", "kinds", "domain", "role")


def parse_dispatch(root: Table) -> DispatchSettings:
    t = root.table("dispatch")
    if t is None:
        return DispatchSettings()
    t.check_keys(DISPATCH_KEYS)
    d = DispatchSettings()
    audit_db = _audit_path(t)
    return DispatchSettings(
        audit_db=audit_db,
        audit_key_file=_key_file(t, audit_db),
        audit_anchor_dir=_anchor_dir(t, audit_db),
        audit_checkpoint_rows=t.integer("audit_checkpoint_rows", d.audit_checkpoint_rows,
                                        ge=1, le=10_000),
        audit_checkpoint_min=t.number("audit_checkpoint_min", d.audit_checkpoint_min, gt=0),
        operator=t.string("operator", d.operator),
        categories=_categories(t),
        reserve_pct=_reserves(t),
        default_target_min=t.number("default_target_min", d.default_target_min, gt=0),
        default_road_factor=t.number("default_road_factor", d.default_road_factor, ge=1),
        extent_margin_m=t.number("extent_margin_m", d.extent_margin_m, ge=0),
        rivers=_rivers(t, d.rivers),
        river_reach_m=t.number("river_reach_m", d.river_reach_m, ge=0),
        drone_alt_m=t.number("drone_alt_m", d.drone_alt_m, ge=10, le=120),
        orbit_radius_m=t.number("orbit_radius_m", d.orbit_radius_m, gt=0),
        arrival_radius_m=t.number("arrival_radius_m", d.arrival_radius_m, gt=0),
        air_arrival_radius_m=t.number("air_arrival_radius_m", d.air_arrival_radius_m, gt=0),
        ack_timeout_s=t.number("ack_timeout_s", d.ack_timeout_s, gt=0),
        takeoff_timeout_s=t.number("takeoff_timeout_s", d.takeoff_timeout_s, gt=0),
        cad_intake=t.boolean("cad_intake", d.cad_intake),
        road_map=_road_map(t),
        stale_on_scene_min=t.number("stale_on_scene_min", d.stale_on_scene_min, gt=0),
        stale_open_min=t.number("stale_open_min", d.stale_open_min, gt=0),
        stale_unreached_factor=t.number("stale_unreached_factor", d.stale_unreached_factor,
                                        ge=1),
    )


def _road_map(t: Table) -> str | None:
    """A city map file: relative to the config's directory, else one shipped in
    ``fleet/data`` (``"hengyang_map.json"``). Read now, so that a bad one is a config
    error rather than a failure at the first call."""
    value = t.string("road_map", None)
    if value is None:
        return None
    path = t.file_path(value)
    if not path.exists() and not Path(value).is_absolute():
        shipped = Path(str(importlib.resources.files("fleet.data").joinpath(value)))
        if shipped.exists():
            path = shipped
    try:
        Crossings.from_map(read_city_map(str(path)))
    except (OSError, ValueError) as exc:
        raise t.error(f"city map {str(path)!r} cannot be used: {exc}", "road_map") from None
    return str(path)


def _audit_path(t: Table) -> str | None:
    value = t.string("audit_db", None)
    if value is None or value == ":memory:":
        return value
    return str(t.file_path(value))


def _key_file(t: Table, audit_db: str | None) -> str | None:
    """The audit key, apart from the database (never the database itself). Checked now
    if it exists, so a malformed or world-readable key is a config error naming the key,
    not a disabled dispatch at start; a missing one is created on first use."""
    from fleet.dispatch.audit_key import load_key
    from fleet.dispatch.errors import AuditKeyError

    value = t.string("audit_key_file", None)
    if value is None:
        return None
    path = t.file_path(value)
    if audit_db and audit_db != ":memory:" and _same(path, Path(audit_db)):
        raise t.error("the audit key must be kept apart from the audit database, not be it",
                      "audit_key_file")
    if path.is_dir():
        raise t.error(f"{str(path)!r} is a directory; expected the key file's path",
                      "audit_key_file")
    if path.exists():
        try:
            load_key(path)
        except AuditKeyError as exc:
            raise t.error(str(exc), "audit_key_file") from None
    return str(path)


def _anchor_dir(t: Table, audit_db: str | None) -> str | None:
    value = t.string("audit_anchor_dir", None)
    if value is None:
        return None
    path = t.file_path(value)
    if path.exists() and not path.is_dir():
        raise t.error(f"{str(path)!r} is a file; expected a directory for the anchor files",
                      "audit_anchor_dir")
    if audit_db and audit_db != ":memory:" and _same(path, Path(audit_db)):
        raise t.error("the anchor directory cannot be the audit database", "audit_anchor_dir")
    return str(path)


def _same(a: Path, b: Path) -> bool:
    return a.expanduser().resolve() == b.expanduser().resolve()


def _reserves(t: Table) -> dict[Domain, float]:
    out = dict(DEFAULT_RESERVE_PCT)
    r = t.table("reserve_pct")
    if r is not None:
        r.check_keys([d.value for d in Domain], "domain")
        for name in r.data:
            out[Domain(name)] = r.number(name, ge=0, le=100)
    return out


def _rivers(t: Table, default: tuple) -> tuple:
    raw = t.raw("rivers", None)
    if raw is None:
        return default
    if not isinstance(raw, (list, tuple)):
        raise t.expected("rivers", "an array of polylines ([[lat, lon], ...])", raw)
    return tuple(_polyline(line, t.source, f"{t.path('rivers')}[{i}]")
                 for i, line in enumerate(raw))


def _polyline(raw: object, source: str, key: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(raw, (list, tuple)) or len(raw) < 2:
        raise ConfigError(f"expected a polyline of 2 or more [lat, lon] points, got "
                          f"{describe(raw)}", path=source, key=key)
    points = []
    for j, p in enumerate(raw):
        if not isinstance(p, (list, tuple)) or len(p) != 2:
            raise ConfigError(f"expected a [lat, lon] pair, got {describe(p)}", path=source,
                              key=f"{key}[{j}]")
        points.append((check_number(p[0], source, f"{key}[{j}][0]", ge=-90, le=90),
                       check_number(p[1], source, f"{key}[{j}][1]", ge=-180, le=180)))
    return tuple(points)


def _categories(t: Table) -> dict[str, Category]:
    out = dict(DEFAULT_CATEGORIES)
    section = t.table("categories")
    if section is None:
        return out
    for cid in section.data:
        c = section.table(cid, required=True)
        assert c is not None
        c.check_keys(CATEGORY_KEYS)
        if not c.has("units") and cid not in out:
            raise c.error("a new category needs units = [{count = 1, domain = \"land\"}, ...]")
        base = out.get(cid)
        reqs = tuple(_requirement(r) for r in c.tables("units")) if c.has("units") else \
            base.requirements if base else ()
        if not reqs:
            raise c.error("expected at least one requirement", "units")
        out[cid] = Category(
            id=cid, name=c.string("name", base.name if base else cid),
            priority=c.integer("priority", base.priority if base else 3,
                               ge=PRIORITIES.start, le=PRIORITIES.stop - 1),
            requirements=reqs,
        )
    return out


def _requirement(r: Table) -> Requirement:
    r.check_keys(REQUIREMENT_KEYS)
    kinds = r.string_list("kinds", None)
    if kinds is not None:
        names = [k.value for k in UnitKind]
        for i, k in enumerate(kinds):
            if k not in names:
                raise ConfigError(f"unknown kind {k!r}; expected one of {', '.join(names)}",
                                  path=r.source, key=f"{r.path('kinds')}[{i}]")
    return Requirement(
        count=r.integer("count", 1, ge=1, le=50),
        kinds=frozenset(UnitKind(k) for k in kinds) if kinds else None,
        domain=r.enum("domain", Domain, None),
        role=r.string("role", None),
    )
