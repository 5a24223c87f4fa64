"""CAD intake over MQTT: requests on ``{prefix}/cad/incident``, answers on ``.../ack``.

Its own connection to the configured broker (the unit bridge is left alone), MQTT
3.1.1 so any broker will do, reconnecting with jittered backoff. Requests are handled
one at a time, in order: each is one durable audit write (about a millisecond), far
beyond any city's call rate, and the bounded incoming queue (1,000) holds a burst;
past that the client drops the newest and the CAD system's resend (same id) retries.
The answer to each id is remembered (last 1,024), so a resend gets the same answer.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

import aiomqtt

from fleet.config import MqttConfig

from .cad import CadPayloadError, accepted, parse_request, rejected, request_topics
from .errors import BadIncidentError, DispatchError

if TYPE_CHECKING:
    from .center import DispatchCenter

log = logging.getLogger("fleet.dispatch.cad")
REMEMBERED = 1024
MAX_QUEUED = 1000


def client(mqtt: MqttConfig, identifier: str) -> AbstractAsyncContextManager[aiomqtt.Client]:
    """An aiomqtt client for the configured broker (TLS and credentials as configured)."""
    tls = None
    if mqtt.tls is not None:
        from fleet.links.mqtt.connection import tls_context

        tls = tls_context(mqtt.tls)
    return aiomqtt.Client(
        mqtt.host, mqtt.port, username=mqtt.username, password=mqtt.password,
        identifier=identifier, keepalive=max(5, mqtt.keepalive_s), tls_context=tls,
        protocol=aiomqtt.ProtocolVersion.V311, max_queued_incoming_messages=MAX_QUEUED,
    )


async def serve_cad(center: DispatchCenter, mqtt: MqttConfig, *, initial_s: float = 0.5,
                    max_s: float = 30.0) -> None:
    request_topic, ack_topic = request_topics(mqtt.topic_prefix)
    answers: OrderedDict[str, bytes] = OrderedDict()
    delay = initial_s
    identifier = f"{mqtt.client_id or 'fleet'}-cad"
    while True:
        try:
            async with client(mqtt, identifier) as c:
                await c.subscribe(request_topic, qos=1)
                log.info("CAD intake listening on %s", request_topic)
                center.cad_listening.set()
                delay = initial_s
                async for message in c.messages:
                    answer = await handle(center, bytes(message.payload), answers)
                    await c.publish(ack_topic, answer, qos=1)
        except aiomqtt.MqttError as exc:
            log.warning("CAD intake: broker connection: %s; retry in %.1f s", exc, delay)
        finally:
            center.cad_listening.clear()
        await asyncio.sleep(delay * random.uniform(0.8, 1.2))
        delay = min(delay * 2, max_s)


async def handle(center: DispatchCenter, payload: bytes, answers: OrderedDict[str, bytes]
                 ) -> bytes:
    """The answer to one request (recorded durably before it is given)."""
    try:
        req = parse_request(payload)
    except CadPayloadError as exc:
        return rejected(exc.request_id, str(exc))
    if req.id in answers:
        answers.move_to_end(req.id)
        return answers[req.id]
    known = next((i for i in center.incidents() if i.request_id == req.id), None)
    if known is not None:  # answered before a restart: the audit remembers the request
        return _remember(answers, req.id, accepted(req.id, known, None, []))
    try:
        inc = await center.new_incident(req.lat, req.lon, req.category, priority=req.priority,
                                        notes=req.notes, operator=req.operator, source="cad",
                                        ref=req.ref, request_id=req.id)
    except BadIncidentError as exc:
        return _remember(answers, req.id, rejected(req.id, str(exc)))
    except DispatchError as exc:  # e.g. dispatch unavailable: worth a retry, not cached
        return rejected(req.id, str(exc))
    rec = center.recommend(inc.id)
    dispatched: list[str] = []
    if req.dispatch:
        try:
            inc = await center.dispatch(inc.id, operator=req.operator)
            dispatched = [a.unit_id for a in inc.active]
        except DispatchError as exc:
            await center.add_note(inc.id, f"automatic dispatch failed: {exc}")
    return _remember(answers, req.id, accepted(req.id, inc, rec, dispatched))


def _remember(answers: OrderedDict[str, bytes], request_id: str, answer: bytes) -> bytes:
    answers[request_id] = answer
    while len(answers) > REMEMBERED:
        answers.popitem(last=False)
    return answer
