"""Over TCP: GUIDED SET_POSITION_TARGET_* as ArduCopter 4.7 flies them (mode_guided.cpp).

The overwatch case first: position + velocity streamed along a circle with the nose on its
centre must give a clean circle at constant altitude. Then the rules around it: position targets
never time out, velocity stops GUID_TIMEOUT (3 s) after the last update, a yaw rate stops with
it, bad values stop the vehicle, and nothing happens outside GUIDED.
"""

from __future__ import annotations

import math

from mavclient import M
from sim_kit import fly_to_altitude, local, positions

from simulators.drone.geo import offset

IGNORE_POS, IGNORE_VEL, IGNORE_ACC = 0b111, 0b111 << 3, 0b111 << 6
IGNORE_YAW = M.POSITION_TARGET_TYPEMASK_YAW_IGNORE
IGNORE_YAW_RATE = M.POSITION_TARGET_TYPEMASK_YAW_RATE_IGNORE


def send_target(gcs, sim, north: float = 0.0, east: float = 0.0, alt: float = 0.0, *,
                vel: tuple[float, float, float] | None = None, yaw: float | None = None,
                yaw_rate: float | None = None, pos: bool = True, mask: int = 0) -> None:
    """SET_POSITION_TARGET_GLOBAL_INT, frame GLOBAL_RELATIVE_ALT_INT; angles in degrees."""
    h = sim.config.home
    lat, lon = offset(h.lat, h.lon, north, east)
    mask |= IGNORE_ACC | (0 if pos else IGNORE_POS) | (0 if vel else IGNORE_VEL)
    mask |= (0 if yaw is not None else IGNORE_YAW) | (0 if yaw_rate is not None
                                                      else IGNORE_YAW_RATE)
    vn, ve, vd = vel or (0.0, 0.0, 0.0)
    gcs.send(gcs.mav.set_position_target_global_int_encode(
        0, 1, 1, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, mask, int(lat * 1e7), int(lon * 1e7),
        alt, vn, ve, vd, 0, 0, 0, math.radians(yaw or 0.0), math.radians(yaw_rate or 0.0)))


