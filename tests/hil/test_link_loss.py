"""(e) The radio link lost during a goto: ArduPilot's GCS failsafe (FS_GCS_ENABLE 1, set
by fleet before arming too) takes the aircraft home by itself; fleet says it went silent
and, once the link is back, that it is heard again, in RTL, and tracks it as before."""

from __future__ import annotations

from backend import Backend
from flying import alerts, distance_m, offset, take_off, until_mode, until_telemetry
from waits import until

from fleet.model import LinkState

FS_GCS_TIMEOUT_S = 5.0  # ArduPilot's default, vehicle seconds


async def test_a_lost_link_sends_the_copter_home_and_fleet_follows(backend: Backend) -> None:
    async with backend.fleet(model="quad", params={"FS_GCS_ENABLE": 1}) as (svc, (uid,)):
        start = await take_off(svc, backend, uid, 30.0)
        unit = svc.unit(uid)
        target = offset(start.lat_deg, start.lon_deg, 1000.0, 0.0)
        await unit.action.goto(*target, 30.0, timeout=backend.wall(10))
        await until_telemetry(svc, backend, uid, lambda t: distance_m(
            t.lat_deg, t.lon_deg, start.lat_deg, start.lon_deg) > 300, sim_s=60)

        radio = backend.proxy(uid)
        radio.cut()
        cut_at = backend.vehicle_time_s(uid)
        assert cut_at is not None
        await until(svc, lambda: bool(alerts(svc, uid, "mavlink.silent")), backend.wall(20))
        await until(svc, lambda: svc.state.link_state(uid) is LinkState.LOST,
                    backend.wall(20))
        # the vehicle's own clock (read off the wire by the radio) past its failsafe
        await backend.until_vehicle_time(uid, cut_at + FS_GCS_TIMEOUT_S + 3.0)
        radio.restore()

        back = await until_mode(svc, backend, uid, "RTL", sim_s=10)
        await until(svc, lambda: bool(alerts(svc, uid, "mavlink.heard_again")),
                    backend.wall(10))
        await until(svc, lambda: svc.state.link_state(uid) is LinkState.OK, backend.wall(10))
        codes = [a.code for a in svc.alerts if a.unit_id == uid]
        assert codes.index("mavlink.silent") < codes.index("mavlink.heard_again")
        assert "unit.lost" in codes and "unit.recovered" in codes
        assert "RTL" in alerts(svc, uid, "mavlink.heard_again")[-1].message
        # tracked again: fresh positions, on its way home (still far out: the link went at
        # 300 m, and fleet notices silence after 1 s wall, 20 vehicle s on the simulator)
        home_m = distance_m(back.lat_deg, back.lon_deg, start.lat_deg, start.lon_deg)
        assert home_m > 50
        await until_telemetry(svc, backend, uid, lambda t: distance_m(
            t.lat_deg, t.lon_deg, start.lat_deg, start.lon_deg) < home_m - 20, sim_s=20)
