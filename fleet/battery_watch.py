"""Low battery in the air is an alert, not a number in a column.

A drone hovering on a scene drains quietly; the operator must hear when it passes the
reserve it needs to get home (the reserve dispatch already keeps: ``[dispatch]
reserve_pct``), and louder when it is near empty. Edge-triggered: one alert per level
crossed, re-armed once the battery is back above the reserve by a margin (a swap, a
landing). Pure: the service feeds it snapshots on its timer.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .activity import activity
from .columns import Columns
from .events import Alert, Severity, UnitSnapshot
from .model import KIND_CODE, Domain

_AIR_CODES = np.array([code for kind, code in KIND_CODE.items() if kind.domain is Domain.AIR])

#: below this (percent) an airborne aircraft must land or come home now
CRITICAL_PCT = 15.0
#: how far above the reserve the battery must be before the alert can fire again
REARM_MARGIN_PCT = 5.0

_OK, _LOW, _CRITICAL = 0, 1, 2


class BatteryWatch:
    """One level per aircraft: ok, below reserve, critical."""

    def __init__(self, reserve_pct: Mapping[Domain, float], *,
                 critical_pct: float = CRITICAL_PCT) -> None:
        self.reserve = float(reserve_pct.get(Domain.AIR, 30.0))
        self.critical = min(critical_pct, self.reserve)
        self._level: dict[str, int] = {}

    @property
    def threshold(self) -> float:
        """Units below this are worth checking (the caller's cheap pre-filter)."""
        return self.reserve + REARM_MARGIN_PCT

    def candidates(self, columns: Columns) -> list[int]:
        """Rows of aircraft whose battery is low enough to look at (one numpy pass, so
        the timer costs nothing while every battery is healthy)."""
        n = columns.size
        low = (columns.battery_pct[:n] < self.threshold) & np.isin(columns.kind[:n], _AIR_CODES)
        return [int(i) for i in np.flatnonzero(low)]

    def flagged(self) -> list[str]:
        return [u for u, level in self._level.items() if level > _OK]

    def check(self, snap: UnitSnapshot, now: float) -> Alert | None:
        """The alert ``snap`` calls for now, if any."""
        tel = snap.telemetry
        battery = getattr(tel, "battery_pct", None)
        if snap.unit.domain is not Domain.AIR or not isinstance(battery, int | float) \
                or battery != battery:
            return None
        act = activity(snap)
        was = self._level.get(snap.id, _OK)
        if act is None or not act.flying:
            self._level.pop(snap.id, None)  # on the ground: the next flight starts afresh
            return None
        level = (_CRITICAL if battery < self.critical else _LOW if battery < self.reserve
                 else _OK if battery >= self.reserve + REARM_MARGIN_PCT else min(was, _LOW))
        self._level[snap.id] = level
        if level <= was:
            return None
        name = snap.unit.callsign or snap.id
        if level == _CRITICAL:
            return Alert(now, Severity.CRITICAL, "unit.battery_critical",
                         f"{name}: battery {battery:.0f} % in the air: land or bring it home "
                         "now", unit_id=snap.id)
        return Alert(now, Severity.WARNING, "unit.battery_low",
                     f"{name}: battery {battery:.0f} % in the air, below its "
                     f"{self.reserve:.0f} % reserve: bring it home", unit_id=snap.id)
