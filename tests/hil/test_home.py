"""(h) Home and base on a real copter (docs/flight-safety.md, "Home and base").

Re-arming away from base moves ArduCopter's home there (AP_Arming_Copter::arm) and fleet
warns once (``unit.home_moved``); fleet's set-home puts it back on the base 150 m away,
keeping the home's altitude above sea level (the base has none in the config), reads it
back and says it is back (``unit.home_at_base``); that home is locked, so arming away
again keeps it, and RTL lands on the base.
"""

from __future__ import annotations

from backend import COPTER_HOME, Backend
from flying import alerts, distance_m, offset, ready, until_disarmed, until_near, until_telemetry
from waits import until

from fleet.commands import SetHome
from fleet.home_watch import CODE_AWAY, CODE_BACK
from fleet.service import FleetService

AWAY_M = 150.0
ALT_M = 20.0
BASE = {"id": "pad", "name": "Pad", "lat": COPTER_HOME[0], "lon": COPTER_HOME[1]}  # no alt


def home_from(svc: FleetService, uid: str, lat: float, lon: float) -> float:
    home = svc.snapshot(uid).home
    return float("inf") if home is None else distance_m(home.lat_deg, home.lon_deg, lat, lon)


async def up(svc: FleetService, backend: Backend, uid: str) -> None:
    unit = svc.unit(uid)
    await unit.action.arm(timeout=backend.wall(10))
    await unit.action.takeoff(ALT_M, timeout=backend.wall(10))
    await until_telemetry(svc, backend, uid, lambda t: (t.relative_alt_m or 0) > ALT_M * 0.9,
                          sim_s=40)


async def test_home_moves_at_arming_until_fleet_sets_it_to_base(backend: Backend,
                                                                capsys) -> None:
    config = {"bases": [BASE], "units": [{"id": "air-1", "base": "pad"}]}
    async with backend.fleet(model="quad", config=config) as (svc, (uid,)):
        unit = svc.unit(uid)
        base = BASE["lat"], BASE["lon"]
        await ready(svc, backend, uid)
        await until(svc, lambda: home_from(svc, uid, *base) < 3.0, backend.wall(10))
        first = svc.snapshot(uid).home
        assert first is not None

        # away 150 m, landed there, armed again: ArduCopter moves home to here
        away = offset(*base, AWAY_M, 0.0)
        await up(svc, backend, uid)
        await unit.action.goto(*away, ALT_M, timeout=backend.wall(10))
        await until_near(svc, backend, uid, *away, 3.0, sim_s=60)
        await unit.action.land(timeout=backend.wall(10))
        landed = await until_disarmed(svc, backend, uid, sim_s=90)
        assert home_from(svc, uid, *base) < 3.0  # arming at base kept it there
        assert not alerts(svc, uid, CODE_AWAY)
        await unit.action.arm(timeout=backend.wall(10))
        await until(svc, lambda: bool(alerts(svc, uid, CODE_AWAY)), backend.wall(10))
        moved = svc.snapshot(uid).home
        assert moved is not None
        assert distance_m(moved.lat_deg, moved.lon_deg, landed.lat_deg, landed.lon_deg) < 3.0
        [warning] = alerts(svc, uid, CODE_AWAY, "from its base (Pad)", "RTL would land there")

        # fleet puts home on the base (no altitude in the config: the home's own is kept)
        await svc.send(uid, SetHome(*base), timeout=backend.wall(10))
        home = svc.snapshot(uid).home
        assert home is not None
        assert distance_m(home.lat_deg, home.lon_deg, *base) < 1.0
        assert abs(home.alt_m - moved.alt_m) < 0.05
        await until(svc, lambda: bool(alerts(svc, uid, CODE_BACK)), backend.wall(10))

        # locked: disarmed and armed again away from base, home stays; RTL lands on base
        await unit.action.disarm(timeout=backend.wall(10))
        await until_disarmed(svc, backend, uid, sim_s=10)
        await up(svc, backend, uid)
        assert home_from(svc, uid, *base) < 1.0
        await unit.action.return_to_launch(timeout=backend.wall(10))
        await until_near(svc, backend, uid, *base, 5.0, sim_s=90)
        down = await until_disarmed(svc, backend, uid, sim_s=120)
        off = distance_m(down.lat_deg, down.lon_deg, *base)
        assert off < 5.0
        assert len(alerts(svc, uid, CODE_AWAY)) == 1  # one warning, not one per report
        with capsys.disabled():
            print(f"\n[{backend.name}] home {first.alt_m:.2f} m AMSL at boot, moved "
                  f"{distance_m(moved.lat_deg, moved.lon_deg, *base):.1f} m by arming "
                  f"({warning.message!r}); set back to base at {home.alt_m:.2f} m AMSL; "
                  f"RTL landed {off:.1f} m from base")
