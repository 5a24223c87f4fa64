"""The screen at 80x24, 120x40 and 200x55 (issue #13, map and layout): the map has a
usable share beside the table where there is room, ``V`` brings it up full width where
there is not (and back), the map keys work at every size, and the header never wraps."""

from __future__ import annotations

import pytest
from console_harness import Console, console
from map_scene import map_service
from rich.cells import cell_len
from textual.widgets import Input

from tui.table_rows import COLUMNS
from tui.widgets import CityMapView, UnitTable

SIZES = [(80, 24), (120, 40), (200, 55)]


def shown(c: Console, selector: str) -> bool:
    widget = c.main.query_one(selector)
    return bool(widget.display) and widget.region.width > 0


def centre(c: Console) -> tuple[float, float]:
    view = c.map.view
    assert view is not None
    return view.lat, view.lon


async def toggle(c: Console, on: bool) -> None:
    left = "#desk" if c.main.showing_desk else "#table"
    await c.press("V")
    await c.until(lambda: c.main.map_view == on and shown(c, left) != on and
                  (shown(c, "#map") or not on), what=f"map view {on}")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_map_is_on_screen_or_one_key_away_at_every_size(size: tuple[int, int]
                                                                   ) -> None:
    width, _ = size
    async with console(map_service(), size=size) as c:
        table = c.table
        assert shown(c, "#table")
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling
        if width < 120:
            assert not shown(c, "#map")
        else:  # beside the table, with a share to work with
            assert c.map.size.width >= 45
            assert table.region.width + c.map.region.width == width
        if width >= 200:
            assert table.columns == COLUMNS  # room for every column
        else:
            assert {"callsign", "status", "battery", "age"} <= {k.key for k in table.columns}
        # V: the map full width, with the keys; V again: back where it was
        await toggle(c, True)
        assert c.map.region.width == width and isinstance(c.app.focused, CityMapView)
        assert shown(c, "#detail") == (width >= 120)  # a narrow screen: the map only
        assert c.map.view is not None
        before = centre(c)
        await c.press("right")
        await c.until(lambda: centre(c)[1] > before[1], what="a pan")
        step = centre(c)[1] - before[1]
        await c.press("shift+left")  # a page back: further than a step
        await c.until(lambda: centre(c)[1] < before[1], what="a page")
        assert before[1] - centre(c)[1] > step
        await toggle(c, False)
        assert isinstance(c.app.focused, UnitTable)


async def test_map_keys_bring_the_map_up_on_a_narrow_screen() -> None:
    async with console(map_service(), size=(80, 24)) as c:
        for key in ("0", "plus", "minus", "f"):
            await c.press(key)
            await c.until(lambda: c.main.map_view and shown(c, "#map"), what=key)
            await toggle(c, False)


async def test_the_table_the_desk_and_the_filter_take_the_column_back() -> None:
    async with console(map_service(), size=(80, 24)) as c:
        await toggle(c, True)
        await c.press("slash")  # the filter is the table's: the table comes back
        await c.until(lambda: isinstance(c.app.focused, Input) and shown(c, "#table"))
        assert not c.main.map_view
        await c.press("escape")
        await toggle(c, True)
        await c.press("i")  # the desk goes where the table was: it shows
        await c.until(lambda: c.main.showing_desk and not c.main.map_view)
        await toggle(c, True)
        await toggle(c, False)
        assert c.main.showing_desk and shown(c, "#desk")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_header_is_cut_never_wrapped(size: tuple[int, int]) -> None:
    async with console(map_service(), size=size) as c:
        header = c.header
        assert header.region.height == 3
        lines = header.render().split()
        assert len(lines) == 3
        assert all(cell_len(line.plain) <= header.content_region.width for line in lines)
        assert lines[0].plain.startswith("Hengyang (test)  16:00:00 CST")
