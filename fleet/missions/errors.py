"""The two ways a mission goes wrong before it reaches a vehicle.

    FleetError
    ├── MissionValidationError   an item would be refused or misbehave (index, reason)
    └── MissionFileError         a plan/waypoints file cannot be read (path, message)
"""

from __future__ import annotations

from fleet.errors import FleetError


class MissionValidationError(FleetError, ValueError):
    """A mission fails a check that the vehicle (or common sense) would apply later.

    ``index`` is the 1-based item number a user sees, or None for a whole-mission
    problem (too many items). For a MISSION on ArduPilot the item number is also the
    sequence number on the wire, because seq 0 is home.
    """

    def __init__(self, index: int | None, reason: str):
        self.index = index
        self.reason = reason
        super().__init__(reason if index is None else f"item {index}: {reason}")


class MissionFileError(FleetError):
    """A mission file is unreadable, malformed or in a version we do not read.

    ``str(err)`` is one line: the file, where in it (a JSON key path or a line number)
    and what is wrong.
    """

    def __init__(self, path: str, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")
