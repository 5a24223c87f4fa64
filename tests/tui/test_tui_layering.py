"""The console's own layering, and its documentation kept honest.

The model and the logic modules never import Textual or Rich (they are tested without a
screen); no console module reaches past FleetService into links or simulators; every key
binding is in docs/console.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_layering import imported_modules, top_level

from tui.screens.help import keymap

ROOT = Path(__file__).resolve().parents[2]
PURE = ["tui/model.py", "tui/alert_book.py", "tui/table_rows.py", "tui/command_plans.py",
        "tui/map_canvas.py", "tui/map_layers.py", "tui/patrol_routes.py", "tui/cells.py",
        "tui/service_api.py", "tui/call_parse.py", "tui/desk_book.py", "tui/desk_rows.py",
        "tui/map_incidents.py", "tui/desk_view.py", "tui/schedule_rows.py", "tui/alert_triage.py",
        "tui/command_words.py", "tui/plan_load.py", "tui/plan_patrol.py", "tui/upload_rows.py",
        "tui/plan_words.py",
        "tui/home_words.py", "fleet/roads_rivers.py",
        "fleet/city_time.py", "tui/map_labels.py", "tui/map_markers.py", "tui/layout.py"]


@pytest.mark.parametrize("rel", PURE)
def test_logic_modules_know_nothing_of_the_screen(rel: str) -> None:
    assert not top_level(imported_modules(ROOT / rel)) & {"textual", "rich", "asyncio"}


@pytest.mark.parametrize("path", sorted((ROOT / "tui").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_console_reaches_the_core_only_through_the_service(path: Path) -> None:
    names = imported_modules(path)
    assert "simulators" not in top_level(names)
    assert not any(n.startswith(("fleet.links", "fleet.state", "fleet.stream")) for n in names)


def test_every_binding_is_documented() -> None:
    doc = (ROOT / "docs" / "console.md").read_text(encoding="utf-8")
    missing = [(keys, what) for _, entries in keymap() for keys, what in entries
               if what.split(" (")[0] not in doc]
    assert not missing, f"add to docs/console.md: {missing}"
