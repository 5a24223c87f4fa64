"""The operator's alert log as data: the alert list, each unit's own log, what needs
attention, what is shown.

Every alert is triaged first (:mod:`tui.alert_triage`): vehicle chatter goes only to the
unit's log (the unit detail), the rest to the list as well, at the severity its
consequence deserves. Identical lines (same code, severity and text but for the unit)
within :data:`GROUP_S` of each other become one line with a count and the units' names.
Pure (no Textual) so triage, grouping, acknowledging and filtering are tested directly.
Bounded: a long shift drops the oldest entries, never grows memory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fleet.events import Alert, Severity
from tui.alert_triage import (
    FAILURES,
    RANK,
    Context,
    Where,
    classify,
    needs_attention,
    retell,
    subject,
)

#: severities from most to least severe (MAVLink's order)
SEVERITY_ORDER: tuple[Severity, ...] = tuple(Severity)

#: the severity filter's steps: label and the least severe severity still shown
LEVELS: tuple[tuple[str, Severity], ...] = (
    ("all", Severity.DEBUG),
    ("info+", Severity.INFO),
    ("warning+", Severity.WARNING),
    ("error+", Severity.ERROR),
)

_DEDUPE_S = 30.0  # the core's failure alert and the console's own line: shown once
GROUP_S = 60.0  # identical lines this close together are one line with a count
UNIT_LOG_LINES = 50  # per unit
NAMES_SHOWN = 3  # units named on a grouped line; the rest are "+n"


@dataclass(slots=True, eq=False)
class AlertLine:
    """A line of the alert list: the latest alert of its group, how many, about whom."""

    seq: int
    alert: Alert
    seen: bool = False
    count: int = 1
    subjects: list[str] = field(default_factory=list)  # the units' names, first first

    @property
    def attention(self) -> bool:
        """Unacknowledged and WARNING or worse: counted in the header, marked ●."""
        return not self.seen and needs_attention(self.alert.severity)

    @property
    def text(self) -> str:
        """The message; a group's with its count: ``Hold position — accepted ×8: RP03
        Moto 1, RP03 Moto 2, RP03 Moto 3 +5``, or ``Eagle 1: … ×3`` for one unit."""
        if self.count == 1:
            return self.alert.message
        if len(self.subjects) <= 1:
            return f"{self.alert.message} ×{self.count}"
        names = ", ".join(self.subjects[:NAMES_SHOWN])
        more = len(self.subjects) - NAMES_SHOWN
        tail = f" +{more}" if more > 0 else ""
        return f"{subject(self.alert)[1]} ×{self.count}: {names}{tail}"


@dataclass(slots=True, eq=False)
class UnitLine:
    """A line of a unit's own log; the same line again right after counts up."""

    alert: Alert
    count: int = 1

    @property
    def text(self) -> str:
        """The message without the unit's name (the detail is about that unit)."""
        text = subject(self.alert)[1]
        return f"{text} ×{self.count}" if self.count > 1 else text


def _no_context(alert: Alert) -> Context:
    return Context()


@dataclass
class AlertBook:
    """The alert list oldest first, each unit's log, a severity filter, acknowledgement.

    ``context`` tells the triage what the console knows of an alert's unit (the model
    sets it); without it every unit is taken as on the ground and on no incident.
    """

    max_entries: int = 1000
    level: int = 0  # index into LEVELS
    context: Callable[[Alert], Context] = _no_context
    entries: deque[AlertLine] = field(init=False)
    units: dict[str, deque[UnitLine]] = field(init=False)
    _seq: int = 0
    _shown: list[AlertLine] | None = None
    _groups: dict[tuple[str, Severity, str], AlertLine] = field(init=False)

    def __post_init__(self) -> None:
        self.entries = deque(maxlen=self.max_entries)
        self.units = {}
        self._groups = {}

    def add(self, alert: Alert) -> Where | None:
        """Triage and file ``alert``: where it went, or None if it repeats a command
        failure already in the list (the core's and the console's copy of one refusal)."""
        ctx = self.context(alert)
        verdict = classify(alert, ctx)
        alert = retell(alert, verdict, ctx)
        if alert.code in FAILURES and self._repeats(alert):
            return None
        if alert.unit_id is not None:
            self._unit_line(alert)
        if verdict.where is Where.UNIT_LOG:
            return Where.UNIT_LOG
        self._list(alert)
        self._shown = None
        return Where.ALERTS

    def _list(self, alert: Alert) -> None:
        who, text = subject(alert)
        key = (alert.code, alert.severity, text)
        entry = self._groups.get(key)
        if entry is not None and alert.time - entry.alert.time > GROUP_S:
            entry = None  # too long ago: a new line
        if entry is not None:
            try:
                self.entries.remove(entry)  # it moves to the bottom: it is news again
            except ValueError:  # dropped off the top meanwhile
                entry = None
        if entry is None:
            entry = AlertLine(0, alert)
            self._groups[key] = entry
        else:
            entry.count += 1
            entry.seen = False
        self._seq += 1
        entry.seq, entry.alert = self._seq, alert
        if who and who not in entry.subjects:
            entry.subjects.append(who)
        self.entries.append(entry)
        if len(self._groups) > 2 * self.max_entries:  # forget groups long gone
            live = {id(e) for e in self.entries}
            self._groups = {k: e for k, e in self._groups.items() if id(e) in live}

    def _unit_line(self, alert: Alert) -> None:
        assert alert.unit_id is not None
        lines = self.units.get(alert.unit_id)
        if lines is None:
            lines = self.units[alert.unit_id] = deque(maxlen=UNIT_LOG_LINES)
        last = lines[-1] if lines else None
        if last is not None and (last.alert.code, last.alert.message) == (alert.code,
                                                                          alert.message):
            last.alert, last.count = alert, last.count + 1
        else:
            lines.append(UnitLine(alert))

    def _repeats(self, alert: Alert) -> bool:
        for entry in reversed(self.entries):
            old = entry.alert
            if alert.time - old.time > _DEDUPE_S:
                return False
            if old.code in FAILURES and old.message == alert.message:
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

    def shown(self) -> list[AlertLine]:
        """Entries passing the severity filter, oldest first (cached until a change)."""
        if self._shown is None:
            floor = RANK[LEVELS[self.level][1]]
            self._shown = [e for e in self.entries if RANK.get(e.alert.severity, 0) <= floor]
        return self._shown

    def attention(self) -> int:
        """Lines that need the operator: unacknowledged, WARNING or worse."""
        return sum(1 for e in self.entries if e.attention)

    def unseen(self) -> int:
        """The header's count: :meth:`attention` (INFO and NOTICE lines are for reading,
        there is nothing to acknowledge)."""
        return self.attention()

    def acknowledge(self, seq: int) -> bool:
        for entry in self.entries:
            if entry.seq == seq:
                entry.seen = True
                return True
        return False

    def acknowledge_all(self) -> int:
        """Mark every line seen (dimmed); how many were not."""
        n = 0
        for entry in self.entries:
            if not entry.seen:
                entry.seen = True
                n += 1
        return n

    def for_unit(self, unit_id: str, n: int) -> list[Alert]:
        """The latest ``n`` alerts of ``unit_id``'s own log, oldest first."""
        return [line.alert for line in self.unit_lines(unit_id, n)]

    def unit_lines(self, unit_id: str, n: int) -> list[UnitLine]:
        """The latest ``n`` lines of ``unit_id``'s own log, oldest first."""
        lines = self.units.get(unit_id)
        return list(lines)[-n:] if lines and n > 0 else []
