"""What the map shows at 80x24, 120x40 and 200x55: key sites named, the selected unit's
home, goto target (with its line) and mission (dotted, waypoints ``o``), a marked unit's
overwatch circle, bases, and the legend in the map's bottom border. At 80x24 the map is
brought up full width (a map key does it); elsewhere it is beside the table.

Update after an intended change with ``pytest tests/tui/test_map_snapshots.py
--snapshot-update`` and look at the report.
"""

from __future__ import annotations

import pytest
from map_scene import map_service
from test_snapshots import settle
from textual.pilot import Pilot

from tui.app import FleetConsole


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 55)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_markers_and_names(snap_compare, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "space", "up", "up")  # mark Eagle 2, select Eagle 1
        await pilot.press("0")  # fit every unit (on a narrow screen: the map comes up)
        await settle(pilot)

    assert snap_compare(FleetConsole(map_service()), terminal_size=size, run_before=before)
