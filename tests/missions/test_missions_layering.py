"""fleet.missions stays pure: no asyncio, sockets or link code, so both the protocol code
and the planner can use it and its tests stay fast."""

from pathlib import Path

import pytest
from test_layering import imported_modules, top_level

PACKAGE = Path(__file__).resolve().parents[2] / "fleet" / "missions"
FORBIDDEN = {"asyncio", "socket", "aiomqtt", "sqlite3", "subprocess", "textual", "serial",
             "tui", "threading"}


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_mission_modules_do_no_io_and_know_no_links(path):
    found = imported_modules(path)  # relative imports resolved too
    assert not top_level(found) & FORBIDDEN
    assert not any(n.startswith(("fleet.links", "pymavlink.mavutil")) for n in found)
    assert {n for n in found if n.startswith("fleet.")} <= {
        "fleet.errors", "fleet.model"} | {n for n in found if n.startswith("fleet.missions")}
