"""The layering we keep, checked on the source: a violation fails here, not in review."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ["fleet/model.py", "fleet/state.py", "fleet/columns.py", "fleet/eta.py",
        "fleet/events.py", "fleet/commands.py", "fleet/errors.py", "fleet/home_watch.py"]
IO_MODULES = {"asyncio", "socket", "aiomqtt", "sqlite3", "subprocess", "textual", "serial"}


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = path.relative_to(root).with_suffix("").parts[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            else:
                names.add(node.module or "")
    return names


def top_level(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", sources("fleet"), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_the_console(path):
    assert "tui" not in top_level(imported_modules(path))


@pytest.mark.parametrize("path", sources("simulators"), ids=lambda p: str(p.relative_to(ROOT)))
def test_simulators_never_import_the_core(path):
    assert "fleet" not in top_level(imported_modules(path))


@pytest.mark.parametrize("rel", PURE)
def test_pure_logic_does_no_io(rel):
    assert not top_level(imported_modules(ROOT / rel)) & IO_MODULES


def test_the_checker_sees_relative_and_absolute_imports(tmp_path):
    probe = tmp_path / "fleet" / "links" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text("from ...tui import app\nimport tui.widgets\nfrom .. import model\n")
    assert imported_modules(probe, tmp_path) == {"tui", "tui.widgets", "fleet"}
