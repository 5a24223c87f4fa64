"""(b) The dispatch loop with a real copter: a call comes in, the drone is launched, flies
to the scene at the dispatch altitude, is stamped on scene, holds an overwatch over it
until the incident is cleared, then returns, lands and disarms by itself; and the next
call gets it airborne again from the pad where RTL left it (ArduCopter will not arm in
RTL: fleet arms it in GUIDED)."""

from __future__ import annotations

from backend import Backend
from circling import joined, watch
from flying import offset, ready, until_disarmed, until_mode

from fleet.dispatch.incident import IncidentStatus
from fleet.model import UnitStatus


async def test_an_incident_from_the_call_to_the_drone_landed(backend: Backend, capsys) -> None:
    async with backend.fleet(model="quad") as (svc, (uid,)):
        start = await ready(svc, backend, uid)
        c = svc.dispatch
        alt, radius = c.settings.drone_alt_m, c.settings.orbit_radius_m
        scene = offset(start.lat_deg, start.lon_deg, 300.0, 0.0)
        inc = await c.new_incident(*scene, "overwatch", notes="crowd at the square")
        assert c.recommend(inc.id).unit_ids == (uid,)
        await c.dispatch(inc.id)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE,
                         backend.wall(150))
        a = c.incident(inc.id).assignment(uid)
        assert a.acknowledged_at <= a.en_route_at <= a.on_scene_at
        await joined(svc, backend, uid, scene, radius, sim_s=90)
        track = await watch(svc, backend, uid, scene, vehicle_s=60)
        with capsys.disabled():
            print(f"\n[{backend.name}] on scene: altitude {track.band(track.alt_m)} m, "
                  f"radius {track.band(track.radius_m)} m over 60 s")
        assert track.modes == {"GUIDED"}
        assert all(abs(h - alt) <= 3.0 for h in track.alt_m)
        assert all(abs(r - radius) <= 10.0 for r in track.radius_m)
        assert svc.state.status(uid) is UnitStatus.ON_SCENE

        await c.clear(inc.id, note="dispersed")
        await until_mode(svc, backend, uid, "RTL", sim_s=15)
        landed = await until_disarmed(svc, backend, uid, sim_s=240)
        assert (landed.relative_alt_m or 0.0) < 1.0
        await c.close(inc.id, disposition="dispersed")
        assert c.incident(inc.id).status is IncidentStatus.CLOSED
        await c.wait_for(lambda: svc.state.status(uid) is UnitStatus.AVAILABLE,
                         backend.wall(10))  # the supervisor saw it land

        again = await c.new_incident(*scene, "overwatch", notes="second call")
        await c.dispatch(again.id)
        await c.wait_for(lambda: c.incident(again.id).status is IncidentStatus.EN_ROUTE,
                         backend.wall(90))
        await c.cancel(again.id, reason="caller rang back")
        await until_mode(svc, backend, uid, "RTL", sim_s=15)
        await until_disarmed(svc, backend, uid, sim_s=240)
