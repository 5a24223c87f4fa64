"""Fleet configuration: one TOML file, validated into frozen dataclasses.

``load_config`` reads a file; ``parse_config`` takes an already-parsed dict; both raise
``fleet.errors.ConfigError`` with a one-line message. See docs/config.md for the format.
"""

from __future__ import annotations

import importlib.resources
import pathlib

from fleet.config.loader import load_config, parse_config
from fleet.config.schema import (
    DEFAULT_SERIAL_BAUD,
    MAVLINK_SCHEMES,
    UNKNOWN_UNIT_POLICIES,
    FleetConfig,
    GroupConfig,
    MavlinkConfig,
    MavlinkLinkConfig,
    MqttConfig,
    RegistryConfig,
    TlsConfig,
)


def demo_config_path() -> pathlib.Path:
    """The Hengyang demo config shipped in ``fleet/data``, as a real file path."""
    resource = importlib.resources.files("fleet.data").joinpath("hengyang.toml")
    return pathlib.Path(str(resource))


__all__ = [
    "DEFAULT_SERIAL_BAUD",
    "MAVLINK_SCHEMES",
    "UNKNOWN_UNIT_POLICIES",
    "FleetConfig",
    "GroupConfig",
    "MavlinkConfig",
    "MavlinkLinkConfig",
    "MqttConfig",
    "RegistryConfig",
    "TlsConfig",
    "demo_config_path",
    "load_config",
    "parse_config",
]
