"""Read a TOML file into a validated :class:`FleetConfig`, or raise one ``ConfigError``.

The first problem found stops the load: operators fix one clear line at a time, and no
caller ever sees a half-built config.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fleet.city_time import DEFAULT_ZONE, use_zone
from fleet.config.dispatch import parse_dispatch
from fleet.config.patrols import parse_patrols
from fleet.config.places import parse_bases, parse_key_sites, parse_zones
from fleet.config.schedules import parse_schedules
from fleet.config.schema import (
    DEFAULT_SERIAL_BAUD,
    UNKNOWN_UNIT_POLICIES,
    FleetConfig,
    MavlinkConfig,
    MavlinkLinkConfig,
    MqttConfig,
    RegistryConfig,
    TlsConfig,
)
from fleet.config.units import parse_groups, parse_kinds, parse_units
from fleet.config.urls import UrlError, parse_mavlink_url, parse_mqtt_url
from fleet.config.validate import Seen, Table, describe
from fleet.errors import ConfigError

SECTIONS = ("fleet", "registry", "mavlink", "mqtt", "kinds", "bases", "groups", "units",
            "zones", "key_sites", "patrols", "schedules", "dispatch")
#: [mavlink] gcs_failsafe (fleet/links/mavlink/failsafe.py says what each sets)
GCS_FAILSAFES = ("rtl", "smart_rtl", "land", "brake_land", "vehicle")
MAVLINK_KEYS = ("gcs_sysid", "gcs_compid", "link_timeout_s", "stream_rate_hz",
                "command_timeout_s", "command_attempts", "gcs_failsafe", "heartbeat_hz", "links")
LINK_KEYS = ("name", "url", "baud", "signing_key", "signing_key_env", "signing_required")
MQTT_KEYS = ("url", "username", "password", "password_env", "password_file", "client_id",
             "keepalive_s", "topic_prefix", "tls")
TLS_KEYS = ("ca_file", "cert_file", "key_file", "insecure")


def load_config(path: str | os.PathLike[str]) -> FleetConfig:
    """Load and validate the config file at ``path``; ``FLEET_MQTT_*`` in the environment
    override its broker and login (:mod:`fleet.config.mqtt_env`)."""
    source = os.fsdecode(path)
    try:
        raw = Path(source).read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", path=source) from None
    except IsADirectoryError:
        raise ConfigError("cannot read: is a directory", path=source) from None
    except PermissionError:
        raise ConfigError("cannot read: permission denied", path=source) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=source) from None
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM some Windows editors write
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line}, column {column}",
            path=source,
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=source) from None
    from fleet.config.mqtt_env import apply_mqtt_env  # (it reads secret files as we do)

    return apply_mqtt_env(parse_config(data, source))


def parse_config(data: Mapping[str, Any], path: str = "<config>") -> FleetConfig:
    """Validate an already-parsed TOML document; ``path`` is used in messages and as the
    directory relative file names (TLS certificates) are resolved against."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"expected a table at the top level, got {describe(data)}", path=path)
    root = Table(data, "", path)
    root.check_keys(SECTIONS, "section")
    fleet = root.table("fleet") or Table({}, "fleet", path)
    fleet.check_keys(("name", "timezone"))
    name = fleet.string("name", "fleet")
    timezone = _timezone(fleet)
    # sections are checked in SECTIONS order, so the first error is the first one reported
    registry = _registry(root)
    mavlink = _mavlink(root)
    mqtt = _mqtt(root)
    kinds = parse_kinds(root)
    bases = parse_bases(root)
    groups = parse_groups(root, bases)
    units = parse_units(root, kinds, bases, groups, mavlink)
    zones, key_sites = parse_zones(root), parse_key_sites(root)
    patrols = parse_patrols(root, zones, key_sites, kinds)
    return FleetConfig(
        name=name,
        source=path,
        mavlink=mavlink,
        mqtt=mqtt,
        registry=registry,
        kinds=kinds,
        bases=bases,
        groups=groups,
        units=units,
        zones=zones,
        key_sites=key_sites,
        patrols=patrols,
        schedules=parse_schedules(root, patrols, units, groups),
        dispatch=parse_dispatch(root),
        timezone=timezone,
    )


def _timezone(fleet: Table) -> str:
    """``[fleet] timezone``, made the city's zone for this process at once: the schedules
    read next are in it (a process serves one city; see :mod:`fleet.city_time`)."""
    name = fleet.string("timezone", DEFAULT_ZONE)
    try:
        use_zone(name)
    except ValueError as exc:
        raise fleet.error(str(exc), "timezone") from None
    return name


def _registry(root: Table) -> RegistryConfig:
    t = root.table("registry") or Table({}, "registry", root.source)
    t.check_keys(("unknown_units",))
    return RegistryConfig(t.choice("unknown_units", UNKNOWN_UNIT_POLICIES, "reject"))


