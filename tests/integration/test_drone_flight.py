"""The scripted patrol flight and the MAVLink protocol corners, against the simulator."""

import asyncio

import pytest
from flight_script import full_flight, heights, patrol_mission
from pymavlink.dialects.v20 import ardupilotmega as m
from sim_fleet import fleet_with_sim
from waits import until

from fleet.errors import CommandRejectedError, CommandTimeoutError
from fleet.missions import MissionType, fence_polygon, rally_point, waypoint
from simulators.drone import SITL_BOOT, FaultConfig


async def test_full_flight_against_the_simulator():
    async with fleet_with_sim(1) as (svc, _sim):
        await full_flight(svc, "air-1", scale_s=0.5)


async def test_three_drones_on_one_link_are_discovered_and_fly_at_once():
    async with fleet_with_sim(3) as (svc, _sim):
        drones = [await svc.wait_for_unit(f"air-{i}", timeout=10) for i in (1, 2, 3)]
        assert {d.snapshot.link for d in drones} == {"mavlink:air"}
        for d in drones:
            await d.wait_ready(timeout=20)
        from fleet.commands import Arm
        results = await svc.send_many([d.id for d in drones], Arm(), timeout=10)
        assert results == {"air-1": None, "air-2": None, "air-3": None}


async def test_arming_before_ready_is_refused_with_the_reason():
    async with fleet_with_sim(1, boot=SITL_BOOT, speedup=1.0) as (svc, _sim):
        drone = await svc.wait_for_unit("air-1", timeout=10)
        with pytest.raises(CommandRejectedError) as err:
            await drone.action.arm(timeout=10)
        assert err.value.result in ("MAV_RESULT_FAILED", "MAV_RESULT_DENIED")
        assert "Arm" in err.value.reason or "PreArm" in err.value.reason


async def test_hundred_item_mission_survives_20_percent_loss_both_ways():
    faults = FaultConfig(loss=0.2)
    # at 5x, the vehicle's 8 s upload timeout is 1.6 s of our time: load-proof
    async with fleet_with_sim(1, faults=faults, speedup=5.0) as (svc, _sim):
        drone = await svc.wait_for_unit("air-1", timeout=20)
        items = [waypoint(26.89 + i * 1e-4, 112.58 + (i % 7) * 1e-4, 30 + i % 5)
                 for i in range(100)]
        progress: list[tuple[int, int]] = []
        await drone.mission.upload(items, verify=False, timeout=120,
                                   progress=lambda done, total: progress.append((done, total)))
        assert progress[-1] == (101, 101)  # every item out, home at seq 0 included
        got = await drone.mission.download(timeout=120)  # the read-back, done here
        assert len(got) == 100
        assert [round(i.lat_deg, 7) for i in got] == [round(i.lat_deg, 7) for i in items]
        assert [i.alt_m for i in got] == pytest.approx([i.alt_m for i in items])
        entry = next(iter(svc._links[0].router.vehicles.values()))
        assert entry.missions.stats.resends > 0  # the loss was real and was recovered


async def test_fence_and_rally_round_trips():
    async with fleet_with_sim(1) as (svc, _sim):
        drone = await svc.wait_for_unit("air-1", timeout=10)
        fence = fence_polygon([(26.88, 112.57), (26.90, 112.57), (26.90, 112.60),
                               (26.88, 112.60)])
        await drone.geofence.upload(fence, timeout=20)
        assert len(await drone.geofence.download(timeout=20)) == 4
        await drone.rally.upload([rally_point(26.891, 112.589, 30)], timeout=20)
        [rally] = await drone.rally.download(timeout=20)
        assert rally.command == m.MAV_CMD_NAV_RALLY_POINT
        await drone.geofence.clear(timeout=20)
        assert await drone.geofence.download(timeout=20) == ()


