"""The CAD interface over MQTT (docs/dispatch.md, "CAD over MQTT").

* new calls on ``{prefix}/cad/incident``, answered on ``.../incident/ack``;
* incident actions on ``{prefix}/cad/action``, answered on ``.../action/ack``
  (:mod:`.cad_actions`, :mod:`.cad_ops`);
* every incident change published on ``{prefix}/cad/incidents/{id}`` (the feed);
* the audit's latest checkpoint, retained, on ``{prefix}/audit/head`` (:mod:`.audit_heads`).

A link of the core (:class:`CadLink`, shown as ``cad`` among the links): its own
connection to the configured broker (the unit bridge is left alone), MQTT 3.1.1 so any
broker will do, reconnected with jittered backoff by the links' supervisor. Requests are handled
one at a time, in order: each is one durable audit write (about a millisecond), far
beyond any city's call rate, and the bounded incoming queue (1,000) holds a burst;
past that the client drops the newest and the CAD system's resend (same id) retries.
The answer to each id is remembered (the last 1,000 or so per topic), so a resend gets
the same answer. The feed is read from the centre's coalescing subscription, which
keeps changes made while the broker is away until the next connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiomqtt

from fleet.errors import LinkError
from fleet.events import ConnectionState
from fleet.links.base import LinkContext
from fleet.links.mqtt.connection import describe, tls_context
from fleet.links.mqtt.publish import acked_publish
from fleet.links.settings import MqttConfig

from .anchor import to_message
from .audit_heads import HeadFeed, head_topic
from .cad import (
    CadPayloadError,
    CadRequest,
    accepted,
    parse_request,
    rejected,
    request_topics,
)
from .cad_actions import action_rejected, action_topics, feed_message, feed_topic, parse_action
from .cad_ops import ActionAnswers, document, error_code, perform
from .errors import BadIncidentError, DispatchError
from .feed import IncidentSubscription
from .outcome import FAILED, refused_doc

if TYPE_CHECKING:
    from .center import DispatchCenter

log = logging.getLogger("fleet.dispatch.cad")
REMEMBERED = 1024
MAX_QUEUED = 1000


@dataclass(slots=True)
class CadStats:
    """What the CAD interface has done since the core started (``center.cad_stats``)."""

    calls: int = 0  # requests on cad/incident
    actions: int = 0  # requests on cad/action
    rejected: int = 0  # answered "rejected" (a malformed request included)
    malformed: int = 0  # no usable id: answered with id null, nobody can match it
    published: int = 0  # incident documents on the feed


def client(mqtt: MqttConfig, identifier: str) -> AbstractAsyncContextManager[aiomqtt.Client]:
    """An aiomqtt client for the configured broker (TLS and credentials as configured)."""
    tls = tls_context(mqtt.tls) if mqtt.tls is not None else None
    return aiomqtt.Client(
        mqtt.host, mqtt.port, username=mqtt.username, password=mqtt.password,
        identifier=identifier, keepalive=max(5, mqtt.keepalive_s), tls_context=tls,
        protocol=aiomqtt.ProtocolVersion.V311, max_queued_incoming_messages=MAX_QUEUED,
    )


class CadLink:
    """The CAD interface as a link of the core: supervised (reconnected with backoff) by
    :func:`fleet.links.supervisor.supervise`, its state among the core's links as
    ``cad``. What must outlive one connection lives here: the answers remembered per
    request id, and the incident changes not yet on the feed."""

    name = "cad"

    def __init__(self, center: DispatchCenter, mqtt: MqttConfig) -> None:
        self.center = center
        self.mqtt = mqtt
        self.request_topic, self.ack_topic = request_topics(mqtt.topic_prefix)
        self.action_topic, self.action_ack_topic = action_topics(mqtt.topic_prefix)
        self.calls: OrderedDict[str, bytes] = OrderedDict()
        self.actions = ActionAnswers()
        self.pending: dict[str, None] = {}  # incidents changed but not yet on the feed
        self._changes: IncidentSubscription | None = None

    async def run(self, ctx: LinkContext) -> None:
        """One connection: subscribe, answer requests in order, publish the feed and the
        audit head; return or raise (LinkError) when it ends."""
        if self._changes is None:  # kept across connections: changes made meanwhile wait
            self._changes = self.center.subscribe()
        try:
            await self._session(ctx, self._changes)
        except* aiomqtt.MqttError as group:
            raise LinkError(describe(group.exceptions[0])) from None
        finally:
            self.center.cad_listening.clear()

    async def _session(self, ctx: LinkContext, changes: IncidentSubscription) -> None:
        mqtt, center = self.mqtt, self.center
        acks = {self.request_topic: self.ack_topic, self.action_topic: self.action_ack_topic}
        identifier = f"{mqtt.client_id or 'fleet'}-cad"
        async with client(mqtt, identifier) as c, asyncio.TaskGroup() as tg:
            await c.subscribe([(self.request_topic, 1), (self.action_topic, 1)])
            log.info("CAD interface listening on %s and %s", self.request_topic,
                     self.action_topic)
            feed = tg.create_task(_feed(c, center, changes, self.pending, mqtt.topic_prefix),
                                  name="dispatch-cad-feed")
            heads = tg.create_task(_audit_heads(c, center.audit_heads, mqtt.topic_prefix),
                                   name="dispatch-audit-head")
            ctx.connection(ConnectionState.CONNECTED,
                           f"{mqtt.host}:{mqtt.port} as {identifier} (MQTT 3.1.1)")
            center.cad_listening.set()
            async for message in c.messages:
                topic = message.topic.value
                if topic not in acks:
                    continue  # not ours (a broker replaying an old session)
                payload = bytes(message.payload)  # type: ignore[arg-type]
                if topic == self.action_topic:
                    answer = await _action(center, payload, self.actions)
                else:
                    answer = await handle(center, payload, self.calls)
                await acked_publish(c, acks[topic], answer, qos=1)
            feed.cancel()  # the messages ended without an error: the supervisor reconnects
            heads.cancel()


async def _feed(c: aiomqtt.Client, center: DispatchCenter, changes: IncidentSubscription,
                pending: dict[str, None], prefix: str) -> None:
    """Publish each changed incident's latest document (QoS 1, not retained)."""
    while True:
        if not pending:
            pending.update(dict.fromkeys(i.id for i in await changes.next_batch()))
        for incident_id in list(pending):
            doc = document(center, center.incident(incident_id))
            await acked_publish(c, feed_topic(prefix, incident_id),
                                feed_message(doc, center.port.wall()), qos=1)
            del pending[incident_id]  # only once the broker has it
            center.cad_stats.published += 1


