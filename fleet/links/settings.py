"""The settings each link owns: MAVLink transports, the MQTT broker and its TLS.

The config loader (:mod:`fleet.config`) reads TOML into these; the links never read
the config themselves, so ``fleet.links`` depends on nothing above the core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

#: MAVLink transport schemes a link URL may use.
MAVLINK_SCHEMES: tuple[str, ...] = ("udpin", "udpout", "tcp", "tcpin", "serial")
#: Baud rate of a serial link that gives none: the SiK telemetry radio default.
DEFAULT_SERIAL_BAUD = 57600


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


class LinksConfig(Protocol):
    """What the link builders read (:class:`fleet.config.FleetConfig` is one)."""

    @property
    def mavlink(self) -> MavlinkConfig: ...

    @property
    def mqtt(self) -> MqttConfig | None: ...

