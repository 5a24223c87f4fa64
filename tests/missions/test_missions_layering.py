"""fleet.missions stays pure: no asyncio, sockets or link code, so both the protocol code
and the planner can use it and its tests stay fast."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "fleet" / "missions"
FORBIDDEN = {"asyncio", "socket", "aiomqtt", "sqlite3", "subprocess", "textual", "serial",
             "tui", "threading"}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_mission_modules_do_no_io_and_know_no_links(path):
    found = imports(path)
    assert not {n.split(".")[0] for n in found} & FORBIDDEN
    assert not any(n.startswith(("fleet.links", "pymavlink.mavutil")) for n in found)
    assert {n for n in found if n.startswith("fleet.")} <= {
        "fleet.errors", "fleet.model"} | {n for n in found if n.startswith("fleet.missions")}
