"""Rank units by estimated time of arrival to a point: one vectorised pass, pure numpy.

Air units fly the great-circle distance at cruise speed after their launch time; ground
and water units cover it times a road factor (a per-zone detour ratio until a road
graph exists). Ineligible rows get an infinite ETA and never reach the top k.

:func:`travel` is the one ETA kernel: the distance of every row (:func:`fleet.geo.arc_m`,
chord arithmetic on the columns' unit vectors, no trigonometry per row for a city-sized
query) and its ETA. :func:`rank_by_eta` and the dispatch ranking
(fleet/dispatch/ranking.py) both compute with it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .columns import Columns
from .geo import arc_m, chord_to_metres
from .model import KIND_CODE, UnitKind, UnitStatus

DEFAULT_ELIGIBLE = (UnitStatus.AVAILABLE, UnitStatus.PATROLLING)


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


def travel(cols: Columns, lat_deg: float, lon_deg: float, road_factor: float, *,
           distance: np.ndarray, eta: np.ndarray, chord: np.ndarray) -> None:
    """The ETA kernel, over rows ``[:cols.size]``: great-circle metres to (lat, lon) into
    ``distance``, launch time + distance times seconds-per-metre into ``eta`` (whatever
    the eligibility), each row's chord (unit sphere) into ``chord``. Rows never placed
    get NaN. The three outputs are length ``cols.size``, distinct, and overwritten."""
    n = cols.size
    arc_m(cols.x[:n], cols.y[:n], cols.z[:n], lat_deg, lon_deg, out=distance, chord=chord)
    np.multiply(distance, cols.seconds_per_metre(road_factor), out=eta)
    np.add(eta, cols.launch_s[:n], out=eta)


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
    chord, penalty, eta = (row[:n] for row in cols.scratch)
    travel(cols, lat_deg, lon_deg, road_factor, distance=penalty, eta=eta, chord=chord)
    # + filter penalties (the distances are done with: their row is scratch again)
    np.take(statuses if statuses is not None else _DEFAULT_FILTER, cols.status[:n], out=penalty)
    np.add(eta, penalty, out=eta)  # never-heard rows are LOST, so they drop out here too
    if kinds is not None:
        np.take(kinds, cols.kind[:n], out=penalty)
        np.add(eta, penalty, out=eta)
    k = min(k, n)
    top = np.argpartition(eta, k - 1)[:k] if k < n else np.arange(n)
    top = top[np.argsort(eta[top], kind="stable")]
    return [
        Ranked(int(i), chord_to_metres(float(chord[i])), float(eta[i]))
        for i in top if math.isfinite(eta[i])
    ]


_DEFAULT_FILTER = status_filter(DEFAULT_ELIGIBLE)
