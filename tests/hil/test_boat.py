"""(c) A police motorboat over MAVLink (ArduRover's motorboat frame on SITL, the simulator's
motorboat profile): a goto, a patrol route flown as a mission in AUTO, and RTL back to the
pontoon. fleet's Patrol command is not used: the MAVLink link does not implement it (it
raises UnsupportedCommandError), so a boat's patrol route goes up as a mission."""

from __future__ import annotations

from backend import Backend
from flight_script import reached_items
from flying import distance_m, offset, ready, until_mode, until_near, until_telemetry
from waits import until

from fleet.missions import waypoint

#: ArduRover's WP_RADIUS in rover.parm is 3 m; SITL adds wind, tide and waves
ARRIVED_M = 8.0


def patrol_route(lat: float, lon: float) -> list:
    """Upstream along the Xiang and back across: three legs of ~150 m."""
    return [waypoint(*offset(lat, lon, 150.0, 20.0), 0.0),
            waypoint(*offset(lat, lon, 150.0, 120.0), 0.0),
            waypoint(*offset(lat, lon, 20.0, 120.0), 0.0)]


async def test_a_patrol_boat_goes_patrols_and_returns(backend: Backend) -> None:
    async with backend.fleet(model="motorboat") as (svc, (uid,)):
        snap = svc.snapshot(uid)
        assert snap.unit.kind.value == "patrol_boat"
        home = await ready(svc, backend, uid)
        boat = svc.unit(uid)
        await boat.action.arm(timeout=backend.wall(10))

        target = offset(home.lat_deg, home.lon_deg, 100.0, 0.0)
        await boat.action.goto(*target, timeout=backend.wall(10))
        await until_mode(svc, backend, uid, "GUIDED")
        await until_near(svc, backend, uid, *target, ARRIVED_M, sim_s=90)

        route = patrol_route(home.lat_deg, home.lon_deg)
        await boat.mission.upload(route, timeout=backend.wall(30))
        await boat.mission.start(timeout=backend.wall(10))
        await until_mode(svc, backend, uid, "AUTO")
        # items are numbered from 1 (seq 0 is home on ArduPilot)
        await until(svc, lambda: {1, 2, 3} <= set(reached_items(svc, uid)), backend.wall(180))

        await boat.action.return_to_launch(timeout=backend.wall(10))
        await until_mode(svc, backend, uid, "RTL")
        await until_near(svc, backend, uid, home.lat_deg, home.lon_deg, ARRIVED_M, sim_s=120)
        still = await until_telemetry(svc, backend, uid,
                                      lambda t: (t.ground_speed_m_s or 0) < 0.5, sim_s=30)
        assert distance_m(still.lat_deg, still.lon_deg, home.lat_deg, home.lon_deg) < 15
        await boat.action.disarm(timeout=backend.wall(10))
