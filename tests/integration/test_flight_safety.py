"""Aircraft safety against the simulator: no stick mode without a pilot, hold that holds
height, the GCS failsafe set before the first arm, and what fleet says when an armed
aircraft falls silent. The same flights on real SITL are in tests/hil."""

import pytest
from flight_script import heights
from sim_fleet import fleet_with_sim
from waits import until

from fleet.errors import CommandRejectedError


async def airborne(svc, alt: float = 30.0):
    drone = await svc.wait_for_unit("air-1", timeout=10)
    await drone.wait_ready(timeout=20)
    await drone.action.arm(timeout=10)
    await drone.action.takeoff(alt, timeout=10)
    await until(svc, lambda: (drone.snapshot.telemetry.relative_alt_m or 0) > alt * 0.9, 30)
    return drone


async def test_an_armed_aircraft_is_never_put_in_a_stick_mode_without_a_pilot():
    async with fleet_with_sim(1) as (svc, _sim):
        drone = await svc.wait_for_unit("air-1", timeout=10)
        await drone.wait_ready(timeout=20)
        await drone.action.set_mode("LOITER", timeout=10)  # on the ground, disarmed: fine
        await drone.action.set_mode("GUIDED", timeout=10)
        drone = await airborne(svc)
        for mode in ("LOITER", "ALT_HOLD", "CIRCLE", "POSHOLD", "STABILIZE"):
            with pytest.raises(CommandRejectedError, match="pilot's sticks"):
                await drone.action.set_mode(mode, timeout=10)
        assert drone.snapshot.telemetry.mode == "GUIDED"
        assert min(await heights(svc, "air-1", 5.0)) > 27


async def test_a_pilot_on_the_sticks_may_take_a_stick_mode():
    async with fleet_with_sim(1, pilot_throttle_pwm=1500) as (svc, _sim):  # stick centred
        drone = await airborne(svc)
        await drone.action.set_mode("LOITER", pilot=True, timeout=10)
        await until(svc, lambda: drone.snapshot.telemetry.mode == "LOITER")


async def test_hold_brakes_and_keeps_its_height():
    async with fleet_with_sim(1) as (svc, _sim):
        drone = await airborne(svc)
        await drone.action.hold(timeout=10)
        await until(svc, lambda: drone.snapshot.telemetry.mode == "BRAKE")
        assert min(await heights(svc, "air-1", 15.0)) > 27


async def test_the_gcs_failsafe_is_set_before_the_first_arm():
    async with fleet_with_sim(1) as (svc, sim):
        params = sim.instances[0].vehicle.params
        assert params["FS_GCS_ENABLE"] == 0  # ArduCopter's default: off
        await airborne(svc)
        assert params["FS_GCS_ENABLE"] == 1  # RTL


async def test_gcs_failsafe_vehicle_leaves_the_vehicle_alone():
    async with fleet_with_sim(1, mavlink={"gcs_failsafe": "vehicle"}) as (svc, sim):
        await airborne(svc)
        assert sim.instances[0].vehicle.params["FS_GCS_ENABLE"] == 0


async def test_an_aircraft_that_falls_silent_is_announced_with_what_it_will_do():
    async with fleet_with_sim(1) as (svc, sim):
        drone = await airborne(svc)
        await drone.action.goto(drone.snapshot.telemetry.lat_deg + 0.003,
                                drone.snapshot.telemetry.lon_deg, 30, timeout=10)
        sim.instances[0].drop_link(seconds=15 * 20)  # 15 s of wall time at speedup 20

        def said(code):
            return [a for a in svc.alerts if a.code == code and a.unit_id == "air-1"]
        await until(svc, lambda: said("mavlink.silent"), 20)
        assert "armed in GUIDED; its GCS failsafe: RTL after 5 s without fleet" in (
            said("mavlink.silent")[0].message)
        # the failsafe (FS_GCS_TIMEOUT, vehicle time) acts while fleet cannot see it
        await until(svc, lambda: said("mavlink.heard_again"), 30)
        assert "RTL" in said("mavlink.heard_again")[0].message
        assert drone.snapshot.telemetry.mode == "RTL"
