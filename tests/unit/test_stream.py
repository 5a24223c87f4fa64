"""The change stream: coalescing, bounded events, slow consumers never block ingest."""

import asyncio

import pytest
from factories import make_unit, tel

from fleet.events import Alert, Severity, StatusChanged
from fleet.model import UnitStatus
from fleet.state import FleetState
from fleet.stream import ChangeStream


def build(n=3):
    stream = ChangeStream(lambda uid: state.snapshot(uid))
    state = FleetState([make_unit(f"u{i}") for i in range(n)], listener=stream)
    return state, stream


def alert(i):
    return Alert(float(i), Severity.INFO, "test", f"alert {i}")


async def test_updates_coalesce_to_latest_per_unit():
    state, stream = build()
    with stream.subscribe() as sub:
        for i in range(1000):
            state.ingest("u0", tel(lat=20 + i * 0.001), now=float(i))
        state.ingest("u1", tel(), now=0.0)
        batch = sub.drain()
    assert [s.id for s in batch.units] == ["u0", "u1"]
    assert batch.units[0].telemetry.lat_deg == pytest.approx(20.999)
    # status events are not coalesced away
    assert [e.unit_id for e in batch.events if isinstance(e, StatusChanged)] == ["u0", "u1"]


async def test_id_only_subscription_names_changed_units_without_snapshots():
    state, stream = build()
    built = []
    stream.snapshot = lambda uid: built.append(uid) or state.snapshot(uid)
    with stream.subscribe(snapshots=False) as ids, stream.subscribe() as full:
        state.ingest("u2", tel(), now=0.0)
        state.ingest("u0", tel(), now=1.0)
        state.ingest("u2", tel(), now=2.0)
        batch = ids.drain()
        assert batch.unit_ids == ["u2", "u0"] and batch.units == []
        assert built == []
        assert [s.id for s in full.drain().units] == ["u2", "u0"]
        assert built == ["u2", "u0"]


async def test_slow_consumer_drops_oldest_events_counts_them_and_never_blocks():
    state, stream = build()
    fast = stream.subscribe(max_events=10_000)
    slow = stream.subscribe(max_events=5)
    for i in range(100):  # ingest runs to completion with nobody reading
        stream.emit(alert(i))
        state.ingest("u2", tel(), now=float(i))
    batch = slow.drain()
    assert batch.dropped_events == 96  # 100 alerts + 1 status change, 5 kept
    assert [e.message for e in batch.events] == [f"alert {i}" for i in range(95, 100)]
    assert [s.id for s in batch.units] == ["u2"]
    assert slow.dropped_total == 96
    assert len(fast.drain().events) == 101
    assert slow.drain().dropped_events == 0  # counted once


async def test_consumer_wakes_on_change_and_ends_on_close():
    state, stream = build()
    sub = stream.subscribe()

    async def consume():
        return [b async for b in sub]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)
    state.ingest("u0", tel(), now=0.0)
    for _ in range(10):
        await asyncio.sleep(0)
    sub.close()
    batches = await asyncio.wait_for(task, timeout=5)
    assert [s.id for b in batches for s in b.units] == ["u0"]
    assert stream.subscriber_count == 0


async def test_unit_filtered_subscription_sees_only_its_units():
    state, stream = build()
    with stream.subscribe(units=["u1"]) as sub:
        state.ingest("u0", tel(), now=0.0)
        assert not sub.pending
        state.ingest("u1", tel(), now=0.0)
        state.set_status("u1", UnitStatus.PATROLLING)
        batch = sub.drain()
    assert [s.id for s in batch.units] == ["u1"]
    assert {e.unit_id for e in batch.events} == {"u1"}
    assert stream.subscriber_count == 0


def test_max_events_must_be_positive():
    _, stream = build()
    with pytest.raises(ValueError):
        stream.subscribe(max_events=0)
