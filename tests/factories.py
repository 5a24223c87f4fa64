"""Small builders shared by the tests (units, telemetry, a manual clock)."""

from __future__ import annotations

from dataclasses import dataclass

from fleet.model import KIND_DEFAULTS, Telemetry, Unit, UnitKind

HENGYANG = (26.89, 112.57)


def make_unit(uid: str, kind: UnitKind = UnitKind.PATROL_CAR, **addresses: str) -> Unit:
    return Unit(uid, uid.upper(), kind, "g1", None, KIND_DEFAULTS[kind], addresses=addresses)


def tel(lat: float = HENGYANG[0], lon: float = HENGYANG[1], **kw) -> Telemetry:
    kw.setdefault("received_time", 1_800_000_000.0)
    return Telemetry(lat, lon, **kw)


@dataclass
class ManualClock:
    """A clock the test moves by hand: ``clock()`` reads it, ``clock.advance(s)`` moves it."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