def angle_diff(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


async def test_streamed_circle_is_flown_clean_at_constant_altitude_nose_in(sim, gcs):
    await fly_to_altitude(gcs, 20.0)
    gcs.request_streams(10, M.MAV_DATA_STREAM_POSITION)
    cn, ce, radius, speed = 50.0, 0.0, 30.0, 5.0
    omega = speed / radius
    samples = []
    for k in range(120):                             # 2 Hz for 60 s, as the core streams it
        ang = math.pi + omega * k * 0.5
        n, e = cn + radius * math.cos(ang), ce + radius * math.sin(ang)
        nose_in = math.degrees(math.atan2(ce - e, cn - n)) % 360
        send_target(gcs, sim, n, e, 20.0, yaw=nose_in,
                    vel=(-speed * math.sin(ang), speed * math.cos(ang), 0.0))
        got = positions(await gcs.collect(0.5))
        if k >= 30:                                  # after 15 s on the circle
            samples += got
    assert len(samples) > 400
    for m in samples:
        n, e = local(sim, m)
        assert abs(math.hypot(n - cn, e - ce) - radius) < 2.0
        assert abs(m.relative_alt / 1000 - 20.0) < 1.0
        bearing_to_centre = math.degrees(math.atan2(ce - e, cn - n)) % 360
        assert angle_diff(m.hdg / 100, bearing_to_centre) < 10.0
        assert abs(math.hypot(m.vx, m.vy) / 100 - speed) < 1.0
    # the stream stops: the target moves on for GUID_TIMEOUT, then it brakes and holds
    after = positions(await gcs.collect(15.0))
    assert math.hypot(after[-1].vx, after[-1].vy) == 0
    assert local(sim, after[-1]) == local(sim, after[-20])
    assert abs(after[-1].relative_alt / 1000 - 20.0) < 0.1


async def test_position_target_never_times_out_and_the_nose_turns_to_its_yaw(sim, gcs):
    await fly_to_altitude(gcs, 10.0)
    send_target(gcs, sim, 80.0, 0.0, 15.0, yaw=250.0)   # once, no stream
    await gcs.wait(lambda m: m.get_type() == "GLOBAL_POSITION_INT"
                   and local(sim, m)[0] > 79.9, sim_s=40)
    m = positions(await gcs.collect(5.0))[-1]
    n, e = local(sim, m)
    assert abs(n - 80.0) < 0.1 and abs(e) < 0.1 and abs(m.relative_alt / 1000 - 15.0) < 0.1
    assert angle_diff(m.hdg / 100, 250.0) < 1.0


async def test_yaw_rate_turns_the_nose_until_the_timeout(sim, gcs):
    await fly_to_altitude(gcs, 10.0)
    start = positions(await gcs.collect(1.0))[-1].hdg / 100
    send_target(gcs, sim, 0.0, 0.0, 10.0, yaw_rate=20.0)
    turning = positions(await gcs.collect(3.0))
    turned = (turning[-1].hdg / 100 - start) % 360
    assert 50 < turned < 65                            # 20 deg/s for 3 s
    held = positions(await gcs.collect(5.0))
    assert held[0].hdg == held[-1].hdg                 # GUID_TIMEOUT: AutoYaw HOLD
    assert (held[-1].hdg / 100 - start) % 360 < 65


async def test_velocity_target_stops_after_the_guided_timeout(sim, gcs):
    await fly_to_altitude(gcs, 10.0)
    gcs.request_streams(10, M.MAV_DATA_STREAM_POSITION)
    gcs.skip_pending()
    send_target(gcs, sim, vel=(5.0, 0.0, 0.0), pos=False)
    moving = positions(await gcs.collect(3.0))
    assert moving[-1].vx == 500                        # 5 m/s north, cm/s
    stopped = positions(await gcs.collect(10.0))
    assert stopped[-1].vx == 0 and stopped[-1].vy == 0
    n, _ = local(sim, stopped[-1])
    assert 14.0 < n < 22.0                             # ~3 s at 5 m/s plus braking
    assert local(sim, stopped[-1]) == local(sim, stopped[-30])
    assert abs(stopped[-1].relative_alt / 1000 - 10.0) < 0.1


async def test_bad_values_stop_the_vehicle(sim, gcs):
    await fly_to_altitude(gcs, 10.0)
    send_target(gcs, sim, 200.0, 0.0, 10.0)
    await gcs.wait(lambda m: m.get_type() == "GLOBAL_POSITION_INT" and m.vx >= 900, sim_s=20)
    send_target(gcs, sim, vel=(math.nan, 0.0, 0.0), pos=False)    # ModeGuided::init(true)
    held = positions(await gcs.collect(10.0))
    assert held[-1].vx == 0 and local(sim, held[-1])[0] < 100.0
    send_target(gcs, sim, 200.0, 0.0, 10.0)
    await gcs.wait(lambda m: m.get_type() == "GLOBAL_POSITION_INT" and m.vx >= 900, sim_s=20)
    send_target(gcs, sim, pos=False, yaw=90.0)         # a yaw alone is no valid target
    held = positions(await gcs.collect(10.0))
    assert held[-1].vx == 0 and local(sim, held[-1])[0] < 150.0


async def test_targets_are_ignored_outside_guided(sim, gcs):
    await fly_to_altitude(gcs, 10.0)
    assert (await gcs.set_mode(17)).result == 0        # BRAKE
    for _ in range(10):
        send_target(gcs, sim, 50.0, 0.0, 10.0, vel=(5.0, 0.0, 0.0))
        await gcs.collect(0.5)
    assert (await gcs.set_mode(4)).result == 0         # GUIDED starts from a stop
    still = positions(await gcs.collect(5.0))
    assert all(abs(local(sim, m)[0]) < 0.5 for m in still)
    assert abs(still[-1].relative_alt / 1000 - 10.0) < 0.1


async def test_reposition_denies_what_location_sanitize_would_change(sim, gcs):
    await fly_to_altitude(gcs, 10.0)
    lat, lon = offset(sim.config.home.lat, sim.config.home.lon, 30.0, 0.0)
    frame = M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
    for x, y, z in ((0, 0, 10.0), (int(lat * 1e7), int(lon * 1e7), 0.0)):
        ack = await gcs.command_int(M.MAV_CMD_DO_REPOSITION, frame, -1, 1, x=x, y=y, z=z)
        assert ack.result == M.MAV_RESULT_DENIED      # lat/lon 0 or relative altitude 0
    ack = await gcs.command_int(M.MAV_CMD_DO_REPOSITION, frame, -1, 1, x=int(lat * 1e7),
                                y=int(lon * 1e7), z=12.0)
    assert ack.result == M.MAV_RESULT_ACCEPTED
