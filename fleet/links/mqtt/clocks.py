"""Whose clock is wrong: a bound on how far a report's own time may be from fleet's.

A unit stamps each report with its clock (``ts``); fleet orders reports by it. One
report stamped ten years ahead must not freeze the unit, and a tracker whose clock is
days off is not reporting where it is now. Reports outside the bound are refused and
counted (``clock_skew``), and the unit's clock is flagged once until it is right again.
Pure: the bridge asks, and raises the alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: a unit's clock may run this far ahead of fleet's (trackers without NTP drift by seconds
#: a day; two minutes is months of drift, not a slow clock)
MAX_AHEAD_S = 120.0
#: and this far behind: an older report is history (a store-and-forward replay), not where
#: the unit is now
MAX_BEHIND_S = 3600.0


@dataclass(slots=True)
class ClockJudge:
    """Per unit: is its clock within the bound? Changes are what the bridge alerts on."""

    max_ahead_s: float = MAX_AHEAD_S
    max_behind_s: float = MAX_BEHIND_S
    _flagged: dict[str, float] = field(default_factory=dict)  # unit id -> its skew (s)

    def judge(self, unit_id: str, ts: float, now: float) -> tuple[bool, str | None]:
        """(accept the report, news): news is "flagged" the first time a unit's clock is
        out of bound, "cleared" when a report is back within it, else None."""
        skew = ts - now
        ok = -self.max_behind_s <= skew <= self.max_ahead_s
        was = unit_id in self._flagged
        if ok:
            if was:
                del self._flagged[unit_id]
                return True, "cleared"
            return True, None
        self._flagged[unit_id] = skew
        return False, None if was else "flagged"

    def flagged(self) -> dict[str, float]:
        return dict(self._flagged)


def describe(skew_s: float) -> str:
    """``315 360 000 s ahead`` / ``2.1 h behind``, for an operator."""
    word = "ahead" if skew_s > 0 else "behind"
    s = abs(skew_s)
    if s >= 2 * 86400:
        return f"{s / 86400:,.0f} days {word}"
    if s >= 2 * 3600:
        return f"{s / 3600:.1f} h {word}"
    return f"{s:,.0f} s {word}"
