"""The validated config as frozen dataclasses.

Everything here has passed :mod:`fleet.config.loader`, so consumers never re-check
types or ranges; a ``FleetConfig`` either exists whole or a ``ConfigError`` was raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fleet.city_time import DEFAULT_ZONE
from fleet.dispatch.settings import DispatchSettings
from fleet.errors import UnknownUnitError
from fleet.links.settings import (  # noqa: F401  (re-exported: the config's link types)
    DEFAULT_SERIAL_BAUD,
    MAVLINK_SCHEMES,
    MavlinkConfig,
    MavlinkLinkConfig,
    MqttConfig,
    TlsConfig,
)
from fleet.model import Base, Capabilities, Domain, KeySite, Unit, UnitKind, Zone

if TYPE_CHECKING:  # they import this module
    from fleet.config.patrols import PatrolConfig
    from fleet.config.schedules import ScheduleEntry

#: What the registry does with a unit it hears but the config does not list.
UNKNOWN_UNIT_POLICIES: tuple[str, ...] = ("reject", "auto_register")


@dataclass(frozen=True, slots=True)
class RegistryConfig:
    unknown_units: str = "reject"


@dataclass(frozen=True, slots=True)
class GroupConfig:
    """A crew of units from one base; ``complement`` says how many of each kind to generate."""

    id: str
    name: str
    domain: Domain
    base: str | None
    complement: dict[UnitKind, int] = field(hash=False)


@dataclass(frozen=True, slots=True)
class FleetConfig:
    name: str
    source: str
    mavlink: MavlinkConfig
    mqtt: MqttConfig | None
    registry: RegistryConfig
    kinds: dict[UnitKind, Capabilities] = field(hash=False)
    bases: dict[str, Base] = field(hash=False)
    groups: tuple[GroupConfig, ...]
    units: tuple[Unit, ...]
    zones: tuple[Zone, ...]
    key_sites: tuple[KeySite, ...]
    patrols: tuple[PatrolConfig, ...] = field(default=(), hash=False)
    schedules: tuple[ScheduleEntry, ...] = field(default=(), hash=False)
    dispatch: DispatchSettings = field(default_factory=DispatchSettings, hash=False)
    timezone: str = DEFAULT_ZONE  # the city's IANA zone: every time fleet shows or reads
    _by_id: dict[str, Unit] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {u.id: u for u in self.units})

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id; raises ``UnknownUnitError`` so callers need no None checks."""
        try:
            return self._by_id[unit_id]
        except KeyError:
            raise UnknownUnitError(unit_id) from None
