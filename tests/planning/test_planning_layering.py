"""fleet.planning stays pure: only the executor, the live view and the CLI touch the core's
asyncio side, so the planners are tested fast and directly (docs/planning.md)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "fleet" / "planning"
CORE_SIDE = {"executor.py", "legs.py", "live.py", "cli.py", "cli_plan.py", "cli_coverage.py",
             "cli_schedule.py"}
FORBIDDEN = {"asyncio", "socket", "aiomqtt", "sqlite3", "subprocess", "textual", "serial",
             "threading", "tui", "pathlib", "os"}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.glob("*.py")
                                        if p.name not in CORE_SIDE), ids=lambda p: p.name)
def test_planning_modules_do_no_io(path):
    found = imports(path)
    assert not {n.split(".")[0] for n in found} & FORBIDDEN
    assert not any(n.startswith(("fleet.service", "fleet.links", "fleet.dispatch"))
                   for n in found)
