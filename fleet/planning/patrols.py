"""A configured patrol (``[[patrols]]``) turned into a plan.

Takes lookups rather than the whole config so the config loader can call it to check a
patrol while the config is still being built (an area left empty by its exclusions is a
config error, reported at the patrol's key path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from fleet.model import KeySite, Zone

from .plans import (
    PatrolPlan,
    plan_area_coverage,
    plan_corridor,
    plan_orbit,
    plan_perimeter,
    plan_site_tour,
)

if TYPE_CHECKING:
    from .settings import PatrolConfig

PATTERNS = ("coverage", "perimeter", "tour", "corridor")
#: patterns only aircraft can fly (a car cannot mow a lawn over rooftops)
AIR_ONLY = frozenset({"coverage"})


def area_of(patrol: PatrolConfig, zones: Mapping[str, Zone]) -> np.ndarray | None:
    if patrol.zone is not None:
        return np.array(zones[patrol.zone].polygon)
    return np.array(patrol.polygon) if patrol.polygon else None


def build_plan(patrol: PatrolConfig, zones: Mapping[str, Zone], sites: Mapping[str, KeySite],
               *, speed_m_s: float, start: tuple[float, float] | None = None) -> PatrolPlan:
    """The patrol's plan for a unit cruising at ``speed_m_s`` from ``start``."""
    ex = [np.array(e) for e in patrol.exclusions]
    common = {"speed_m_s": speed_m_s, "exclusions": ex, "clearance_m": patrol.clearance_m}
    area = area_of(patrol, zones)
    if patrol.pattern == "coverage":
        assert area is not None and patrol.spacing_m is not None
        return plan_area_coverage(area, spacing_m=patrol.spacing_m, start=start,
                                  angle_deg=patrol.angle_deg, name=f"patrol {patrol.id}",
                                  **common)  # type: ignore[arg-type]
    if patrol.pattern == "perimeter" and patrol.site is not None:
        site = sites[patrol.site]
        return plan_orbit((site.position.lat_deg, site.position.lon_deg),
                          radius_m=patrol.radius_m or site.radius_m, start=start,
                          **common)  # type: ignore[arg-type]
    if patrol.pattern == "perimeter":
        assert area is not None
        return plan_perimeter(area, offset_m=patrol.offset_m, start=start,
                              name=f"patrol {patrol.id}", **common)  # type: ignore[arg-type]
    if patrol.pattern == "tour":
        pts = np.array([(sites[s].position.lat_deg, sites[s].position.lon_deg)
                        for s in patrol.sites])
        return plan_site_tour(pts, loiter_s=patrol.loiter_s, start=start,
                              closed=patrol.closed, **common)  # type: ignore[arg-type]
    return plan_corridor(np.array(patrol.line), offset_m=patrol.offset_m,
                         name=f"patrol {patrol.id}", **common)  # type: ignore[arg-type]


def anchor(patrol: PatrolConfig, zones: Mapping[str, Zone], sites: Mapping[str, KeySite]
           ) -> tuple[float, float]:
    """A (lat, lon) that stands for where the patrol happens, to pick the nearest unit."""
    area = area_of(patrol, zones)
    if area is not None:
        pts = area
    elif patrol.site is not None:
        p = sites[patrol.site].position
        return p.lat_deg, p.lon_deg
    elif patrol.sites:
        pts = np.array([(sites[s].position.lat_deg, sites[s].position.lon_deg)
                        for s in patrol.sites])
    else:
        pts = np.array(patrol.line)
    lat, lon = pts.mean(axis=0)
    return float(lat), float(lon)
