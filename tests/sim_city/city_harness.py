"""Starting a simulator against a test broker: the one helper every city test shares."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from simulators.city import Broker, CityConfig, CitySim, Clock, ManualClock


@contextlib.asynccontextmanager
async def city(mosquitto, *, clock: Clock | None = None,
               **kw: object) -> AsyncIterator[CitySim]:
    """A small city (one group, three boats by default) on the test's broker."""
    config = CityConfig(**{"broker": Broker(mosquitto.host, mosquitto.port), "groups": 1,
                           "boats": 3, "connect_timeout_s": 10.0, **kw})  # type: ignore[arg-type]
    async with CitySim(config, clock=clock or ManualClock()) as sim:
        yield sim
