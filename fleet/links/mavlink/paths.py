"""Which of the ways we hear a vehicle to use, and whether two "vehicles" are one.

A path is (link, peer). One vehicle may be heard on several paths (a primary radio and
a backup LTE link): we use one, the active path, and drop the duplicates from the rest.
When the active path has been quiet for the link timeout, the next message on another
path takes over (failover); when a higher-priority link has been healthy again for a
while, it takes back over (failback), as QGroundControl's primary link does.

Two different vehicles with the same sysid:compid (a collision) must not be merged: a
second path whose heartbeat identity (type, autopilot) or boot time disagrees with the
active path's is an intruder; it is ignored and reported. Pure: time passed in.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from enum import Enum

PathKey = tuple[str, Hashable]  # (link name, peer)

BOOT_TOLERANCE_S = 3.0  # two paths' boot-time estimates agree within this
MISMATCHES_FOR_COLLISION = 3  # consecutive disagreements before we call it a collision
FAILBACK_AFTER_S = 3.0
RATE_BASELINE_S = 2.0  # measure the vehicle's clock rate over at least this long


@dataclass(slots=True)
class Path:
    key: PathKey
    priority: int  # lower is preferred (the link's order in the config)
    last_heard: float
    up_since: float
    boot_offset_s: float | None = None  # our monotonic time at the vehicle's boot
    boot_measured: float | None = None
    mismatches: int = 0


class Verdict(Enum):
    USE = "use"  # process the message
    DUPLICATE = "duplicate"  # heard on a standby path: drop, counted
    INTRUDER = "intruder"  # another vehicle claiming this id: drop, counted


@dataclass(slots=True)
class Switch:
    old: PathKey | None
    new: PathKey
    reason: str


@dataclass(slots=True)
class PathTable:
    timeout_s: float
    paths: dict[PathKey, Path] = field(default_factory=dict)
    active: PathKey | None = None
    intruders: set[PathKey] = field(default_factory=set)
    identity: tuple[int, int] | None = None  # (mav_type, autopilot) of the vehicle
    clock_rate: float | None = None  # vehicle seconds per our second, once measured
    _rate_anchor: tuple[float, int] | None = None  # (our time, vehicle boot ms)

    def heard(self, key: PathKey, priority: int, now: float) -> tuple[Verdict, Switch | None]:
        """A message arrived on ``key``: should it be used, and did the active path change?"""
        if key in self.intruders:
            return Verdict.INTRUDER, None
        path = self.paths.get(key)
        if path is None:
            path = self.paths[key] = Path(key, priority, now, now)
        elif now - path.last_heard > self.timeout_s:
            path.up_since = now  # back after silence
        path.last_heard = now
        if self.active is None:
            self.active = key
            return Verdict.USE, Switch(None, key, "first heard")
        if self.active == key:
            return Verdict.USE, None
        current = self.paths[self.active]
        if now - current.last_heard > self.timeout_s:
            switch = Switch(self.active, key,
                            f"{current.key[0]} quiet for {now - current.last_heard:.1f} s")
            self.active = key
            return Verdict.USE, switch
        if path.priority < current.priority and now - path.up_since >= FAILBACK_AFTER_S:
            switch = Switch(self.active, key, f"{key[0]} healthy again")
            self.active = key
            return Verdict.USE, switch
        return Verdict.DUPLICATE, None

    def check_identity(self, key: PathKey, mav_type: int, autopilot: int) -> str | None:
        """On a heartbeat: a reason if this path's vehicle is not the one we know."""
        if self.identity is None:
            self.identity = (mav_type, autopilot)
            return None
        if (mav_type, autopilot) != self.identity and key != self.active:
            return self._intrude(key, f"type/autopilot {mav_type}/{autopilot} instead of "
                                      f"{self.identity[0]}/{self.identity[1]}")
        return None

    def check_boot(self, key: PathKey, boot_ms: int, now: float) -> str | None:
        """On a position report: a reason if this path's boot time disagrees with the
        active path's (two vehicles booted at different times).

        Boot times are compared on our clock: ``now - boot / rate``, where ``rate`` is how
        fast the vehicle's clock runs against ours (1 for real aircraft; SITL and the
        simulator may run faster), measured on the active path.
        """
        path = self.paths.get(key)
        if path is None or key in self.intruders:
            return None
        if key == self.active:
            self._measure_rate(boot_ms, now)
        if self.clock_rate is None:
            return None
        path.boot_offset_s = now - boot_ms / 1000.0 / self.clock_rate
        path.boot_measured = now
        if key == self.active or self.active is None:
            return None
        ref = self.paths[self.active]
        if ref.boot_offset_s is None or ref.boot_measured is None or now - ref.boot_measured > 2.0:
            return None
        apart = abs(ref.boot_offset_s - path.boot_offset_s)
        if apart <= BOOT_TOLERANCE_S:
            path.mismatches = 0
            return None
        path.mismatches += 1
        if path.mismatches < MISMATCHES_FOR_COLLISION:
            return None
        return self._intrude(key, f"booted {apart:.0f} s apart from the vehicle we know")

    def _measure_rate(self, boot_ms: int, now: float) -> None:
        anchor = self._rate_anchor
        if anchor is None or boot_ms < anchor[1]:  # first report, or the vehicle rebooted
            self._rate_anchor = (now, boot_ms)
            return
        span = now - anchor[0]
        if span >= RATE_BASELINE_S:
            self.clock_rate = max(0.01, (boot_ms - anchor[1]) / 1000.0 / span)

    def _intrude(self, key: PathKey, why: str) -> str:
        self.intruders.add(key)
        return why

    def healthy(self, now: float) -> list[PathKey]:
        return [k for k, p in self.paths.items()
                if now - p.last_heard <= self.timeout_s and k not in self.intruders]

    def forget_link(self, link: str) -> None:
        for key in [k for k in self.paths if k[0] == link]:
            del self.paths[key]
            self.intruders.discard(key)
        if self.active is not None and self.active[0] == link:
            self.active = None
