"""fleet.broker: the demo's closed broker starts, carries MQTT for its accounts, keeps
its secrets private, and leaves no process behind."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import stat

import aiomqtt
import pytest

from fleet import broker as demo
from fleet.broker import BrokerUnavailableError, demo_broker, open_broker, use_broker
from fleet.brokerconf import CORE_USER, plan_accounts
from fleet.config import parse_config

pytestmark = pytest.mark.skipif(demo.find_mosquitto() is None, reason="needs mosquitto")
CONFIG = parse_config({"mqtt": {"url": "mqtt://127.0.0.1:1883"},
                       "units": [{"id": "car-1", "callsign": "Car 1", "kind": "patrol_car"}]})
ACCOUNTS = plan_accounts(CONFIG, cad_users=("cad",))


def _pid(caplog) -> int:
    started = [r.getMessage() for r in caplog.records if "demo broker:" in r.getMessage()]
    return int(re.search(r"pid (\d+)", started[-1]).group(1))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def test_broker_carries_messages_for_its_accounts_and_is_stopped_by_pid(tmp_path,
                                                                              caplog):
    caplog.set_level(logging.INFO, logger="fleet.broker")
    async with demo_broker(ACCOUNTS, tmp_path) as b:
        pid = _pid(caplog)
        assert b.pid == pid and not _gone(pid)
        assert b.units_url.startswith("mqtt://127.0.0.1:") and b.units_url != b.control_url
        async with aiomqtt.Client("127.0.0.1", _port(b.control_url), username=CORE_USER,
                                  password=b.files.password(CORE_USER)) as core:
            await core.subscribe("fleet/v1/state/#", qos=1)
            await core.publish("fleet/v1/state/car-1", b"hello", qos=1, retain=True)
            async with asyncio.timeout(5):
                message = await anext(aiter(core.messages))
        assert message.payload == b"hello"
    assert _gone(pid)


async def test_secrets_are_private_and_never_logged(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with demo_broker(ACCOUNTS, tmp_path) as b:
        secrets = [b.files.password(u) for u in ACCOUNTS.control_users]
        secrets += json.loads(b.files.unit_credentials.read_text()).values()
        for path in (*b.files.secrets.values(), b.files.unit_credentials,
                     tmp_path / "units.passwd", tmp_path / "control.passwd"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(b.files.unit_credentials.parent.stat().st_mode) == 0o700
        conf = b.files.conf.read_text()
        assert "allow_anonymous false" in conf and "allow_anonymous true" not in conf
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert len(secrets) == 3 and not any(s in logged for s in secrets)


async def test_cancelling_the_demo_stops_the_broker(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="fleet.broker")
    ready = asyncio.Event()

    async def demo_run() -> None:
        async with demo_broker(ACCOUNTS, tmp_path):
            ready.set()
            await asyncio.Event().wait()  # until cancelled

    task = asyncio.get_running_loop().create_task(demo_run())
    await asyncio.wait_for(ready.wait(), 15)
    pid = _pid(caplog)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _gone(pid)


async def test_the_benchmarks_open_broker_is_anonymous():
    async with open_broker() as url, aiomqtt.Client("127.0.0.1", _port(url)) as client:
        await client.subscribe("x", qos=1)
        await client.publish("x", b"1", qos=1)
        async with asyncio.timeout(5):
            assert (await anext(aiter(client.messages))).payload == b"1"


def test_without_mosquitto_the_demo_says_what_to_install(monkeypatch):
    monkeypatch.setattr(demo, "find_mosquitto", lambda: None)
    with pytest.raises(BrokerUnavailableError, match="make demo"):
        demo.require_mosquitto()


def test_use_broker_points_the_config_at_the_demo_broker():
    config = parse_config({"mqtt": {"url": "mqtts://broker.example:8883", "username": "u",
                                    "password": "p", "client_id": "fleet-core"}})
    moved = use_broker(config, "mqtt://127.0.0.1:40123", CORE_USER, "pw").mqtt
    assert (moved.url, moved.host, moved.port, moved.tls, moved.username, moved.password) == \
        ("mqtt://127.0.0.1:40123", "127.0.0.1", 40123, None, CORE_USER, "pw")
    assert moved.client_id == "fleet-core" and moved.topic_prefix == "fleet/v1"
    assert use_broker(parse_config({}), "mqtt://127.0.0.1:1").mqtt is None
