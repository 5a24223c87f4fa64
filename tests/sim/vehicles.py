"""Helpers for the pure (no socket) vehicle tests."""

from __future__ import annotations

from simulators.drone import (
    FAST_BOOT,
    HELICOPTER,
    MOTORBOAT,
    ROVER,
    Heli,
    Mode,
    Rover,
    Vehicle,
    VehicleConfig,
)

DT = 0.05


def run(v: Vehicle, seconds: float, until=None) -> bool:
    """Step ``v`` for up to ``seconds``; stop early (True) once ``until(v)`` holds."""
    for _ in range(round(seconds / DT)):
        v.update(DT)
        if until is not None and until(v):
            return True
    return until is None


def ready(**params: float) -> Vehicle:
    v = Vehicle(VehicleConfig(boot=FAST_BOOT, params=params))
    assert run(v, 5, lambda v: v.origin_set)
    return v


def airborne(alt: float = 10.0, **params: float) -> Vehicle:
    v = ready(**params)
    assert v.set_mode(Mode.GUIDED) and v.arm() and v.takeoff(alt)
    assert run(v, 60, lambda v: v.nav.kind != "takeoff")     # takeoff complete
    return v


def heli_airborne(alt: float = 10.0, **params: float) -> Heli:
    """A heli (SITL's copter-heli.parm) flown up in GUIDED: interlock off, armed, on, run up."""
    v = Heli(VehicleConfig(boot=FAST_BOOT, profile=HELICOPTER, params=params))
    assert run(v, 5, lambda v: v.origin_set and v.rc_read)
    assert v.aux_function(32, 0) and v.arm() and v.aux_function(32, 2)
    assert run(v, 30, lambda v: v.set_mode(Mode.GUIDED))
    assert v.takeoff(alt)
    assert run(v, 60, lambda v: v.nav.kind != "takeoff")
    return v


def texts(v: Vehicle) -> list[str]:
    return [t for _, t in v.outbox.texts]


def ready_rover(boat: bool = True, **params: float) -> Rover:
    """An ArduRover motorboat (or rover) whose EKF uses GPS, disarmed in MANUAL."""
    v = Rover(VehicleConfig(boot=FAST_BOOT, profile=MOTORBOAT if boat else ROVER, params=params))
    assert run(v, 5, lambda v: v.origin_set)
    return v
