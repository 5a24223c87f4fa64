"""ArduRover's AUTO: AP_Mission driven by ModeAuto's start/verify callbacks (mode_auto.cpp).

The mission starts when AUTO is entered (armed or not: a disarmed rover runs it but can't move).
Waypoints are "Reached waypoint #k" (plus ". Loiter for N seconds" with a hold time) when first
reached; each completed command, DO commands included, gets MISSION_ITEM_REACHED. A waypoint
followed by another is passed without stopping; the last one, a hold or a loiter is stopped at
(boats loiter there). NAV_TAKEOFF and NAV_LAND have no Rover handler: announced, then skipped.
At the end "Mission Complete", then MIS_DONE_BEHAVE: 0 stop in AUTO, 1 loiter in AUTO (boats'
default), 2 ACRO, 3 MANUAL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import drive
from . import mission_items as m
from .auto import MissionRunner
from .rover_modes import RoverMode

if TYPE_CHECKING:
    from .rover import Rover

INFO, NOTICE, WARNING = 6, 5, 4
_WAYPOINTS = {m.NAV_WAYPOINT, m.NAV_LOITER_TIME, m.NAV_LOITER_UNLIM}


class RoverMissionRunner(MissionRunner):
    v: Rover

    def __init__(self, v: Rover) -> None:
        super().__init__(v)
        self.waiting = False          # ModeAuto: start once the EKF has an origin
        self._hold_s = 0.0

    @property
    def paused(self) -> bool:
        return False                  # Rover has no DO_PAUSE_CONTINUE

    def can_start(self, ignore_checks: bool) -> bool:
        return len(self.items) >= 2   # AP_Mission::present()

    def _start(self, idx: int) -> None:
        v = self.v
        self.current = idx
        v.outbox.mission_changed = True
        cmd = self.items[idx]
        v.text(INFO, f"Mission: {idx} {m.COMMAND_NAMES.get(cmd.command, cmd.command)}")
        self._arrived_at = None
        if cmd.command == m.NAV_RETURN_TO_LAUNCH:
            v.start_rtl()
        elif cmd.command in _WAYPOINTS:
            dest = (v.local_from_global(cmd.x * 1e-7, cmd.y * 1e-7) if cmd.x or cmd.y
                    else (v.body.north, v.body.east))
            self._hold_s = max(0.0, cmd.param1) if cmd.command != m.NAV_LOITER_UNLIM else 0.0
            stop_at = (cmd.command != m.NAV_WAYPOINT or self._hold_s > 0
                       or self._next_nav(idx + 1, dry_run=True) is None)
            drive.set_destination(v, dest, stop_at)
        else:                         # start_command() false: AP_Mission moves on
            self._start_from(idx + 1)

    def _do(self, cmd: m.Item) -> None:
        v = self.v
        v.text(INFO, f"Mission: {cmd.seq} {m.COMMAND_NAMES.get(cmd.command, cmd.command)}")
        if cmd.command == m.DO_CHANGE_SPEED and v.set_speed(cmd.param2):
            v.text(INFO, f"speed: {cmd.param2:.1f} m/s")
        v.outbox.reached.append(cmd.seq)      # verify_command is true for DO commands

    def _finish(self) -> None:
        """exit_mission: "Mission Complete" and MIS_DONE_BEHAVE."""
        v = self.v
        self.running = False
        self.complete = True
        v.outbox.mission_changed = True
        v.text(NOTICE, "Mission Complete")
        behave = int(v.params["MIS_DONE_BEHAVE"])
        if behave == 2 and v.set_mode(RoverMode.ACRO):
            return
        if behave == 3 and v.set_mode(RoverMode.MANUAL):
            return
        if behave == 1 and v.origin_set:
            drive.start_loiter(v)
        else:
            v.nav.submode = "stop"

    def _completed(self) -> None:
        self.v.outbox.reached.append(self.current)
        self._start_from(self.current + 1)

    def update(self, dt: float) -> None:
        """One tick of AUTO (dt 0 while disarmed: the mission is verified, nothing moves)."""
        v = self.v
        if self.waiting and v.origin_set:
            self.waiting = False
            self.start_or_resume()
        cmd = self._cmd
        if not self.running or cmd is None:
            if v.nav.submode == "loiter":
                drive.loiter(v, dt)
            else:
                drive.stop(v, dt)
            return
        if cmd.command == m.NAV_RETURN_TO_LAUNCH:
            if drive.navigate(v, dt):
                drive.stop_or_loiter(v, dt)
                self._completed()
            return
        self._waypoint(dt, cmd)

    def _waypoint(self, dt: float, cmd: m.Item) -> None:
        """verify_nav_wp / verify_loiter_time / verify_loiter_unlimited."""
        v = self.v
        reached = drive.navigate(v, dt)
        if reached and self._arrived_at is None:
            self._arrived_at = v.t
            text = f"Reached waypoint #{self.current}"
            if self._hold_s > 0:
                text += f". Loiter for {int(self._hold_s)} seconds"
            v.text(INFO, text)
        if self._arrived_at is None:
            return
        if v.nav.stop_at_destination:
            drive.stop_or_loiter(v, dt)
        if cmd.command == m.NAV_LOITER_UNLIM or v.t - self._arrived_at < self._hold_s:
            return
        if cmd.command == m.NAV_LOITER_TIME:
            v.text(WARNING, "Finished active loiter")
        self._completed()
