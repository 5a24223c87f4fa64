"""What a call-taker types into the new-call form, checked before the core sees it.

Pure (no Textual): a location is a key site's name (or id, or a unique part of its name)
or ``lat, lon``; a priority is empty (the category's) or 1..5. Each parser raises
ValueError with a message the operator can act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from fleet.model import KeySite

PRIORITIES = range(1, 6)


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float
    site: str | None = None  # the key site's name when one was named

    def describe(self) -> str:
        return self.site or f"{self.lat:.5f}, {self.lon:.5f}"


@dataclass(frozen=True, slots=True)
class CallDraft:
    """The form's fields as typed; ``pick`` asks for the location on the map."""

    location: str = ""
    category: str | None = None
    priority: str = ""
    notes: str = ""
    ref: str = ""
    pick: bool = False


def format_point(lat: float, lon: float) -> str:
    return f"{lat:.5f}, {lon:.5f}"


def parse_location(text: str, sites: Sequence[KeySite]) -> Location:
    """A key site (name, id or a unique part of the name) or ``lat, lon``."""
    text = text.strip()
    if not text:
        raise ValueError("type a key site's name or lat, lon (ctrl+o: pick on the map)")
    parts = [p for p in re.split(r"[,\s]+", text) if p]
    if len(parts) == 2:
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            if not (math.isfinite(lat) and math.isfinite(lon)):
                raise ValueError("latitude and longitude must be finite numbers")
            return Location(lat, lon)
    site = find_site(text, sites)
    return Location(site.position.lat_deg, site.position.lon_deg, site.name)


def find_site(text: str, sites: Sequence[KeySite]) -> KeySite:
    key = text.casefold()
    exact = [s for s in sites if key in (s.name.casefold(), s.id.casefold())]
    if exact:
        return exact[0]
    partial = [s for s in sites if key in s.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(s.name for s in partial[:4])
        raise ValueError(f"{text!r} matches {names}: type more of the name")
    known = ", ".join(s.name for s in sites[:6]) or "none configured"
    raise ValueError(f"no key site {text!r} (known: {known}); or type lat, lon")


def parse_priority(text: str) -> int | None:
    """None (the category's default) or 1..5."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) not in PRIORITIES:
        raise ValueError("priority is 1 (most urgent) to 5, or empty for the category's")
    return int(text)
