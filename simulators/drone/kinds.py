"""The firmwares simulated: which vehicle class, command table and message decoding each has.

A profile names its kind (``Profile.kind``); the endpoint and the fleet look the rest up here,
so ArduRover's differences stay in its own modules instead of branches through the copter's
(arducopter-heli is ArduCopter with a rotor: only its vehicle class differs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from . import commands, guided_targets, rover_mavlink, telemetry
from .config import VehicleConfig
from .heli import Heli
from .rover import Rover
from .vehicle import Vehicle
from .vehicle_base import VehicleBase


@dataclass(frozen=True)
class Kind:
    vehicle: Callable[[VehicleConfig], VehicleBase]
    commands: dict[int, commands.Handler]
    position_target_global: Callable[[Any, Any], None]     # (vehicle, message)
    position_target_local: Callable[[Any, Any], None]
    base_mode: Callable[[Any], int]
    system_status: Callable[[Any], int]
    landed_state: Callable[[Any], int]


_COPTER = Kind(Vehicle, commands.HANDLERS, guided_targets.on_global_int,
               guided_targets.on_local_ned, telemetry.base_mode, telemetry.system_status,
               telemetry.landed_state)
KINDS: dict[str, Kind] = {
    "copter": _COPTER,
    "heli": replace(_COPTER, vehicle=Heli),
    "rover": Kind(Rover, rover_mavlink.HANDLERS, rover_mavlink.on_global_int,
                  rover_mavlink.on_local_ned, rover_mavlink.base_mode,
                  rover_mavlink.system_status, rover_mavlink.landed_state),
}


def kind_of(vehicle: VehicleBase) -> Kind:
    return KINDS[vehicle.profile.kind]


def make_vehicle(cfg: VehicleConfig) -> VehicleBase:
    return KINDS[cfg.profile.kind].vehicle(cfg)
