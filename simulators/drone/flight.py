"""What each ArduCopter mode does with the airframe, one tick at a time (no I/O).

With no RC override the throttle stick sits low (SITL's RC3 = 1000 us), so modes whose altitude
follows the pilot (STABILIZE, ALT_HOLD, LOITER, POSHOLD, CIRCLE) descend and land, as SITL does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import guided
from .modes import MODE_INFO, Mode
from .physics import (
    VERTICAL_ACCEL,
    G,
    shape_vertical,
    sqrt_controller,
    step_horizontal,
    step_vertical,
    turn_toward,
    update_attitude,
)

if TYPE_CHECKING:
    from .vehicle import Vehicle

RTL_ALT_MIN = 2.0      # m, the floor of the RTL cone
UNPOWERED_SINK_M_S = 6.0     # heli SITL's fall with the interlock off (drag-limited)
UNPOWERED_SINK_ACCEL = 3.0   # m/s²


@dataclass
class RtlState:
    stage: str                 # climb, return, loiter, final, land
    target: tuple[float, float]
    return_up: float
    loiter_until: float = 0.0


def _accel(v: Vehicle) -> float:
    return v.params["WPNAV_ACCEL"] / 100


def _here(v: Vehicle) -> tuple[float, float]:
    return (v.body.north, v.body.east)


def enter_mode(v: Vehicle, mode: Mode) -> None:
    """Mode::init(): set the targets the new mode starts from."""
    nav = v.nav
    nav.hold = _here(v)
    guided.set_yaw(v, guided.DEFAULT_YAW)
    if mode == Mode.GUIDED:
        nav.kind = "vel"        # ModeGuided::init: zero velocity, it brakes and holds
        nav.target = _here(v)
        nav.target_up = v.body.up
        nav.velocity = nav.accel = guided.ZERO
        nav.updated_at = v.t
    elif mode == Mode.AUTO:
        v.runner.start_or_resume()
    elif mode == Mode.RTL:
        nav.rtl = rtl_start(v)
    elif mode == Mode.CIRCLE:
        r = v.params["CIRCLE_RADIUS"] / 100
        yaw = math.radians(v.body.yaw_deg)
        nav.circle_center = (v.body.north + r * math.cos(yaw), v.body.east + r * math.sin(yaw))
        nav.circle_angle = math.atan2(v.body.east - nav.circle_center[1],
                                      v.body.north - nav.circle_center[0])


def run(v: Vehicle, dt: float) -> None:
    b = v.body
    if not v.armed:
        _unpowered(v, dt)
    elif v.landed and not (v.lift_available and wants_to_leave_ground(v)):
        v.takeoff_throttle = 0.0
        b.stop()
    elif v.landed and not _lifted_off(v, dt):
        b.stop()
    elif not v.lift_available:
        _without_lift(v, dt)
    elif v.paused:
        hold_position(v, dt, v.nav.hold, b.up)
    else:
        _MODE_RUN[v.mode](v, dt)
    update_attitude(b, *v.wind)


def _lifted_off(v: Vehicle, dt: float) -> bool:
    """A takeoff's land_complete phase (takeoff.cpp): with the motors spooled up the throttle
    rises from zero at 1 / TKOFF_SLEW_TIME; the vehicle leaves the ground (land_complete is
    cleared) once it reaches the hover throttle, where SITL measures the climb acceleration.
    With manual throttle the land detector decides instead, once it has climbed."""
    if MODE_INFO[v.mode].manual_throttle:
        return True
    v.takeoff_throttle += dt / v.params["TKOFF_SLEW_TIME"]
    if v.takeoff_throttle < v.hover_throttle:
        return False
    v.takeoff_throttle = 0.0
    v.landed = False
    return True


def wants_to_leave_ground(v: Vehicle) -> bool:
    if v.mode == Mode.GUIDED:
        return v.nav.kind == "takeoff"
    if v.mode == Mode.AUTO:
        return v.auto_armed and v.runner.taking_off
    if v.mode in (Mode.LOITER, Mode.POSHOLD) and v.nav.kind == "takeoff":
        return True
    if v.mode in (Mode.STABILIZE, Mode.ALT_HOLD, Mode.LOITER, Mode.POSHOLD):
        return v.pilot_climb_rate() > 0
    return False


def _unpowered(v: Vehicle, dt: float) -> None:
    """Disarmed: on the ground nothing moves; aloft it falls."""
    b = v.body
    if b.up <= 0:
        b.stop()
        return
    b.vu = max(-40.0, b.vu - G * dt)
    b.up += b.vu * dt
    b.north += b.vn * dt
    b.east += b.ve * dt


def _without_lift(v: Vehicle, dt: float) -> None:
    """Armed aloft with the rotor throttle cut (a heli's interlock off): whatever the mode, it
    sinks, reaching ~6 m/s within ~2 s as SITL's heli does, and drifts with the wind."""
    step_horizontal(v.body, dt, 1.0, velocity=v.wind)
    step_vertical(v.body, dt, UNPOWERED_SINK_ACCEL, rate=-UNPOWERED_SINK_M_S,
                  descent=UNPOWERED_SINK_M_S)


def face_travel(v: Vehicle, dt: float) -> None:
    guided.steer_yaw(v, dt)


def fly_to(v: Vehicle, dt: float, target: tuple[float, float], target_up: float,
           speed: float | None = None) -> float:
    """Horizontal and vertical approach; returns the horizontal distance left."""
    dist = step_horizontal(v.body, dt, _accel(v), target=target,
                           speed=v.wp_speed if speed is None else speed)
    guided.climb_to(v, dt, target_up)
    face_travel(v, dt)
    return dist


def hold_position(v: Vehicle, dt: float, hold: tuple[float, float] | None, up: float) -> None:
    if hold is None:
        step_horizontal(v.body, dt, _accel(v))
    else:
        step_horizontal(v.body, dt, _accel(v), target=hold, speed=v.wp_speed)
    guided.climb_to(v, dt, up)


def _pilot_vertical(v: Vehicle, dt: float, max_descent: float | None = None) -> None:
    rate = v.pilot_climb_rate()
    step_vertical(v.body, dt, VERTICAL_ACCEL, rate=rate, climb=abs(rate) + 0.1,
                  descent=max_descent or abs(rate) + 0.1)


def _run_stabilize(v: Vehicle, dt: float) -> None:
    step_horizontal(v.body, dt, 1.0, velocity=v.wind)   # drifts with the wind
    rate = v.pilot_climb_rate()
    if v.throttle_zero:
        rate = -3.0                                     # motors at idle: it sinks
    step_vertical(v.body, dt, VERTICAL_ACCEL, rate=rate, climb=abs(rate) + 0.1,
                  descent=abs(rate) + 0.1)


def _run_alt_hold(v: Vehicle, dt: float) -> None:
    step_horizontal(v.body, dt, 1.0, velocity=v.wind)
    _pilot_vertical(v, dt)


def _run_loiter(v: Vehicle, dt: float) -> None:
    if v.nav.kind == "takeoff":               # a user takeoff climbs before the pilot has it
        guided.run(v, dt)
        if v.nav.kind != "takeoff":
            v.nav.kind = "idle"
        return
    if v.position_ok:
        step_horizontal(v.body, dt, _accel(v), target=v.nav.hold, speed=v.wp_speed)
    else:
        step_horizontal(v.body, dt, _accel(v))
    _pilot_vertical(v, dt)


def _run_circle(v: Vehicle, dt: float) -> None:
    """AC_Circle: fly to the edge, then orbit at CIRCLE_RATE (capped by WPNAV_SPEED), nose in."""
    nav, b = v.nav, v.body
    r = v.params["CIRCLE_RADIUS"] / 100
    rate = math.radians(v.params["CIRCLE_RATE"])
    cn, ce = nav.circle_center
    if r > 0:
        max_rate = v.wp_speed / r
        rate = max(-max_rate, min(max_rate, rate))
        dn, de = b.north - cn, b.east - ce
        d = math.hypot(dn, de)
        if d < 0.5 or abs(d - r) > 2.0:
            ang = math.atan2(de, dn) if d >= 0.5 else nav.circle_angle
            edge = (cn + r * math.cos(ang), ce + r * math.sin(ang))
            step_horizontal(b, dt, _accel(v), target=edge, speed=v.wp_speed)
        else:
            ang = math.atan2(de, dn)
            tangential = rate * r
            radial = (r - d) * 1.0                    # steer back onto the circle
            vel = (-math.sin(ang) * tangential + math.cos(ang) * radial,
                   math.cos(ang) * tangential + math.sin(ang) * radial)
            centripetal = tangential * tangential / r
            step_horizontal(b, dt, max(_accel(v), 1.5 * centripetal), velocity=vel)
        nav.circle_angle = math.atan2(b.east - ce, b.north - cn)
        nav.yaw_target = math.degrees(math.atan2(ce - b.east, cn - b.north)) % 360
        turn_toward(b, nav.yaw_target, dt)
    else:
        step_horizontal(b, dt, _accel(v), target=nav.circle_center, speed=v.wp_speed)
        turn_toward(b, b.yaw_deg + math.degrees(rate), dt)
    _pilot_vertical(v, dt)


def _run_brake(v: Vehicle, dt: float) -> None:
    step_horizontal(v.body, dt, 2 * _accel(v))
    if v.body.ground_speed < 0.01:
        v.nav.hold = _here(v)
    step_vertical(v.body, dt, VERTICAL_ACCEL, rate=0.0)


def land_step(v: Vehicle, dt: float, hold: tuple[float, float] | None) -> None:
    """Mode::land_run_vertical_control: a sqrt controller (PSC_POSZ_P 1, WPNAV_ACCEL_Z) toward
    LAND_ALT_LOW sets the descent rate, between LAND_SPEED_HIGH (or WPNAV_SPEED_DN) and
    LAND_SPEED, so it slows to LAND_SPEED just above LAND_ALT_LOW and holds it to the ground."""
    p, b = v.params, v.body
    accel, jerk = guided.vertical_limits(v)
    slow = p["LAND_SPEED"] / 100
    fast = max(slow, (p["LAND_SPEED_HIGH"] or p["WPNAV_SPEED_DN"]) / 100)
    low = max(p["LAND_ALT_LOW"], 100) / 100
    rate = max(-fast, min(-slow, sqrt_controller(low - b.up, guided.POS_P, accel, dt)))
    if hold is not None and v.position_ok:
        step_horizontal(b, dt, _accel(v), target=hold, speed=v.wp_speed)
    else:
        step_horizontal(b, dt, 0.5, velocity=v.wind)
    shape_vertical(b, dt, accel, jerk, rate=rate, descent=fast)


def _run_land(v: Vehicle, dt: float) -> None:
    land_step(v, dt, v.nav.hold)


def rtl_destination(v: Vehicle) -> tuple[float, float]:
    """Home, or the nearest rally point if closer (RALLY_INCL_HOME=1)."""
    best = v.home_local()
    best_d = math.hypot(best[0] - v.body.north, best[1] - v.body.east)
    if v.params["RALLY_INCL_HOME"] == 0 and v.stores[2]:
        best_d = math.inf
    for item in v.stores[2]:
        n, e = v.local_from_global(item.x * 1e-7, item.y * 1e-7)
        d = math.hypot(n - v.body.north, e - v.body.east)
        if d < best_d:
            best, best_d = (n, e), d
    return best


def rtl_start(v: Vehicle) -> RtlState:
    """ModeRTL::compute_return_target: RTL_ALT, shrunk by the cone near home, fence-capped."""
    p = v.params
    target = rtl_destination(v)
    dist = math.hypot(target[0] - v.body.north, target[1] - v.body.east)
    alt = p["RTL_ALT"] / 100
    alt = max(min(alt, dist * 3.0), min(alt, RTL_ALT_MIN))      # RTL_CONE_SLOPE = 3
    if p["FENCE_ENABLE"] and int(p["FENCE_TYPE"]) & 1:
        alt = min(alt, p["FENCE_ALT_MAX"] - p["FENCE_MARGIN"])
    return_up = max(v.up_from_alt(alt, "rel"), v.body.up)
    return RtlState("climb", target, return_up)


def rtl_step(v: Vehicle, dt: float, s: RtlState) -> None:
    p, b = v.params, v.body
    if s.stage == "climb":
        step_horizontal(b, dt, _accel(v))
        if guided.climb_to(v, dt, s.return_up) < 0.1:
            s.stage = "return"
    elif s.stage == "return":
        speed = p["RTL_SPEED"] / 100 or v.wp_speed
        if fly_to(v, dt, s.target, s.return_up, speed) < 0.1:
            s.stage, s.loiter_until = "loiter", v.t + p["RTL_LOIT_TIME"] / 1000
    elif s.stage == "loiter":
        hold_position(v, dt, s.target, s.return_up)
        if v.t >= s.loiter_until:
            s.stage = "final" if p["RTL_ALT_FINAL"] > 0 else "land"
    elif s.stage == "final":
        hold_position(v, dt, s.target, v.up_from_alt(p["RTL_ALT_FINAL"] / 100, "rel"))
    else:
        land_step(v, dt, s.target)


def _run_rtl(v: Vehicle, dt: float) -> None:
    if v.nav.rtl is None:
        v.nav.rtl = rtl_start(v)
    rtl_step(v, dt, v.nav.rtl)


def _run_auto(v: Vehicle, dt: float) -> None:
    v.runner.update(dt)


_MODE_RUN = {
    Mode.STABILIZE: _run_stabilize,
    Mode.ALT_HOLD: _run_alt_hold,
    Mode.AUTO: _run_auto,
    Mode.GUIDED: guided.run,
    Mode.LOITER: _run_loiter,
    Mode.RTL: _run_rtl,
    Mode.CIRCLE: _run_circle,
    Mode.LAND: _run_land,
    Mode.POSHOLD: _run_loiter,
    Mode.BRAKE: _run_brake,
}
