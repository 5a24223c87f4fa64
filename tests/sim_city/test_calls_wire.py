"""The call centre against a real Mosquitto, with a stand-in for fleet's CAD interface:
requests as documented, answers counted, resends, auto-dispatch's clear and close, and a
broker restart. Sim time runs fast (``speedup``), so minutes on scene take a fraction of a
second; every wait is for a message or a state change, with a timeout."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiomqtt
import pytest

from fleet.config import demo_config_path, load_config
from fleet.demo import places_document
from fleet.dispatch.cad import parse_request
from simulators.calls import DISPOSITIONS, Broker, CallCentre, CallsConfig, parse_places

pytestmark = pytest.mark.broker

PLACES = parse_places(places_document(load_config(demo_config_path())))
P = "fleet/v1"


@dataclass
class Heard:
    topic: str
    payload: bytes
    at: float

    def json(self) -> dict:
        return json.loads(self.payload)


@dataclass
class FakeCad:
    """The core's side of the CAD topics, answered by the test itself."""

    client: aiomqtt.Client
    heard: list[Heard] = field(default_factory=list)
    new: asyncio.Event = field(default_factory=asyncio.Event)

    async def pump(self) -> None:
        async for m in self.client.messages:
            self.heard.append(Heard(m.topic.value, bytes(m.payload),  # type: ignore[arg-type]
                                    asyncio.get_running_loop().time()))
            self.new.set()

    async def wait_count(self, predicate: Callable[[Heard], bool], count: int = 1,
                         timeout: float = 10.0) -> list[Heard]:
        async with asyncio.timeout(timeout):
            while len(found := [h for h in self.heard if predicate(h)]) < count:
                self.new.clear()
                await self.new.wait()
        return found

    async def requests(self, count: int = 1) -> list[Heard]:
        return await self.wait_count(lambda h: h.topic == f"{P}/cad/incident", count)

    async def actions(self, count: int = 1) -> list[Heard]:
        return await self.wait_count(lambda h: h.topic == f"{P}/cad/action", count)

    async def send(self, topic: str, body: dict | bytes) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        await self.client.publish(f"{P}/{topic}", payload, qos=1)

    async def answer_call(self, rid: str, incident: str = "", reason: str = "") -> None:
        body = ({"result": "accepted", "incident": incident, "zone": "downtown",
                 "target_s": 180.0, "status": "dispatched", "dispatched": ["rp18-pc1"]}
                if incident else {"result": "rejected", "reason": reason})
        await self.send("cad/incident/ack", {"v": 1, "id": rid, "ts": 0.0, **body})

    async def feed(self, incident: str, status: str) -> None:
        await self.send(f"cad/incidents/{incident}",
                        {"v": 1, "ts": 0.0, "incident": {"id": incident, "status": status,
                                                         "units": []}})


@contextlib.asynccontextmanager
async def fake_cad(broker) -> AsyncIterator[FakeCad]:
    async with aiomqtt.Client(broker.host, broker.port, identifier="fake-cad") as client:
        await client.subscribe([(f"{P}/cad/incident", 1), (f"{P}/cad/action", 1)])
        cad = FakeCad(client)
        pump = asyncio.create_task(cad.pump())
        try:
            yield cad
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                await pump


@contextlib.asynccontextmanager
async def centre(broker, **kw: object) -> AsyncIterator[CallCentre]:
    options = {"broker": Broker(broker.host, broker.port), "run_id": "t", "status_every_s": 0,
               "first_call_s": (1.0, 1.0), "speedup": 60.0, **kw}
    c = CallCentre(CallsConfig(**options), PLACES)  # type: ignore[arg-type]
    task = asyncio.create_task(c.run())
    try:
        await c.wait_until(c.connected.is_set)
        yield c
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_calls_are_the_documented_requests_and_every_answer_is_counted(broker):
    async with fake_cad(broker) as cad, centre(broker, calls_per_hour=60.0, speedup=3600.0,
                                                max_calls=5) as c:
        heard = await cad.requests(5)
        docs = [h.json() for h in heard]
        for doc in docs:
            req = parse_request(json.dumps(doc).encode())   # the core's own parser
            assert req.operator == "110 call centre" and req.ref.startswith("110-")
            assert req.dispatch is False and req.category in {c.id for c in PLACES.categories}
        for i, doc in enumerate(docs[:4]):
            await cad.answer_call(doc["id"], incident=f"INC-{i}")
        await cad.answer_call(docs[4]["id"], reason="outside the city")
        await cad.send("cad/incident/ack", b"{not json")                    # counted
        await cad.answer_call("someone-elses-call", incident="INC-99")      # not ours
        await c.wait_until(lambda: (c.stats.accepted, c.stats.rejected, c.stats.bad_answers)
                           == (4, 1, 1))
        assert c.incidents == {d["id"]: f"INC-{i}" for i, d in enumerate(docs[:4])}
        assert c.stats.calls == 5 and c.summary()["waiting"] == 0


