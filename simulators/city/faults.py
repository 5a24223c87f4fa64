"""Fault injection for the city: the ways real units misbehave on MQTT, seeded.

- ``disconnect``: the TCP connection is reset without DISCONNECT, so the broker publishes the
  unit's Last Will ``offline``; the unit stays away ``for_s`` sim seconds, then reconnects.
- ``garbage``: a share (``rate``) of telemetry reports replaced by payloads that break the
  contract: bad JSON, wrong types, NaN, out-of-range values, over 4 KiB, missing fields.
- ``skew``: the unit's clock is off by ``skew_s`` (its ``ts`` in telemetry and acks).
- ``duplicate``: a second client claims the unit's id and reports another position; with
  ``same_client_id`` the broker keeps kicking one of the two off (session takeover), as when
  two trackers were flashed with one identity.

Faults apply to listed units or to a seeded fraction of all units, from ``at_s`` (sim seconds).
CLI form: ``KIND[:key=value,...]``, e.g. ``disconnect:units=0.05,at=30,for=20``,
``garbage:units=rp08-pc1+rp08-mc2,rate=0.2,kinds=nan+huge``, ``skew:units=all,seconds=-90``,
``duplicate:units=rp03-mc2,client=other``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from .telemetry import GARBAGE_KINDS

FAULT_KINDS = ("disconnect", "garbage", "skew", "duplicate")


@dataclass
class UnitFaults:
    """A unit's live faults (the API changes these while the city runs)."""

    garbage_rate: float = 0.0
    garbage_kinds: tuple[str, ...] = GARBAGE_KINDS
    clock_skew_s: float = 0.0


@dataclass(frozen=True)
class FaultSpec:
    kind: str
    units: tuple[str, ...] = ()       # explicit unit ids ...
    fraction: float = 0.0             # ... or this share of all units, chosen with the seed
    at_s: float = 0.0
    for_s: float = 30.0               # disconnect: time away; duplicate: twin's lifetime
    rate: float = 1.0                 # garbage: share of reports
    garbage_kinds: tuple[str, ...] = GARBAGE_KINDS
    skew_s: float = 0.0
    same_client_id: bool = True       # duplicate: take over the session, or a second client

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= self.fraction <= 1.0 or not 0.0 <= self.rate <= 1.0:
            raise ValueError("fractions and rates are 0..1")
        unknown = set(self.garbage_kinds) - set(GARBAGE_KINDS)
        if unknown:
            raise ValueError(f"unknown garbage kinds {sorted(unknown)}; known: "
                             f"{', '.join(GARBAGE_KINDS)}")

    def select(self, all_units: Sequence[str], rng: random.Random) -> list[str]:
        """The units this fault hits: the listed ones, or a seeded sample."""
        if self.units:
            missing = [u for u in self.units if u not in all_units]
            if missing:
                raise ValueError(f"fault {self.kind}: unknown units {missing}")
            return list(self.units)
        count = math.ceil(self.fraction * len(all_units)) if self.fraction > 0 else 0
        return sorted(rng.sample(list(all_units), count))


def parse_fault(text: str) -> FaultSpec:
    """``KIND[:key=value,...]`` from the command line (see the module docstring)."""
    kind, _, rest = text.partition(":")
    opts: dict[str, str] = {}
    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f"fault option {item!r} is not key=value")
        opts[key.strip()] = value.strip()
    units, fraction = _units(opts.pop("units", "all"))
    spec = FaultSpec(
        kind.strip(), units, fraction,
        at_s=float(opts.pop("at", 0.0)),
        for_s=float(opts.pop("for", math.inf if kind == "duplicate" else 30.0)),
        rate=float(opts.pop("rate", 1.0)),
        garbage_kinds=tuple(opts.pop("kinds").split("+")) if "kinds" in opts else GARBAGE_KINDS,
        skew_s=float(opts.pop("seconds", 0.0)),
        same_client_id=opts.pop("client", "same") == "same",
    )
    if opts:
        raise ValueError(f"fault {spec.kind}: unknown options {sorted(opts)}")
    return spec


def _units(value: str) -> tuple[tuple[str, ...], float]:
    if value == "all":
        return (), 1.0
    try:
        return (), float(value)
    except ValueError:
        return tuple(value.split("+")), 0.0
