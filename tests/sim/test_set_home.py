"""Over TCP: home as ArduPilot keeps it (AP_Arming_Copter::arm, GCS_Common.cpp
handle_command_do_set_home, AP_AHRS::set_home, Rover::set_home / update_home).

Home moves to where the copter arms until a GCS sets it, which locks it; HOME_POSITION goes
out whenever it changes; DO_SET_HOME reads COMMAND_LONG's altitude as AMSL (frame GLOBAL)
and takes "here" as param1 1 or lat/lon 0; refusals carry ArduPilot's MAV_RESULT.
"""

from __future__ import annotations

import math

from mavclient import M
from sim_kit import sim_and_gcs, wait_ready

from simulators.drone import BootTimes
from simulators.drone.geo import offset

HOME_ALT = 584.0  # the simulator's default home (SITL's CMAC), AMSL


def point(sim, north: float, east: float) -> tuple[int, int]:
    h = sim.config.home
    lat, lon = offset(h.lat, h.lon, north, east)
    return round(lat * 1e7), round(lon * 1e7)


async def next_home(gcs):
    return await gcs.wait("HOME_POSITION", sim_s=5.0)


async def set_home_int(gcs, x: int, y: int, z: float, *, frame: int = M.MAV_FRAME_GLOBAL,
                       p1: float = 0.0):
    return await gcs.command_int(M.MAV_CMD_DO_SET_HOME, frame, p1, x=x, y=y, z=z)


async def test_home_moves_at_arming_until_a_gcs_sets_it(sim, gcs):
    await wait_ready(gcs)
    await next_home(gcs)                               # set when the EKF first used GPS
    assert (await gcs.set_mode(4)).result == M.MAV_RESULT_ACCEPTED
    gcs.skip_pending()
    assert (await gcs.arm()).result == M.MAV_RESULT_ACCEPTED
    await next_home(gcs)                               # not locked: re-set at arming
    x, y = point(sim, 100.0, 0.0)
    gcs.skip_pending()
    assert (await set_home_int(gcs, x, y, 600.0)).result == M.MAV_RESULT_ACCEPTED
    home = await next_home(gcs)                        # sent at once (MSG_HOME)
    assert (home.latitude, home.longitude, home.altitude) == (x, y, 600_000)
    assert (await gcs.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 0)).result == 0
    gcs.skip_pending()
    assert (await gcs.arm()).result == M.MAV_RESULT_ACCEPTED
    homes = await gcs.collect(2.0, lambda m: m.get_type() == "HOME_POSITION")
    assert homes == []                                 # locked: arming left it alone
    gcs.send(gcs.mav.command_long_encode(1, 1, M.MAV_CMD_REQUEST_MESSAGE, 0,
                                         M.MAVLINK_MSG_ID_HOME_POSITION, 0, 0, 0, 0, 0, 0))
    home = await next_home(gcs)
    assert (home.latitude, home.longitude, home.altitude) == (x, y, 600_000)


async def test_command_long_altitude_is_amsl_and_relative_frames_add_home(sim, gcs):
    await wait_ready(gcs)
    x, y = point(sim, 0.0, 150.0)
    ack = await gcs.command(M.MAV_CMD_DO_SET_HOME, 0, 0, 0, 0, x * 1e-7, y * 1e-7, 123.0)
    assert ack.result == M.MAV_RESULT_ACCEPTED
    home = await gcs.wait(lambda m: m.get_type() == "HOME_POSITION" and m.altitude == 123_000)
    # COMMAND_LONG's degrees x 1e7 are a float product: 149 E in steps of 128 (about 1 m)
    assert abs(home.latitude - x) <= 40 and abs(home.longitude - y) <= 160
    ack = await set_home_int(gcs, x, y, 10.0, frame=M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT)
    assert ack.result == M.MAV_RESULT_ACCEPTED
    await gcs.wait(lambda m: m.get_type() == "HOME_POSITION" and m.altitude == 133_000)


