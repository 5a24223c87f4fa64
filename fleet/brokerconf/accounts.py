"""Who gets an account on the broker, read from fleet's config.

Every unit with an MQTT (or OwnTracks) address gets one, named by its MQTT address (its
fleet id by default): that name is its client id on the units listener and the
``{unit_id}`` segment of its topics. The core and each CAD client get one on the control
listener. Names are fleet ids (letters, digits, ``_-.``), so they never carry an MQTT
wildcard, a ``/`` or the ``:`` of a password file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..config import FleetConfig
from ..errors import ConfigError

CORE_USER = "fleet-core"
DEFAULT_CAD_USERS = ("cad",)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class UnitAccount:
    """A unit's account: it may speak only on ``{prefix}/{kind}/{username}/...`` (and
    its OwnTracks topic, when it has one)."""

    username: str
    kind: str
    owntracks: str | None = None


@dataclass(frozen=True, slots=True)
class Accounts:
    prefix: str
    units: tuple[UnitAccount, ...]
    core: str = CORE_USER
    cad: tuple[str, ...] = DEFAULT_CAD_USERS

    @property
    def control_users(self) -> tuple[str, ...]:
        """The accounts of the control listener: the core's first, then the CAD ones."""
        return (self.core, *self.cad)


def plan_accounts(config: FleetConfig, cad_users: Iterable[str] = DEFAULT_CAD_USERS,
                  core_user: str = CORE_USER) -> Accounts:
    """One account per MQTT unit of ``config``, the core's and ``cad_users``."""
    if config.mqtt is None:
        raise ConfigError("no [mqtt] section: there is no broker to configure",
                          path=config.source)
    cad = tuple(cad_users)
    for name in (core_user, *cad):
        if not _NAME.fullmatch(name):
            raise ConfigError(f"account name {name!r}: expected letters, digits, '_', '-', "
                              "'.' (starting with a letter or digit)")
    if len(set(cad)) != len(cad) or core_user in cad:
        raise ConfigError(f"account names must differ: {core_user}, {', '.join(cad)}")
    units = []
    for unit in config.units:
        address = unit.addresses.get("mqtt")
        owntracks = unit.addresses.get("owntracks")
        if address is None and owntracks is None:
            continue  # MAVLink only: it never touches the broker
        units.append(UnitAccount(address or unit.id, unit.kind.value, owntracks))
    return Accounts(config.mqtt.topic_prefix, tuple(units), core_user, cad)