async def _audit_heads(c: aiomqtt.Client, heads: HeadFeed, prefix: str) -> None:
    """Publish each audit checkpoint retained, QoS 1: the broker keeps the latest head out
    of the database writer's reach. Each connection starts with the latest one."""
    version = 0
    while True:
        version, anchor = await heads.wait_newer(version)
        await acked_publish(c, head_topic(prefix), to_message(anchor), qos=1, retain=True)


async def _action(center: DispatchCenter, payload: bytes, answers: ActionAnswers) -> bytes:
    stats = center.cad_stats
    stats.actions += 1
    try:
        req = parse_action(payload)
    except CadPayloadError as exc:
        _refused(center, exc)
        return action_rejected(exc.request_id, None, center.port.wall(), str(exc), exc.code)
    return await perform(center, req, answers)


def _refused(center: DispatchCenter, exc: CadPayloadError) -> None:
    stats = center.cad_stats
    stats.rejected += 1
    if exc.request_id is not None:
        return
    stats.malformed += 1
    level = logging.WARNING if stats.malformed == 1 else logging.DEBUG
    log.log(level, "CAD interface: malformed request without a usable id (%s); "
            "answered with id null%s", exc,
            "; further ones are only counted" if stats.malformed == 1 else "")


async def handle(center: DispatchCenter, payload: bytes, answers: OrderedDict[str, bytes]
                 ) -> bytes:
    """The answer to one new call (recorded durably before it is given)."""
    center.cad_stats.calls += 1
    try:
        req = parse_request(payload)
    except CadPayloadError as exc:
        _refused(center, exc)
        return rejected(exc.request_id, str(exc))
    if req.id in answers:
        answers.move_to_end(req.id)
        return answers[req.id]
    try:
        return await _new_call(center, req, answers)
    except Exception as exc:  # a bug must cost one answer, not the interface
        log.exception("CAD call %s failed", req.id)
        center.cad_stats.rejected += 1
        return rejected(req.id, f"internal error: {exc!r}")


async def _new_call(center: DispatchCenter, req: CadRequest,
                    answers: OrderedDict[str, bytes]) -> bytes:
    known = next((i for i in center.incidents() if i.request_id == req.id), None)
    if known is not None:  # answered before a restart: the audit remembers the request
        sent = [a.unit_id for a in known.active]
        failed = req.dispatch and not known.assignments
        return _remember(answers, req.id, accepted(
            req.id, known, None, sent, result="failed" if failed else "accepted",
            error="no_units" if failed else None,
            reason="nobody was sent (automatic dispatch failed)" if failed else None))
    try:
        inc = await center.new_incident(req.lat, req.lon, req.category, priority=req.priority,
                                        notes=req.notes, operator=req.operator, source="cad",
                                        ref=req.ref, request_id=req.id)
    except BadIncidentError as exc:
        center.cad_stats.rejected += 1
        return _remember(answers, req.id, rejected(req.id, str(exc)))
    except DispatchError as exc:  # e.g. dispatch unavailable: worth a retry, not cached
        center.cad_stats.rejected += 1
        return rejected(req.id, str(exc))
    rec = center.recommend(inc.id)
    if not req.dispatch:
        return _remember(answers, req.id, accepted(req.id, inc, rec, []))
    try:
        done = await center.dispatch_units(inc.id, operator=req.operator)
    except DispatchError as exc:
        # recorded, but nobody sent: the answer must not say "accepted" (issue #14)
        await center.add_note(inc.id, f"automatic dispatch failed: {exc}",
                              operator=req.operator)
        refused = refused_doc(getattr(exc, "refused", ()), center.callsign)
        return _remember(answers, req.id, accepted(
            req.id, center.incident(inc.id), rec, [], result=FAILED, refused=refused,
            error=error_code(exc), reason=str(exc)))
    return _remember(answers, req.id, accepted(
        req.id, done.incident, rec, list(done.sent), result=done.result,
        refused=refused_doc(done.refused, center.callsign)))


def _remember(answers: OrderedDict[str, bytes], request_id: str, answer: bytes) -> bytes:
    answers[request_id] = answer
    while len(answers) > REMEMBERED:
        answers.popitem(last=False)
    return answer
