"""The operator's hold on the schedule clock: paused schedules and skipped runs. Pure state.

Kept in memory only: a core restart forgets them (every schedule runs again as the config
says). A paused schedule starts no run (not recorded: the pause is) until resumed; runs
already under way go on. A skip marks one occurrence, which the clock records as skipped
by the operator when it comes; passing it (paused meanwhile, or the core was down) drops
the mark.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class Mark:
    """Who paused a schedule or skipped a run, and when (Unix seconds)."""

    by: str
    at: float


@dataclass(slots=True)
class Controls:
    paused: dict[str, Mark] = field(default_factory=dict)  # schedule id -> the pause
    skips: dict[str, tuple[dt.datetime, Mark]] = field(default_factory=dict)

    def pause(self, schedule_id: str, by: str, at: float) -> bool:
        """False if it was already paused."""
        if schedule_id in self.paused:
            return False
        self.paused[schedule_id] = Mark(by, at)
        return True

    def resume(self, schedule_id: str) -> bool:
        """False if it was not paused."""
        return self.paused.pop(schedule_id, None) is not None

    def skip(self, schedule_id: str, occurrence: dt.datetime, by: str, at: float) -> None:
        self.skips[schedule_id] = (occurrence, Mark(by, at))

    def unskip(self, schedule_id: str) -> bool:
        """False if no run was marked."""
        return self.skips.pop(schedule_id, None) is not None

    def skipping(self, schedule_id: str) -> dt.datetime | None:
        mark = self.skips.get(schedule_id)
        return None if mark is None else mark[0]

    def verdict(self, schedule_id: str, at: dt.datetime) -> str | None:
        """Why the occurrence of ``schedule_id`` due ``at`` must not start (:data:`PAUSED`,
        or a skip's reason), or None. Consumes a skip mark it reaches or passes."""
        mark = self.skips.get(schedule_id)
        skipped = None
        if mark is not None and at >= mark[0]:
            del self.skips[schedule_id]
            if at == mark[0]:
                skipped = f"skipped by {mark[1].by}"
        if schedule_id in self.paused:
            return PAUSED
        return skipped
