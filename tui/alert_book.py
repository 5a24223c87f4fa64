"""The operator's alert log as data: entries, what has been seen, what is shown.

Pure (no Textual) so acknowledging and filtering are tested directly. Bounded: a long
shift drops the oldest entries, never grows memory.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from fleet.events import Alert, Severity

#: severities from most to least severe (MAVLink's order)
SEVERITY_ORDER: tuple[Severity, ...] = tuple(Severity)
RANK = {s: i for i, s in enumerate(SEVERITY_ORDER)}

#: the severity filter's steps: label and the least severe severity still shown
LEVELS: tuple[tuple[str, Severity], ...] = (
    ("all", Severity.DEBUG),
    ("info+", Severity.INFO),
    ("warning+", Severity.WARNING),
    ("error+", Severity.ERROR),
)

#: codes of command failures: the core alerts one, the console logs its own; shown once
_FAILURE_CODES = frozenset({"command.failed", "console.command"})
_DEDUPE_S = 30.0


@dataclass(slots=True)
class Entry:
    seq: int
    alert: Alert
    seen: bool = False


@dataclass
class AlertBook:
    """Entries oldest first, a severity filter, and acknowledgement."""

    max_entries: int = 1000
    level: int = 0  # index into LEVELS
    entries: deque[Entry] = field(init=False)
    _seq: int = 0
    _shown: list[Entry] | None = None

    def __post_init__(self) -> None:
        self.entries = deque(maxlen=self.max_entries)

    def add(self, alert: Alert) -> bool:
        """Append ``alert``; False if it repeats a command failure already logged."""
        if alert.code in _FAILURE_CODES and self._repeats(alert):
            return False
        self._seq += 1
        self.entries.append(Entry(self._seq, alert))
        self._shown = None
        return True

    def _repeats(self, alert: Alert) -> bool:
        for entry in reversed(self.entries):
            old = entry.alert
            if alert.time - old.time > _DEDUPE_S:
                return False
            if old.code in _FAILURE_CODES and old.message == alert.message:
                return True
        return False

    @property
    def level_label(self) -> str:
        return LEVELS[self.level][0]

    def set_level(self, index: int) -> str:
        self.level = index % len(LEVELS)
        self._shown = None
        return self.level_label

    def cycle_level(self) -> str:
        return self.set_level(self.level + 1)

    def shown(self) -> list[Entry]:
        """Entries passing the severity filter, oldest first (cached until a change)."""
        if self._shown is None:
            floor = RANK[LEVELS[self.level][1]]
            self._shown = [e for e in self.entries if RANK.get(e.alert.severity, 0) <= floor]
        return self._shown

    def unseen(self) -> int:
        return sum(1 for e in self.entries if not e.seen)

    def acknowledge(self, seq: int) -> bool:
        for entry in self.entries:
            if entry.seq == seq:
                entry.seen = True
                return True
        return False

    def acknowledge_all(self) -> int:
        n = 0
        for entry in self.entries:
            if not entry.seen:
                entry.seen = True
                n += 1
        return n

    def for_unit(self, unit_id: str, n: int) -> list[Alert]:
        """The latest ``n`` alerts about ``unit_id``, oldest first."""
        found: list[Alert] = []
        for entry in reversed(self.entries):
            if entry.alert.unit_id == unit_id:
                found.append(entry.alert)
                if len(found) == n:
                    break
        return found[::-1]