async def test_an_unanswered_call_is_sent_again_byte_for_byte_until_answered(broker):
    async with fake_cad(broker) as cad, centre(broker, calls_per_hour=1.0, max_calls=1,
                                                answer_timeout_s=0.2) as c:
        first, again = await cad.requests(2)
        assert first.payload == again.payload
        await cad.answer_call(first.json()["id"], incident="INC-1")
        await c.wait_until(lambda: c.stats.accepted == 1)
        assert c.stats.resent >= 1 and c.stats.unanswered == 0


async def test_auto_dispatch_clears_after_the_scene_time_then_closes(broker):
    speedup = 600.0
    async with fake_cad(broker) as cad, centre(broker, calls_per_hour=1.0, max_calls=1,
                                                auto_dispatch=True, speedup=speedup) as c:
        [request] = await cad.requests()
        assert request.json()["dispatch"] is True
        await cad.feed("INC-1", "received")            # the feed may beat the answer
        await cad.answer_call(request.json()["id"], incident="INC-1")
        await cad.feed("INC-1", "en_route")
        await cad.feed("INC-1", "on_scene")
        on_scene_at = asyncio.get_running_loop().time()
        [clear] = await cad.actions()
        body = clear.json()
        assert body["op"] == "clear" and body["incident"] == "INC-1" and body["v"] == 1
        assert body["operator"] == "110 call centre" and body["disposition"] in DISPOSITIONS
        assert clear.at - on_scene_at >= 180.0 / speedup - 0.05      # 3 min on scene
        await cad.send("cad/action/ack", {"v": 1, "id": body["id"], "result": "accepted",
                                          "op": "clear",
                                          "incident": {"id": "INC-1", "status": "cleared"}})
        _, close = await cad.actions(2)
        assert close.json()["op"] == "close" and close.json()["incident"] == "INC-1"
        await cad.send("cad/action/ack", {"v": 1, "id": close.json()["id"], "op": "close",
                                          "result": "accepted"})
        await c.wait_until(lambda: c.closer.stats.closed == 1)
        assert c.stats.actions_accepted == 2 and not c.closer.followed


async def test_a_call_nobody_reaches_is_left_for_the_operator(broker):
    async with fake_cad(broker) as cad, centre(broker, calls_per_hour=1.0, max_calls=1,
                                                auto_dispatch=True, speedup=600.0,
                                                unreached_s=300.0) as c:
        [request] = await cad.requests()
        await cad.answer_call(request.json()["id"], incident="INC-1")
        await cad.feed("INC-1", "dispatched")
        await c.wait_until(lambda: c.closer.stats.left == 1)
        assert not [h for h in cad.heard if h.topic.endswith("cad/action")]


async def test_a_refused_clear_is_logged_and_left_for_the_operator(broker):
    async with fake_cad(broker) as cad, centre(broker, calls_per_hour=1.0, max_calls=1,
                                                auto_dispatch=True, speedup=600.0,
                                                scene_s=(0.0, 0.0)) as c:
        [request] = await cad.requests()
        await cad.answer_call(request.json()["id"], incident="INC-1")
        await cad.feed("INC-1", "on_scene")
        [clear] = await cad.actions()
        await cad.send("cad/action/ack", {"v": 1, "id": clear.json()["id"], "op": "clear",
                                          "result": "rejected", "error": "illegal_transition",
                                          "reason": "incident INC-1 is closed"})
        await c.wait_until(lambda: c.closer.stats.left == 1)
        assert c.stats.actions_rejected == 1


async def test_a_call_placed_while_the_broker_is_down_gets_through_after_it_returns(broker):
    async with centre(broker, calls_per_hour=1.0, max_calls=1, first_call_s=(90.0, 90.0),
                      answer_timeout_s=0.5) as c:
        broker.kill()                                   # a crash: no clean disconnect
        await c.wait_until(lambda: not c.connected.is_set())
        await c.wait_until(lambda: c.stats.calls == 1)  # 90 sim s = 1.5 s later
        broker.restart()
        async with fake_cad(broker) as cad:
            [request] = await cad.requests()
            await cad.answer_call(request.json()["id"], incident="INC-1")
            await c.wait_until(lambda: c.stats.accepted == 1)
        assert c.stats.connections >= 2 and c.stats.unanswered == 0
