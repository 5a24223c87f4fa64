"""Simulation clocks: sim time is what every timer in the simulator reads.

ArduPilot SITL's own clock is sim time too (``--speedup`` scales it), so boot delays, failsafe
timeouts and stream rates are all expressed in sim seconds here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    speedup: float

    def now(self) -> float:
        """Sim seconds since the clock started."""
        ...


class ScaledClock:
    """Sim time = wall time x speedup (the CLI and real-time tests)."""

    def __init__(self, speedup: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if speedup <= 0:
            raise ValueError("speedup must be > 0")
        self.speedup = speedup
        self._monotonic = monotonic
        self._t0 = monotonic()

    def now(self) -> float:
        return (self._monotonic() - self._t0) * self.speedup

    async def sleep_until(self, t_sim: float) -> None:
        delay = (t_sim - self.now()) / self.speedup
        await asyncio.sleep(max(0.0, delay))


class ManualClock:
    """Sim time that moves only when told to: deterministic tests step it explicitly."""

    speedup = 1.0

    def __init__(self, start: float = 0.0) -> None:
        self._t = start

    def now(self) -> float:
        return self._t

    def advance(self, dt: float) -> None:
        if dt < 0:
            raise ValueError("time does not run backwards")
        self._t += dt
