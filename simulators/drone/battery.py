"""LiPo pack: coulomb counting, open-circuit voltage curve, sag under load, injected faults."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

# resting volts per LiPo cell against state of charge (typical discharge curve)
_SOC = [0.0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.90, 1.0]
_OCV = [3.27, 3.61, 3.69, 3.71, 3.73, 3.75, 3.77, 3.80, 3.84, 3.87, 3.95, 4.02, 4.11, 4.20]


def cell_ocv(soc: float) -> float:
    soc = min(1.0, max(0.0, soc))
    i = min(len(_SOC) - 2, max(0, bisect.bisect_right(_SOC, soc) - 1))
    f = (soc - _SOC[i]) / (_SOC[i + 1] - _SOC[i])
    return _OCV[i] + f * (_OCV[i + 1] - _OCV[i])


@dataclass
class Battery:
    cells: int
    capacity_mah: float
    cell_resistance_ohm: float
    consumed_mah: float = 0.0
    current_a: float = 0.0
    lost_mah: float = 0.0      # charge removed by an injected fault (a dead cell group)

    def update(self, current_a: float, dt: float) -> None:
        self.current_a = current_a
        self.consumed_mah += current_a * dt / 3.6

    @property
    def soc(self) -> float:
        if self.capacity_mah <= 0:
            return 0.0
        return max(0.0, 1.0 - (self.consumed_mah + self.lost_mah) / self.capacity_mah)

    @property
    def resting_voltage(self) -> float:
        return self.cells * cell_ocv(self.soc)

    @property
    def voltage(self) -> float:
        sag = self.current_a * self.cell_resistance_ohm * self.cells
        return max(0.0, self.resting_voltage - sag)

    @property
    def remaining_pct(self) -> int:
        return round(self.soc * 100)

    @property
    def remaining_mah(self) -> float:
        return self.soc * self.capacity_mah

    def drop(self, pct_of_remaining: float) -> None:
        """Sudden loss of charge: ``pct_of_remaining`` % of what is left disappears."""
        self.lost_mah += self.remaining_mah * max(0.0, min(100.0, pct_of_remaining)) / 100.0


def flight_current(hover_a: float, idle_a: float, *, flying: bool, armed: bool, airspeed: float,
                   cruise: float, climb_rate: float) -> float:
    """Amps drawn: hover power, eased by translational lift near cruise, growing past it."""
    if not armed:
        return 0.3
    if not flying:
        return idle_a
    x = airspeed / cruise if cruise > 0 else 0.0
    factor = 1.0 - 0.15 * min(x, 1.0) + 0.35 * max(0.0, x - 1.0) ** 2
    return hover_a * factor + 1.5 * max(0.0, climb_rate)
