"""Fault injection seen from the wire: garbage, clock skew, duplicate ids, timed disconnects."""

from __future__ import annotations

import asyncio

import pytest
from city_wire import command, send_commands, telemetry_problems

from simulators.city import FaultSpec, ManualClock
from simulators.city.geo import haversine_m

pytestmark = pytest.mark.broker

UNIT = "rp01-mc4"


def telemetry_of(unit: str):
    return lambda m: m.unit == unit and m.leaf == "telemetry"


async def test_garbage_payloads_break_the_contract_then_stop(sim, watcher):
    sim.set_garbage(UNIT, 1.0, ("bad_json", "nan", "out_of_range", "huge"))
    mark = watcher.mark()
    await sim.advance(8)
    bad = await watcher.wait_count(telemetry_of(UNIT), 8, start=mark)
    assert all(telemetry_problems(m.payload) for m in bad)
    assert any(len(m.payload) > 4096 for m in bad) or len({m.payload[:5] for m in bad}) > 1
    sim.set_garbage(UNIT, 0.0)
    mark = watcher.mark()
    await sim.advance(2)
    good = await watcher.wait_for(telemetry_of(UNIT), start=mark)
    assert telemetry_problems(good.payload) == []
    assert sim.agents[UNIT].stats.garbage_sent == 8


async def test_clock_skew_offsets_telemetry_and_ack_timestamps(broker, sim, watcher):
    clock = sim.clock
    assert isinstance(clock, ManualClock)
    sim.set_clock_skew(UNIT, -90.0)
    mark = watcher.mark()
    await sim.advance(2)
    report = await watcher.wait_for(telemetry_of(UNIT), start=mark)
    true_now = clock.epoch + clock.now()
    assert -90 - 2.0 <= report.json()["ts"] - true_now <= -90   # reported in the last 2 s
    await send_commands(broker.host, broker.port, sim.topics(UNIT).cmd, command("k1", "hold"))
    ack = await watcher.ack("k1", "accepted")
    assert ack["ts"] == pytest.approx(true_now - 90.0)


async def test_a_second_client_with_another_id_reports_a_second_position(sim, watcher):
    twin = sim.start_duplicate(UNIT, same_client_id=False)
    assert twin.session is not None
    async with asyncio.timeout(5):
        await twin.session.online.wait()
    mark = watcher.mark()
    await sim.advance(3)
    reports = await watcher.wait_count(telemetry_of(UNIT), 6, start=mark)
    spots = [(m.json()["lat"], m.json()["lon"]) for m in reports]
    assert max(haversine_m(*a, *b) for a in spots for b in spots) > 1500
    assert sim.agents[UNIT].session.online.is_set()      # both stay connected
    await sim.stop_duplicate(UNIT)
    assert not sim.twins


async def test_two_clients_with_one_client_id_keep_kicking_each_other_off(sim, watcher):
    mark = watcher.mark()
    sim.start_duplicate(UNIT)             # same client id: the broker takes the session over
    status = lambda m: m.unit == UNIT and m.leaf == "status"  # noqa: E731
    flaps = await watcher.wait_count(status, 6, timeout=15, start=mark)
    payloads = [m.payload for m in flaps]
    assert b"offline" in payloads and payloads.count(b"online") >= 2
    await sim.stop_duplicate(UNIT)


async def test_a_timed_fault_hits_a_seeded_share_of_units_and_they_come_back(sim, watcher):
    targets = sim.inject(FaultSpec("disconnect", fraction=0.25, at_s=sim.clock.now() + 5,
                                   for_s=20))
    assert len(targets) == 4 and targets == sim.inject(
        FaultSpec("disconnect", fraction=0.25, at_s=1e9))   # the same seed, the same units
    offline = lambda m: m.leaf == "status" and m.payload == b"offline"  # noqa: E731
    await sim.advance(4)
    assert all(sim.agents[u].session.online.is_set() for u in targets)
    await sim.advance(2)
    gone = await watcher.wait_count(offline, 4)
    assert {m.unit for m in gone} == set(targets)
    mark = watcher.mark()
    await sim.advance(21)
    back = await watcher.wait_count(lambda m: m.leaf == "status" and m.payload == b"online",
                                    4, start=mark)
    assert {m.unit for m in back} == set(targets)
