"""Commands over MQTT and their acks (docs/mqtt.md), against a real Mosquitto."""

from __future__ import annotations

import pytest
from city_wire import advance_until, command, send_commands

from simulators.city import Activity
from simulators.city.geo import haversine_m

pytestmark = pytest.mark.broker

STATION = (26.8925, 112.626)
UNIT = "rp01-pc1"


@pytest.fixture
def city_options() -> dict[str, object]:
    return {"rate_hz": 0.1}     # a report every 10 sim s: the acks matter here, not the load


@pytest.fixture
def send(broker, sim):
    async def send_to(unit: str, *docs: dict | bytes) -> None:
        await send_commands(broker.host, broker.port, sim.topics(unit).cmd, *docs)
    return send_to


def arrived(sim, unit):
    return lambda: sim.unit(unit).activity in (Activity.STOPPED, Activity.PARKED)


async def test_goto_is_accepted_then_completed_at_arrival(sim, watcher, send):
    await send(UNIT, command("g1", "goto", lat=STATION[0], lon=STATION[1]))
    accepted = await watcher.ack("g1", "accepted")
    assert sim.truth(UNIT).status == "en_route"
    taken = await advance_until(sim.advance, arrived(sim, UNIT), step_s=10)
    completed = await watcher.ack("g1", "completed")
    assert 60 < completed["ts"] - accepted["ts"] <= taken
    truth = sim.truth(UNIT)
    assert haversine_m(truth.lat, truth.lon, *STATION) < 5 and truth.status == "on_scene"
    mark = watcher.mark()
    await sim.advance(10)
    report = await watcher.wait_for(lambda m: m.unit == UNIT and m.leaf == "telemetry",
                                    start=mark)
    assert report.json()["status"] == "on_scene" and report.json()["speed"] == 0


async def test_a_parked_command_vehicle_sets_off_and_completes_only_at_the_call(sim, watcher,
                                                                             send):
    """The demo's case: a call 100 m from a command vehicle's square, off the main roads."""
    unit = "rp01-cv1"
    spec = sim.agents[unit].spec
    call = (spec.base_lat + 0.0009, spec.base_lon)      # 100 m north, beside no road
    assert sim.unit(unit).activity is Activity.PARKED
    mark = watcher.mark()
    await send(unit, command("c1", "goto", lat=call[0], lon=call[1]))
    accepted = await watcher.ack("c1", "accepted")
    await advance_until(sim.advance, arrived(sim, unit), step_s=2)
    completed = await watcher.ack("c1", "completed")
    assert completed["ts"] - accepted["ts"] >= 100 / 3.5 - 2     # the last leg on foot
    truth = sim.truth(unit)
    assert haversine_m(truth.lat, truth.lon, *call) < 5 and truth.status == "on_scene"
    moving = await watcher.wait_for(
        lambda m: m.unit == unit and m.leaf == "telemetry" and m.json()["speed"] > 0,
        start=mark)
    doc = moving.json()
    assert haversine_m(doc["lat"], doc["lon"], spec.base_lat, spec.base_lon) > 5
    assert doc["status"] == "en_route"


async def test_patrol_is_accepted_never_completed_and_followed(sim, watcher, send):
    route = [[26.8850, 112.5750], [26.8950, 112.5780]]
    await send(UNIT, command("p1", "patrol", route=route))
    await watcher.ack("p1", "accepted")
    passes = 0
    near = False
    for _ in range(120):
        await sim.advance(15)       # the sim's truth, checked at every step
        truth = sim.truth(UNIT)
        now_near = haversine_m(truth.lat, truth.lon, *route[1]) < 250
        passes += now_near and not near
        near = now_near
    assert passes >= 2 and truth.status == "patrolling"
    assert [a["result"] for a in watcher.acks("p1")] == ["accepted"]


