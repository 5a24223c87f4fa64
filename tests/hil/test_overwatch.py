"""(a) Overwatch on a copter and a helicopter: fleet flies the circle in GUIDED; it holds its
altitude (±3 m) and the circle (±10 m) for two minutes with no pilot, nose on the scene.
Then fleet goes away mid-overwatch: the aircraft stops, holds, and its GCS failsafe (set
by fleet before arming) takes it home (docs/flight-safety.md)."""

from __future__ import annotations

import pytest
from backend import Backend
from circling import joined, watch
from flying import alerts, offset, take_off, until_mode
from sitl_setup import SitlConfigError, sitl_target
from waits import until

ALT_M, RADIUS_M = 40.0, 50.0
FS_GCS_TIMEOUT_S = 5.0


def heli_on_sitl(backend: Backend) -> None:
    """``./waf heli`` is optional (docs/hil.md): the helicopter runs where it was built."""
    if backend.name == "sitl":
        try:
            sitl_target("heli")
        except SitlConfigError as exc:
            pytest.skip(str(exc))


@pytest.mark.parametrize("model", ["quad", "heli"])
async def test_overwatch_holds_altitude_and_circle_then_failsafe_on_link_loss(
        backend: Backend, model: str, capsys) -> None:
    if model == "heli":  # interlock off to arm, on after, rotor run-up: fleet does it
        heli_on_sitl(backend)
    async with backend.fleet(model=model) as (svc, (uid,)):
        start = await take_off(svc, backend, uid, ALT_M)
        unit = svc.unit(uid)
        centre = offset(start.lat_deg, start.lon_deg, 200.0, 0.0)
        await unit.action.orbit(*centre, RADIUS_M, ALT_M, timeout=backend.wall(15))
        await joined(svc, backend, uid, centre, RADIUS_M, sim_s=90)
        track = await watch(svc, backend, uid, centre, vehicle_s=120)
        with capsys.disabled():
            print(f"\n[{backend.name} {model}] overwatch 120 s: altitude "
                  f"{track.band(track.alt_m)} m, radius {track.band(track.radius_m)} m, "
                  f"nose off centre max {max(track.nose_off_deg):.0f}°")
        assert track.modes == {"GUIDED"}
        assert all(abs(a - ALT_M) <= 3.0 for a in track.alt_m)
        assert all(abs(r - RADIUS_M) <= 10.0 for r in track.radius_m)
        assert max(track.nose_off_deg) <= 30.0

        # fleet goes away (the radio dies): targets and heartbeats stop
        radio = backend.proxy(uid)
        radio.cut()
        cut_at = backend.vehicle_time_s(uid)
        assert cut_at is not None
        await until(svc, lambda: bool(alerts(svc, uid, "mavlink.silent", "RTL")),
                    backend.wall(20))
        await backend.until_vehicle_time(uid, cut_at + FS_GCS_TIMEOUT_S + 5.0)
        radio.restore()
        back = await until_mode(svc, backend, uid, "RTL", sim_s=10)
        assert (back.relative_alt_m or 0) > ALT_M - 3.0  # it held its height meanwhile
        await until(svc, lambda: bool(alerts(svc, uid, "mavlink.overwatch_ended", "RTL")),
                    backend.wall(10))
