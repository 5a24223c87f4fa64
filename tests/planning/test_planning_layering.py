"""fleet.planning stays pure: only the executor and the live view touch the core's asyncio
side (its CLI is in fleet.cli), so the planners are tested fast and directly
(docs/planning.md)."""

from pathlib import Path

import pytest
from test_layering import imported_modules, top_level

PACKAGE = Path(__file__).resolve().parents[2] / "fleet" / "planning"
CORE_SIDE = {"executor.py", "legs.py", "live.py"}
FORBIDDEN = {"asyncio", "socket", "aiomqtt", "sqlite3", "subprocess", "textual", "serial",
             "threading", "tui", "pathlib", "os"}


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.glob("*.py")
                                        if p.name not in CORE_SIDE), ids=lambda p: p.name)
def test_planning_modules_do_no_io(path):
    found = imported_modules(path)  # relative imports resolved too
    assert not top_level(found) & FORBIDDEN
    assert not any(n.startswith(("fleet.service", "fleet.links", "fleet.dispatch"))
                   for n in found)
