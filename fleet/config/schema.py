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
from fleet.model import Base, Capabilities, Domain, KeySite, Unit, UnitKind, Zone

if TYPE_CHECKING:  # they import this module
    from fleet.config.patrols import PatrolConfig
    from fleet.config.schedules import ScheduleEntry

#: MAVLink transport schemes a link URL may use.
MAVLINK_SCHEMES: tuple[str, ...] = ("udpin", "udpout", "tcp", "tcpin", "serial")
#: Baud rate of a serial link that gives none: the SiK telemetry radio default.
DEFAULT_SERIAL_BAUD = 57600
#: What the registry does with a unit it hears but the config does not list.
UNKNOWN_UNIT_POLICIES: tuple[str, ...] = ("reject", "auto_register")


@dataclass(frozen=True, slots=True)
class MavlinkLinkConfig:
    """One MAVLink transport. ``host``/``port`` are set for network schemes,
    ``device``/``baud`` for ``serial``; the others are None."""

    name: str
    url: str
    scheme: str
    host: str | None
    port: int | None
    device: str | None
    baud: int | None
    #: MAVLink 2 signing key text (64 hex digits or a passphrase); None: no signing
    signing_key: str | None = field(default=None, repr=False)
    signing_required: bool = True


@dataclass(frozen=True, slots=True)
class MavlinkConfig:
    links: tuple[MavlinkLinkConfig, ...] = ()
    gcs_sysid: int = 255
    gcs_compid: int = 190  # MAV_COMP_ID_MISSIONPLANNER
    link_timeout_s: float = 5.0
    stream_rate_hz: float = 4.0
    command_timeout_s: float = 3.0  # per try, as QGroundControl; raise for slow links
    command_attempts: int = 3
    #: what an ArduPilot vehicle does when fleet goes silent (set before it first arms)
    gcs_failsafe: str = "rtl"
    #: GCS heartbeats per second; scale it with a simulator's speed-up (FS_GCS_TIMEOUT is
    #: in vehicle time: at 10x, 1 Hz is one beat per 10 vehicle seconds, a failsafe)
    heartbeat_hz: float = 1.0


@dataclass(frozen=True, slots=True)
class TlsConfig:
    """TLS for the MQTT broker. All None means the system CA store and no client cert.

    Paths are resolved against the config file's directory and known to exist.
    """

    ca_file: str | None
    cert_file: str | None
    key_file: str | None
    insecure: bool = False


@dataclass(frozen=True, slots=True)
class MqttConfig:
    url: str
    host: str
    port: int
    tls: TlsConfig | None
    username: str | None
    password: str | None = field(repr=False)  # kept out of logs and tracebacks
    client_id: str | None
    keepalive_s: int = 30
    topic_prefix: str = "fleet/v1"


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
