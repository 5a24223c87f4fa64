"""Fidelity: the same scripted flight on both backends, each phase timed on the vehicle's
own clock (time_boot_ms, read off the wire), so the speed-up and the machine's load do
not count. When both backends ran in one session, every phase must agree within 20 %;
the table is printed either way (docs/hil.md records it).

The simulator runs with SITL's boot timings here (no --fast-boot): readiness is a phase.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import pytest
from backend import Backend
from flying import offset, ready, until_disarmed, until_near, until_telemetry
from sitl_setup import sitl_configured

ALT_M = 40.0
TRANSIT_M = 300.0
AGREE = 0.20
PHASES = ("ready", "climb 40 m", "transit 300 m", "RTL to disarmed")


async def test_phases_take_the_same_vehicle_time_on_both_backends(
        backend: Backend, fidelity_results: dict[str, dict[str, float]],
        tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> None:
    if backend.name == "sim" and not sitl_configured():
        pytest.skip("the simulator's half only feeds the comparison with SITL (not set up)")
    phases: dict[str, float] = {}
    async with backend.fleet(model="quad", fast_boot=False) as (svc, (uid,)):
        def clock() -> float:
            now = backend.vehicle_time_s(uid)
            assert now is not None, "no time_boot_ms from the vehicle yet"
            return now

        async def timed(name: str, step: Callable[[], Awaitable[object]]) -> None:
            start = clock()
            await step()
            phases[name] = clock() - start

        home = await ready(svc, backend, uid)
        phases["ready"] = clock()  # from boot: SITL's clock starts with our connection
        unit = svc.unit(uid)
        await unit.action.arm(timeout=backend.wall(10))

        async def climb() -> None:
            await unit.action.takeoff(ALT_M, timeout=backend.wall(10))
            await until_telemetry(svc, backend, uid,
                                  lambda t: (t.relative_alt_m or 0) >= ALT_M * 0.95, sim_s=60)

        target = offset(home.lat_deg, home.lon_deg, TRANSIT_M, 0.0)

        async def transit() -> None:
            await unit.action.goto(*target, ALT_M, timeout=backend.wall(10))
            await until_near(svc, backend, uid, *target, 3.0, sim_s=90)

        async def rtl() -> None:
            await unit.action.return_to_launch(timeout=backend.wall(10))
            await until_disarmed(svc, backend, uid, sim_s=180)

        await timed("climb 40 m", climb)
        await timed("transit 300 m", transit)
        await timed("RTL to disarmed", rtl)

    fidelity_results[backend.name] = phases
    (tmp_path_factory.getbasetemp() / "fidelity.json").write_text(json.dumps(fidelity_results))
    with capsys.disabled():
        print("\n" + table(fidelity_results))
    sim, sitl = fidelity_results.get("sim"), fidelity_results.get("sitl")
    if sim and sitl:
        off = {p: sim[p] / sitl[p] - 1 for p in PHASES if abs(sim[p] / sitl[p] - 1) > AGREE}
        assert not off, f"phases more than {AGREE:.0%} apart (sim/sitl - 1): {off}"


def table(results: dict[str, dict[str, float]]) -> str:
    names = [n for n in ("sim", "sitl") if n in results]
    rows = [f"{'phase (vehicle s)':<18}" + "".join(f"{n:>9}" for n in names)
            + ("      sim/sitl" if len(names) == 2 else "")]
    for phase in PHASES:
        row = f"{phase:<18}" + "".join(f"{results[n][phase]:>9.1f}" for n in names)
        if len(names) == 2:
            row += f"{results['sim'][phase] / results['sitl'][phase]:>14.2f}"
        rows.append(row)
    return "\n".join(rows)
