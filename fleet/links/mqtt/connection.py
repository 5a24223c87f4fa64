"""Connecting to the broker: TLS from the config, reason codes, readable errors.

MQTT 5 first, 3.1.1 when the broker refuses it. A 3.1.1-only broker answers an MQTT 5
CONNECT with CONNACK code 1 "unacceptable protocol version", as the 3.1.1 spec requires
(Mosquitto before 1.6, amqtt); paho reports that as reason 0x84 "Unsupported protocol
version" and the bridge reconnects at once with 3.1.1 and keeps to it for the life of
the process. fleet needs nothing from MQTT 5 but one thing: the PUBACK reason code, so
a publish the broker's ACL refuses is an error rather than a silent drop (see
:mod:`.publish`). A broker that closes the socket without any CONNACK is not detected
as 3.1.1-only: it is a failed connection, retried by the supervisor.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any

import aiomqtt

from ..settings import TlsConfig

UNSUPPORTED_PROTOCOL = 0x84
#: CONNACK codes for credentials: bad user name or password, not authorized
#: (paho maps the 3.1.1 codes 4 and 5 onto these)
BAD_CREDENTIALS = frozenset({0x86, 0x87})


class ErrorKeepingLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The logger given to aiomqtt (and through it to paho) that also keeps the last
    error line. paho logs why a socket failed (a TLS alert such as "certificate
    required", a reset) but aiomqtt, before CONNACK, only ever reports a timeout: with
    this the bridge can say why."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger, {})
        self.last_error: str | None = None

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if level >= logging.ERROR:
            try:
                self.last_error = str(msg) % args if args else str(msg)
            except (TypeError, ValueError):
                self.last_error = str(msg)
            level = logging.WARNING  # a socket dropping is the link's news, told there
        super().log(level, msg, *args, **kwargs)


def tls_context(tls: TlsConfig) -> ssl.SSLContext:
    """Verify the broker against ``ca_file`` (else the system store), present a client
    certificate when given; ``insecure`` skips verification (tests, never production)."""
    context = ssl.create_default_context(cafile=tls.ca_file)
    if tls.cert_file:
        context.load_cert_chain(tls.cert_file, tls.key_file)
    if tls.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def code(value: Any) -> int | None:
    """The integer of a paho ReasonCode, an int, or an exception carrying one."""
    value = getattr(value, "rc", value)
    value = getattr(value, "value", value)
    return value if isinstance(value, int) else None


def failed(value: Any) -> bool:
    """True for a SUBACK/PUBACK reason code of 0x80 or more (3.1.1's 0x80 too)."""
    c = code(value)
    return c is not None and c >= 0x80


def describe(exc: aiomqtt.MqttError) -> str:
    """One line: aiomqtt's message and, for a dropped connection, why it dropped."""
    text = str(exc) or type(exc).__name__
    cause = exc.__cause__
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text}: {cause}"
    return text
