"""Presence and telemetry on a real Mosquitto: online/offline, Last Will, the payload contract."""

from __future__ import annotations

import pytest
from city_harness import city
from city_wire import telemetry_problems, watching

from simulators.city import ManualClock
from simulators.city.geo import haversine_m
from simulators.city.kinds import KINDS

pytestmark = pytest.mark.broker


def is_status(payload: bytes, unit: str | None = None):
    return lambda m: m.leaf == "status" and m.payload == payload and unit in (None, m.unit)


async def test_every_unit_is_its_own_client_announcing_online_retained(broker, watcher, sim):
    units = set(sim.agents)
    online = await watcher.wait_count(is_status(b"online"), len(units))
    assert {m.unit for m in online} == units
    for m in online:
        assert m.topic == sim.topics(m.unit).status
        assert m.topic.split("/")[2] == sim.agents[m.unit].spec.kind
    async with watching(broker.host, broker.port, "fleet/v1/+/+/status", name="late") as late:
        retained = await late.wait_count(lambda m: m.retain and m.payload == b"online",
                                         len(units))
    assert {m.unit for m in retained} == units


async def test_a_clean_stop_publishes_offline_for_every_unit(broker, watcher):
    async with city(broker) as sim:
        units = set(sim.agents)
        await watcher.wait_count(is_status(b"online"), len(units))
    offline = await watcher.wait_count(is_status(b"offline"), len(units))
    assert {m.unit for m in offline} == units
    async with watching(broker.host, broker.port, "fleet/v1/+/+/status", name="late") as late:
        retained = await late.wait_count(lambda m: m.retain, len(units))
    assert {m.payload for m in retained} == {b"offline"}


async def test_a_cut_connection_fires_the_last_will_and_the_unit_returns(watcher, sim):
    unit = "rp01-pc2"
    mark = watcher.mark()
    sim.disconnect(unit, for_s=30)
    await watcher.wait_for(is_status(b"offline", unit), start=mark)
    session = sim.agents[unit].session
    assert session is not None and not session.online.is_set()
    await sim.advance(20)          # still away: its reports are dropped, not queued
    assert session.stats.telemetry_dropped >= 19
    await sim.advance(11)
    await watcher.wait_for(is_status(b"online", unit), start=mark)
    back = watcher.mark()
    await sim.advance(2)
    await watcher.wait_for(lambda m: m.unit == unit and m.leaf == "telemetry", start=back)
    assert session.stats.losses == 1


async def test_telemetry_follows_the_contract_for_every_kind(watcher, sim):
    await sim.advance(3.0)
    reports = await watcher.wait_count(lambda m: m.leaf == "telemetry", 3 * len(sim.agents))
    assert {m.topic.split("/")[2] for m in reports} == set(KINDS)
    for m in reports:
        assert telemetry_problems(m.payload) == [], m.payload
        assert m.topic == sim.topics(m.unit).telemetry and not m.retain
    clock = sim.clock
    assert isinstance(clock, ManualClock)
    latest = {m.unit: m.json() for m in reports}
    for unit, doc in latest.items():
        truth = sim.truth(unit)
        assert clock.epoch < doc["ts"] <= clock.epoch + clock.now()
        assert doc["crew"] == truth.crew and doc["alt"] == truth.alt
        age = clock.epoch + clock.now() - doc["ts"]          # reported at most 1 s ago
        assert haversine_m(doc["lat"], doc["lon"], truth.lat, truth.lon) <= 25 * age + 0.01


async def test_reports_are_staggered_at_the_configured_rate(broker, watcher):
    async with city(broker, rate_hz=2.0, groups=1, boats=0) as sim:
        mark = watcher.mark()
        await sim.advance(5.0)
        reports = await watcher.wait_count(lambda m: m.leaf == "telemetry",
                                           10 * len(sim.agents), start=mark)
    stamps = sorted({m.json()["ts"] for m in reports})
    assert len(stamps) > len(sim.agents)     # not one burst per period for everybody
    per_unit = {u: sum(1 for m in reports if m.unit == u) for u in sim.agents}
    assert set(per_unit.values()) == {10}


async def test_units_come_back_by_themselves_after_the_broker_crashes(broker):
    async with city(broker, boats=0) as sim:
        broker.kill()                   # no Last Wills, no goodbyes: the sockets just die
        broker.restart()
        async with watching(broker.host, broker.port, "fleet/v1/#", name="after") as w:
            online = await w.wait_count(is_status(b"online"), len(sim.agents), timeout=20)
            assert {m.unit for m in online} == set(sim.agents)
            mark = w.mark()
            await sim.advance(2)
            await w.wait_count(lambda m: m.leaf == "telemetry", len(sim.agents), start=mark)
        assert sim.summary()["connection_losses"] == len(sim.agents)
