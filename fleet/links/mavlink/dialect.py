"""The one MAVLink dialect fleet speaks: ArduPilot's (a superset of common), MAVLink 2.

Imported straight from pymavlink's generated code, never through ``mavutil``, whose
dialect and protocol version are process-global and chosen by environment variables.
"""

from __future__ import annotations

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

__all__ = ["mavlink2"]
