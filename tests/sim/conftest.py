"""Fixtures: simulators on real loopback sockets driven by a manual clock (deterministic).
The helpers are in sim_kit.py (a test imports them from there: every test folder has a
conftest, so ``from conftest import`` would pick whichever was imported first)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from mavclient import MavClient
from sim_kit import tcp_config

from simulators.drone import DroneFleetSim, ManualClock


@pytest.fixture
async def sim() -> AsyncIterator[DroneFleetSim]:
    async with DroneFleetSim(tcp_config(), clock=ManualClock()) as s:
        yield s


@pytest.fixture
async def gcs(sim: DroneFleetSim) -> AsyncIterator[MavClient]:
    client = await MavClient.tcp(sim, sim.instances[0].port)
    yield client
    client.close()