async def test_hold_stops_the_unit_where_it_is(sim, watcher, send):
    await sim.advance(30)
    await send(UNIT, command("h1", "hold"))
    await watcher.ack("h1", "completed")
    where = sim.truth(UNIT)
    position = (where.lat, where.lon)
    await sim.advance(120)
    assert (sim.truth(UNIT).lat, sim.truth(UNIT).lon) == position
    assert sim.truth(UNIT).speed_m_s == 0
    assert [a["result"] for a in watcher.acks("h1")] == ["accepted", "completed"]


async def test_return_brings_the_unit_back_to_its_post(sim, watcher, send):
    await send(UNIT, command("g2", "goto", lat=STATION[0], lon=STATION[1]),
               command("r1", "return"))
    await watcher.ack("r1", "accepted")
    assert sim.truth(UNIT).status == "returning"
    await advance_until(sim.advance, arrived(sim, UNIT), step_s=10)
    await watcher.ack("r1", "completed")
    spec = sim.agents[UNIT].spec
    truth = sim.truth(UNIT)
    assert (truth.lat, truth.lon) == (spec.base_lat, spec.base_lon)
    assert truth.status == "available"
    assert [a["result"] for a in watcher.acks("g2")] == ["accepted"]   # replaced, never done


async def test_set_status_is_reported_in_telemetry(sim, watcher, send):
    await send(UNIT, command("s1", "set_status", status="out_of_service"))
    await watcher.ack("s1", "completed")
    mark = watcher.mark()
    await sim.advance(10)
    report = await watcher.wait_for(lambda m: m.unit == UNIT and m.leaf == "telemetry",
                                    start=mark)
    assert report.json()["status"] == "out_of_service"


@pytest.mark.parametrize("unit, doc, reason", [
    (UNIT, command("x1", "goto", lat=30.5, lon=100.0), "no route"),
    ("boat-pb1", command("x2", "goto", lat=26.889, lon=112.545), "no route"),
    (UNIT, command("x3", "goto", lat="26.9", lon=112.6), "goto needs"),
    (UNIT, command("x4", "teleport"), "unknown command type"),
    (UNIT, command("x5", "set_status", status="asleep"), "unknown status"),
    (UNIT, command("x6", "patrol", route=[[26.9, 112.6]]), "at least 2"),
])
async def test_impossible_or_malformed_commands_are_rejected(sim, watcher, send, unit, doc,
                                                             reason):
    before = sim.unit(unit).activity
    await send(unit, doc)
    ack = await watcher.ack(doc["id"], "rejected")
    assert reason in ack["reason"]
    assert sim.unit(unit).activity is before


async def test_a_command_without_an_id_is_dropped_and_the_unit_carries_on(sim, watcher, send):
    await send(UNIT, b"{not json", b'{"v": 1, "type": "hold"}', command("h9", "hold"))
    await watcher.ack("h9", "completed")
    assert sim.agents[UNIT].stats.unanswerable == 2
    assert {m.json().get("id") for m in watcher.messages if m.leaf == "ack"} == {"h9"}


async def test_a_resent_command_is_answered_again_but_not_executed_twice(sim, watcher, send):
    first = command("d1", "goto", lat=STATION[0], lon=STATION[1])
    elsewhere = command("d2", "goto", lat=26.9000, lon=112.5550)
    await send(UNIT, first)
    await watcher.ack("d1", "accepted")
    await send(UNIT, elsewhere, first)          # fleet's retry of d1 arrives late
    await watcher.wait_count(lambda m: m.leaf == "ack" and m.json()["id"] == "d1", 2)
    assert sim.unit(UNIT).command_id == "d2"     # still going to d2's target
    await advance_until(sim.advance, arrived(sim, UNIT), step_s=10)
    await watcher.ack("d2", "completed")
    truth = sim.truth(UNIT)
    assert haversine_m(truth.lat, truth.lon, 26.9000, 112.5550) < 5
    d1 = [m.payload for m in watcher.messages if m.leaf == "ack" and b'"d1"' in m.payload]
    assert len(d1) == 2 and d1[0] == d1[1]       # the same answer, byte for byte
    assert sim.agents[UNIT].stats.duplicates == 1
