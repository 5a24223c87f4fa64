"""Errors of incident dispatch, in the fleet error tree (``fleet.errors``).

    FleetError
    └── DispatchError                 anything dispatch refuses or cannot do
        ├── BadIncidentError          the call itself is invalid (nothing is recorded)
        │   ├── BadLocationError      coordinates not numbers, or not on Earth
        │   ├── OutsideCityError      a valid place, but outside the city's extent
        │   └── UnknownCategoryError  a category the configuration does not define
        ├── UnknownIncidentError      an incident id the centre does not hold
        ├── IllegalTransitionError    the incident (or unit) is not in a state that allows it
        ├── UnitUnavailableError      lost, committed, out of service, below reserve...
        ├── NoUnitsAvailableError     nothing eligible to send
        ├── DispatchUnavailableError  the centre is not running (audit could not be opened)
        └── AuditError                the audit store failed: the action was not recorded
            ├── AuditOverloadError    the writer's bounded queue is full
            └── AuditKeyError         the audit key is missing, unreadable, malformed or wrong

Every refusal happens before anything is written, so a refused call leaves no trace but
the error (and, for a dispatch nobody could go to, an alert): "nothing half-recorded". A
dispatch in which only some units are refused sends the others and records the refusals
(``Refusal``) in the incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from fleet.errors import FleetError


class DispatchError(FleetError):
    """Base of every error raised by :mod:`fleet.dispatch`."""


class BadIncidentError(DispatchError):
    """An incident report that cannot be accepted as given."""


class BadLocationError(BadIncidentError):
    pass


class OutsideCityError(BadIncidentError):
    pass


class UnknownCategoryError(BadIncidentError):
    def __init__(self, category: str, known: list[str]):
        self.category = category
        self.known = known
        from fleet.spelling import did_you_mean

        hint = did_you_mean(category, known) or f"; known: {', '.join(sorted(known))}"
        super().__init__(f"unknown incident category {category!r}{hint}")


class UnknownIncidentError(DispatchError, KeyError):
    def __init__(self, incident_id: str):
        self.incident_id = incident_id
        super().__init__(incident_id)

    def __str__(self) -> str:
        return f"unknown incident {self.incident_id!r}"


class IllegalTransitionError(DispatchError):
    """``event`` is not allowed from the current state; ``str()`` says what is."""

    def __init__(self, incident_id: str, event: str, state: str, allowed: str = ""):
        self.incident_id = incident_id
        self.event = event
        self.state = state
        tail = f"; {allowed}" if allowed else ""
        super().__init__(f"{incident_id}: cannot {event} when {state}{tail}")


class Refusal(NamedTuple):
    """A unit a dispatch could not send, and why (:mod:`.eligibility`)."""

    unit_id: str
    reason: str


class UnitUnavailableError(DispatchError):
    """The unit (every unit asked for, listed in ``refused``) cannot be sent now."""

    def __init__(self, unit_id: str, reason: str, refused: Sequence[Refusal] = ()):
        self.unit_id = unit_id
        self.reason = reason
        self.refused = tuple(refused) or (Refusal(unit_id, reason),)
        super().__init__("; ".join(f"{r.unit_id}: cannot be dispatched: {r.reason}"
                                   for r in self.refused))

    @classmethod
    def of(cls, refused: Sequence[Refusal]) -> UnitUnavailableError:
        return cls(refused[0].unit_id, refused[0].reason, refused)


class NoUnitsAvailableError(DispatchError):
    refused: tuple[Refusal, ...] = ()


class DispatchUnavailableError(DispatchError):
    pass


class AuditError(DispatchError):
    pass


class AuditOverloadError(AuditError):
    pass


class AuditKeyError(AuditError):
    """The audit key cannot be used: ``fleet audit verify`` exits 2 (cannot check)."""
