"""An ArduCopter-faithful MAVLink drone simulator: many vehicles in one process, fault injection.

See docs/simulators.md. Never imports ``fleet``: it meets the core only on the wire.
"""

from .clock import ManualClock, ScaledClock
from .config import (
           FAST_BOOT,
           HELICOPTER,
           PROFILES,
           QUAD,
           SITL_BOOT,
           BootTimes,
           FleetConfig,
           Home,
           VehicleConfig,
)
from .faults import FaultConfig, LinkFaults
from .fleet_sim import DroneFleetSim, DroneInstance
from .modes import Mode
from .vehicle import Vehicle

__all__ = ["FAST_BOOT", "HELICOPTER", "PROFILES", "QUAD", "SITL_BOOT", "BootTimes",
           "DroneFleetSim", "DroneInstance", "FaultConfig", "FleetConfig", "Home", "LinkFaults",
           "ManualClock", "Mode", "ScaledClock", "Vehicle", "VehicleConfig"]
