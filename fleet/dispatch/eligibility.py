"""Whether a unit may be sent now: the one rule recommendation and dispatch share. Pure.

Issue #14: after a restart a command vehicle still assigned to an open incident, whose
crew had reported ``available``, was *recommended* (the ranking read only the duty
status) and then *refused* by the dispatch check (which also read the centre's
assignments), and the whole call was voided. Both now ask :func:`reasons`, the only
place the rule is written:

a unit is eligible when it is not excluded by the caller (already on, or failed at, this
incident), is not read-only, has been heard and is not lost, is not committed (its duty
status is dispatched, en route or on scene, **or the incident record has it actively
assigned**, whatever its crew says), is available or patrolling, has a position, and its
battery or fuel is at or above its domain's reserve; a boat also needs a call near a
river (a recommendation-only rule: an operator may still send a boat by hand).

It is vectorised (a recommendation looks at every unit of a 10,000-unit fleet in well
under a millisecond), and the dispatch check calls it on one row: same function, same
answer. Which units *fit* a call (roles, kinds, counts) is the recommender's business,
not eligibility: an operator may send any eligible unit.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from fleet.model import KINDS, Domain, UnitStatus


class Reason(IntEnum):
    """Why a unit is not eligible, most fundamental first (the lowest wins)."""

    ELIGIBLE = 0
    EXCLUDED = 1  # by the caller: already on this incident, or failed it
    READ_ONLY = 2  # watched, never commanded (config)
    NOT_HEARD = 3
    LOST = 4
    COMMITTED = 5  # busy with an incident (duty status, or the incident record)
    NOT_AVAILABLE = 6  # returning, out of service
    NO_POSITION = 7
    LOW_BATTERY = 8
    AWAY_FROM_RIVER = 9
    NO_ROLE = 10  # eligible, but fills no requirement of this category (recommender)


ELIGIBLE_STATUSES = (UnitStatus.AVAILABLE, UnitStatus.PATROLLING)
WATER_KINDS = np.array([k.domain is Domain.WATER for k in KINDS])


def status_table(eligible: Collection[UnitStatus] = ELIGIBLE_STATUSES) -> np.ndarray:
    """Per status code: the reason that status alone gives (ELIGIBLE for ``eligible``)."""
    table = np.full(len(UnitStatus), int(Reason.NOT_AVAILABLE), dtype=np.int8)
    for s in UnitStatus:
        if s in eligible:
            table[s.code] = Reason.ELIGIBLE
        elif s is UnitStatus.LOST:
            table[s.code] = Reason.LOST
        elif s.committed:
            table[s.code] = Reason.COMMITTED
    return table


def reserve_table(reserve_pct: Mapping[Domain, float]) -> np.ndarray:
    """Per kind code: the battery/fuel reserve (%) below which a unit is not sent."""
    return np.array([reserve_pct.get(k.domain, 0.0) for k in KINDS])


@dataclass(slots=True)
class Facts:
    """Aligned per-unit arrays (a slice of the fleet's columns, or one row of them)."""

    status: np.ndarray  # UnitStatus codes (LOST while lost or never heard)
    seen: np.ndarray  # bool
    x: np.ndarray  # a position coordinate: NaN when the unit has no fix
    battery_pct: np.ndarray  # NaN when unknown (counts as enough)
    kind: np.ndarray  # kind codes
    read_only: np.ndarray  # bool
    committed: np.ndarray  # bool: actively assigned in the incident record


def reasons(f: Facts, statuses: np.ndarray, reserves: np.ndarray, *,
            excluded: np.ndarray | None = None, near_river: bool = True) -> np.ndarray:
    """The :class:`Reason` code of every unit in ``f`` (0: eligible).

    ``statuses`` is :func:`status_table`, ``reserves`` :func:`reserve_table`;
    ``excluded`` is a bool array (the caller's exclusions) and ``near_river`` False
    makes boats ineligible. Masks are only applied where a rule excludes someone, so
    the common case costs a table lookup and a few ``any()``."""
    code = np.take(statuses, f.status)
    low = f.battery_pct < reserves[f.kind]  # NaN (unknown) compares False: enough
    if low.any():
        _mark(code, low, Reason.LOW_BATTERY)
    unplaced = np.isnan(f.x)
    if unplaced.any():
        _mark(code, unplaced, Reason.NO_POSITION)
    if not near_river:
        _mark(code, WATER_KINDS[f.kind], Reason.AWAY_FROM_RIVER)
    if f.committed.any():
        _mark(code, f.committed, Reason.COMMITTED)
    unheard = ~f.seen
    if unheard.any():
        _mark(code, unheard, Reason.NOT_HEARD)
    if f.read_only.any():
        _mark(code, f.read_only, Reason.READ_ONLY)
    if excluded is not None and excluded.any():
        _mark(code, excluded, Reason.EXCLUDED)
    return code


def _mark(code: np.ndarray, where: np.ndarray, reason: Reason) -> None:
    """Set ``reason`` where it applies and no more fundamental reason is there yet."""
    hit = where & ((code == 0) | (code > reason))
    code[hit] = reason
