"""Shared helpers for the mission tests: exact comparison that treats NaN as equal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from fleet.missions import MissionItem

DATA = Path(__file__).parent / "data"


def fields(item: MissionItem) -> tuple[object, ...]:
    return tuple("nan" if isinstance(v, float) and math.isnan(v) else v
                 for v in (item.command, item.frame, *item.params, item.autocontinue))


def assert_same_items(got: Sequence[MissionItem], want: Sequence[MissionItem]) -> None:
    """Exactly equal, field by field, NaN equal to NaN; names the first differing item."""
    assert len(got) == len(want), f"{len(got)} items, expected {len(want)}"
    for n, (g, w) in enumerate(zip(got, want, strict=True), start=1):
        assert fields(g) == fields(w), f"item {n}: {g} != {w}"
