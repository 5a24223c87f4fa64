"""What goes wrong on a real broker: a crash mid-run, and a thousand garbage payloads.

Plus the incoming queue's overflow policy, which needs no broker.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter

import aiomqtt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mqtt_helpers import (
    PREFIX,
    ScriptedUnit,
    bridge_for,
    fleet_config,
    running_fleet,
    telemetry,
)
from waits import connected, until

from fleet.config import MqttConfig
from fleet.events import ConnectionState
from fleet.links.mqtt import MqttBridge
from fleet.links.mqtt.inbox import Inbox
from fleet.model import LinkState
from fleet.state import FleetState

CAR = f"{PREFIX}/patrol_car/car-1"


@pytest.mark.broker
async def test_broker_killed_and_restarted_mid_run(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc:
        await connected(svc)
        async with ScriptedUnit(broker, "car-1") as car:
            await car.report(lat=26.90)
            await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 5)
            broker.kill()  # SIGKILL: no DISCONNECT, no Will, the socket just dies
            await until(svc, lambda: svc.links()[0].state is not ConnectionState.CONNECTED, 5)
        await asyncio.to_thread(broker.restart)  # same port, empty: no sessions, no retained
        await connected(svc, timeout=10)  # the supervisor reconnected, the bridge resubscribed
        async with ScriptedUnit(broker, "car-1") as car:
            await car.report(lat=26.93, ts=time.time())
            await until(svc, lambda: svc.snapshot("car-1").telemetry.lat_deg == 26.93, 5)
        assert svc.running and bridge.counters.handler_error == 0
        # the state publisher refilled the new broker's (empty) retained store
        async with aiomqtt.Client(broker.host, broker.port) as console:
            await console.subscribe(f"{PREFIX}/state/car-1", qos=1)
            async with asyncio.timeout(5):
                message = await anext(aiter(console.messages))
        assert message.retain and json.loads(message.payload)["id"] == "car-1"


def _garbage() -> list[tuple[str, bytes, str]]:
    """(topic, payload, expected refusal) covering every way in."""
    nan = telemetry().replace(b'"lat": 26.8951', b'"lat": NaN')
    inf = telemetry().replace(b'"alt": 62.0', b'"alt": Infinity')
    pad = json.dumps({"v": 1, "ts": 1.0, "lat": 1.0, "lon": 1.0, "pad": "x" * 5000}).encode()
    return [
        (f"{CAR}/telemetry", b"{not json", "bad_json"),
        (f"{CAR}/telemetry", b"\xff\xfe\x00", "bad_json"),
        (f"{CAR}/telemetry", nan, "bad_json"),
        (f"{CAR}/telemetry", inf, "bad_json"),
        (f"{CAR}/telemetry", b"", "bad_json"),
        (f"{CAR}/telemetry", telemetry(lat="26.9"), "wrong_type"),
        (f"{CAR}/telemetry", telemetry(v=True), "wrong_type"),
        (f"{CAR}/telemetry", telemetry(crew=2.5), "wrong_type"),
        (f"{CAR}/telemetry", b'{"v": 1, "ts": 1.0, "lat": 1.0, "lon": 1.0, "alt": null}',
         "wrong_type"),
        (f"{CAR}/telemetry", b'{"v": 1, "ts": 1.0, "lon": 1.0}', "wrong_type"),
        (f"{CAR}/telemetry", b"[26.9, 112.6]", "wrong_type"),
        (f"{CAR}/telemetry", telemetry(lat=91.0), "out_of_range"),
        (f"{CAR}/telemetry", telemetry(lon=-180.5), "out_of_range"),
        (f"{CAR}/telemetry", telemetry(speed=-1.0), "out_of_range"),
        (f"{CAR}/telemetry", telemetry(heading=360.5), "out_of_range"),
        (f"{CAR}/telemetry", telemetry(fuel=101), "out_of_range"),
        (f"{CAR}/telemetry", telemetry(status="flying"), "out_of_range"),
        (f"{CAR}/telemetry", telemetry(crew=-1), "out_of_range"),
        (f"{CAR}/telemetry", telemetry().replace(b'"alt": 62.0', b'"alt": 1e999'),
         "out_of_range"),
        (f"{CAR}/telemetry", telemetry(v=2), "bad_version"),
        (f"{CAR}/telemetry", pad, "too_large"),
        (f"{CAR}/status", b"maybe", "out_of_range"),
        (f"{CAR}/ack", b'{"v": 1, "id": "c-1", "ts": 1.0, "result": "perhaps"}',
         "out_of_range"),
        (f"{PREFIX}/patrol_car/ghost/telemetry", telemetry(), "unknown_unit"),
        (f"{PREFIX}/tank/tank-1/telemetry", telemetry(), "unknown_topic"),
        (f"{PREFIX}/patrol_boat/car-1/telemetry", telemetry(), "kind_mismatch"),
        ("owntracks/li/pixel", b'{"_type": "location", "lat": "x"}', "wrong_type"),
    ]


@pytest.mark.broker
async def test_a_thousand_garbage_payloads_are_counted_logged_once_and_harmless(broker, caplog):
    caplog.set_level(logging.WARNING, logger="fleet.mqtt")
    bridge = bridge_for(broker)
    kinds = _garbage()
    sent = [kinds[i % len(kinds)] for i in range(1000)]
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "car-1") as car:
        await connected(svc)
        await car.report(lat=26.90, lon=112.60)
        await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 5)
        before = svc.snapshot("car-1")
        async with aiomqtt.Client(broker.host, broker.port) as rogue:
            for topic, payload, _ in sent:
                await rogue.publish(topic, payload, qos=0)
            # a good report after them all, from the same client: the bridge gets it last
            await rogue.publish(f"{CAR}/telemetry", telemetry(lat=26.95, ts=time.time()),
                                qos=1)
            await until(svc, lambda: svc.snapshot("car-1").telemetry.lat_deg == 26.95, 10)
        assert svc.snapshot("car-1").telemetry.lon_deg == 112.5783
        assert before.telemetry.lat_deg == 26.90  # nothing in between touched the state
        expected = Counter(reason for _, _, reason in sent)
        assert bridge.counters.refused() == dict(expected)
        assert svc.state.counters.applied == 2 and svc.state.counters.invalid == 0
        assert svc.running and svc.links()[0].state is ConnectionState.CONNECTED
    refusals = [r.getMessage() for r in caplog.records if r.name == "fleet.mqtt"]
    logged = Counter(m.split("(", 1)[1].split(")", 1)[0] for m in refusals)
    assert logged == dict.fromkeys(expected, 1)  # once per kind, not once per message
    alerts = Counter(a.code for a in svc.alerts if a.code.startswith("mqtt."))
    assert alerts == {f"mqtt.{k}": 1 for k in expected}


def _message(topic: str, n: int) -> aiomqtt.Message:
    return aiomqtt.Message(topic, str(n).encode(), 0, False, n, None)


async def test_full_inbox_drops_the_oldest_telemetry_else_the_newcomer():
    dropped: list[int] = []
    inbox = Inbox(3, lambda m: dropped.append(int(m.payload)))
    inbox.put_nowait(_message(f"{CAR}/ack", 1))
    inbox.put_nowait(_message(f"{CAR}/telemetry", 2))
    inbox.put_nowait(_message(f"{CAR}/telemetry", 3))
    inbox.put_nowait(_message(f"{CAR}/status", 4))  # full: the oldest telemetry (2) goes
    assert dropped == [2]
    inbox.put_nowait(_message(f"{CAR}/ack", 5))  # full: telemetry 3 goes
    inbox.put_nowait(_message(f"{CAR}/ack", 6))  # full of non-telemetry: 6 itself is lost
    assert dropped == [2, 3, 6]
    assert [int(inbox.get_nowait().payload) for _ in range(3)] == [1, 4, 5]


class StateContext:
    """The LinkContext over a bare FleetState: enough to drive the bridge's handlers."""

    link_name = "mqtt"

    def __init__(self, state):
        self.state = state
        self.resolve = state.resolve
        self.routes = {}

    def telemetry(self, unit_id, telemetry):
        self.state.ingest(unit_id, telemetry, 1.0, "mqtt")

    def route(self, unit_id, driver):
        self.routes[unit_id] = driver

    def alert(self, *args, **kwargs):
        pass

    def wall(self):
        return time.time()

    def unit_offline(self, unit_id, reason):
        self.state.mark_lost(unit_id, reason, "mqtt")

    def crew_status(self, unit_id, status):
        self.state.set_status(unit_id, status, "crew")

    def snapshot(self, unit_id):
        return self.state.snapshot(unit_id)


