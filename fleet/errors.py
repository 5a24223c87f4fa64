"""Every error fleet raises on purpose, in one tree.

    FleetError
    ├── ConfigError               bad config file (path, key path, what was expected)
    ├── UnknownUnitError          a unit id the registry does not hold
    ├── FleetTimeoutError         a caller-set wait ran out (also a TimeoutError)
    ├── LinkError                 a transport failed or is not available
    │   └── NoRouteError          no live link can reach the unit
    └── CommandError              a command did not succeed (carries the unit and reason)
        ├── CommandRejectedError  the unit answered no (carries the protocol result)
        ├── CommandTimeoutError   no answer after every retry
        └── UnsupportedCommandError  this kind of unit or link cannot do that

Catch ``FleetError`` to handle everything fleet meant to raise; anything else is a bug.
"""

from __future__ import annotations


class FleetError(Exception):
    """Base of every error fleet raises on purpose."""


class ConfigError(FleetError):
    """A config file is missing, unreadable or invalid.

    ``str(err)`` is one line an operator can act on: file, key path, what was expected.
    """

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None):
        self.path = path
        self.key = key
        self.message = message
        where = ": ".join(p for p in (path, key) if p)
        super().__init__(f"{where}: {message}" if where else message)


class UnknownUnitError(FleetError, KeyError):
    def __init__(self, unit_id: str):
        self.unit_id = unit_id
        super().__init__(unit_id)

    def __str__(self) -> str:
        return f"unknown unit {self.unit_id!r}"


class FleetTimeoutError(FleetError, TimeoutError):
    """A wait with a caller-set timeout ran out."""


class LinkError(FleetError):
    """A link (MAVLink transport, MQTT broker) failed or is unavailable."""


class NoRouteError(LinkError):
    """No live link reaches the unit, so a command cannot be sent."""

    def __init__(self, unit_id: str, reason: str = "no live link"):
        self.unit_id = unit_id
        self.reason = reason
        super().__init__(f"{unit_id}: {reason}")


class CommandError(FleetError):
    """A command to a unit did not succeed."""

    def __init__(self, unit_id: str, command: str, reason: str):
        self.unit_id = unit_id
        self.command = command
        self.reason = reason
        super().__init__(f"{unit_id}: {command} failed: {reason}")


class CommandRejectedError(CommandError):
    """The unit answered and refused. ``result`` is the protocol's result name
    (e.g. MAVLink ``MAV_RESULT_DENIED`` or an MQTT ack's ``rejected``)."""

    def __init__(self, unit_id: str, command: str, result: str, reason: str = ""):
        self.result = result
        super().__init__(unit_id, command, f"{result}{': ' + reason if reason else ''}")


class CommandTimeoutError(CommandError, TimeoutError):
    """No acknowledgement arrived after every retry."""


class UnsupportedCommandError(CommandError):
    """The unit's kind or link cannot carry this command."""
