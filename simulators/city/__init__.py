"""The city simulator: Hengyang's rapid-police vehicles and river boats as MQTT clients.

Every ground vehicle and boat of the registry drives Hengyang's main roads (or sails the Xiang)
and speaks docs/mqtt.md as its own MQTT client, with fault injection. See
docs/simulators-city.md. Never imports ``fleet``: it meets the core only on the wire.
"""

from .clock import Clock, ManualClock, ScaledClock
from .config import CityConfig
from .faults import FaultSpec, parse_fault
from .registry import Registry, RegistryError, UnitSpec, load_registry
from .session import Broker, Topics
from .sim import CitySim, CitySimError
from .unit import Activity, SimUnit, Truth

__all__ = ["Activity", "Broker", "CityConfig", "CitySim", "CitySimError", "Clock", "FaultSpec",
           "ManualClock", "Registry", "RegistryError", "ScaledClock", "SimUnit", "Topics",
           "Truth", "UnitSpec", "load_registry", "parse_fault"]
