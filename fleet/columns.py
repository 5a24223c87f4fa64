"""Numpy columns of the fleet, one row per unit, for whole-fleet queries in one pass.

The store writes a row on every telemetry report (a handful of scalar stores), so a
query such as "ETA of every available unit to this point" never walks Python objects.
Positions are kept in degrees and as unit vectors on the sphere (x, y, z): a distance
query is then chord arithmetic, with no per-row sin/cos/arcsin (numpy's trigonometry
costs many times its arithmetic per element: docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np

from .model import KIND_CODE, Domain, Unit, UnitStatus

_LOST = UnitStatus.LOST.code


class Columns:
    """Growable struct-of-arrays. Row ``i`` belongs to the unit registered i-th.

    Every attribute is declared in ``__slots__`` (slots also make the per-report
    attribute loads cheaper than an instance dict's). The columns written per telemetry
    report have a writable memoryview ``w_<name>`` over the same memory, for the hot path
    of single-row writes (~2x cheaper than numpy indexing); :meth:`_alloc` remakes them
    when the columns grow, so hold the :class:`Columns`, never a view.
    """

    __slots__ = (  # noqa: RUF023  (grouped as the columns are, not sorted)
        "size", "capacity", "_speed_cache",
        # float64 columns, NaN until written
        "lat_deg", "lon_deg",
        "x", "y", "z",  # the position as a unit vector on the sphere (fleet.geo.unit_vector)
        "alt_m", "speed_m_s", "battery_pct",
        "last_seen",  # monotonic seconds
        "stale_after_s",
        "inv_speed_air", "inv_speed_ground",  # 1/cruise speed for that domain's units, else 0
        "launch_s",
        # per-row codes and flags
        "status",  # int8 UnitStatus.code, LOST until heard
        "kind",  # int8 KIND_CODE
        "seen",  # bool: heard at least once
        "lost",  # bool: heard, then silent past its timeout (or its link said it went)
        "scratch",  # (3, capacity) rows for queries, so a query allocates (almost) nothing
        # writable views of the columns above, for the per-report writes (fleet/state.py)
        "w_lat_deg", "w_lon_deg", "w_x", "w_y", "w_z", "w_alt_m", "w_speed_m_s",
        "w_battery_pct", "w_last_seen", "w_stale_after_s", "w_inv_speed_air",
        "w_inv_speed_ground", "w_launch_s", "w_status", "w_seen", "w_lost",
    )

    def __init__(self, capacity: int = 64) -> None:
        self.size = 0
        self.capacity = 0
        self._alloc(max(capacity, 1))

    def _alloc(self, capacity: int) -> None:
        """(Re)allocate every column for ``capacity`` rows, keeping the rows in use."""
        old = self._columns() if self.capacity else ()
        self.lat_deg = np.full(capacity, np.nan)
        self.lon_deg = np.full(capacity, np.nan)
        self.x = np.full(capacity, np.nan)
        self.y = np.full(capacity, np.nan)
        self.z = np.full(capacity, np.nan)
        self.alt_m = np.full(capacity, np.nan)
        self.speed_m_s = np.full(capacity, np.nan)
        self.battery_pct = np.full(capacity, np.nan)
        self.last_seen = np.full(capacity, np.nan)
        self.stale_after_s = np.full(capacity, np.nan)
        self.inv_speed_air = np.full(capacity, np.nan)
        self.inv_speed_ground = np.full(capacity, np.nan)
        self.launch_s = np.full(capacity, np.nan)
        self.status = np.full(capacity, _LOST, dtype=np.int8)
        self.kind = np.zeros(capacity, dtype=np.int8)
        self.seen = np.zeros(capacity, dtype=bool)
        self.lost = np.zeros(capacity, dtype=bool)
        self.scratch = np.empty((3, capacity))
        self._speed_cache: tuple[float, int, np.ndarray] | None = None  # see seconds_per_metre
        if old:
            n = self.size
            for new, prev in zip(self._columns(), old, strict=True):
                new[:n] = prev[:n]
        self.w_lat_deg = memoryview(self.lat_deg)
        self.w_lon_deg = memoryview(self.lon_deg)
        self.w_x = memoryview(self.x)
        self.w_y = memoryview(self.y)
        self.w_z = memoryview(self.z)
        self.w_alt_m = memoryview(self.alt_m)
        self.w_speed_m_s = memoryview(self.speed_m_s)
        self.w_battery_pct = memoryview(self.battery_pct)
        self.w_last_seen = memoryview(self.last_seen)
        self.w_stale_after_s = memoryview(self.stale_after_s)
        self.w_inv_speed_air = memoryview(self.inv_speed_air)
        self.w_inv_speed_ground = memoryview(self.inv_speed_ground)
        self.w_launch_s = memoryview(self.launch_s)
        self.w_status = memoryview(self.status)
        self.w_seen = memoryview(self.seen)
        self.w_lost = memoryview(self.lost)
        self.capacity = capacity

    def _columns(self) -> tuple[np.ndarray, ...]:
        """Every per-row column (not the scratch), in one fixed order."""
        return (self.lat_deg, self.lon_deg, self.x, self.y, self.z, self.alt_m, self.speed_m_s,
                self.battery_pct, self.last_seen, self.stale_after_s, self.inv_speed_air,
                self.inv_speed_ground, self.launch_s, self.status, self.kind, self.seen,
                self.lost)

    def add(self, unit: Unit) -> int:
        """Append a row for ``unit`` (never heard from yet) and return its index."""
        if self.size == self.capacity:
            self._alloc(self.capacity * 2)
        i = self.size
        self.size += 1
        caps = unit.capabilities
        inv = 1.0 / caps.cruise_speed_m_s
        air = unit.domain is Domain.AIR
        self.inv_speed_air[i] = inv if air else 0.0
        self.inv_speed_ground[i] = 0.0 if air else inv
        self.launch_s[i] = caps.launch_time_s
        self.stale_after_s[i] = caps.stale_after_s
        self.kind[i] = KIND_CODE[unit.kind]
        self.status[i] = _LOST
        self.seen[i] = False
        self.lost[i] = False
        self._speed_cache = None
        return i

    def seconds_per_metre(self, road_factor: float) -> np.ndarray:
        """Per row: 1/v for air, road_factor/v for ground and water (cached per factor)."""
        cached = self._speed_cache
        if cached is not None and cached[0] == road_factor and cached[1] == self.size:
            return cached[2]
        n = self.size
        spm = self.inv_speed_air[:n] + road_factor * self.inv_speed_ground[:n]
        self._speed_cache = (road_factor, n, spm)
        return spm

    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._columns()) + self.scratch.nbytes
