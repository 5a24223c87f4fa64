"""City simulator fixtures: a real Mosquitto (tests/broker.py) and a simulator on a manual
clock, so tests step sim time themselves and nothing moves behind their back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from city_harness import city
from city_wire import Watcher, watching

from simulators.city import CitySim

ALL_TOPICS = "fleet/v1/#"


@pytest.fixture
async def watcher(broker) -> AsyncIterator[Watcher]:
    async with watching(broker.host, broker.port, ALL_TOPICS) as w:
        yield w


@pytest.fixture
def city_options() -> dict[str, object]:
    """CityConfig overrides for the ``sim`` fixture (a test module may override this)."""
    return {}


@pytest.fixture
async def sim(broker, watcher, city_options) -> AsyncIterator[CitySim]:
    """One group (11 vehicles) and three boats, online; the watcher has heard them all say so,
    so what it hears next (``watcher.mark()``) is the test's doing."""
    async with city(broker, **city_options) as s:
        await watcher.wait_count(lambda m: m.leaf == "status" and m.payload == b"online",
                                 len(s.agents))
        yield s