def _mavlink(root: Table) -> MavlinkConfig:
    t = root.table("mavlink") or Table({}, "mavlink", root.source)
    t.check_keys(MAVLINK_KEYS)
    names, urls = Seen("link name"), Seen("link url")
    links = []
    for link in t.tables("links"):
        link.check_keys(LINK_KEYS)
        name = link.string("name")
        names.add(name, link, "name")
        url = link.string("url")
        baud = link.integer("baud", None, ge=1)
        try:
            parsed = parse_mavlink_url(url)
        except UrlError as exc:
            raise link.error(str(exc), "url") from None
        urls.add(url, link, "url")
        if baud is not None and parsed.scheme != "serial":
            raise link.error(f"baud applies to serial links only, got scheme {parsed.scheme!r}",
                             "baud")
        if baud is not None and parsed.baud is not None:
            raise link.error(f"baud is also given in the URL {url!r}; keep one", "baud")
        if parsed.scheme == "serial":
            baud = parsed.baud or baud or DEFAULT_SERIAL_BAUD
        key = _secret(link, "signing_key")
        if key is not None and len(key) < 8:
            raise link.error("signing_key must be 64 hex digits or a passphrase of 8 or "
                             "more characters", "signing_key")
        required = link.boolean("signing_required", True)
        if key is None and link.has("signing_required"):
            raise link.error("signing_required needs signing_key or signing_key_env",
                             "signing_required")
        links.append(MavlinkLinkConfig(name, url, parsed.scheme, parsed.host, parsed.port,
                                       parsed.device, baud, key, required))
    return MavlinkConfig(
        links=tuple(links),
        gcs_sysid=t.integer("gcs_sysid", 255, ge=1, le=255),
        gcs_compid=t.integer("gcs_compid", 190, ge=1, le=255),
        link_timeout_s=t.number("link_timeout_s", 5.0, gt=0),
        stream_rate_hz=t.number("stream_rate_hz", 4.0, gt=0),
        command_timeout_s=t.number("command_timeout_s", 3.0, gt=0),
        command_attempts=t.integer("command_attempts", 3, ge=1, le=20),
        gcs_failsafe=t.choice("gcs_failsafe", GCS_FAILSAFES, "rtl"),
        heartbeat_hz=t.number("heartbeat_hz", 1.0, gt=0, le=50),
    )


def _file(t: Table, name: str) -> str | None:
    value = t.string(name, None)
    if value is None:
        return None
    path = t.file_path(value)
    if not path.is_file():
        raise t.error(f"file not found: {str(path)!r}", name)
    return str(path)


def _tls(t: Table) -> TlsConfig:
    t.check_keys(TLS_KEYS)
    tls = TlsConfig(
        ca_file=_file(t, "ca_file"),
        cert_file=_file(t, "cert_file"),
        key_file=_file(t, "key_file"),
        insecure=t.boolean("insecure", False),
    )
    if tls.key_file and not tls.cert_file:
        raise t.error("key_file needs cert_file (the client certificate)", "key_file")
    return tls


def _mqtt(root: Table) -> MqttConfig | None:
    t = root.table("mqtt")
    if t is None:
        return None
    t.check_keys(MQTT_KEYS)
    url = t.string("url")
    tls_table = t.table("tls")
    try:
        parsed = parse_mqtt_url(url, tls_table is not None)
    except UrlError as exc:
        raise t.error(str(exc), "url") from None
    tls = _tls(tls_table) if tls_table is not None else None
    if parsed.scheme == "mqtts" and tls is None:
        tls = TlsConfig(None, None, None)
    username = t.string("username", None)
    password = _password(t)
    if password is not None and username is None:
        raise t.error("a password needs a username (MQTT 3.1.1)", "username")
    prefix = t.string("topic_prefix", "fleet/v1")
    if prefix.startswith(("/", "$")) or prefix.endswith("/") or "//" in prefix or any(
        c in prefix for c in "+#\0"
    ):
        raise t.expected("topic_prefix", "a topic like 'fleet/v1' (no wildcards, leading "
                         "'$' or '/', trailing or doubled '/')", prefix)
    assert parsed.host is not None and parsed.port is not None
    return MqttConfig(
        url=url, host=parsed.host, port=parsed.port, tls=tls, username=username,
        password=password, client_id=t.string("client_id", None),
        keepalive_s=t.integer("keepalive_s", 30, ge=0, le=65535), topic_prefix=prefix,
    )


def _password(t: Table) -> str | None:
    """``password``, ``password_env`` or ``password_file`` (its first line: e.g. the
    core's file from ``fleet broker-config``), one of them at most."""
    if not t.has("password_file"):
        return _secret(t, "password")
    for other in ("password", "password_env"):
        if t.has(other):
            raise t.error(f"give one of password, password_env, password_file, not {other} "
                          "too", "password_file")
    path = t.file_path(t.string("password_file"))
    try:
        return read_secret_file(path)
    except (OSError, ValueError) as exc:
        raise t.error(f"cannot read the password from {path}: "
                      f"{getattr(exc, 'strerror', None) or exc}", "password_file") from None


def read_secret_file(path: Path) -> str:
    """The first line of a secret file, without its line end; an empty one is an error."""
    with open(path, encoding="utf-8") as f:
        value = f.readline().rstrip("\r\n")
    if not value:
        raise ValueError("the file is empty")
    return value


def _secret(t: Table, name: str) -> str | None:
    """``name``, or the environment variable ``<name>_env`` names (kept out of files)."""
    env = f"{name}_env"
    if t.has(name) and t.has(env):
        raise t.error(f"give {name} or {env}, not both", env)
    if not t.has(env):
        value = t.raw(name, None)
        if value is not None and not isinstance(value, str):
            raise t.expected(name, "a string", value)
        return value
    var = t.string(env)
    if var not in os.environ:
        raise t.error(f"environment variable {var!r} is not set", env)
    return os.environ[var]
