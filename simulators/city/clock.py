"""Sim time for the city: every timer in the simulator reads it, tests can drive it by hand.

Sim seconds run ``speedup`` times faster than wall seconds. Timestamps on the wire are the
unit's clock: real Unix time under :class:`ScaledClock` (so fleet's staleness and skew
checks see honest times even when the city runs fast-forward), and ``epoch + sim seconds``
under :class:`ManualClock` (epoch: the Unix time it was made; a test sees timestamps that
move only when it moves the clock).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    speedup: float

    def now(self) -> float:
        """Sim seconds since the simulation started."""
        ...

    def wall_at(self, t_sim: float) -> float:
        """The Unix time a unit's clock shows at sim time ``t_sim``."""
        ...

    async def sleep_until(self, t_sim: float) -> None:
        ...


class ScaledClock:
    """Sim time = wall time x speedup: the CLI and real-time tests."""

    def __init__(self, speedup: float = 1.0, *, monotonic: Callable[[], float] = time.monotonic,
                 unix: Callable[[], float] = time.time) -> None:
        if speedup <= 0:
            raise ValueError("speedup must be > 0")
        self.speedup = speedup
        self._monotonic = monotonic
        self._t0 = monotonic()
        self._unix0 = unix()

    def now(self) -> float:
        return (self._monotonic() - self._t0) * self.speedup

    def wall_at(self, t_sim: float) -> float:
        return self._unix0 + t_sim / self.speedup

    async def sleep_until(self, t_sim: float) -> None:
        await asyncio.sleep(max(0.0, (t_sim - self.now()) / self.speedup))


class ManualClock:
    """Sim time that moves only when the test calls ``CitySim.advance``: deterministic."""

    speedup = 1.0

    def __init__(self, epoch: float | None = None) -> None:
        # the unit's clock starts at the real time (whole seconds): a receiver that bounds
        # clock skew (fleet refuses reports hours off) sees a unit whose clock is right
        self.epoch = float(int(time.time())) if epoch is None else epoch
        self._t = 0.0
        self._moved = asyncio.Event()

    def now(self) -> float:
        return self._t

    def wall_at(self, t_sim: float) -> float:
        return self.epoch + t_sim

    def set(self, t_sim: float) -> None:
        if t_sim < self._t:
            raise ValueError("time does not run backwards")
        self._t = t_sim
        self._moved.set()
        self._moved = asyncio.Event()

    async def sleep_until(self, t_sim: float) -> None:
        while self._t < t_sim:
            await self._moved.wait()
