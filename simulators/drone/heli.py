"""ArduCopter heli (arducopter-heli, SITL's copter-heli.parm): the motor interlock and run-up.

RC8 is the motor interlock switch (RC8_OPTION 32, H_RSC_MODE 2). SITL's RC holds RC8 at 1800,
the MIDDLE position, which counts as interlock on; so a disarmed heli fails pre-arm with "Motor
Interlock Enabled" until a GCS switches it off with MAV_CMD_DO_AUX_FUNCTION (32, LOW). Once
armed, switching it on (MIDDLE or HIGH) runs the rotor up (``rotor.MainRotor``); until the run-up
is complete only a manual-throttle mode may be entered and no takeoff leaves the ground.
Sources: AP_Arming_Copter.cpp, RC_Channel_Copter.cpp, mode.cpp, motors.cpp, takeoff.cpp,
AP_MotorsHeli.cpp, AP_MotorsHeli_RSC.cpp.
"""

from __future__ import annotations

from .modes import MODE_INFO, Mode
from .rotor import MainRotor, Spool
from .state import INFO, MOTOR_INTERLOCK
from .vehicle import ARMING_DELAY_S, Vehicle

LOW = 0                      # RC_Channel::AuxSwitchPos
RC_FIRST_READ_S = 0.25       # after initialisation: first RC frame plus the 200 ms debounce
RC8_POSITION = "MIDDLE"      # SITL's RC8 = 1800 us


class Heli(Vehicle):
    def power_on(self) -> None:
        super().power_on()
        self.interlock_switch = False    # init_aux: no RC yet reads as LOW
        self.rc_read = False
        self.rotor = MainRotor()

    # ----------------------------------------------------------------- the switch

    def aux_function(self, function: int, position: int) -> bool:
        if function != MOTOR_INTERLOCK:
            return False
        self.interlock_switch = position != LOW
        return True

    def _read_rc(self) -> None:
        """read_aux_all: the first debounced read of RC8 runs its function, overriding whatever
        a GCS set before (MOTOR_INTERLOCK is not one of the positions only recorded)."""
        if self.rc_read or self.t < self.cfg.boot.initialised_s + RC_FIRST_READ_S:
            return
        self.rc_read = True
        self.interlock_switch = True
        self.text(INFO, f"RC8: MotorInterlock {RC8_POSITION}")

    @property
    def motor_interlock(self) -> bool:
        """Copter::motors_output: armed, past the arming delay, switch on."""
        return self.armed and self.t - self.arm_time > ARMING_DELAY_S and self.interlock_switch

    # ----------------------------------------------------------------- checks

    def prearm_failure(self) -> str | None:
        if self.initialised and self.interlock_switch:
            return "Motor Interlock Enabled"
        return super().prearm_failure()

    def _mode_refusal(self, mode: Mode) -> str | None:
        """Copter::set_mode (HELI_FRAME): no non-manual-throttle mode before the run-up."""
        if not MODE_INFO[mode].manual_throttle and not self.rotor.runup_complete:
            return "runup not complete"
        return None

    # ----------------------------------------------------------------- the rotor

    @property
    def spool(self) -> Spool:
        return self.rotor.spool

    @property
    def hover_throttle(self) -> float:
        """The collective's takeoff ramp is not simulated: it leaves the ground at once."""
        return 0.0

    def _update_motors(self, dt: float) -> None:
        self._read_rc()
        want_flight = not (self.landed and self.flight.landing)
        self.rotor.update(dt, self.params, armed=self.armed, interlock=self.motor_interlock,
                          want_flight=want_flight)

    @property
    def auto_disarm_blocked(self) -> bool:
        """Copter::auto_disarm_check: never while the rotor turns; with the interlock off
        DISARM_DELAY counts even aloft; otherwise landed with the throttle low."""
        if self.rotor.spool > Spool.GROUND_IDLE:
            return True
        return self.motor_interlock and (not self.landed or not self.throttle_zero)
