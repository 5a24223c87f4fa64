"""One line per aircraft while a mission goes up: ``Eagle 1: 17/42 items``, then
``reading back to verify…``, ``verified 42 items`` or what went wrong.

Pure: the upload dialog and the unit detail both read these words. The link reports
progress in wire items: on ArduPilot seq 0 is home, so it counts one more than the
mission has; :meth:`UploadRow.progress` turns that back into the operator's items.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    WAITING = "waiting"
    SENDING = "sending"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL = frozenset({Phase.VERIFIED, Phase.FAILED, Phase.CANCELLED})


@dataclass(slots=True)
class UploadRow:
    unit_id: str
    callsign: str
    items: int
    done: int = 0
    phase: Phase = Phase.WAITING
    detail: str = ""

    @property
    def finished(self) -> bool:
        return self.phase in FINAL

    def start(self) -> None:
        if self.phase is Phase.WAITING:
            self.phase = Phase.SENDING

    def progress(self, done: int, total: int) -> None:
        """The link sent ``done`` of ``total`` wire items (home first, where it counts)."""
        if self.finished:
            return
        extra = max(0, total - self.items)
        self.done = max(self.done, min(self.items, max(0, done - extra)))
        self.phase = Phase.VERIFYING if self.done >= self.items else Phase.SENDING

    def verified(self) -> None:
        self.done = self.items
        self.phase = Phase.VERIFIED

    def failed(self, reason: str) -> None:
        self.phase, self.detail = Phase.FAILED, reason

    def cancelled(self) -> None:
        if not self.finished:
            self.phase = Phase.CANCELLED

    def status(self) -> str:
        """The line without the callsign (the unit detail's "last command" detail)."""
        n = self.items
        match self.phase:
            case Phase.WAITING:
                return "waiting"
            case Phase.SENDING:
                return f"{self.done}/{n} items"
            case Phase.VERIFYING:
                return f"{n}/{n} items, reading back to verify…"
            case Phase.VERIFIED:
                return f"verified {n} items"
            case Phase.FAILED:
                return f"failed: {self.detail}" if self.detail else "failed"
        return "cancelled: the vehicle may hold part of it; load it again before starting"

    def text(self) -> str:
        return f"{self.callsign}: {self.status()}"


def bar(row: UploadRow, width: int = 16) -> str:
    """``██████░░░░░░░░░░``: the share of items sent."""
    full = round(width * row.done / row.items) if row.items else width
    return "█" * full + "░" * (width - full)


def failure(command: str, reason: str) -> str:
    """A link's failure in the operator's words: a read-back that differs says so."""
    if command == "mission_verify":
        return f"verification failed, the read-back differs: {reason}"
    return reason
