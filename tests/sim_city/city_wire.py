"""The test side of the wire: a plain aiomqtt client that keeps what it hears, and the
telemetry contract of docs/mqtt.md written out independently of the simulator's code."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiomqtt

STATUSES = {"available", "patrolling", "dispatched", "en_route", "on_scene", "returning",
            "out_of_service"}
MAX_PAYLOAD = 4096


@dataclass(frozen=True)
class Msg:
    topic: str
    payload: bytes
    retain: bool

    @property
    def unit(self) -> str:
        return self.topic.split("/")[3]

    @property
    def leaf(self) -> str:
        return self.topic.rsplit("/", 1)[-1]

    def json(self) -> dict:
        return json.loads(self.payload)


class Watcher:
    """Everything received is kept in order; waits scan it, then wait for more (timeouts)."""

    def __init__(self, client: aiomqtt.Client) -> None:
        self.client = client
        self.messages: list[Msg] = []
        self._changed = asyncio.Event()

    async def pump(self) -> None:
        async for m in self.client.messages:
            self.messages.append(Msg(str(m.topic), bytes(m.payload), m.retain))  # type: ignore[arg-type]
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[Msg], bool], *, timeout: float = 10.0,
                       start: int = 0) -> Msg:
        i = start
        async with asyncio.timeout(timeout):
            while True:
                changed = self._changed
                while i < len(self.messages):
                    if predicate(self.messages[i]):
                        return self.messages[i]
                    i += 1
                await changed.wait()

    async def wait_count(self, predicate: Callable[[Msg], bool], count: int, *,
                         timeout: float = 10.0, start: int = 0) -> list[Msg]:
        async with asyncio.timeout(timeout):
            while True:
                changed = self._changed
                found = [m for m in self.messages[start:] if predicate(m)]
                if len(found) >= count:
                    return found
                await changed.wait()

    async def wait_for_units(self, predicate: Callable[[Msg], bool], units: set[str], *,
                             timeout: float = 10.0) -> dict[str, Msg]:
        """The first matching message of every unit in ``units``."""
        async with asyncio.timeout(timeout):
            while True:
                changed = self._changed
                first: dict[str, Msg] = {}
                for m in self.messages:
                    if m.topic.count("/") >= 3 and m.unit in units and predicate(m):
                        first.setdefault(m.unit, m)
                if len(first) == len(units):
                    return first
                await changed.wait()

    def acks(self, command_id: str) -> list[dict]:
        return [m.json() for m in self.messages
                if m.leaf == "ack" and m.json().get("id") == command_id]

    async def ack(self, command_id: str, result: str, timeout: float = 10.0) -> dict:
        msg = await self.wait_for(lambda m: m.leaf == "ack" and m.json().get("id") == command_id
                                  and m.json().get("result") == result, timeout=timeout)
        return msg.json()

    def mark(self) -> int:
        """An index: waits with ``start=mark`` only look at what comes after now."""
        return len(self.messages)


@contextlib.asynccontextmanager
async def watching(host: str, port: int, *topics: str,
                   name: str = "test-watcher") -> AsyncIterator[Watcher]:
    async with aiomqtt.Client(host, port, identifier=name) as client:
        for topic in topics:
            await client.subscribe(topic, qos=1)
        watcher = Watcher(client)
        async with asyncio.TaskGroup() as tg:
            pump = tg.create_task(watcher.pump())
            try:
                yield watcher
            finally:
                pump.cancel()


async def send_commands(host: str, port: int, topic: str, *docs: dict | bytes) -> None:
    """Publish commands as fleet does (QoS 1), in order, from one client."""
    async with aiomqtt.Client(host, port, identifier="test-commander") as client:
        for doc in docs:
            payload = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
            await client.publish(topic, payload, qos=1)


def command(command_id: str, kind: str, **fields: object) -> dict:
    return {"v": 1, "id": command_id, "ts": 1795900001.0, "type": kind, **fields}


async def advance_until(advance: Callable[[float], Awaitable[None]], done: Callable[[], bool],
                        *, step_s: float = 5.0, max_sim_s: float = 3600.0) -> float:
    """Step sim time until the simulator's own state says ``done``; sim seconds taken."""
    taken = 0.0
    while not done():
        if taken >= max_sim_s:
            raise AssertionError(f"not done after {max_sim_s} sim s")
        await advance(step_s)
        taken += step_s
    return taken


def _reject_constant(name: str) -> float:
    raise ValueError(name)


def _num(doc: dict, key: str) -> bool:
    value = doc[key]
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        value)


def telemetry_problems(payload: bytes) -> list[str]:
    """Every way ``payload`` breaks the telemetry contract (empty: it is valid)."""
    if len(payload) > MAX_PAYLOAD:
        return ["too large"]
    try:
        doc = json.loads(payload, parse_constant=_reject_constant)
    except ValueError:
        return ["bad JSON"]
    if not isinstance(doc, dict):
        return ["not an object"]
    problems = [f"{k} is null" for k, v in doc.items() if v is None]
    if doc.get("v") != 1 or isinstance(doc.get("v"), bool):
        problems.append("v must be 1")
    for key, lo, hi, required in (("ts", -math.inf, math.inf, True), ("lat", -90, 90, True),
                                  ("lon", -180, 180, True), ("alt", -math.inf, math.inf, False),
                                  ("speed", 0, math.inf, False), ("heading", 0, 360, False),
                                  ("fuel", 0, 100, False)):
        if key not in doc:
            if required:
                problems.append(f"{key} missing")
        elif doc[key] is not None and (not _num(doc, key) or not lo <= doc[key] <= hi):
            problems.append(f"{key} wrong type or out of range")
    if "status" in doc and doc["status"] not in STATUSES:
        problems.append("unknown status")
    crew = doc.get("crew", 0)
    if not isinstance(crew, int) or isinstance(crew, bool) or crew < 0:
        problems.append("crew must be an integer >= 0")
    return problems
