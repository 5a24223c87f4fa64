"""fleet.broker: the demo's broker starts, carries MQTT, and leaves no process behind."""

from __future__ import annotations

import asyncio
import logging
import os
import re

import aiomqtt
import pytest

from fleet import broker as demo
from fleet.broker import BrokerUnavailableError, choose_backend, demo_broker, use_broker
from fleet.config import parse_config

BACKENDS = [
    pytest.param("mosquitto", marks=pytest.mark.skipif(demo.find_mosquitto() is None,
                                                       reason="needs mosquitto")),
    pytest.param("amqtt", marks=pytest.mark.skipif(not demo.amqtt_available(),
                                                   reason="needs amqtt")),
]


def _pid(caplog) -> int:
    started = [r.getMessage() for r in caplog.records if "demo broker:" in r.getMessage()]
    return int(re.search(r"pid (\d+)", started[-1]).group(1))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("backend", BACKENDS)
async def test_broker_carries_messages_and_is_stopped_by_pid(backend, caplog):
    caplog.set_level(logging.INFO, logger="fleet.broker")
    async with demo_broker(backend=backend) as url:
        pid = _pid(caplog)
        assert url.startswith("mqtt://127.0.0.1:") and not _gone(pid)
        port = int(url.rsplit(":", 1)[1])
        async with aiomqtt.Client("127.0.0.1", port) as client:
            await client.subscribe("demo/#", qos=1)
            await client.publish("demo/x", b"hello", qos=1, retain=True)
            async with asyncio.timeout(5):
                message = await anext(aiter(client.messages))
        assert message.payload == b"hello"
    assert _gone(pid)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_retained_messages_are_replayed_to_exact_and_wildcard_subscriptions(backend):
    async with demo_broker(backend=backend) as url:
        port = int(url.rsplit(":", 1)[1])
        async with aiomqtt.Client("127.0.0.1", port) as publisher:
            for unit in ("a", "b"):
                await publisher.publish(f"fleet/v1/patrol_car/{unit}/status", b"online",
                                        qos=1, retain=True)
        for wanted, expected in (("fleet/v1/patrol_car/a/status", {"a"}),
                                 ("fleet/v1/+/+/status", {"a", "b"})):
            async with aiomqtt.Client("127.0.0.1", port) as console:
                await console.subscribe(wanted, qos=1)
                seen = set()
                async with asyncio.timeout(5):
                    async for message in console.messages:
                        assert message.retain and message.payload == b"online"
                        seen.add(message.topic.value.split("/")[3])
                        if seen == expected:
                            break


async def test_cancelling_the_demo_stops_the_broker(caplog):
    caplog.set_level(logging.INFO, logger="fleet.broker")
    ready = asyncio.Event()

    async def demo_run() -> None:
        async with demo_broker():
            ready.set()
            await asyncio.Event().wait()  # until cancelled

    task = asyncio.get_running_loop().create_task(demo_run())
    await asyncio.wait_for(ready.wait(), 15)
    pid = _pid(caplog)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _gone(pid)


def test_backend_choice_says_what_to_install(monkeypatch):
    monkeypatch.setattr(demo, "find_mosquitto", lambda: None)
    monkeypatch.setattr(demo, "amqtt_available", lambda: False)
    with pytest.raises(BrokerUnavailableError, match="apt install mosquitto"):
        choose_backend()
    monkeypatch.setattr(demo, "amqtt_available", lambda: True)
    assert choose_backend() == "amqtt"
    with pytest.raises(BrokerUnavailableError, match="mosquitto is not installed"):
        choose_backend("mosquitto")
    with pytest.raises(ValueError, match="unknown broker backend"):
        choose_backend("hivemq")


def test_use_broker_points_the_config_at_the_demo_broker():
    config = parse_config({"mqtt": {"url": "mqtts://broker.example:8883", "username": "u",
                                    "password": "p", "client_id": "fleet-core"}})
    moved = use_broker(config, "mqtt://127.0.0.1:40123").mqtt
    assert (moved.url, moved.host, moved.port, moved.tls, moved.username, moved.password) == \
        ("mqtt://127.0.0.1:40123", "127.0.0.1", 40123, None, None, None)
    assert moved.client_id == "fleet-core" and moved.topic_prefix == "fleet/v1"
    assert use_broker(parse_config({}), "mqtt://127.0.0.1:1").mqtt is None
