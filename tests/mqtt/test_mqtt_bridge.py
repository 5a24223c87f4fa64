"""The bridge against a real Mosquitto: telemetry, presence and Last Will, the registry
policy, OwnTracks from mosquitto_pub, and fleet's retained state for other consoles."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time

import aiomqtt
import pytest
from mqtt_helpers import PREFIX, ScriptedUnit, bridge_for, running_fleet, telemetry
from waits import connected, until

from fleet.events import ConnectionState
from fleet.model import LinkState, UnitKind, UnitStatus

pytestmark = pytest.mark.broker


async def test_telemetry_updates_the_state(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "car-1") as car:
        await connected(svc)
        link = svc.links()[0]
        assert link.state is ConnectionState.CONNECTED and "MQTT 5" in link.detail
        sent = time.time() - 0.5
        await car.report(lat=26.9012, lon=112.6011, speed=9.5, heading=45.0, fuel=60.0,
                         alt=70.0, status="en_route", ts=sent)
        await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 5)
        snap = svc.snapshot("car-1")
        t = snap.telemetry
        assert (t.lat_deg, t.lon_deg, t.ground_speed_m_s, t.heading_deg, t.battery_pct,
                t.alt_m) == (26.9012, 112.6011, 9.5, 45.0, 60.0, 70.0)
        assert t.mode == "en_route" and t.source_time == sent
        assert abs(t.received_time - time.time()) < 5
        assert snap.link == "mqtt" and snap.status is UnitStatus.EN_ROUTE  # the crew's word
        assert bridge.counters.telemetry == 1 and bridge.counters.refused() == {}


async def test_a_change_in_the_crews_status_becomes_the_units_status(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "car-1") as car:
        await connected(svc)

        async def report(lat, status):
            await car.report(lat=lat, status=status)
            await until(svc, lambda: getattr(svc.state.telemetry("car-1"), "lat_deg", 0)
                        == lat, 5)

        await report(26.90, "patrolling")
        assert svc.state.status("car-1") is UnitStatus.PATROLLING
        svc.set_status("car-1", UnitStatus.OUT_OF_SERVICE, "workshop")
        await report(26.91, "patrolling")  # the same word again: fleet's status stands
        assert svc.state.status("car-1") is UnitStatus.OUT_OF_SERVICE
        await report(26.92, None)  # no status in the report: nothing to say
        assert svc.state.status("car-1") is UnitStatus.OUT_OF_SERVICE
        await report(26.93, "available")  # a new word: the crew is back
        assert svc.state.status("car-1") is UnitStatus.AVAILABLE


async def test_last_will_marks_the_unit_lost_at_once_and_telemetry_recovers_it(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc:
        await connected(svc)
        async with ScriptedUnit(broker, "car-2") as car:
            await car.report()
            await until(svc, lambda: svc.state.link_state("car-2") is LinkState.OK, 5)
            car.drop_connection()  # no DISCONNECT: the broker publishes the Will
            await until(svc, lambda: svc.state.link_state("car-2") is LinkState.LOST, 5)
        lost = [a for a in svc.alerts if a.code == "unit.lost"]
        assert lost[-1].unit_id == "car-2" and "went offline" in lost[-1].message
        assert svc.snapshot("car-2").status is UnitStatus.LOST  # well before its 10 s timeout
        async with ScriptedUnit(broker, "car-2") as car:
            await car.report()
            await until(svc, lambda: svc.state.link_state("car-2") is LinkState.OK, 5)
        assert any(a.code == "unit.recovered" for a in svc.alerts)


async def test_kind_mismatch_and_unknown_units_are_refused_and_counted(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "car-1") as car:
        await connected(svc)
        async with aiomqtt.Client(broker.host, broker.port) as rogue:
            # car-1 is a patrol car, not a boat; "ghost" is in no registry (QoS 1: the
            # broker has queued each for the bridge before car-1 reports below)
            await rogue.publish(f"{PREFIX}/patrol_boat/car-1/telemetry", telemetry(), qos=1)
            await rogue.publish(f"{PREFIX}/patrol_car/ghost/telemetry", telemetry(), qos=1)
            await rogue.publish(f"{PREFIX}/tank/car-1/telemetry", telemetry(), qos=1)
        await car.report()  # after the rogue's messages: the bridge has seen them all
        await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 5)
        assert bridge.counters.refused() == {"kind_mismatch": 2, "unknown_unit": 1}
        assert svc.state.counters.unknown_rejected == 1
        assert "ghost" not in svc.state


async def test_auto_register_creates_units_of_the_topic_kind(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge, unknown_units="auto_register") as svc, \
            ScriptedUnit(broker, "newboat", "command_boat") as boat:
        await connected(svc)
        await boat.report()
        await until(svc, lambda: "mqtt-newboat" in svc.state
                    and svc.state.link_state("mqtt-newboat") is LinkState.OK, 5)
        assert svc.state.unit("mqtt-newboat").kind is UnitKind.COMMAND_BOAT


@pytest.mark.skipif(shutil.which("mosquitto_pub") is None, reason="needs mosquitto-clients")
async def test_owntracks_locations_from_mosquitto_pub(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc:
        await connected(svc)

        def pub(payload: dict, retain: bool = False) -> None:
            subprocess.run(["mosquitto_pub", "-h", broker.host, "-p", str(broker.port),
                            "-t", "owntracks/li/pixel", "-q", "1", "-m", json.dumps(payload),
                            *(["-r"] if retain else [])], check=True, timeout=10)

        now = int(time.time())
        await asyncio.to_thread(pub, {"_type": "location", "lat": 26.91, "lon": 112.61,
                                      "tst": now, "vel": 36, "cog": 90, "batt": 81, "acc": 12,
                                      "alt": 55, "tid": "li"})
        await until(svc, lambda: svc.state.link_state("phone-1") is LinkState.OK, 5)
        t = svc.snapshot("phone-1").telemetry
        assert (t.lat_deg, t.lon_deg, t.heading_deg, t.battery_pct, t.alt_m) == \
            (26.91, 112.61, 90.0, 81.0, 55.0)
        assert t.ground_speed_m_s == pytest.approx(10.0) and t.source_time == now
        await asyncio.to_thread(pub, {"_type": "transition", "event": "enter"})
        await asyncio.to_thread(pub, {"_type": "lwt", "tst": now})
        await until(svc, lambda: svc.state.link_state("phone-1") is LinkState.LOST, 5)
        assert bridge.counters.ignored == 1
        # a retained location from an hour ago must not bring the phone back to life
        await asyncio.to_thread(pub, {"_type": "location", "lat": 26.9, "lon": 112.6,
                                      "tst": now - 3600}, True)
    async with running_fleet(bridge_for(broker)) as svc:
        await connected(svc)
        bridge = svc._links[0]
        await asyncio.to_thread(pub, {"_type": "location", "lat": 26.9, "lon": 112.6,
                                      "tst": int(time.time())})
        await until(svc, lambda: svc.state.link_state("phone-1") is LinkState.OK, 5)
        assert bridge.counters.stale_retained == 1  # the retained one, replayed on subscribe


async def test_state_is_republished_retained_at_most_once_a_second(broker):
    bridge = bridge_for(broker, state_period_s=1.0)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "moto-1", "motorcycle") as m:
        await connected(svc)
        for i in range(5):
            await m.report(lat=26.89 + i * 0.001, ts=time.time())
        await until(svc, lambda: svc.snapshot("moto-1").telemetry is not None
                    and svc.snapshot("moto-1").telemetry.lat_deg > 26.8939, 5)
        svc.set_status("moto-1", UnitStatus.PATROLLING)
        # another console connecting now gets every unit at once, retained
        seen: dict[str, list[dict]] = {}
        async with aiomqtt.Client(broker.host, broker.port) as console:
            await console.subscribe(f"{PREFIX}/state/+", qos=1)
            async with asyncio.timeout(5):
                async for message in console.messages:
                    state = json.loads(message.payload)
                    seen.setdefault(state["id"], []).append(state)
                    if seen.get("moto-1", [{}])[-1].get("status") == "patrolling" and \
                            len(seen) == len(svc.state):
                        break
        assert seen.keys() == set(svc.state.unit_ids())
        moto = seen["moto-1"][-1]
        assert {k: moto[k] for k in ("v", "id", "callsign", "kind", "group", "link_state",
                                     "lat", "lon", "speed", "heading", "fuel")} == {
            "v": 1, "id": "moto-1", "callsign": "Moto 1", "kind": "motorcycle", "group": "",
            "link_state": "ok", "lat": pytest.approx(26.894), "lon": 112.5783,
            "speed": 8.4, "heading": 271.5, "fuel": 76.0}
        assert seen["boat-1"][0]["status"] == "lost" and "lat" not in seen["boat-1"][0]
        # five reports and a status change in ~1 s: at most two publications of moto-1
        assert bridge.state_publisher.published <= len(svc.state) + 2


async def test_retained_state_of_a_unit_no_longer_registered_is_cleared(broker):
    old = json.dumps({"v": 1, "ts": 1.0, "id": "x", "status": "available"}).encode()
    async with aiomqtt.Client(broker.host, broker.port) as earlier_run:
        for unit_id in ("retired-9", "car-1"):  # what an earlier fleet left behind
            await earlier_run.publish(f"{PREFIX}/state/{unit_id}", old, qos=1, retain=True)
    bridge = bridge_for(broker, sweep_s=0.5)
    async with aiomqtt.Client(broker.host, broker.port) as console:
        await console.subscribe(f"{PREFIX}/state/retired-9", qos=1)
        async with running_fleet(bridge) as svc:
            await connected(svc)
            async with asyncio.timeout(5):
                async for message in console.messages:  # the old one, then the clearing
                    if message.payload == b"":
                        break
            assert bridge.counters.state_cleared == 1  # car-1 is registered: kept
    async with aiomqtt.Client(broker.host, broker.port) as late:
        # one subscription after the other: a retained retired-9 would come before car-1
        await late.subscribe(f"{PREFIX}/state/retired-9", qos=1)
        await late.subscribe(f"{PREFIX}/state/car-1", qos=1)
        async with asyncio.timeout(5):
            first = await anext(aiter(late.messages))
        assert first.topic.value == f"{PREFIX}/state/car-1"


async def test_a_report_from_the_future_is_refused_and_the_units_clock_flagged(broker):
    """Issue #14: one report stamped 10 years ahead froze a car for 4.5 minutes. Now it is
    refused (counted as clock_skew), the unit's clock is flagged once, and its next true
    report is applied at once."""
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "car-1") as car:
        await connected(svc)
        await car.report(lat=26.90, ts=time.time())
        await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 5)
        await car.report(lat=26.95, ts=time.time() + 10 * 365 * 86400)
        await car.report(lat=26.91, ts=time.time() - 2 * 86400)  # two days behind
        await until(svc, lambda: bridge.counters.clock_skew == 2, 5)
        flagged = [a for a in svc.alerts if a.code == "mqtt.clock_skew"]
        assert len(flagged) == 1 and flagged[0].unit_id == "car-1"
        assert "days ahead of fleet's" in flagged[0].message
        assert svc.snapshot("car-1").telemetry.lat_deg == 26.90
        await car.report(lat=26.92, ts=time.time())
        await until(svc, lambda: svc.snapshot("car-1").telemetry.lat_deg == 26.92, 5)
        assert [a.code for a in svc.alerts if a.code.startswith("mqtt.clock")] == [
            "mqtt.clock_skew", "mqtt.clock_ok"]
