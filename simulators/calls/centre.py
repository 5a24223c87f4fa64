"""The call centre on the wire: CAD requests out, answers and the incident feed in.

One aiomqtt connection (a single client: its per-message cost does not matter here),
MQTT 3.1.1, QoS 1. Each request stays in an outbox until its answer arrives and is sent
again, byte for byte, after ``answer_timeout_s`` (doubling to a minute): the core answers
a resent id with its first answer, so a call placed before the core subscribed, or lost
with a broker restart, is recorded once. A lost connection is retried with jittered
backoff (1 s doubling to 30 s); calls keep arriving meanwhile and wait in the outbox.
Answers that cannot be read are counted and logged, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import aiomqtt

from .closer import Action, SceneCloser
from .config import CallsConfig
from .generator import Call, CallGenerator, arrival_times, request_doc
from .places import Places

log = logging.getLogger("simulators.calls")

RESEND_MAX_S = 60.0
BACKOFF_S = (1.0, 30.0)
RETRYABLE = frozenset({"unavailable", "audit_failed", "internal"})
LOUD_BAD_ANSWERS = 5            # then only counted (and logged at DEBUG)
FINAL_STATUS = {"clear": "cleared", "close": "closed"}


class BadAnswer(ValueError):
    """A message on an answer or feed topic that is not what docs/dispatch.md says."""


@dataclass
class Outgoing:
    id: str
    topic: str
    payload: bytes
    label: str               # for the log: the call's ref, or "clear INC-..."
    op: str = ""             # "" for a call; the action's op
    incident: str = ""
    due: float = 0.0         # loop time of the next send
    attempts: int = 0


@dataclass
class CentreStats:
    calls: int = 0
    accepted: int = 0
    rejected: int = 0
    unanswered: int = 0      # given up after max_attempts sends
    resent: int = 0
    bad_answers: int = 0
    actions: int = 0
    actions_accepted: int = 0
    actions_rejected: int = 0
    connections: int = 0


class CallCentre:
    def __init__(self, config: CallsConfig, places: Places) -> None:
        self.config = config
        self.generator = CallGenerator(places, seed=config.seed, mix=config.mix,
                                       run_id=config.run_id, first_seq=config.first_ref)
        self.closer = SceneCloser(random.Random(f"{config.seed}:scene"),
                                  scene_s=config.scene_s, unreached_s=config.unreached_s
                                  ) if config.auto_dispatch else None
        self.stats = CentreStats()
        self.calls: dict[str, Call] = {}
        self.incidents: dict[str, str] = {}          # call id -> incident id
        self.connected = asyncio.Event()
        p = config.prefix
        self.request_topic, self.ack_topic = f"{p}/cad/incident", f"{p}/cad/incident/ack"
        self.action_topic, self.action_ack_topic = f"{p}/cad/action", f"{p}/cad/action/ack"
        self.feed_prefix = f"{p}/cad/incidents/"
        self._outbox: dict[str, Outgoing] = {}
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._t0 = 0.0
        self._actions = 0

    # -- time and waiting ----------------------------------------------------------

    def sim_now(self) -> float:
        return (asyncio.get_running_loop().time() - self._t0) * self.config.speedup

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Until ``predicate()`` holds, re-checked whenever the centre's state changes."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    def _notify(self) -> None:
        self._changed.set()

    def summary(self) -> dict[str, int]:
        closer = asdict(self.closer.stats) if self.closer else {}
        return {**asdict(self.stats), **closer, "waiting": len(self._outbox)}

    # -- running -------------------------------------------------------------------

    async def run(self) -> None:
        """Place calls and talk to the broker until cancelled."""
        self._t0 = asyncio.get_running_loop().time()
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._place_calls(), name="calls-arrivals")
            if self.config.status_every_s > 0:
                tg.create_task(self._status_loop(), name="calls-status")
            await self._connection_loop()

    async def _place_calls(self) -> None:
        c = self.config
        times = arrival_times(random.Random(f"{c.seed}:arrivals"), c.calls_per_hour,
                              c.first_call_s)
        for n, t in enumerate(times):
            if c.max_calls is not None and n >= c.max_calls:
                return
            await asyncio.sleep(max(0.0, (t - self.sim_now()) / c.speedup))
            call = self.generator.next_call(t)
            doc = request_doc(call, ts=time.time(), dispatch=c.auto_dispatch,
                              operator=c.operator)
            self.calls[call.id] = call
            self.stats.calls += 1
            log.info("%s: %s at %.5f, %.5f (%s: %s)", call.ref, call.category, call.lat,
                     call.lon, call.area, call.notes)
            self._queue(Outgoing(call.id, self.request_topic,
                                 json.dumps(doc, ensure_ascii=False).encode(), call.ref))

    async def _status_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.status_every_s)
            print(" ".join(f"{k}={v}" for k, v in self.summary().items()), flush=True)

    def _client(self) -> aiomqtt.Client:
        b = self.config.broker
        return aiomqtt.Client(b.host, b.port, username=b.username, password=b.password,
                              identifier=self.config.client_id, tls_context=b.tls,
                              protocol=aiomqtt.ProtocolVersion.V311, keepalive=30)

    async def _connection_loop(self) -> None:
        delay = BACKOFF_S[0]
        b = self.config.broker
        while True:
            try:
                async with self._client() as client:
                    topics = [(self.ack_topic, 1)]
                    if self.closer is not None:
                        topics += [(self.action_ack_topic, 1), (f"{self.feed_prefix}+", 1)]
                    await client.subscribe(topics)
                    delay = BACKOFF_S[0]
                    self._connected()
                    log.info("connected to %s:%d; calls on %s", b.host, b.port,
                             self.request_topic)
                    await self._serve(client)
            except* (aiomqtt.MqttError, OSError) as group:
                log.warning("broker %s:%d: %s; retrying in %.0f s", b.host, b.port,
                            group.exceptions[0], delay)
            finally:
                self.connected.clear()
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, BACKOFF_S[1])

    def _connected(self) -> None:
        self.stats.connections += 1
        for out in self._outbox.values():      # what the broker may have lost: again
            out.due = 0.0
        if self.closer is not None and self.stats.connections > 1:
            for f in self.closer.followed.values():   # feed changes missed while away
                if not f.sent:
                    self._queue_action(Action("show", f.incident, {}))
        self.connected.set()
        self._notify()

    async def _serve(self, client: aiomqtt.Client) -> None:
        """Send and receive until the connection fails (either side's error ends both)."""
        async with asyncio.TaskGroup() as tg:
            sender = tg.create_task(self._send_loop(client), name="calls-send")
            async for message in client.messages:
                payload = message.payload
                self._receive(message.topic.value, payload if isinstance(payload, bytes)
                              else str(payload).encode())
            sender.cancel()

    # -- sending -------------------------------------------------------------------

    def _queue(self, out: Outgoing) -> None:
        self._outbox[out.id] = out
        self._wake.set()
        self._notify()

    def _queue_action(self, action: Action) -> None:
        self._actions += 1
        rid = f"{self.generator.run_id}-a{self._actions}"
        body: dict[str, Any] = {"v": 1, "id": rid, "ts": round(time.time(), 3),
                                "op": action.op, "operator": self.config.operator,
                                "incident": action.incident, **action.fields}
        if action.op != "show":
            self.stats.actions += 1
            log.info("%s: %s %s", action.incident, action.op,
                     action.fields.get("disposition", ""))
        self._queue(Outgoing(rid, self.action_topic, json.dumps(body).encode(),
                             f"{action.op} {action.incident}", action.op, action.incident))

    async def _send_loop(self, client: aiomqtt.Client) -> None:
        loop = asyncio.get_running_loop()
        c = self.config
        while True:
            self._wake.clear()
            if self.closer is not None:
                for action in self.closer.due(self.sim_now()):
                    self._queue_action(action)
            now = loop.time()
            for out in list(self._outbox.values()):
                if out.due > now:
                    continue
                if out.attempts >= c.max_attempts:
                    self._give_up(out)
                    continue
                await client.publish(out.topic, out.payload, qos=1)
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # aiomqtt's wait_for drops a cancellation that meets the PUBACK
                    # (Python 3.11, CPython gh-86296): stop as asked
                    raise asyncio.CancelledError
                out.attempts += 1
                out.due = now + min(c.answer_timeout_s * 2 ** (out.attempts - 1), RESEND_MAX_S)
                if out.attempts > 1:
                    self.stats.resent += 1
                    log.info("%s: no answer yet, sent again (%d)", out.label, out.attempts)
            self._notify()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._next_wait_s(loop.time())):
                    await self._wake.wait()

    def _next_wait_s(self, now: float) -> float:
        times = [out.due - now for out in self._outbox.values()]
        if self.closer is not None and (t := self.closer.next_due_s()) is not None:
            times.append((t - self.sim_now()) / self.config.speedup)
        return min(max(0.005, min(times, default=5.0)), 5.0)

    def _give_up(self, out: Outgoing) -> None:
        del self._outbox[out.id]
        if out.op:
            if self.closer is not None:
                self.closer.refused(out.incident, out.op, "no answer")
            return
        self.stats.unanswered += 1
        log.warning("%s: no answer after %d sends; given up", out.label, out.attempts)

    # -- receiving -----------------------------------------------------------------

    def _receive(self, topic: str, payload: bytes) -> None:
        try:
            if topic == self.ack_topic:
                self._call_answer(_json_object(payload))
            elif topic == self.action_ack_topic:
                self._action_answer(_json_object(payload))
            elif topic.startswith(self.feed_prefix) and self.closer is not None:
                body = _json_object(payload)
                doc = body.get("incident") if isinstance(body.get("incident"), dict) else body
                self.closer.seen(doc, self.sim_now())
        except (BadAnswer, ValueError, TypeError, KeyError) as exc:
            self.stats.bad_answers += 1
            level = logging.WARNING if self.stats.bad_answers <= LOUD_BAD_ANSWERS else \
                logging.DEBUG
            log.log(level, "unreadable message on %s (%s): %.200r", topic, exc, payload)
        self._wake.set()
        self._notify()

    def _call_answer(self, body: dict[str, Any]) -> None:
        out = self._outbox.get(body.get("id"))  # type: ignore[arg-type]
        if out is None or out.op:
            return      # another client's call, or an answer already counted
        result, call = body.get("result"), self.calls[out.id]
        # "partial" (some units refused) and "failed" (nobody sent) are recorded calls too
        if result in ("accepted", "partial", "failed"):
            if result != "accepted":
                log.warning("%s: dispatch %s: %s", call.ref, result,
                            body.get("reason") or body.get("refused"))
            incident = body.get("incident")
            if not isinstance(incident, str) or not incident:
                raise BadAnswer("accepted without an incident id")
            self.stats.accepted += 1
            self.incidents[out.id] = incident
            log.info("%s: accepted as %s (%s, target %s s, dispatched %s)", call.ref,
                     incident, body.get("zone"), body.get("target_s"),
                     ", ".join(map(str, body.get("dispatched") or [])) or "nobody yet")
            if self.closer is not None:
                self.closer.follow(incident, call.ref, self.sim_now())
        elif result == "rejected":
            self.stats.rejected += 1
            log.warning("%s: rejected: %s", call.ref, body.get("reason"))
        else:
            raise BadAnswer(f"result {result!r}")
        del self._outbox[out.id]

    def _action_answer(self, body: dict[str, Any]) -> None:
        out = self._outbox.get(body.get("id"))  # type: ignore[arg-type]
        if out is None or not out.op:
            return
        result = body.get("result")
        if result in ("accepted", "partial"):  # partial: a dispatch with units refused
            doc = body.get("incident")
            if not isinstance(doc, dict):
                doc = {"id": out.incident, "status": FINAL_STATUS.get(out.op, "")}
            del self._outbox[out.id]
            if out.op != "show":
                self.stats.actions_accepted += 1
            if self.closer is not None and doc.get("status"):
                self.closer.seen(doc, self.sim_now())
        elif result == "rejected":
            if body.get("error") in RETRYABLE:
                out.due = asyncio.get_running_loop().time() + self.config.answer_timeout_s
                return
            del self._outbox[out.id]
            self.stats.actions_rejected += 1
            if self.closer is not None:
                self.closer.refused(out.incident, out.op, str(body.get("reason")))
        else:
            raise BadAnswer(f"result {result!r}")


def _json_object(payload: bytes) -> dict[str, Any]:
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadAnswer(f"not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadAnswer("not a JSON object")
    return body
