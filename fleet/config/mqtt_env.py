"""The broker and the login from the environment, over a config's ``[mqtt]``.

``FLEET_MQTT_URL``, ``FLEET_MQTT_USERNAME`` and ``FLEET_MQTT_PASSWORD_FILE`` (a file whose
first line is the password: the password itself never sits in the environment or on a
command line) replace the config's. They let one config serve the core and the people
at its console: ``fleet incident`` logs in as a CAD account, not as the core, and against
``fleet demo`` (whose broker and passwords are new each run) it needs only
``. ~/.local/state/fleet/demo-cad.env`` (docs/dispatch.md).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

from fleet.config.schema import FleetConfig, MqttConfig, TlsConfig
from fleet.config.urls import UrlError, parse_mqtt_url
from fleet.errors import ConfigError

URL, USERNAME, PASSWORD_FILE = "FLEET_MQTT_URL", "FLEET_MQTT_USERNAME", "FLEET_MQTT_PASSWORD_FILE"


def apply_mqtt_env(config: FleetConfig, environ: Mapping[str, str] | None = None
                   ) -> FleetConfig:
    """``config`` with whichever of the three variables are set (and not empty)."""
    from fleet.config.loader import read_secret_file

    env = os.environ if environ is None else environ
    url, user, pw_file = (env.get(k) or None for k in (URL, USERNAME, PASSWORD_FILE))
    if url is None and user is None and pw_file is None:
        return config
    mqtt = config.mqtt
    if url is not None:
        try:
            parsed = parse_mqtt_url(url, False)
        except UrlError as exc:
            raise ConfigError(str(exc), key=URL) from None
        assert parsed.host is not None and parsed.port is not None
        tls = TlsConfig(None, None, None) if parsed.scheme == "mqtts" else None
        if mqtt is None:
            mqtt = MqttConfig(url, parsed.host, parsed.port, tls, None, None, None)
        else:
            mqtt = dataclasses.replace(mqtt, url=url, host=parsed.host, port=parsed.port,
                                       tls=mqtt.tls or tls)
    if mqtt is None:
        raise ConfigError(f"{USERNAME}/{PASSWORD_FILE} without a broker: set {URL} or "
                          "give the config an [mqtt] section", path=config.source)
    if user is not None:
        mqtt = dataclasses.replace(mqtt, username=user, password=None)
    if pw_file is not None:
        try:
            mqtt = dataclasses.replace(mqtt, password=read_secret_file(os.path.expanduser(
                pw_file)))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the password from {pw_file}: "
                              f"{getattr(exc, 'strerror', None) or exc}",
                              key=PASSWORD_FILE) from None
    if mqtt.password is not None and mqtt.username is None:
        raise ConfigError(f"a password needs a user name: set {USERNAME}", key=PASSWORD_FILE)
    return dataclasses.replace(config, mqtt=mqtt)
