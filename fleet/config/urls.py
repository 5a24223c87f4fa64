"""Parse the MAVLink link and MQTT broker URLs into their parts.

Errors come back as plain messages (``UrlError``) so the caller can attach the key
path; the URL grammar is deliberately small so a typo never becomes a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleet.config.schema import MAVLINK_SCHEMES
from fleet.config.validate import did_you_mean, one_of

MQTT_SCHEMES: tuple[str, ...] = ("mqtt", "mqtts")
MQTT_PORT = 1883
MQTTS_PORT = 8883


def redact_url(url: str) -> str:
    """``url`` with the password of any ``user:password@`` hidden, for messages: a URL
    with credentials is refused, and the refusal must not print them."""
    scheme, sep, rest = url.partition("://")
    head = f"{scheme}{sep}" if sep else ""
    authority, slash, tail = (rest if sep else url).partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not at:
        return url
    user = userinfo.split(":", 1)[0] if ":" in userinfo else ""
    return f"{head}{user}{':' if user else ''}***@{host}{slash}{tail}"


class UrlError(ValueError):
    """What is wrong with a URL, as one line without the key path."""


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    scheme: str
    host: str | None = None
    port: int | None = None
    device: str | None = None
    baud: int | None = None


def _split_scheme(url: str, schemes: tuple[str, ...], example: str) -> tuple[str, str]:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise UrlError(f"expected scheme://..., e.g. {example!r}, got {redact_url(url)!r}")
    if scheme not in schemes:
        raise UrlError(
            f"unknown scheme {scheme!r}{did_you_mean(scheme, schemes)}; expected {one_of(schemes)}"
        )
    return scheme, rest


def _port(text: str, url: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise UrlError(f"expected a port in 1..65535, got {text!r} in {redact_url(url)!r}")
    return int(text)


def _host_port(rest: str, url: str, default_port: int | None) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port``; no user info, path, query or fragment."""
    rest = rest.removesuffix("/")
    if "@" in rest:
        raise UrlError(f"credentials do not belong in the URL, got {redact_url(url)!r}")
    for mark in "/?#":
        if mark in rest:
            raise UrlError(f"expected only host:port after the scheme, got {redact_url(url)!r}")
    if rest.startswith("["):
        host, bracket, tail = rest[1:].partition("]")
        if not bracket or (tail and not tail.startswith(":")):
            raise UrlError(f"expected [ipv6-address]:port, got {redact_url(url)!r}")
        port_text = tail[1:] if tail else None
    elif ":" in rest:
        host, _, port_text = rest.rpartition(":")
    else:
        host, port_text = rest, None
    if not host:
        raise UrlError(f"missing host in {redact_url(url)!r}")
    if port_text is None:
        if default_port is None:
            raise UrlError(f"missing port in {redact_url(url)!r}, expected host:port")
        return host, default_port
    return host, _port(port_text, url)


def parse_mavlink_url(url: str) -> ParsedUrl:
    """A link URL. ``baud`` is set only when the URL carries one (MAVSDK style)."""
    scheme, rest = _split_scheme(url, MAVLINK_SCHEMES, "udpin://0.0.0.0:14550")
    if scheme != "serial":
        host, port = _host_port(rest, url, None)
        return ParsedUrl(scheme, host=host, port=port)
    device, baud = rest, None
    head, sep, tail = rest.rpartition(":")
    if sep and tail.isascii() and tail.isdigit():  # serial:///dev/ttyUSB0:57600
        device, baud = head, int(tail)
        if baud <= 0:
            raise UrlError(f"expected a baud rate > 0, got {tail!r} in {redact_url(url)!r}")
    if not device:
        raise UrlError("missing serial device, e.g. 'serial:///dev/ttyUSB0', "
                       f"got {redact_url(url)!r}")
    return ParsedUrl(scheme, device=device, baud=baud)


def parse_mqtt_url(url: str, tls: bool) -> ParsedUrl:
    """A broker URL; the default port is 8883 when TLS is on (mqtts:// or [mqtt.tls])."""
    scheme, rest = _split_scheme(url, MQTT_SCHEMES, "mqtt://127.0.0.1:1883")
    default = MQTTS_PORT if tls or scheme == "mqtts" else MQTT_PORT
    host, port = _host_port(rest, url, default)
    return ParsedUrl(scheme, host=host, port=port)
