"""An ArduCopter-faithful MAVLink drone simulator (and ArduRover boats and rovers): many vehicles
in one process, fault injection.

See docs/simulators.md. Never imports ``fleet``: it meets the core only on the wire.
"""

from .clock import ManualClock, ScaledClock
from .config import (
           FAST_BOOT,
           HELICOPTER,
           MOTORBOAT,
           PROFILES,
           QUAD,
           ROVER,
           SITL_BOOT,
           BootTimes,
           FleetConfig,
           Home,
           VehicleConfig,
)
from .faults import FaultConfig, LinkFaults
from .fleet_sim import DroneFleetSim, DroneInstance
from .heli import Heli
from .modes import Mode
from .rover import Rover
from .rover_modes import RoverMode
from .vehicle import Vehicle

__all__ = ["FAST_BOOT", "HELICOPTER", "MOTORBOAT", "PROFILES", "QUAD", "ROVER", "SITL_BOOT",
           "BootTimes", "DroneFleetSim", "DroneInstance", "FaultConfig", "FleetConfig", "Heli",
           "Home", "LinkFaults", "ManualClock", "Mode", "Rover", "RoverMode", "ScaledClock",
           "Vehicle", "VehicleConfig"]
