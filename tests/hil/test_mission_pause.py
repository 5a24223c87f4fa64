"""The console's plan keys on each backend (docs/console.md, "Flying a plan from the
console"): a mission loaded and verified, armed, started from the ground (`p`: AUTO and
MISSION_START), paused in flight (`P`: BRAKE, no pilot needed: it holds position and
height), resumed (`p`) at the item it was flying, not from the start, then RTL."""

from __future__ import annotations

from backend import Backend
from flight_script import ALT_M, patrol_mission, reached_items, telemetry_until
from flying import ready, until_disarmed, until_mode
from waits import until

from fleet.commands import PauseMission, StartMission
from fleet.geo import distance_m


async def test_a_mission_paused_in_flight_holds_and_resumes_where_it_was(
        backend: Backend) -> None:
    async with backend.fleet(model="quad") as (svc, (unit_id,)):
        start = await ready(svc, backend, unit_id)
        drone = svc.unit(unit_id)
        await drone.mission.upload(patrol_mission(start.lat_deg, start.lon_deg),
                                   timeout=backend.wall(30))
        await drone.action.arm(timeout=backend.wall(10))
        await svc.send(unit_id, StartMission(), timeout=backend.wall(10))  # from the ground
        await until_mode(svc, backend, unit_id, "AUTO")
        # on its way to the second waypoint (item 3), well clear of the first
        await until(svc, lambda: 2 in reached_items(svc, unit_id), backend.wall(90))
        flying = await telemetry_until(
            svc, unit_id, lambda t: (t.ground_speed_m_s or 0) > 3.0, backend.wall(20))
        assert (flying.relative_alt_m or 0) > ALT_M * 0.8

        await svc.send(unit_id, PauseMission(), timeout=backend.wall(10))
        await until_mode(svc, backend, unit_id, "BRAKE")
        held = await telemetry_until(
            svc, unit_id, lambda t: (t.ground_speed_m_s or 0) < 0.3, backend.wall(15))
        assert abs((held.relative_alt_m or 0) - ALT_M) < 3.0  # holds its height, no stick
        paused_at = held.mission_seq
        assert 3 not in reached_items(svc, unit_id)
        later = await telemetry_until(  # and stays there (10 vehicle seconds of reports)
            svc, unit_id, lambda t: t.source_time is not None and held.source_time is not None
            and t.source_time - held.source_time >= 10, backend.wall(20))
        assert distance_m(later.lat_deg, later.lon_deg, held.lat_deg, held.lon_deg) < 3.0
        assert later.mode == "BRAKE"

        await svc.send(unit_id, StartMission(), timeout=backend.wall(10))
        await until_mode(svc, backend, unit_id, "AUTO")
        resumed = await telemetry_until(svc, unit_id, lambda t: t.mission_seq is not None,
                                        backend.wall(10))
        assert resumed.mission_seq == paused_at  # not item 1 again
        await until(svc, lambda: {3, 4} <= set(reached_items(svc, unit_id)), backend.wall(120))
        assert reached_items(svc, unit_id).count(2) == 1  # nothing flown twice
        await until_disarmed(svc, backend, unit_id, sim_s=240)  # its RTL item lands it
