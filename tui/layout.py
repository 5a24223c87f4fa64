"""How the main screen shares its width between the table (or the incident desk) with the
alerts on the left, and the map with the unit detail on the right.

From :data:`NARROW_W` columns both show. The right column gets :data:`MAP_SHARE` of the
width and at least :data:`MAP_MIN_W` columns (the map's border and 46 columns: room to
pan and pick a point, and the unit detail under it stays readable); the left column the
rest, up to the whole table. At 120 columns that is a 72-column table beside a 48-column
map (where the table used to keep 96 and the map 24), at 160 96 and 64, at 200 and wider
the whole table. A table narrower than its columns leaves out the least needed ones
(:func:`tui.widgets.unit_table.columns_for`). Below :data:`NARROW_W` one column shows at a
time, and ``V`` swaps them (as it gives the map the whole width on a wide screen).
Pure: no Textual.
"""

from __future__ import annotations

NARROW_W = 120  # below this many columns: one column at a time
MAP_MIN_W = 48  # the right column at least: the map's border and 46 columns
MAP_SHARE = 0.4  # of the screen's width, for the right column, when that is more
LEFT_MIN_W = 40
SCROLLBAR_W = 1


def left_width(screen_w: int, table_w: int) -> int:
    """The left column's width on a screen ``screen_w`` wide, for a table ``table_w``
    wide with all its columns."""
    right = max(MAP_MIN_W, round(screen_w * MAP_SHARE))
    return max(LEFT_MIN_W, min(table_w + SCROLLBAR_W, screen_w - right))
