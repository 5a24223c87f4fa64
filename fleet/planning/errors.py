"""Why a plan cannot be made, in one line that names the offending item.

    FleetError
    └── PlanningError        bad geometry or parameters (a self-intersecting polygon, ...)
        └── UnreachableError  a point no unit can reach and come back from within its budget

Planning code raises these instead of returning partial plans; the config loader turns
them into ``ConfigError`` at the key path of the patrol that caused them.
"""

from __future__ import annotations

from fleet.errors import FleetError


class PlanningError(FleetError, ValueError):
    """Input the planner cannot work with; ``str(err)`` names the item and the reason."""


class UnreachableError(PlanningError):
    """A point lies farther than a round trip on one battery (or fuel load) allows."""
