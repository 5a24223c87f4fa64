"""Draw plans on a terminal with braille dots: each character is a 2×4 dot cell.

Braille dots are about square in a usual terminal font, so the plan keeps its shape.
Layers are drawn in priority order; with ``color`` each cell takes the ANSI colour of
the highest layer that has a dot in it. Pure: returns a string.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

# dot (x, y) within a cell -> bit of U+2800 + bits
_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]])
_RESET = "\x1b[0m"


@dataclass(frozen=True, slots=True)
class Layer:
    lines: Sequence[np.ndarray]  # polylines in any planar coordinates (x right, y up)
    color: str = ""  # ANSI SGR parameters, e.g. "31" for red; "" for the default


def _raster(poly: np.ndarray, to_dot: np.ndarray, scale: float, shape: tuple[int, int]
            ) -> np.ndarray:
    pts = (poly - to_dot) * scale
    out = np.zeros(shape, dtype=bool)
    if len(pts) == 1:
        pts = np.vstack([pts, pts])
    for a, b in pairwise(pts):
        n = int(np.ceil(np.abs(b - a).max())) * 2 + 2
        t = np.linspace(0.0, 1.0, n)[:, None]
        p = np.rint(a + t * (b - a)).astype(int)
        x = np.clip(p[:, 0], 0, shape[1] - 1)
        y = np.clip(shape[0] - 1 - p[:, 1], 0, shape[0] - 1)
        out[y, x] = True
    return out


def draw(layers: Sequence[Layer], *, width: int = 72, max_rows: int = 36,
         color: bool = False) -> str:
    """The layers fitted into ``width`` characters (at most ``max_rows`` lines)."""
    every = [p for layer in layers for p in layer.lines if len(p)]
    if not every:
        return ""
    pts = np.vstack(every)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    scale = min((width * 2 - 1) / span[0], (max_rows * 4 - 1) / span[1])
    dots_w = int(span[0] * scale) + 1
    dots_h = int(span[1] * scale) + 1
    rows, cols = -(-dots_h // 4), -(-dots_w // 2)
    shape = (rows * 4, cols * 2)
    codes = np.zeros((rows, cols), dtype=int)
    owner = np.full((rows, cols), -1)
    for k, layer in enumerate(layers):
        grid = np.zeros(shape, dtype=bool)
        for poly in layer.lines:
            if len(poly):
                grid |= _raster(np.asarray(poly, dtype=float), lo, scale, shape)
        cells = grid.reshape(rows, 4, cols, 2).transpose(0, 2, 1, 3)
        bits = (cells * _BITS).sum(axis=(2, 3))
        codes |= bits
        owner[bits > 0] = k
    lines = []
    for r in range(rows):
        text = []
        for c in range(cols):
            ch = chr(0x2800 + int(codes[r, c])) if codes[r, c] else " "
            tint = layers[owner[r, c]].color if color and owner[r, c] >= 0 else ""
            text.append(f"\x1b[{tint}m{ch}{_RESET}" if tint else ch)
        lines.append("".join(text).rstrip())
    return "\n".join(lines)
