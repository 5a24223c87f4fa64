"""Rank units by estimated time of arrival to a point: one vectorised pass, pure numpy.

Air units fly the great-circle distance at cruise speed after their launch time; ground
and water units cover it times a road factor (a per-zone detour ratio until a road
graph exists). Ineligible rows get an infinite ETA and never reach the top k.

Distances come from the chord between unit vectors: the angle is 2·asin(c/2), which
for c ≤ 0.05 (about 300 km) is c·(1 + c²/24) to better than 1e-7; farther rows get
the exact arcsine. A city-sized query thus needs no trigonometry per row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .columns import Columns
from .model import KIND_CODE, UnitKind, UnitStatus

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_ELIGIBLE = (UnitStatus.AVAILABLE, UnitStatus.PATROLLING)
_SERIES_MAX_CHORD = 0.05


@dataclass(frozen=True, slots=True)
class Ranked:
    index: int  # row in the columns
    distance_m: float  # great-circle
    eta_s: float


def status_filter(statuses: Iterable[UnitStatus]) -> np.ndarray:
    """An additive ETA penalty per status code: 0 for the wanted statuses, inf otherwise."""
    table = np.full(len(UnitStatus), np.inf)
    table[[s.code for s in statuses]] = 0.0
    return table


def kind_filter(kinds: Iterable[UnitKind]) -> np.ndarray:
    """An additive ETA penalty per kind code: 0 for the wanted kinds, inf otherwise."""
    table = np.full(len(KIND_CODE), np.inf)
    table[[KIND_CODE[k] for k in kinds]] = 0.0
    return table


def unit_vector(lat_deg: float, lon_deg: float) -> tuple[float, float, float]:
    lat = math.radians(lat_deg)
    lon = math.radians(lon_deg)
    return math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)


def chord_to_metres(chord: float) -> float:
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, chord / 2.0))


def rank_by_eta(
    cols: Columns,
    lat_deg: float,
    lon_deg: float,
    k: int = 10,
    *,
    statuses: np.ndarray | None = None,
    kinds: np.ndarray | None = None,
    road_factor: float = 1.4,
) -> list[Ranked]:
    """The ``k`` eligible units with the smallest ETA, nearest first.

    ``statuses``/``kinds`` are tables from :func:`status_filter`/:func:`kind_filter`
    (build them once per query shape); the default statuses are available and patrolling.
    """
    n = cols.size
    if n == 0 or k <= 0:
        return []
    x0, y0, z0 = unit_vector(lat_deg, lon_deg)
    chord, angle, eta = (row[:n] for row in cols.scratch)
    # chord² = |p - p0|²
    np.subtract(cols.x[:n], x0, out=chord)
    np.square(chord, out=chord)
    np.subtract(cols.y[:n], y0, out=angle)
    np.square(angle, out=angle)
    np.add(chord, angle, out=chord)
    np.subtract(cols.z[:n], z0, out=angle)
    np.square(angle, out=angle)
    np.add(chord, angle, out=chord)
    # angle = c (1 + c²/24), exact arcsine for the (rare) far rows
    np.multiply(chord, 1.0 / 24.0, out=angle)
    np.add(angle, 1.0, out=angle)
    np.sqrt(chord, out=chord)
    np.multiply(angle, chord, out=angle)
    far = np.flatnonzero(chord > _SERIES_MAX_CHORD)
    if far.size:
        angle[far] = 2.0 * np.arcsin(np.minimum(chord[far] / 2.0, 1.0))
    # eta = R·angle · seconds-per-metre + launch + filter penalties
    np.multiply(angle, cols.seconds_per_metre(road_factor), out=eta)
    np.multiply(eta, EARTH_RADIUS_M, out=eta)
    np.add(eta, cols.launch_s[:n], out=eta)
    np.take(statuses if statuses is not None else _DEFAULT_FILTER, cols.status[:n], out=angle)
    np.add(eta, angle, out=eta)  # never-heard rows are LOST, so they drop out here too
    if kinds is not None:
        np.take(kinds, cols.kind[:n], out=angle)
        np.add(eta, angle, out=eta)
    k = min(k, n)
    top = np.argpartition(eta, k - 1)[:k] if k < n else np.arange(n)
    top = top[np.argsort(eta[top], kind="stable")]
    return [
        Ranked(int(i), chord_to_metres(float(chord[i])), float(eta[i]))
        for i in top if math.isfinite(eta[i])
    ]


_DEFAULT_FILTER = status_filter(DEFAULT_ELIGIBLE)
