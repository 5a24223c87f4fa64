"""Names on the map: each beside its glyph where there is room, never over another name,
a unit or a marker, and left out where there is none (zoomed out, a crowded corner).

Labels are collected while the glyphs are drawn and placed after all of them, so no
glyph drawn later can cut one ("Eagle 1" read "Eam" when a motorcycle was drawn over
it). The first label asked for is placed first: the selected unit's, then the selected
incident's, then the key sites'. A label is tried right of its glyph, then left, then on
the rows above and below; the first place inside the map where every cell holds only
city dots (braille) or nothing wins, with a blank cell kept between two labels so names
never run together. A ``force`` label (the selection's) that finds no free place is
drawn right of its glyph anyway, on top, and the units it hides stop answering clicks.

Pure (no Textual): works on the :class:`~tui.map_canvas.Grid` the map widget shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.map_canvas import BRAILLE_BLANK, Grid

Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Label:
    x: int  # the glyph's cell
    y: int
    text: str
    style: str
    force: bool = False


def candidates(x: int, y: int, n: int) -> list[Cell]:
    """Where a label of ``n`` cells may start, best first, for a glyph at (x, y)."""
    return [(x + 2, y), (x - 1 - n, y), (x + 1, y - 1), (x + 1, y + 1),
            (x - n, y - 1), (x - n, y + 1)]


def short_name(name: str) -> str:
    """A site's name as the map shows it: without the explanation in brackets
    ("Hengyang East Station (high-speed rail)" is "Hengyang East Station")."""
    return name.split(" (", 1)[0].strip() or name


@dataclass(slots=True)
class Labels:
    """The labels asked for while drawing; :meth:`draw` places them, in that order."""

    queue: list[Label] = field(default_factory=list)
    placed: dict[str, Cell] = field(default_factory=dict)  # text -> where it starts

    def add(self, x: int, y: int, text: str, style: str, *, force: bool = False) -> None:
        if text:
            self.queue.append(Label(x, y, text, style, force))

    def draw(self, grid: Grid) -> dict[str, Cell]:
        """Place every label that fits; returns text -> starting cell of those placed."""
        taken: set[Cell] = set()  # label cells and the blank kept either side of each
        for label in self.queue:
            start = self._free_place(grid, label, taken)
            if start is None and label.force:
                start = (label.x + 2, label.y)
                for i in range(len(label.text)):
                    grid.hits.pop((start[0] + i, start[1]), None)
            if start is None:
                continue
            x0, y0 = start
            grid.put(x0, y0, label.text, label.style)
            taken.update((x0 + i, y0) for i in range(-1, len(label.text) + 1))
            self.placed[label.text] = start
        return self.placed

    @staticmethod
    def _free_place(grid: Grid, label: Label, taken: set[Cell]) -> Cell | None:
        h = len(grid.chars)
        w = len(grid.chars[0]) if h else 0
        n = len(label.text)
        for x0, y0 in candidates(label.x, label.y, n):
            if not (0 <= y0 < h and 0 <= x0 <= w - n):
                continue
            row = grid.chars[y0]
            if all((x, y0) not in taken and _is_background(row[x])
                   for x in range(x0, x0 + n)):
                return x0, y0
        return None


def _is_background(ch: str) -> bool:
    """City dots or nothing: what a label may cover (never a glyph, never a name)."""
    return ch == " " or BRAILLE_BLANK <= ord(ch) <= BRAILLE_BLANK + 0xFF
