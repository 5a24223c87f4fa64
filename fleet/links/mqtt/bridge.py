"""The MQTT bridge: one broker connection as a fleet Link (docs/mqtt.md is the contract).

``run(ctx)`` connects (MQTT 5, else 3.1.1; user name, password and TLS from the config),
subscribes to telemetry, presence, acks and OwnTracks, reports CONNECTED, then feeds
every message through a table of handlers until the connection drops, when it raises
LinkError and the supervisor reconnects with backoff; each new connection subscribes
afresh and republishes fleet's state. Cancellation disconnects cleanly.

Inbound, each message is decoded strictly (:mod:`.schema`, :mod:`.owntracks`), its unit
resolved through the registry (``ctx.resolve``: reject or auto-register by policy) and
checked against the topic's kind, then applied: telemetry to the state, presence
``offline`` (or an OwnTracks ``lwt``) marks the unit lost at once, acks go to the command
tracker. Anything refused is counted by kind and logged once per kind
(:mod:`.refusals`); nothing a client publishes can raise out of the bridge.

Outbound, each MQTT unit heard on the connection gets a command route (:mod:`.commands`),
and fleet's state is republished retained (:mod:`.state_publisher`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, cast

import aiomqtt
from aiomqtt import ProtocolVersion
from aiomqtt.exceptions import MqttConnectError
from msgspec import UNSET

from ...errors import LinkError, UnknownUnitError
from ...events import ConnectionState, Severity
from ...model import UnitKind, UnitStatus
from ..base import LinkContext
from ..settings import MqttConfig
from . import clocks, owntracks, schema
from .commands import CommandTracker, RetryPolicy, Target, UnitDriver
from .connection import (
    BAD_CREDENTIALS,
    UNSUPPORTED_PROTOCOL,
    ErrorKeepingLogger,
    code,
    describe,
    failed,
    tls_context,
)
from .inbox import Inbox
from .publish import NotConnectedError, Publisher, PublishRefusedError
from .refusals import BridgeCounters, PayloadError, Refusal, RefusalLog
from .state_publisher import StatePublisher
from .topics import ACK, CAD, CMD, KIND_BY_NAME, OWNTRACKS, STATE, STATUS, TELEMETRY, Topics

log = logging.getLogger("fleet.mqtt")

MAX_QUEUED = 4096  # incoming messages held while the bridge is busy (~14 s of the demo)
DRAIN_BATCH = 256  # messages handled per wake-up once one has arrived
#: after a wake-up that emptied the inbox, let messages gather this long before the next:
#: at the city's ~300 reports a second, one wake-up (and aiomqtt's task per wait) serves
#: ~6 of them instead of one; 20 ms is below anything an operator or a timeout sees
GATHER_S = 0.02
#: how long after connecting fleet reads the broker's retained states, to clear those of
#: units that have left the registry (a broker sends them right after the SUBACK)
SWEEP_S = 2.0
MAX_QUEUED_OUT = 4096  # paho's queue of QoS 1 publishes awaiting their turn or PUBACK


@dataclass(frozen=True, slots=True)
class _Peer:
    """A resolved address: the unit behind it, and where its commands go (MQTT only)."""

    unit_id: str
    kind: UnitKind
    stale_after_s: float
    target: Target | None


class MqttBridge:
    """Implements :class:`fleet.links.base.Link` for one MQTT broker."""

    def __init__(
        self,
        config: MqttConfig,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        max_queued: int = MAX_QUEUED,
        retry: RetryPolicy | None = None,
        state_period_s: float = 1.0,
        timeout_s: float = 10.0,
        protocol: ProtocolVersion = ProtocolVersion.V5,
        gather_s: float = GATHER_S,
        sweep_s: float = SWEEP_S,
    ) -> None:
        self.config = config
        self.gather_s = gather_s
        self.name = "mqtt"
        self.topics = Topics(config.topic_prefix)
        self.identifier = config.client_id or f"fleet-{secrets.token_hex(4)}"
        self.protocol = protocol  # drops to 3.1.1 for good when a broker refuses MQTT 5
        self.max_queued = max_queued
        self.timeout_s = timeout_s
        self.counters = BridgeCounters()
        self.commands = CommandTracker(self._publish_command, wall=self._wall,
                                       alert=self._alert, policy=retry)
        self.state_publisher = StatePublisher(self.topics, period_s=state_period_s,
                                              monotonic=monotonic)
        self._refuse = RefusalLog(self.counters, self._alert_refusal)
        self._handlers: dict[str, Callable[[str, str, aiomqtt.Message], None]] = {
            TELEMETRY: self._on_telemetry, STATUS: self._on_presence, ACK: self._on_ack,
            OWNTRACKS: self._on_owntracks, STATE: self._on_state, CAD: self._on_cad,
        }
        self._ctx: LinkContext | None = None
        self._out: Publisher | None = None
        self._inbox: Inbox | None = None
        self._peers: dict[str, _Peer] = {}  # MQTT address -> peer
        self._trackers: dict[str, _Peer] = {}  # OwnTracks "user/device" -> peer
        self._clocks = clocks.ClockJudge()  # units whose clocks are out of bound
        self._routed: set[str] = set()  # units given a command route on this connection
        #: telemetry topic -> its resolved, kind-checked, routed peer (this connection)
        self._telemetry_topics: dict[str, _Peer] = {}
        self._crew: dict[str, str] = {}  # unit id -> the status its crew last reported
        self._publish_alerted: set[str] = set()
        self._auth_alerted = False
        self._client_log = ErrorKeepingLogger(logging.getLogger("fleet.mqtt.client"))
        self.sweep_s = sweep_s
        self._sweeping = False

    # -- Link -------------------------------------------------------------------------
    async def run(self, ctx: LinkContext) -> None:
        self._ctx = ctx
        self._client_log.last_error = None
        try:
            reason = await self._session(ctx)
        except aiomqtt.MqttError as exc:
            reason = describe(exc)
            socket_error = self._client_log.last_error
            if self._out is None and socket_error and socket_error not in reason:
                reason = f"{reason} ({socket_error})"  # never connected: say why
            raise LinkError(reason) from None
        finally:
            self._out = None
            for unit_id in self._routed:
                ctx.route(unit_id, None)
            self._routed.clear()
            self._telemetry_topics.clear()
        raise LinkError(reason)

    async def _session(self, ctx: LinkContext) -> str:
        async with contextlib.AsyncExitStack() as stack:
            client = await self._connect(ctx, stack)
            await self._subscribe(client, ctx)
            v5 = self.protocol is ProtocolVersion.V5
            self._out = Publisher(client, reason_codes=v5, on_refused=self._state_refused)
            ctx.connection(ConnectionState.CONNECTED,
                           f"{self.config.url} as {self.identifier} "
                           f"(MQTT {'5' if v5 else '3.1.1'})")
            async with asyncio.TaskGroup() as tg:
                state = tg.create_task(
                    self._guarded(self.state_publisher.run(ctx, self._publish_state)),
                    name="mqtt-state-publisher")
                sweep = tg.create_task(self._guarded(self._sweep(client), "state sweep"),
                                       name="mqtt-state-sweep")
                reason = await self._receive(client)
                state.cancel()
                sweep.cancel()
            return reason

    async def _connect(self, ctx: LinkContext, stack: contextlib.AsyncExitStack
                       ) -> aiomqtt.Client:
        c = self.config
        tls = tls_context(c.tls) if c.tls is not None else None
        while True:
            client = aiomqtt.Client(
                c.host, c.port, username=c.username, password=c.password,
                identifier=self.identifier, protocol=self.protocol, keepalive=c.keepalive_s,
                timeout=self.timeout_s, tls_context=tls,
                logger=self._client_log,  # type: ignore[arg-type]
                max_queued_incoming_messages=self.max_queued,
                max_queued_outgoing_messages=MAX_QUEUED_OUT,
                queue_type=cast("type[asyncio.Queue[aiomqtt.Message]]", self._new_inbox),
            )
            try:
                entered = await stack.enter_async_context(client)
            except MqttConnectError as exc:
                rc = code(exc)
                if self.protocol is ProtocolVersion.V5 and rc == UNSUPPORTED_PROTOCOL:
                    self.protocol = ProtocolVersion.V311
                    ctx.alert(Severity.NOTICE, "mqtt.protocol",
                              f"broker {c.url} does not speak MQTT 5; using 3.1.1 (a publish "
                              "its ACL refuses is then dropped without an error)")
                    continue
                if rc in BAD_CREDENTIALS and not self._auth_alerted:
                    self._auth_alerted = True
                    ctx.alert(Severity.ERROR, "mqtt.auth",
                              f"broker {c.url} refused fleet's credentials ({exc}); check "
                              "mqtt.username and the password")
                raise
            self._auth_alerted = False
            return entered

    def _new_inbox(self, maxsize: int) -> Inbox:
        self._inbox = Inbox(maxsize, self._overflow)
        return self._inbox

    async def _subscribe(self, client: aiomqtt.Client, ctx: LinkContext) -> None:
        wanted = self.topics.subscriptions()
        granted = await client.subscribe(wanted)
        for (topic, _), result in zip(wanted, granted, strict=False):
            if failed(result):
                ctx.alert(Severity.ERROR, "mqtt.subscribe_refused",
                          f"broker refused fleet's subscription to {topic!r} ({result}); "
                          "check the broker's ACL for fleet's user")

    async def _receive(self, client: aiomqtt.Client) -> str:
        """Handle messages until the connection drops; why it dropped."""
        handle = self._handle
        inbox = self._inbox
        assert inbox is not None
        try:
            async for message in client.messages:
                handle(message)
                # take what else has arrived without a wake-up (and a task) per message
                waiting = inbox.qsize()
                for _ in range(min(waiting, DRAIN_BATCH)):
                    handle(inbox.get_nowait())
                if waiting < DRAIN_BATCH:  # caught up: let the next ones gather
                    await asyncio.sleep(self.gather_s)
        except aiomqtt.MqttError as exc:
            return describe(exc)
        return "connection closed"

    async def _sweep(self, client: aiomqtt.Client) -> None:
        """Read the retained states for a moment after connecting: :meth:`_on_state`
        clears those of units no longer in the registry. The subscription then ends,
        or fleet would hear its own ~300 state messages a second."""
        self._sweeping = True
        try:
            (granted,) = await client.subscribe(self.topics.state_filter(), qos=1)
            if failed(granted):
                log.info("no read access to %s: retained states are not swept",
                         self.topics.state_filter())
                return
            await asyncio.sleep(self.sweep_s)
            await client.unsubscribe(self.topics.state_filter())
        finally:
            self._sweeping = False

    async def _guarded(self, work: Coroutine[Any, Any, None],
                       what: str = "state publisher") -> None:
        """A bug in the state publisher must not take the link (or fleet) down."""
        try:
            await work
        except aiomqtt.MqttError as exc:
            log.info("MQTT %s stopped: %s", what, exc)  # the connection dropped
        except Exception:
            log.exception("MQTT %s stopped", what)

    # -- inbound ------------------------------------------------------------------------
    def _handle(self, message: aiomqtt.Message) -> None:
        self.counters.received += 1
        topic = message.topic.value
        try:
            peer = self._telemetry_topics.get(topic)
            if peer is not None:  # the hot path: a known unit's telemetry topic
                report = schema.decode_telemetry(message.payload)  # type: ignore[arg-type]
                self._apply_telemetry(peer, report, message.retain)
                return
            parsed = self.topics.parse(topic)
            if parsed is None:
                raise PayloadError(Refusal.UNKNOWN_TOPIC, "not a schema v1 topic")
            leaf, kind, address = parsed
            handler = self._handlers.get(leaf)
            if handler is None:
                raise PayloadError(Refusal.UNKNOWN_TOPIC, f"unknown message type {leaf!r}")
            handler(kind, address, message)
        except PayloadError as exc:
            self._refuse(exc.reason, topic, exc.detail)
        except Exception as exc:  # a bug: counted, logged once with its traceback
            self._refuse(Refusal.HANDLER_ERROR, topic, repr(exc))

    def _on_telemetry(self, kind: str, address: str, message: aiomqtt.Message) -> None:
        report = schema.decode_telemetry(message.payload)  # type: ignore[arg-type]
        peer = self._mqtt_peer(kind, address)
        self._telemetry_topics[message.topic.value] = peer
        self._apply_telemetry(peer, report, message.retain)

    def _apply_telemetry(self, peer: _Peer, report: schema.TelemetryPayload,
                         retained: bool) -> None:
        ctx: LinkContext = self._ctx  # type: ignore[assignment]  # set by run()
        now = ctx.wall()
        if retained:
            self._check_fresh(peer, report.ts, now)
        self._check_clock(peer, report.ts, now)
        ctx.telemetry(peer.unit_id, schema.telemetry(report, now))
        self.counters.telemetry += 1
        status = report.status
        if status is not UNSET and self._crew.get(peer.unit_id) != status:
            # a change only: fleet's own status (dispatched, out of service) stands until
            # the crew reports something new, rather than being undone every second
            self._crew[peer.unit_id] = status
            ctx.crew_status(peer.unit_id, UnitStatus(status))

    def _on_presence(self, kind: str, address: str, message: aiomqtt.Message) -> None:
        payload = message.payload
        if payload not in (b"online", b"offline"):
            if not payload:
                return  # someone cleared the retained presence: nothing to say
            raise PayloadError(Refusal.OUT_OF_RANGE,
                               f"presence {cast(bytes, payload)[:32]!r}: expected online or "
                               "offline")
        peer = self._mqtt_peer(kind, address)
        self.counters.presence += 1
        if payload == b"offline":
            cast(LinkContext, self._ctx).unit_offline(peer.unit_id, "went offline (MQTT presence)")

    def _on_ack(self, kind: str, address: str, message: aiomqtt.Message) -> None:
        ack = schema.decode_ack(cast(bytes, message.payload))
        peer = self._mqtt_peer(kind, address)
        self.counters.acks += 1
        if not self.commands.on_ack(peer.unit_id, ack):
            raise PayloadError(Refusal.UNKNOWN_ACK,
                               f"id {ack.id!r} names no command sent to {peer.unit_id}")

    def _on_owntracks(self, _kind: str, address: str, message: aiomqtt.Message) -> None:
        msg = owntracks.decode_owntracks(cast(bytes, message.payload))
        peer = self._trackers.get(address) or self._resolve("owntracks", address, None)
        self._trackers[address] = peer
        ctx = cast(LinkContext, self._ctx)
        if isinstance(msg, owntracks.Lwt):
            self.counters.presence += 1
            ctx.unit_offline(peer.unit_id, "went offline (OwnTracks)")
            return
        now = ctx.wall()
        if message.retain:
            self._check_fresh(peer, msg.tst, now)
        self._check_clock(peer, msg.tst, now)
        ctx.telemetry(peer.unit_id, owntracks.telemetry(msg, now))
        self.counters.telemetry += 1

    def _on_cad(self, _kind: str, _rest: str, _message: aiomqtt.Message) -> None:
        """The CAD interface's messages (its acks match ``{prefix}/+/+/ack``) belong to
        fleet.dispatch.cad_link: not a unit's, and not a refusal either."""
        self.counters.cad_ignored += 1

    def _on_state(self, _kind: str, unit_id: str, message: aiomqtt.Message) -> None:
        """A retained state (the sweep) of a unit the registry no longer has: clear it
        (an empty retained message), as the contract says. Live ones are fleet's own."""
        if not (self._sweeping and message.retain and message.payload):
            return
        try:
            cast(LinkContext, self._ctx).snapshot(unit_id)
            return  # still registered: the state publisher keeps it current
        except UnknownUnitError:
            pass
        out = self._out
        if out is None:
            return
        try:
            out.publish_nowait(message.topic.value, b"", qos=1, retain=True)
        except LinkError as exc:
            log.info("retained state of %s not cleared: %s", unit_id, exc)
            return
        self.counters.state_cleared += 1
        log.info("cleared the retained state of %s (not in the registry)", unit_id)

    def _check_clock(self, peer: _Peer, ts: float, now: float) -> None:
        """Refuse a report stamped outside the clock bound (:mod:`.clocks`); say once when
        a unit's clock goes wrong and once when it is right again."""
        ok, news = self._clocks.judge(peer.unit_id, ts, now)
        name = self._ctx.snapshot(peer.unit_id).unit.callsign if self._ctx else peer.unit_id
        if news == "flagged":
            self._alert(Severity.WARNING, "mqtt.clock_skew",
                        f"{name}: its clock is {clocks.describe(ts - now)} of fleet's; its "
                        f"reports are refused until it is right (bound "
                        f"+{self._clocks.max_ahead_s:g} s / -{self._clocks.max_behind_s:g} s)",
                        peer.unit_id)
        elif news == "cleared":
            self._alert(Severity.NOTICE, "mqtt.clock_ok",
                        f"{name}: its clock is right again; reports accepted", peer.unit_id)
        if not ok:
            raise PayloadError(Refusal.CLOCK_SKEW,
                               f"{peer.unit_id}: ts {ts:.0f} is {clocks.describe(ts - now)}")

    def _check_fresh(self, peer: _Peer, ts: float, now: float) -> None:
        """A retained report replayed on subscribe may be hours old: refuse it if older
        than the unit's stale timeout, or the unit would look alive until then."""
        if now - ts > peer.stale_after_s:
            raise PayloadError(Refusal.STALE_RETAINED,
                               f"retained report {now - ts:.0f} s old for {peer.unit_id}")

    def _mqtt_peer(self, kind: str, address: str) -> _Peer:
        peer = self._peers.get(address)
        if peer is None:
            unit_kind = KIND_BY_NAME.get(kind)
            if unit_kind is None:
                raise PayloadError(Refusal.UNKNOWN_TOPIC, f"unknown unit kind {kind!r}")
            peer = self._peers[address] = self._resolve("mqtt", address, unit_kind)
        if peer.kind != kind:
            raise PayloadError(Refusal.KIND_MISMATCH,
                               f"{peer.unit_id} is a {peer.kind.value}, the topic says {kind}")
        if peer.unit_id not in self._routed:
            self._route(peer)
        return peer

    def _route(self, peer: _Peer) -> None:
        """Give the core a command path to a unit first heard on this connection."""
        assert peer.target is not None and self._ctx is not None
        self._routed.add(peer.unit_id)
        self._ctx.route(peer.unit_id, UnitDriver(self.commands, peer.target))

    def _resolve(self, scheme: str, address: str, kind: UnitKind | None) -> _Peer:
        ctx = cast(LinkContext, self._ctx)
        unit_id = ctx.resolve(scheme, address, kind=kind)
        if unit_id is None:
            raise PayloadError(Refusal.UNKNOWN_UNIT,
                               f"{scheme} address {address!r} is not in the registry")
        unit = ctx.snapshot(unit_id).unit
        target = (Target(unit_id, unit.kind, self.topics.unit(unit.kind.value, address, CMD))
                  if scheme == "mqtt" else None)
        return _Peer(unit_id, unit.kind, unit.capabilities.stale_after_s, target)

    def _overflow(self, message: aiomqtt.Message) -> None:
        self._refuse(Refusal.OVERFLOW, message.topic.value,
                     f"incoming queue full ({self.max_queued} messages); dropped")

    # -- outbound -----------------------------------------------------------------------
    async def _publish_command(self, topic: str, payload: bytes) -> None:
        out = self._out
        if out is None:
            raise NotConnectedError("the MQTT broker is not connected")
        try:
            await out.publish(topic, payload, qos=1)
        except PublishRefusedError as exc:
            self._publish_refused(exc, "command")
            raise

    def _publish_state(self, topic: str, payload: bytes, qos: int) -> None:
        out = self._out
        if out is None:
            raise NotConnectedError("the MQTT broker is not connected")
        out.publish_nowait(topic, payload, qos=qos, retain=True)

    def _state_refused(self, topic: str, reason: str) -> None:
        self.state_publisher.refused()
        self._publish_refused(PublishRefusedError(topic, reason), "state")

    def _publish_refused(self, exc: PublishRefusedError, what: str) -> None:
        self.counters.publish_refused += 1
        if what not in self._publish_alerted:
            self._publish_alerted.add(what)
            self._alert(Severity.ERROR, "mqtt.publish_refused",
                        f"{exc}: check the broker's ACL for fleet's user; further refused "
                        f"{what} messages are only counted", None)

    # -- plumbing -----------------------------------------------------------------------
    def _wall(self) -> float:
        return self._ctx.wall() if self._ctx is not None else time.time()

    def _alert(self, severity: Severity, code_: str, message: str, unit_id: str | None) -> None:
        if self._ctx is not None:
            self._ctx.alert(severity, code_, message, unit_id)

    def _alert_refusal(self, reason: Refusal, message: str) -> None:
        if reason is Refusal.CLOCK_SKEW:
            return  # said per unit, with its name, by _check_clock
        self._alert(Severity.WARNING, f"mqtt.{reason.value}", message, None)