async def test_invalid_mission_is_refused_before_sending():
    from fleet.missions import MissionValidationError
    async with fleet_with_sim(1) as (svc, _sim):
        drone = await svc.wait_for_unit("air-1", timeout=10)
        bad = [*patrol_mission(26.89, 112.58)[:2], waypoint(95.0, 112.58, 20)]
        with pytest.raises(MissionValidationError, match="item 3: latitude"):
            await drone.mission.upload(bad, timeout=10)
        assert await drone.mission.download(timeout=10) == ()  # nothing reached the drone
        with pytest.raises(MissionValidationError):
            await drone.geofence.upload([waypoint(26.9, 112.6, 10)], timeout=10)
        assert MissionType.FENCE


async def test_a_vehicle_that_never_acks_times_out_after_retries():
    async with fleet_with_sim(1) as (svc, sim):
        drone = await svc.wait_for_unit("air-1", timeout=10)
        sim.instances[0].ignore_command(m.MAV_CMD_DO_SET_MODE)
        entry = next(iter(svc._links[0].router.vehicles.values()))
        entry.commands.policy = type(entry.commands.policy)(attempts=2, ack_timeout_s=0.3)
        with pytest.raises(CommandTimeoutError, match="no COMMAND_ACK after 2 tries"):
            await drone.action.set_mode("BRAKE", timeout=10)


async def test_link_drop_marks_lost_then_recovers():
    async with fleet_with_sim(1) as (svc, sim):
        drone = await svc.wait_for_unit("air-1", timeout=10)
        statuses = drone.telemetry.status()
        try:
            assert (await anext(statuses)).value == "available"
            sim.instances[0].drop_link(seconds=8 * 20)  # 8 s of wall time at speedup 20
            assert (await asyncio.wait_for(anext(statuses), 20)).value == "lost"
            assert (await asyncio.wait_for(anext(statuses), 20)).value == "available"
        finally:
            await statuses.aclose()


async def test_corrupted_and_garbage_bytes_do_not_stop_a_flight():
    faults = FaultConfig(corrupt=0.05, garbage=0.05)
    async with fleet_with_sim(1, faults=faults) as (svc, _sim):
        await full_flight(svc, "air-1", scale_s=0.5)
        counters = svc._links[0].frame_counters
        assert counters.bad_crc + counters.garbage_bytes > 0


async def test_set_current_item_and_pause_in_flight():
    async with fleet_with_sim(1) as (svc, _sim):
        drone = await svc.wait_for_unit("air-1", timeout=10)
        await drone.wait_ready(timeout=20)
        here = drone.snapshot.telemetry
        items = patrol_mission(here.lat_deg, here.lon_deg)
        await drone.mission.upload(items, timeout=20)
        await drone.mission.set_current(3, timeout=20)  # the third waypoint (0-based 3)
        assert drone.snapshot.telemetry.mission_seq == 4  # ArduPilot numbering: home is 0
        await drone.action.arm(timeout=10)
        await drone.action.takeoff(20, timeout=10)
        await until(svc, lambda: (drone.snapshot.telemetry.relative_alt_m or 0) > 15,
                    timeout=30)
        await drone.mission.start(timeout=10)
        await until(svc, lambda: drone.snapshot.telemetry.mode == "AUTO")
        await drone.mission.pause(timeout=10)
        await until(svc, lambda: drone.snapshot.telemetry.mode == "BRAKE")
        # BRAKE holds position and height with the sticks idle (LOITER would descend)
        assert min(await heights(svc, "air-1", 10.0)) > 15


async def test_arming_after_a_return_home_leaves_rtl_for_guided_first():
    """ArduCopter refuses to arm in RTL ("RTL mode not armable"), the mode a drone keeps
    on its pad after a return home; arming puts it in GUIDED first (it holds position)."""
    async with fleet_with_sim(1) as (svc, _sim):
        drone = await svc.wait_for_unit("air-1", timeout=10)
        await drone.wait_ready(timeout=20)
        await drone.action.set_mode("RTL", timeout=10)  # disarmed on the pad, as after RTL
        await until(svc, lambda: svc.snapshot("air-1").telemetry.mode == "RTL", 5)
        await drone.action.arm(timeout=10)
        t = svc.snapshot("air-1").telemetry
        assert (t.armed, t.mode) == (True, "GUIDED")
