"""Spool states: a traditional helicopter's main rotor and its run-up estimate, and a
multicopter's motors (``Motors``); no I/O.

ArduCopter heli never measures rotor speed in SITL: AP_MotorsHeli_RSC estimates it. With the
interlock on, the throttle ramp rises over H_RSC_RAMP_TIME and the speed estimate follows it at
1 / H_RSC_RUNUP_TIME per second; the run-up is complete when both reach full and stays so until
the speed falls below H_RSC_CRITICAL. With the interlock off the ramp drops at once and the
speed winds down at the same rate. AP_MotorsHeli::output_logic turns that into spool states,
which decide when a heli may leave the ground, enter an autopilot mode or auto-disarm.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .params import ParamStore


class Spool(IntEnum):
    """AP_Motors::SpoolState, in its order (auto-disarm tests ``> GROUND_IDLE``)."""

    SHUT_DOWN = 0
    GROUND_IDLE = 1
    SPOOLING_UP = 2
    THROTTLE_UNLIMITED = 3
    SPOOLING_DOWN = 4


@dataclass
class MainRotor:
    spool: Spool = Spool.SHUT_DOWN
    ramp: float = 0.0            # throttle ramp, 0..1
    speed: float = 0.0           # estimated rotor speed, 0..1 (the "runup output")
    runup_complete: bool = False

    @property
    def spooled_down(self) -> bool:
        return self.spool in (Spool.SHUT_DOWN, Spool.GROUND_IDLE)

    def update(self, dt: float, params: ParamStore, *, armed: bool, interlock: bool,
               want_flight: bool) -> None:
        """One output_logic step, then the RSC: ``want_flight`` is the mode's wish for
        THROTTLE_UNLIMITED, which the interlock overrides."""
        self._spool_logic(armed, interlock and want_flight)
        ramp_time = max(params["H_RSC_RAMP_TIME"], 1.0)
        if self.spool in (Spool.SPOOLING_UP, Spool.THROTTLE_UNLIMITED):
            self.ramp = min(1.0, self.ramp + dt / ramp_time)
        else:
            self.ramp = 0.0                      # ramping down happens instantly
        runup_time = max(params["H_RSC_RAMP_TIME"] + 1, params["H_RSC_RUNUP_TIME"], 1.0)
        step = dt / runup_time
        if self.speed < self.ramp:
            self.speed = min(self.ramp, self.speed + step)
        else:
            self.speed = max(self.ramp, self.speed - step)
        if not self.runup_complete and self.ramp >= 1.0 and self.speed >= 1.0:
            self.runup_complete = True
        if self.runup_complete and self.speed < params["H_RSC_CRITICAL"] / 100:
            self.runup_complete = False

    def _spool_logic(self, armed: bool, unlimited: bool) -> None:
        if not armed:
            self.spool = Spool.SHUT_DOWN
            return
        s = self.spool
        if s == Spool.SHUT_DOWN:
            self.spool = Spool.GROUND_IDLE
        elif s == Spool.GROUND_IDLE and unlimited:
            self.spool = Spool.SPOOLING_UP
        elif s == Spool.SPOOLING_UP:
            if not unlimited:
                self.spool = Spool.SPOOLING_DOWN
            elif self.runup_complete:
                self.spool = Spool.THROTTLE_UNLIMITED
        elif s == Spool.THROTTLE_UNLIMITED and not unlimited:
            self.spool = Spool.SPOOLING_DOWN
        elif s == Spool.SPOOLING_DOWN:
            if unlimited:
                self.spool = Spool.SPOOLING_UP
            elif self.speed <= 0.0:
                self.spool = Spool.GROUND_IDLE


SPIN_ARM_RATIO = 0.1 / 0.15   # MOT_SPIN_ARM / MOT_SPIN_MIN: where ground idle settles


@dataclass
class Motors:
    """A multicopter's AP_MotorsMulticopter::output_logic, for what it delays: the arming delay
    keeps the motors stopped, then they spin up to full over MOT_SPOOL_TIME before the throttle
    is unlimited (a takeoff can start), and spool down over it again before a landed vehicle
    counts as idle (LAND, RTL and AUTO disarm only then)."""

    spool: Spool = Spool.SHUT_DOWN
    spin_up: float = 0.0         # _spin_up_ratio, 0..1
    thrust_max: float = 0.0      # _throttle_thrust_max, 0..1

    def update(self, dt: float, spool_time: float, *, interlock: bool,
               want_flight: bool) -> None:
        """``interlock``: armed and past the arming delay; ``want_flight``: the mode's wish for
        THROTTLE_UNLIMITED (else GROUND_IDLE)."""
        if not interlock:
            self.spool, self.spin_up, self.thrust_max = Spool.SHUT_DOWN, 0.0, 0.0
            return
        step = dt / max(spool_time, 0.05)
        if self.spool == Spool.SHUT_DOWN:
            self.spool = Spool.GROUND_IDLE
        if self.spool == Spool.GROUND_IDLE:
            target = 1.0 if want_flight else SPIN_ARM_RATIO
            self.spin_up += max(-step, min(step, target - self.spin_up))
            if want_flight and self.spin_up >= 1.0:
                self.spool = Spool.SPOOLING_UP
        elif self.spool == Spool.SPOOLING_DOWN and want_flight:
            self.spool = Spool.SPOOLING_UP
        elif self.spool == Spool.SPOOLING_DOWN:
            self.thrust_max = max(0.0, self.thrust_max - step)
            if self.thrust_max <= 0.0:
                self.spool = Spool.GROUND_IDLE
        elif not want_flight:
            self.spool = Spool.SPOOLING_DOWN
        if self.spool == Spool.SPOOLING_UP:
            # the throttle is still low when spooling up from the ground: full at once
            self.spool, self.thrust_max = Spool.THROTTLE_UNLIMITED, 1.0
