"""Shared pieces of the MQTT tests: configs, a fleet with a bridge, and a scripted unit.

A ScriptedUnit is a vehicle on the wire, written with plain aiomqtt as a simulator
would be (it never imports the bridge): Last Will and presence, telemetry, and a
command script deciding which acks to send for each command it receives.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiomqtt
from aiomqtt import ProtocolVersion, Will

from fleet.config import MqttConfig, TlsConfig, parse_config
from fleet.links.mqtt import MqttBridge, RetryPolicy
from fleet.links.supervisor import ReconnectPolicy
from fleet.service import FleetService

PREFIX = "fleet/v1"
FAST_RECONNECT = ReconnectPolicy(initial_s=0.05, max_s=0.3, jitter=0.2)

UNITS = [
    {"id": "car-1", "callsign": "Car 1", "kind": "patrol_car"},
    {"id": "car-2", "callsign": "Car 2", "kind": "patrol_car"},
    {"id": "moto-1", "callsign": "Moto 1", "kind": "motorcycle"},
    {"id": "boat-1", "callsign": "River 1", "kind": "patrol_boat"},
    {"id": "phone-1", "callsign": "Sergeant Li", "kind": "patrol_car", "mqtt": "phone-1",
     "owntracks": "li/pixel"},
]


def fleet_config(unknown_units: str = "reject", units: list[dict] | None = None):
    """The test fleet, without [mqtt]: tests add their own bridge (with short timeouts)."""
    return parse_config({"fleet": {"name": "mqtt-test"},
                         "registry": {"unknown_units": unknown_units},
                         "units": units if units is not None else UNITS})


def mqtt_config(broker, *, username: str | None = None, password: str | None = None,
                tls: TlsConfig | None = None, client_id: str | None = None) -> MqttConfig:
    return MqttConfig(url=broker.url, host=broker.host, port=broker.port, tls=tls,
                      username=username, password=password, client_id=client_id,
                      keepalive_s=5, topic_prefix=PREFIX)


def bridge_for(broker, *, ack_timeout_s: float = 0.5, **kw: Any) -> MqttBridge:
    options = {k: kw.pop(k) for k in ("max_queued", "protocol", "state_period_s", "timeout_s",
                                           "sweep_s")
               if k in kw}
    options.setdefault("timeout_s", 5.0)
    return MqttBridge(mqtt_config(broker, **kw), retry=RetryPolicy(ack_timeout_s=ack_timeout_s),
                      **options)


@contextlib.asynccontextmanager
async def running_fleet(bridge: MqttBridge, *, unknown_units: str = "reject"
                        ) -> AsyncIterator[FleetService]:
    async with FleetService(fleet_config(unknown_units), links=[bridge],
                            reconnect=FAST_RECONNECT) as svc:
        yield svc


def telemetry(**fields: Any) -> bytes:
    body = {"v": 1, "ts": time.time(), "lat": 26.8951, "lon": 112.5783, "alt": 62.0,
            "speed": 8.4, "heading": 271.5, "fuel": 76.0, "status": "patrolling", "crew": 2}
    body.update(fields)
    return json.dumps({k: v for k, v in body.items() if v is not None}).encode()


def accept(command: dict) -> list[tuple[str, str | None]]:
    return [("accepted", None)]


class ScriptedUnit:
    """``async with ScriptedUnit(broker, "car-1") as car:`` online, then scriptable."""

    def __init__(
        self, broker, unit_id: str, kind: str = "patrol_car", *,
        script: Callable[[dict], list[tuple[str, str | None]]] = accept,
        username: str | None = None, password: str | None = None,
        protocol: ProtocolVersion = ProtocolVersion.V311,
    ) -> None:
        self.unit_id = unit_id
        self.kind = kind
        self.base = f"{PREFIX}/{kind}/{unit_id}"
        self.script = script
        self.commands: list[dict] = []
        self._received = asyncio.Condition()
        tls = getattr(broker, "tls", None)  # tests/broker.py's TlsFiles when TLS is on
        self.client = aiomqtt.Client(
            broker.host, broker.port, identifier=f"unit-{unit_id}", username=username,
            password=password, protocol=protocol, keepalive=5,
            will=Will(f"{self.base}/status", b"offline", qos=1, retain=True),
            tls_context=ssl.create_default_context(cafile=str(tls.ca)) if tls else None,
        )
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ScriptedUnit:
        await self.client.__aenter__()
        await self.client.subscribe(f"{self.base}/cmd", qos=1)
        await self.client.publish(f"{self.base}/status", b"online", qos=1, retain=True)
        self._task = asyncio.get_running_loop().create_task(self._serve())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
            await self._task
        with contextlib.suppress(aiomqtt.MqttError):
            await self.client.__aexit__(None, None, None)

    async def _serve(self) -> None:
        with contextlib.suppress(aiomqtt.MqttError):
            async for message in self.client.messages:
                command = json.loads(message.payload)
                async with self._received:
                    self.commands.append(command)
                    self._received.notify_all()
                for result, reason in self.script(command):
                    await self.ack(command["id"], result, reason)

    async def ack(self, command_id: str, result: str, reason: str | None = None) -> None:
        body: dict[str, Any] = {"v": 1, "id": command_id, "ts": time.time(), "result": result}
        if reason is not None:
            body["reason"] = reason
        await self.client.publish(f"{self.base}/ack", json.dumps(body).encode(), qos=1)
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            # aiomqtt's wait_for drops a cancellation that meets the PUBACK (Python 3.11,
            # CPython gh-86296); without this, __aexit__ waited for _serve for ever
            raise asyncio.CancelledError

    async def report(self, **fields: Any) -> None:
        await self.client.publish(f"{self.base}/telemetry", telemetry(**fields), qos=0)

    async def publish(self, leaf: str, payload: bytes, qos: int = 0) -> None:
        await self.client.publish(f"{self.base}/{leaf}", payload, qos=qos)

    async def wait_commands(self, n: int, timeout: float = 5.0) -> list[dict]:
        async with asyncio.timeout(timeout), self._received:
            await self._received.wait_for(lambda: len(self.commands) >= n)
        return self.commands

    def drop_connection(self) -> None:
        """Vanish without DISCONNECT (a car driving into a tunnel): the broker sends the
        Last Will once it sees the socket close."""
        sock = self.client._client.socket()
        sock.shutdown(socket.SHUT_RDWR)
