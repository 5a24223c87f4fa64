"""Dispatch's pure modules do no I/O and no asyncio (STYLE.md), checked on the source."""

import pytest
from test_layering import IO_MODULES, ROOT, imported_modules, top_level

PURE = ["categories", "places", "settings", "incident", "ranking", "recommend", "explain",
        "chain", "anchor", "audit_check", "intake", "reports", "report_render", "cad",
        "replacement", "errors"]


@pytest.mark.parametrize("name", PURE)
def test_pure_dispatch_modules_do_no_io(name):
    path = ROOT / "fleet" / "dispatch" / f"{name}.py"
    assert not top_level(imported_modules(path)) & IO_MODULES


def test_dispatch_never_imports_the_console():
    for path in (ROOT / "fleet" / "dispatch").glob("*.py"):
        assert "tui" not in top_level(imported_modules(path)), path
