"""Rank units by estimated time of arrival to a point: one vectorised pass, pure numpy.

Air units fly the great-circle distance at cruise speed after their launch time; ground
and water units cover it times a road factor (a per-zone detour ratio until a road
graph exists). Ineligible rows get an infinite ETA and never reach the top k.
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


@dataclass(frozen=True, slots=True)
class Ranked:
    index: int  # row in the columns
    distance_m: float  # great-circle
    eta_s: float


def status_codes(statuses: Iterable[UnitStatus]) -> np.ndarray:
    """A lookup table: ``table[status.code]`` is True for the wanted statuses."""
    table = np.zeros(len(UnitStatus), dtype=bool)
    table[[s.code for s in statuses]] = True
    return table


def kind_codes(kinds: Iterable[UnitKind]) -> np.ndarray:
    """A lookup table: ``table[kind code]`` is True for the wanted kinds."""
    table = np.zeros(len(KIND_CODE), dtype=bool)
    table[[KIND_CODE[k] for k in kinds]] = True
    return table


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

    ``statuses``/``kinds`` are lookup tables from :func:`status_codes`/:func:`kind_codes`
    (build them once per query shape); default statuses are available and patrolling.
    """
    n = cols.size
    if n == 0 or k <= 0:
        return []
    if statuses is None:
        statuses = _DEFAULT_CODES
    lat0 = math.radians(lat_deg)
    lon0 = math.radians(lon_deg)
    a, b, d, eta = (row[:n] for row in cols.scratch)
    # haversine: a = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2), all in place
    np.subtract(cols.lat_rad[:n], lat0, out=a)
    np.multiply(a, 0.5, out=a)
    np.sin(a, out=a)
    np.square(a, out=a)
    np.subtract(cols.lon_rad[:n], lon0, out=b)
    np.multiply(b, 0.5, out=b)
    np.sin(b, out=b)
    np.square(b, out=b)
    np.multiply(b, cols.cos_lat[:n], out=b)
    np.multiply(b, math.cos(lat0), out=b)
    np.add(a, b, out=a)
    np.sqrt(a, out=a)
    np.minimum(a, 1.0, out=a)
    np.arcsin(a, out=d)
    np.multiply(d, 2.0 * EARTH_RADIUS_M, out=d)
    # seconds = d * (1/v_air + road_factor/v_ground) + launch
    np.multiply(cols.inv_speed_ground[:n], road_factor, out=b)
    np.add(b, cols.inv_speed_air[:n], out=b)
    np.multiply(d, b, out=eta)
    np.add(eta, cols.launch_s[:n], out=eta)
    mask = cols.mask[:n]
    np.take(statuses, cols.status[:n], out=mask)
    if kinds is not None:
        np.logical_and(mask, np.take(kinds, cols.kind[:n]), out=mask)
    np.logical_not(mask, out=mask)
    np.copyto(eta, np.inf, where=mask)  # also hides never-seen rows: their status is LOST
    k = min(k, n)
    top = np.argpartition(eta, k - 1)[:k] if k < n else np.arange(n)
    top = top[np.argsort(eta[top], kind="stable")]
    return [
        Ranked(int(i), float(d[i]), float(eta[i])) for i in top if math.isfinite(eta[i])
    ]


_DEFAULT_CODES = status_codes(DEFAULT_ELIGIBLE)
