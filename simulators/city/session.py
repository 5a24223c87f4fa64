"""A unit's MQTT session per docs/mqtt.md: Last Will, presence, its command topic, reconnects.

Each unit is its own MQTT client (client id = its address) so that its Last Will is its own:
the broker says ``offline`` for exactly the unit whose connection died. A lost connection is
retried with jittered backoff; a fault can keep the unit away for a while first.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import mqtt_wire as wire
from .clock import Clock
from .connection import ConnectionRefused, MqttConnection, open_connection

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10.0
BACKOFF_MIN_S = 1.0
BACKOFF_MAX_S = 30.0


@dataclass(frozen=True)
class Broker:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    keepalive_s: int = 30
    #: TLS (``mqtts://``): verify the broker with this context, which may carry the
    #: unit's client certificate
    tls: ssl.SSLContext | None = None

    @classmethod
    def from_url(cls, url: str, *, username: str | None = None, password: str | None = None,
                 keepalive_s: int = 30, ca_file: str | None = None,
                 cert_file: str | None = None, key_file: str | None = None) -> Broker:
        """``mqtt://host[:port]`` (port 1883) or ``mqtts://host[:port]`` (TLS, port
        8883, the broker verified against ``ca_file`` or the system store)."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError(f"broker URL must look like mqtt[s]://host[:port], got {url!r}")
        tls = None
        if parts.scheme == "mqtts":
            tls = ssl.create_default_context(cafile=ca_file)
            if cert_file:
                tls.load_cert_chain(cert_file, key_file)
        elif ca_file or cert_file:
            raise ValueError("--ca, --cert and --key need an mqtts:// broker URL")
        port = parts.port or (8883 if tls else 1883)
        return cls(parts.hostname, port, username, password, keepalive_s, tls)


@dataclass(frozen=True)
class Topics:
    telemetry: str
    status: str
    cmd: str
    ack: str

    @classmethod
    def for_unit(cls, prefix: str, kind: str, address: str) -> Topics:
        base = f"{prefix}/{kind}/{address}"
        return cls(f"{base}/telemetry", f"{base}/status", f"{base}/cmd", f"{base}/ack")


@dataclass
class SessionStats:
    connects: int = 0
    losses: int = 0
    telemetry_sent: int = 0
    telemetry_dropped: int = 0
    acks_sent: int = 0
    last_error: str = ""


class UnitSession:
    def __init__(self, client_id: str, topics: Topics, broker: Broker, clock: Clock,
                 on_command: Callable[[bytes], None], *, rng: random.Random,
                 connect_gate: asyncio.Semaphore) -> None:
        self.client_id = client_id
        self.topics = topics
        self.broker = broker
        self.clock = clock
        self._on_command = on_command
        self._rng = rng
        self._gate = connect_gate
        self.connection: MqttConnection | None = None
        self.stats = SessionStats()
        self.online = asyncio.Event()
        self._away_until: float | None = None     # sim time; set by a disconnect fault
        self._stopping = False

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.is_open

    def _connect_packet(self) -> bytes:
        return wire.connect(self.client_id, keepalive_s=self.broker.keepalive_s,
                            will=wire.Will(self.topics.status, b"offline", 1, True),
                            username=self.broker.username, password=self.broker.password)

    def _on_publish(self, topic: str, payload: bytes) -> None:
        if topic == self.topics.cmd:
            self._on_command(payload)

    async def run(self) -> None:
        """Stay connected until cancelled; cancel it after :meth:`stop` for a clean end."""
        failures = 0
        while not self._stopping:
            if self._away_until is not None:
                await self.clock.sleep_until(self._away_until)
                self._away_until = None
            try:
                await self._connect_once()
                failures = 0
                assert self.connection is not None
                await self.connection.closed
                if not self._stopping:
                    self.stats.losses += 1
            except (OSError, TimeoutError, ConnectionRefused) as exc:
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                failures += 1
                if self.connection is not None:
                    self.connection.abort()
            finally:
                self.online.clear()
                self.connection = None
            if self._stopping:
                return
            if self._away_until is None:
                delay = min(BACKOFF_MAX_S, BACKOFF_MIN_S * 2 ** max(0, failures - 1))
                await asyncio.sleep(delay * self._rng.uniform(0.5, 1.5))

    async def _connect_once(self) -> None:
        async with self._gate, asyncio.timeout(CONNECT_TIMEOUT_S):
            conn = await open_connection(self.broker.host, self.broker.port, self._on_publish,
                                         self.broker.tls)
            self.connection = conn
            await conn.handshake(self._connect_packet())
            await conn.subscribe(self.topics.cmd, qos=1)
        conn.publish(self.topics.status, b"online", qos=1, retain=True)
        self.stats.connects += 1
        self.online.set()

    # -- traffic -------------------------------------------------------------------

    def publish_telemetry(self, payload: bytes) -> None:
        conn = self.connection
        if conn is not None and self.online.is_set() and conn.publish(self.topics.telemetry,
                                                                       payload):
            self.stats.telemetry_sent += 1
        else:
            self.stats.telemetry_dropped += 1

    def publish_ack(self, payload: bytes) -> None:
        conn = self.connection
        if conn is not None and conn.publish(self.topics.ack, payload, qos=1):
            self.stats.acks_sent += 1

    def keepalive(self) -> None:
        if self.connection is not None:
            self.connection.keepalive(self.broker.keepalive_s, time.monotonic())

    # -- faults and the end --------------------------------------------------------

    def cut(self, away_until_sim: float) -> None:
        """Drop the connection without DISCONNECT (the Will fires); stay away until then."""
        self._away_until = away_until_sim
        if self.connection is not None:
            self.connection.abort()

    async def stop(self, *, announce: bool = True) -> None:
        """Publish ``offline`` (unless told not to) and DISCONNECT, as a unit switched off
        properly does; a clean DISCONNECT means the broker drops the Last Will."""
        self._stopping = True
        conn = self.connection
        if conn is not None and conn.is_open:
            if announce:
                conn.publish(self.topics.status, b"offline", qos=1, retain=True)
            await conn.disconnect()
