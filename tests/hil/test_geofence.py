"""(d) A copter flown out of its geofence: an inclusion circle uploaded by fleet, a goto
outside it refused (ArduCopter checks GUIDED destinations against the fence), a mission
leading out of it flown in AUTO, the breach reported by the vehicle (STATUSTEXT, an alert
in fleet) and FENCE_ACTION 1 taking it home in RTL."""

from __future__ import annotations

import pytest
from backend import Backend
from flying import alerts, offset, ready, take_off, until_mode

from fleet.errors import CommandRejectedError
from fleet.missions import MissionType, fence_circle, waypoint

FENCE_RADIUS_M = 80.0
#: FENCE_ACTION 1: RTL (LAND if RTL cannot run); the breach must stay under ArduCopter's
#: 100 m give-up distance, past which it lands instead, so the target is only 150 m out
FENCE_PARAMS = {"FENCE_ENABLE": 1, "FENCE_ACTION": 1}


async def test_flying_out_of_the_fence_is_reported_and_the_copter_returns(
        backend: Backend) -> None:
    async with backend.fleet(model="quad", params=FENCE_PARAMS) as (svc, (uid,)):
        start = await ready(svc, backend, uid)
        unit = svc.unit(uid)
        fence = [fence_circle(start.lat_deg, start.lon_deg, FENCE_RADIUS_M)]
        await unit.geofence.upload(fence, timeout=backend.wall(30))
        stored = await unit.geofence.download(timeout=backend.wall(30))
        assert [i.command for i in stored] == [fence[0].command]
        assert unit.geofence.kind is MissionType.FENCE

        await take_off(svc, backend, uid, 20.0)
        outside = offset(start.lat_deg, start.lon_deg, 0.0, 150.0)
        with pytest.raises(CommandRejectedError, match="FAILED"):
            await unit.action.goto(*outside, 20.0, timeout=backend.wall(10))

        await unit.mission.upload([waypoint(*outside, 20.0)], timeout=backend.wall(30))
        await unit.mission.start(timeout=backend.wall(10))
        await until_mode(svc, backend, uid, "AUTO")
        await until_mode(svc, backend, uid, "RTL", sim_s=60)

        breach = alerts(svc, uid, "mavlink.statustext", "fence", "breach")
        assert breach, [a.message for a in svc.alerts if a.unit_id == uid][-10:]
