"""What the incident desk looks like: SVG snapshots of the desk mid-shift (wide and at
80x24), the new-call form and the recommendation it leads to, from the fake centre
with a frozen clock.

Update after an intended change with
``pytest tests/tui/test_desk_snapshots.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

from desk_scene import desk_scene, placed_fleet
from test_snapshots import SIZE, settle
from textual.pilot import Pilot

from tui.app import FleetConsole


async def call_form(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    await pilot.press(*"wanda", "right", "tab", "enter", "v", "enter", "tab", "tab",
                      *"110-0500", "tab", *"knife, ground floor")
    await settle(pilot)


def test_incident_desk(snap_compare) -> None:
    svc, _ = desk_scene()

    async def before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)

    assert snap_compare(FleetConsole(svc), terminal_size=SIZE, run_before=before)


def test_incident_desk_at_80x24(snap_compare) -> None:
    svc, _ = desk_scene()

    async def before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)

    assert snap_compare(FleetConsole(svc), terminal_size=(80, 24), run_before=before)


def test_call_form(snap_compare) -> None:
    svc, _ = placed_fleet()
    assert snap_compare(FleetConsole(svc), terminal_size=SIZE, run_before=call_form)


def test_recommendation(snap_compare) -> None:
    svc, _ = placed_fleet()

    async def before(pilot: Pilot) -> None:
        await call_form(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(FleetConsole(svc), terminal_size=SIZE, run_before=before)
