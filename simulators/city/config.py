"""What a city simulation runs: how many units, against which broker, how fast, which faults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .faults import FaultSpec
from .session import Broker


@dataclass(frozen=True)
class CityConfig:
    broker: Broker = field(default_factory=Broker)
    groups: int = 26                 # the registry's first N land groups (11 vehicles each)
    boats: int = 6                   # the registry's first N boats
    #: telemetry reports per unit per wall second (per sim second under a ManualClock): the
    #: load the broker and fleet see does not grow with ``speedup``
    rate_hz: float = 1.0
    speedup: float = 1.0
    seed: int = 1
    registry: Path | None = None     # None: fleet's shipped demo registry
    topic_prefix: str | None = None  # None: the registry's [mqtt].topic_prefix
    traffic: float = 1.0             # 0 empty streets, 1 normal daytime congestion
    faults: tuple[FaultSpec, ...] = ()
    #: unit address -> password: each unit logs in as itself (user name = its address);
    #: None: every unit uses ``broker``'s user name and password
    credentials: Mapping[str, str] | None = field(default=None, repr=False)
    connect_timeout_s: float = 30.0  # for every unit to be online at start
    parallel_connects: int = 32      # connection attempts in flight (a kind backlog)

    def __post_init__(self) -> None:
        if self.rate_hz <= 0 or self.speedup <= 0:
            raise ValueError("rate and speedup must be > 0")
        if self.groups < 0 or self.boats < 0:
            raise ValueError("groups and boats must be >= 0")
