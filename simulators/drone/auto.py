"""AUTO mode's mission executor, after AP_Mission and ModeAuto.

Nav commands run one at a time. When one completes, AP_Mission looks for the next: the DO
commands it passes on the way run then, before that nav command starts (so the DO commands
between two waypoints run when the first is reached), and DO_JUMP is resolved on the way.
Every completed command, DO commands too, is reported with MISSION_ITEM_REACHED.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import mission_items as m
from .rtl import Rtl

if TYPE_CHECKING:
    from .vehicle import Vehicle

INFO = 6


class MissionRunner:
    """AUTO's place in the stored mission (the current nav command, DO_JUMP counts) and the
    current command's target."""

    def __init__(self, v: Vehicle) -> None:
        self.v = v
        self.current = 0            # current nav command index; 0 = not started
        self.running = False
        self.complete = False
        self.jumps: dict[int, int] = {}
        self._target: tuple[float, float] | None = None
        self._target_up = 0.0
        self._arrived_at: float | None = None
        self._rtl: Rtl | None = None

    @property
    def items(self) -> list[m.Item]:
        return self.v.stores[m.MISSION]

    @property
    def _cmd(self) -> m.Item | None:
        items = self.items
        return items[self.current] if 0 < self.current < len(items) else None

    @property
    def taking_off(self) -> bool:
        cmd = self._cmd
        return self.running and cmd is not None and cmd.command == m.NAV_TAKEOFF

    @property
    def landing(self) -> bool:
        cmd = self._cmd
        return cmd is not None and cmd.command in (m.NAV_LAND, m.NAV_RETURN_TO_LAUNCH)

    @property
    def paused(self) -> bool:
        """DO_PAUSE_CONTINUE holds the vehicle where it is."""
        return self.v.flight.paused

    def state(self) -> int:
        """MISSION_STATE for MISSION_CURRENT."""
        if len(self.items) < 2:
            return 1                 # NO_MISSION
        if self.paused and self.running:
            return 4                 # PAUSED
        if self.complete:
            return 5
        return 3 if self.running else 2

    def can_start(self, ignore_checks: bool) -> bool:
        """ModeAuto::init: a mission beyond home; from the ground it must start with a takeoff."""
        if len(self.items) < 2 and not ignore_checks:
            return False
        if self.v.armed and self.v.landed:
            first = self._next_nav(1, dry_run=True)
            if first is None or self.items[first].command != m.NAV_TAKEOFF:
                self.v.text(2, "Auto: Missing Takeoff Cmd")
                return False
        return True

    # ------------------------------------------------------------------ control

    def start_or_resume(self) -> None:
        if len(self.items) < 2:
            return
        self.running = True
        if self.complete or self.current == 0 or self.current >= len(self.items):
            self.complete = False
            self.jumps.clear()
            self._start_from(1)
        else:
            self._start(self.current)

    def stop(self) -> None:
        self.running = False

    def reset(self) -> None:
        """AP_Mission::reset at disarm: the next start begins at the first command."""
        self.current = 0
        self.running = self.complete = False
        self.jumps.clear()
        self.v.outbox.mission_changed = True

    def set_current(self, seq: int) -> bool:
        if not 0 < seq < len(self.items):
            return False
        self.complete = False
        if self.running:
            self._start_from(seq)
        else:
            self.current = seq
            self.v.outbox.mission_changed = True
        return True

    def _walk(self, start: int) -> tuple[int | None, list[m.Item], dict[int, int]]:
        """AP_Mission::advance_current_nav_cmd's search: the next nav command from ``start``,
        the DO commands passed on the way (they run now) and the jump counts after it."""
        items, idx, jumps = self.items, start, dict(self.jumps)
        passed: list[m.Item] = []
        for _ in range(10 * len(items) + 10):
            if idx >= len(items):
                break
            it = items[idx]
            if it.command == m.DO_JUMP:
                target, repeat = int(it.param1), int(it.param2)
                done = jumps.get(idx, 0)
                if repeat < 0 or done < repeat:
                    jumps[idx] = done + 1
                    idx = target
                    continue
            elif it.command in m.NAV_COMMANDS:
                return idx, passed, jumps
            else:
                passed.append(it)
            idx += 1
        return None, passed, jumps

    def _next_nav(self, start: int, dry_run: bool = False) -> int | None:
        idx, _, jumps = self._walk(start)
        if idx is not None and not dry_run:
            self.jumps = jumps
        return idx

    def _start_from(self, start: int) -> None:
        """Advance: the DO commands up to the next nav command run first, then it starts."""
        idx, passed, self.jumps = self._walk(start)
        for item in passed:
            self._do(item)
        if idx is None:
            self._finish()
        else:
            self._start(idx)

    def _start(self, idx: int) -> None:
        v = self.v
        self.current = idx
        v.outbox.mission_changed = True
        cmd = self.items[idx]
        v.text(INFO, f"Mission: {idx} {m.COMMAND_NAMES.get(cmd.command, cmd.command)}")
        self._arrived_at = None
        self._rtl = None
        here = (v.body.north, v.body.east)
        self._target, self._target_up = here, v.body.up
        if cmd.command != m.NAV_RETURN_TO_LAUNCH:
            if cmd.x or cmd.y:
                self._target = v.local_from_global(cmd.x * 1e-7, cmd.y * 1e-7)
            if cmd.command == m.NAV_TAKEOFF or cmd.z != 0 or not cmd.relative_alt:
                frame = "rel" if cmd.relative_alt else "abs"
                self._target_up = v.up_from_alt(cmd.z, frame)
        if cmd.command == m.NAV_TAKEOFF:
            self._target = here

    def _do(self, cmd: m.Item) -> None:
        self.v.text(INFO, f"Mission: {cmd.seq} {m.COMMAND_NAMES.get(cmd.command, cmd.command)}")
        if cmd.command == m.DO_CHANGE_SPEED and cmd.param2 > 0:
            self.v.set_speed(int(cmd.param1), cmd.param2)
        self.v.outbox.reached.append(cmd.seq)     # verify_command is true for DO commands

    def _finish(self) -> None:
        """exit_mission: landed -> disarm; aloft -> hold where it is, still in AUTO."""
        v = self.v
        self.running = False
        self.complete = True
        v.outbox.mission_changed = True
        v.flight.nav.hold = (v.body.north, v.body.east)
        if v.armed and v.landed:
            v.disarm(from_gcs=False)

    def _completed(self) -> None:
        v = self.v
        cmd = self.items[self.current]
        if cmd.command == m.NAV_WAYPOINT:
            v.text(INFO, f"Reached command #{self.current}")
        v.outbox.reached.append(self.current)
        self._start_from(self.current + 1)

    # ------------------------------------------------------------------ the tick

    def update(self, dt: float) -> None:
        v = self.v
        control = v.flight.control
        cmd = self._cmd
        if not self.running or cmd is None:
            control.hold_position(dt, v.flight.nav.hold, v.body.up)
            return
        if not v.arming.auto_armed:
            return
        c = cmd.command
        if c == m.NAV_TAKEOFF:
            control.hold_position(dt, self._target, max(self._target_up, v.body.up))
            if control.takeoff_complete(self._target_up):
                self._completed()
        elif c in (m.NAV_WAYPOINT, m.NAV_LOITER_TIME, m.NAV_LOITER_UNLIM):
            self._goto_and_hold(dt, cmd)
        elif c == m.NAV_RETURN_TO_LAUNCH:
            if self._rtl is None:
                self._rtl = Rtl(v, control)
            self._rtl.step(dt)
        elif c == m.NAV_LAND:
            dist = math.hypot(self._target[0] - v.body.north, self._target[1] - v.body.east)
            if dist > 1.0 and self._arrived_at is None:
                control.fly_to(dt, self._target, v.body.up)
            else:
                self._arrived_at = self._arrived_at or v.t
                control.land_step(dt, self._target)

    def on_landed(self) -> None:
        """The land detector fired: a LAND or RTL command is done (and the mission with it)."""
        if self.running and self.landing:
            self._completed()

    def _goto_and_hold(self, dt: float, cmd: m.Item) -> None:
        v = self.v
        assert self._target is not None
        dist = v.flight.control.fly_to(dt, self._target, self._target_up)
        radius = v.params["WPNAV_RADIUS"] / 100
        if self._arrived_at is None:
            if dist <= radius and abs(v.body.up - self._target_up) < 1.0:
                self._arrived_at = v.t
            else:
                return
        if cmd.command == m.NAV_LOITER_UNLIM:
            return
        if v.t - self._arrived_at >= cmd.param1:
            self._completed()
