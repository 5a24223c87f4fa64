"""The whole city at once, the command line, and a broker that wants credentials."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from broker import start_broker
from city_harness import city
from city_wire import telemetry_problems

from simulators.city import Broker, CitySimError, ScaledClock

pytestmark = pytest.mark.broker
ROOT = Path(__file__).resolve().parents[2]


async def test_all_26_groups_and_6_boats_connect_and_report(broker, watcher):
    async with city(broker, groups=26, boats=6, speedup=20, clock=ScaledClock(20)) as sim:
        assert len(sim.agents) == 26 * 11 + 6 == 292
        reports = await watcher.wait_for_units(
            lambda m: m.leaf == "telemetry", set(sim.agents), timeout=10)
        online = await watcher.wait_count(
            lambda m: m.leaf == "status" and m.payload == b"online", 292)
    assert {m.unit for m in online} == set(sim.agents)
    assert all(telemetry_problems(m.payload) == [] for m in reports.values())
    moving = [m for m in reports.values() if m.json()["speed"] > 0]
    assert len(moving) > 150         # patrol cars, motorcycles and boats on their loops
    assert sim.summary()["connection_losses"] == 0


async def test_the_command_line_runs_until_sigterm_and_leaves_everyone_offline(broker, watcher):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulators", "city", "--groups", "1", "--boats", "1",
        "--broker", broker.url, "--speedup", "10", "--fault", "skew:units=rp01-pc1,seconds=5",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await watcher.wait_count(lambda m: m.leaf == "status" and m.payload == b"online", 12,
                                 timeout=20)
        await watcher.wait_for(lambda m: m.leaf == "telemetry" and m.unit == "rp01-pc1")
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(10):
            out, err = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    assert b"12 units online" in out
    offline = await watcher.wait_count(lambda m: m.leaf == "status" and m.payload == b"offline",
                                       12)
    assert len({m.unit for m in offline}) == 12


async def test_credentials_are_used_and_a_refusal_is_reported(tmp_path):
    secured = start_broker(tmp_path, users={"sim": "s3cret"})
    try:
        async with city(secured, broker=Broker(secured.host, secured.port, "sim", "s3cret"),
                        boats=0) as sim:
            assert sim.summary()["online"] == 11
        with pytest.raises(CitySimError, match="not authorised"):
            async with city(secured, broker=Broker(secured.host, secured.port, "sim", "nope"),
                            boats=0, connect_timeout_s=2.0):
                pass
    finally:
        secured.stop()
