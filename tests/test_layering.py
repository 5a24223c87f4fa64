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


# -- the core and its features (issue 15) ---------------------------------------------------
FEATURES = ("fleet.dispatch", "fleet.planning")
#: what a feature never imports: the core's insides and the composition above it. Features
#: reach the core only through fleet.port (FleetPort), as links through LinkContext.
ABOVE_FEATURES = ("fleet.service", "fleet.core", "fleet.config", "fleet.cli", "fleet.runner",
                  "fleet.demo", "fleet.headless")


def package_of(module: str) -> str | None:
    """The node of the package graph a module belongs to: a subpackage of fleet
    (``fleet.dispatch``) or a top-level module (``fleet.service``)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "fleet" and len(parts) > 1 else None


def package_graph(root: Path = ROOT) -> dict[str, dict[str, set[str]]]:
    """package -> imported package -> the files that import it. Every import counts:
    lazy ones inside functions and ``if TYPE_CHECKING:`` ones too."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in sorted((root / "fleet").rglob("*.py")):
        rel = path.relative_to(root)
        src = package_of(".".join(rel.with_suffix("").parts))
        if src is None:
            continue
        edges = graph.setdefault(src, {})
        for name in imported_modules(path, root):
            dst = package_of(name)
            if dst is not None and dst != src:
                edges.setdefault(dst, set()).add(str(rel))
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Each strongly connected group of more than one package (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_the_packages_of_fleet():
    graph = package_graph()
    assert len(graph) > 20  # the walk saw the tree
    found = cycles(graph)
    detail = [f"{a} -> {b} ({', '.join(sorted(graph[a][b]))})"
              for group in found for a in group for b in graph[a] if b in group]
    assert not found, "import cycles:\n" + "\n".join(detail)


@pytest.mark.parametrize("feature", FEATURES)
def test_features_reach_the_core_only_through_its_port(feature):
    graph = package_graph()
    bad = {b: sorted(files) for b, files in graph[feature].items() if b in ABOVE_FEATURES}
    assert not bad
    assert "fleet.port" in graph[feature]


def test_the_core_knows_no_feature():
    graph = package_graph()
    for core in ("fleet.core", "fleet.port", "fleet.state", "fleet.api", "fleet.links"):
        assert not set(graph[core]) & {*FEATURES, "fleet.service", "fleet.cli"}, core


def test_the_cycle_check_sees_a_lazy_cycle(tmp_path):
    for rel, text in {"fleet/a/__init__.py": "",
                      "fleet/a/one.py": "def f():\n    from fleet.b import two\n",
                      "fleet/b/__init__.py": "",
                      "fleet/b/two.py": "from typing import TYPE_CHECKING\n"
                                        "if TYPE_CHECKING:\n    from ..a import one\n",
                      "fleet/c.py": "from fleet.a import one\n"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert cycles(package_graph(tmp_path)) == [["fleet.a", "fleet.b"]]
