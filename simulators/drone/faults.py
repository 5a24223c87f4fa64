"""Fault injection: a lossy, laggy, corrupting radio and misbehaving vehicles, all seeded.

Link faults act per MAVLink frame (outgoing: after the frame got its sequence number, as on a
real radio, so losses show as sequence gaps) and per decoded message (incoming). Delays are in
sim seconds and released at the next physics tick, so latency has the tick's granularity.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FaultConfig:
    """Faults applied from the start (CLI flags / config); all probabilities are 0..1."""

    loss: float = 0.0               # per frame, both directions
    duplicate: float = 0.0          # per frame, both directions
    latency_ms: float = 0.0         # one way, sim time
    jitter_ms: float = 0.0          # uniform extra 0..jitter
    corrupt: float = 0.0            # flip a byte in an outgoing frame
    garbage: float = 0.0            # inject random bytes before an outgoing frame
    link_drop_at_s: float | None = None     # sim seconds after start
    link_drop_for_s: float = 10.0
    gps_loss_at_s: float | None = None
    gps_loss_for_s: float | None = None     # None: never comes back
    battery_drop_at_s: float | None = None
    battery_drop_pct: float = 50.0          # of the remaining charge, lost at once
    ignore_commands: frozenset[int] = frozenset()


@dataclass
class LinkFaults:
    """The live, mutable link faults of one instance (the API changes these at run time)."""

    loss_out: float = 0.0
    loss_in: float = 0.0
    dup_out: float = 0.0
    dup_in: float = 0.0
    latency_s: float = 0.0
    jitter_s: float = 0.0
    corrupt_out: float = 0.0
    garbage_out: float = 0.0
    down_until: float = float("-inf")
    ignore_commands: set[int] = field(default_factory=set)

    @classmethod
    def from_config(cls, cfg: FaultConfig) -> LinkFaults:
        return cls(cfg.loss, cfg.loss, cfg.duplicate, cfg.duplicate, cfg.latency_ms / 1000,
                   cfg.jitter_ms / 1000, cfg.corrupt, cfg.garbage,
                   ignore_commands=set(cfg.ignore_commands))


class FaultInjector:
    """Applies ``LinkFaults`` with its own seeded RNG; holds delayed frames/messages."""

    def __init__(self, faults: LinkFaults, seed: int) -> None:
        self.faults = faults
        self.rng = random.Random(seed)
        self._out: list[tuple[float, int, bytes]] = []
        self._in: list[tuple[float, int, Any]] = []
        self._order = itertools.count()
        self.dropped_out = 0
        self.dropped_in = 0

    def link_down(self, now: float) -> bool:
        return now < self.faults.down_until

    def _delay(self) -> float:
        f = self.faults
        if f.latency_s <= 0 and f.jitter_s <= 0:
            return 0.0
        return f.latency_s + (self.rng.uniform(0, f.jitter_s) if f.jitter_s > 0 else 0.0)

    def outgoing(self, frame: bytes, now: float, emit: list[bytes]) -> None:
        """Append what actually goes on the wire now to ``emit``; queue delayed copies."""
        f = self.faults
        if self.link_down(now) or (f.loss_out > 0 and self.rng.random() < f.loss_out):
            self.dropped_out += 1
            return
        copies = 2 if f.dup_out > 0 and self.rng.random() < f.dup_out else 1
        for _ in range(copies):
            data = frame
            if f.corrupt_out > 0 and self.rng.random() < f.corrupt_out and len(data) > 2:
                buf = bytearray(data)
                pos = self.rng.randrange(1, len(buf))
                buf[pos] ^= 1 << self.rng.randrange(8)
                data = bytes(buf)
            if f.garbage_out > 0 and self.rng.random() < f.garbage_out:
                data = self.rng.randbytes(self.rng.randrange(1, 40)) + data
            delay = self._delay()
            if delay > 0:
                heapq.heappush(self._out, (now + delay, next(self._order), data))
            else:
                emit.append(data)

    def incoming(self, msg: Any, now: float) -> list[Any]:
        """Messages to handle now (0, 1 or 2 of them); delayed ones come back via ``due_in``."""
        f = self.faults
        if self.link_down(now) or (f.loss_in > 0 and self.rng.random() < f.loss_in):
            self.dropped_in += 1
            return []
        copies = 2 if f.dup_in > 0 and self.rng.random() < f.dup_in else 1
        ready = []
        for _ in range(copies):
            delay = self._delay()
            if delay > 0:
                heapq.heappush(self._in, (now + delay, next(self._order), msg))
            else:
                ready.append(msg)
        return ready

    def due_out(self, now: float, emit: list[bytes]) -> None:
        while self._out and self._out[0][0] <= now:
            emit.append(heapq.heappop(self._out)[2])

    def due_in(self, now: float) -> list[Any]:
        ready = []
        while self._in and self._in[0][0] <= now:
            ready.append(heapq.heappop(self._in)[2])
        return ready
