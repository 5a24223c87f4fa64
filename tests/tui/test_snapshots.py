"""What the console looks like: SVG snapshots of the main screen, the unit detail and the
confirmation dialog, from the fake service with fixed data and a frozen clock.

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

import asyncio

from fake_service import FakeService, rejected
from textual.pilot import Pilot

from fleet.events import Severity
from tui.app import FleetConsole

SIZE = (160, 48)


def scene() -> FakeService:
    """A small fleet mid-shift: flying, patrolling, one lost, one never heard."""
    s = FakeService()
    s.report("air-1", 26.8990, 112.6010, alt_m=155.0, relative_alt_m=60.0, heading_deg=75.0,
             ground_speed_m_s=9.5, battery_pct=72.0, battery_v=15.4, mode="AUTO", armed=True,
             ready=True, satellites=17, gps_fix=3, mission_seq=4)
    s.report("air-2", 26.8930, 112.5880, alt_m=95.0, relative_alt_m=0.0, battery_pct=98.0,
             battery_v=16.6, mode="LOITER", armed=False, ready=False, satellites=9, gps_fix=3)
    s.report("heli-1", 26.9120, 112.6200, alt_m=400.0, relative_alt_m=300.0,
             ground_speed_m_s=40.0, battery_pct=55.0, mode="GUIDED", armed=True, ready=True)
    s.report("rp02-pc1", 26.8890, 112.6050, ground_speed_m_s=11.2, battery_pct=64.0)
    s.report("rp02-pc2", 26.8800, 112.5970, ground_speed_m_s=0.0, battery_pct=23.0)
    s.report("boat-pb1", 26.8990, 112.6180, ground_speed_m_s=6.0, battery_pct=80.0)
    s.lose("heli-1")
    s.alert(Severity.INFO, "mission.reached", "air-1: reached mission item 3", "air-1")
    s.results["air-2"] = rejected("air-2", "arm", "MAV_RESULT_FAILED",
                                  "PreArm: Need Position Estimate")
    return s


async def settle(pilot: Pilot, frames: int = 3) -> None:
    app = pilot.app
    assert isinstance(app, FleetConsole)
    target = app.frames + frames
    async with asyncio.timeout(5):
        while app.frames < target:
            await pilot.pause(0.05)


async def trend(pilot: Pilot, svc: FakeService, unit_id: str, readings: list[float]) -> None:
    """Battery readings 5 s apart, each drawn before the next (the sparkline's input)."""
    for pct in readings:
        svc.advance(5)
        svc.report(unit_id, 26.8990, 112.6010, alt_m=155.0, relative_alt_m=60.0,
                   battery_pct=pct, battery_v=15.4, mode="AUTO", armed=True, ready=True,
                   satellites=17, gps_fix=3, mission_seq=4, ground_speed_m_s=9.5)
        await settle(pilot, 2)


def test_main_screen(snap_compare) -> None:
    svc = scene()

    async def before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "space", "space", "up", "up")  # mark Eagle 2 and Falcon 1
        await settle(pilot)

    assert snap_compare(FleetConsole(svc), terminal_size=SIZE, run_before=before)


def test_unit_detail(snap_compare) -> None:
    svc = scene()
    svc.results["air-1"] = rejected("air-1", "arm", "MAV_RESULT_DENIED",
                                    "Arm: Motors Emergency Stopped")

    async def before(pilot: Pilot) -> None:
        await settle(pilot)
        await trend(pilot, svc, "air-1", [70.0, 67.5, 64.0, 61.0, 57.5, 55.0])
        await pilot.press("a")  # Eagle 1 refuses, with its reason
        await settle(pilot, 5)

    assert snap_compare(FleetConsole(svc), terminal_size=SIZE, run_before=before)


def test_confirmation_dialog(snap_compare) -> None:
    svc = scene()

    async def before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("space", "space", "a")
        await settle(pilot)

    assert snap_compare(FleetConsole(svc), terminal_size=SIZE, run_before=before)
