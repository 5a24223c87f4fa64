"""A deterministic stand-in for the schedule executor (tui.service_api.ScheduleService):
statuses a test sets, and a log of every action the console asks for."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from fleet.planning.errors import PlanningError
from fleet.planning.local_time import CITY_TZ
from fleet.planning.runs import LegRecord, RunRecord, ScheduleStatus

DUE = dt.datetime(2027, 1, 18, 20, 0, tzinfo=CITY_TZ)  # a Monday, 20:00 in Hengyang


def night(**changes: object) -> ScheduleStatus:
    """The station watch: every 30 min from 20:00, a run under way with Eagle 1, and the
    last run handed over (Eagle 2 taken over by the operator)."""
    running = RunRecord("run-4", "night", "station", DUE - dt.timedelta(minutes=30),
                        started=DUE.timestamp() - 1700)
    running.legs.append(LegRecord("air-1", DUE.timestamp() - 1700))
    last = RunRecord("run-3", "night", "station", DUE - dt.timedelta(minutes=60),
                     state="handed over",
                     reason="air-2 to the operator (goto) after 40% of its part; the rest "
                            "waits for a replacement")
    last.legs.append(LegRecord("air-2", DUE.timestamp() - 3600, outcome="handed over",
                               reason="operator sent goto"))
    status = ScheduleStatus("night", "Station watch", "station",
                            "every 30 min 20:00-02:00 daily", True, False, DUE, None, None,
                            None, (running,), last, ("run-3",))
    return dataclasses.replace(status, **changes)  # type: ignore[arg-type]


def plaza(**changes: object) -> ScheduleStatus:
    """The plaza tour: once an evening at 19:00 (tomorrow), idle; nothing run yet."""
    status = ScheduleStatus("plaza", "plaza", "plaza-tour", "once 19:00-23:00 daily", True,
                            False, DUE + dt.timedelta(hours=23), None, None, None, (), None, ())
    return dataclasses.replace(status, **changes)  # type: ignore[arg-type]


@dataclass
class FakeSchedules:
    statuses: list[ScheduleStatus] = field(default_factory=lambda: [night(), plaza()])
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # (action, id, by)

    def status(self) -> list[ScheduleStatus]:
        return list(self.statuses)

    def _get(self, schedule_id: str) -> int:
        for k, s in enumerate(self.statuses):
            if s.id == schedule_id:
                return k
        raise PlanningError(f"unknown schedule {schedule_id!r}")

    def _set(self, schedule_id: str, **changes: object) -> None:
        k = self._get(schedule_id)
        self.statuses[k] = dataclasses.replace(self.statuses[k], **changes)  # type: ignore[arg-type]

    def pause(self, schedule_id: str, *, by: str = "operator") -> bool:
        self.calls.append(("pause", schedule_id, by))
        was = self.statuses[self._get(schedule_id)].paused
        self._set(schedule_id, paused=True)
        return not was

    def resume(self, schedule_id: str, *, by: str = "operator") -> bool:
        self.calls.append(("resume", schedule_id, by))
        was = self.statuses[self._get(schedule_id)].paused
        self._set(schedule_id, paused=False)
        return was

    def skip_next(self, schedule_id: str, *, by: str = "operator") -> dt.datetime:
        self.calls.append(("skip", schedule_id, by))
        at = self.statuses[self._get(schedule_id)].next_at
        if at is None:
            raise PlanningError(f"schedule {schedule_id!r} has no run in the next 8 days")
        self._set(schedule_id, skipping=at)
        return at

    def unskip(self, schedule_id: str, *, by: str = "operator") -> bool:
        self.calls.append(("unskip", schedule_id, by))
        was = self.statuses[self._get(schedule_id)].skipping is not None
        self._set(schedule_id, skipping=None)
        return was

    def start_now(self, schedule_id: str, *, by: str = "operator") -> None:
        self._get(schedule_id)
        self.calls.append(("run_now", schedule_id, by))

    def start_replacement(self, run_id: str, *, by: str = "operator") -> None:
        s = next((s for s in self.statuses if run_id in s.handed_over), None)
        if s is None:
            raise PlanningError(f"{run_id} has nothing handed over left to replace")
        self.calls.append(("replace", run_id, by))
        self._set(s.id, handed_over=tuple(r for r in s.handed_over if r != run_id))