_values = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=8),
                    st.floats(), st.lists(st.integers(), max_size=2))
_payloads = st.one_of(
    st.binary(max_size=64),
    st.dictionaries(st.sampled_from(["v", "ts", "lat", "lon", "alt", "speed", "heading",
                                     "fuel", "status", "crew", "id", "result", "_type", "tst"]),
                    _values, max_size=10).map(lambda d: json.dumps(d).encode()),
)
_topics = st.one_of(
    st.sampled_from([f"{CAR}/telemetry", f"{CAR}/status", f"{CAR}/ack", "owntracks/li/pixel",
                     f"{PREFIX}/patrol_boat/car-1/telemetry", f"{PREFIX}/x/y/z",
                     f"{PREFIX}/patrol_car/ghost/ack", "owntracks/a/b"]),
    # any topic a broker can deliver: no wildcards, not empty (aiomqtt checks that)
    st.text(st.characters(blacklist_characters="+#", blacklist_categories=["Cs"]),
            min_size=1, max_size=30),
)


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_topics, _payloads, st.booleans()), max_size=20))
def test_no_message_can_crash_the_bridge_or_corrupt_the_state(messages):
    state = FleetState(fleet_config().units)
    bridge = MqttBridge(MqttConfig("mqtt://h:1", "h", 1, None, None, None, None, 5, PREFIX))
    bridge._ctx = StateContext(state)
    for topic, payload, retain in messages:
        bridge._handle(aiomqtt.Message(topic, payload, 0, retain, 1, None))
    assert bridge.counters.handler_error == 0
    for unit_id in state.unit_ids():
        t = state.telemetry(unit_id)
        if t is not None:
            assert -90 <= t.lat_deg <= 90 and -180 <= t.lon_deg <= 180
            assert t.battery_pct is None or 0 <= t.battery_pct <= 100