async def test_here_is_param1_or_a_zero_point(sim, gcs):
    await wait_ready(gcs)
    gcs.skip_pending()
    x, y = point(sim, 50.0, 50.0)
    assert (await set_home_int(gcs, x, y, 700.0)).result == M.MAV_RESULT_ACCEPTED
    await gcs.wait(lambda m: m.get_type() == "HOME_POSITION" and m.altitude == 700_000)
    assert (await set_home_int(gcs, 0, 0, 0.0)).result == M.MAV_RESULT_ACCEPTED
    here = await gcs.wait(lambda m: m.get_type() == "HOME_POSITION" and m.altitude != 700_000)
    assert abs(here.altitude / 1000 - HOME_ALT) < 1.0
    assert (await set_home_int(gcs, x, y, 700.0)).result == M.MAV_RESULT_ACCEPTED
    ack = await set_home_int(gcs, x, y, 700.0, p1=1.0)          # param1 1 wins over a point
    assert ack.result == M.MAV_RESULT_ACCEPTED
    await gcs.wait(lambda m: m.get_type() == "HOME_POSITION"
                   and abs(m.altitude / 1000 - HOME_ALT) < 1.0)


async def test_refusals_carry_ardupilots_results(sim, gcs):
    await wait_ready(gcs)
    x, y = point(sim, 10.0, 10.0)
    assert (await set_home_int(gcs, x, y, 600.0, p1=2.0)).result == M.MAV_RESULT_FAILED
    assert (await set_home_int(gcs, x, y, math.nan)).result == M.MAV_RESULT_DENIED
    assert (await set_home_int(gcs, x, y, 90_000.0)).result == M.MAV_RESULT_DENIED
    ack = await set_home_int(gcs, x, y, 600.0, frame=M.MAV_FRAME_LOCAL_NED)
    assert ack.result == M.MAV_RESULT_DENIED
    assert (await set_home_int(gcs, 91 * 10**7, y, 600.0)).result == M.MAV_RESULT_FAILED
    # DO_REPOSITION has no COMMAND_LONG frame in ArduPilot: UNSUPPORTED that way
    ack = await gcs.command(M.MAV_CMD_DO_REPOSITION, -1, 1, 0, 0, x * 1e-7, y * 1e-7, 10)
    assert ack.result == M.MAV_RESULT_UNSUPPORTED


async def test_no_home_before_the_ekf_has_an_origin():
    async with sim_and_gcs(boot=BootTimes().scaled(0.1)) as (sim, gcs):
        x, y = point(sim, 10.0, 10.0)
        assert (await set_home_int(gcs, x, y, 600.0)).result == M.MAV_RESULT_FAILED
        assert (await set_home_int(gcs, 0, 0, 0.0, p1=1.0)).result == M.MAV_RESULT_FAILED
        await gcs.wait_text("EKF3 IMU0 is using GPS")
        assert (await set_home_int(gcs, x, y, 600.0)).result == M.MAV_RESULT_ACCEPTED


async def test_a_boats_home_stops_following_it_once_set():
    async with sim_and_gcs(profile="motorboat") as (sim, gcs):
        await wait_ready(gcs)
        x, y = point(sim, 30.0, 0.0)
        assert (await set_home_int(gcs, x, y, 50.0)).result == M.MAV_RESULT_ACCEPTED
        text = await gcs.wait_text("Set HOME to ")
        assert text.text == f"Set HOME to {x * 1e-7:.6f} {y * 1e-7:.6f} at 50.00m"
        vehicle = sim.instances[0].vehicle
        assert vehicle.home_locked
        vehicle.body.north += 5.0                    # drifted: an unlocked home would follow
        homes = await gcs.collect(2.0, lambda m: m.get_type() == "HOME_POSITION")
        assert all((h.latitude, h.longitude) == (x, y) for h in homes)
