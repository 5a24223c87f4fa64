"""Checking a new call before anything is recorded: location, category, priority, notes.

Pure, shared by the console API, the CAD intake and the CLI (which checks locally
first, so a typo is answered at once without a round trip to the core).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fleet.model import Base, KeySite, Zone

from .categories import PRIORITIES, Category
from .errors import BadIncidentError, UnknownCategoryError
from .places import (
    Extent,
    Placement,
    check_coordinates,
    check_in_extent,
    city_extent,
    locate,
)
from .settings import DispatchSettings

MAX_NOTES = 2000


@dataclass(frozen=True, slots=True)
class Call:
    """A checked call, ready to become an incident."""

    lat: float
    lon: float
    category: Category
    priority: int
    notes: str
    placement: Placement

    def received_data(self, source: str, ref: str | None, request_id: str | None = None
                      ) -> dict[str, Any]:
        """The data of the ``incident.received`` event (see incident._received)."""
        p = self.placement
        data: dict[str, Any] = {
            "lat": self.lat, "lon": self.lon, "category": self.category.id,
            "priority": self.priority, "zone": p.zone_id, "zone_name": p.zone_name,
            "target_s": p.target_s, "source": source,
        }
        optional = {"key_site": p.key_site_id, "key_site_name": p.key_site_name,
                    "placement_note": p.note, "notes": self.notes, "ref": ref,
                    "request": request_id}
        data.update({k: v for k, v in optional.items() if v})
        return data


class Intake:
    def __init__(self, settings: DispatchSettings, zones: Sequence[Zone],
                 key_sites: Sequence[KeySite], bases: Sequence[Base] = (),
                 city: str = "city") -> None:
        self.settings = settings
        self.zones = tuple(zones)
        self.key_sites = tuple(key_sites)
        self.city = city
        points = [pt for z in zones for pt in z.polygon]
        points += [(s.position.lat_deg, s.position.lon_deg) for s in key_sites]
        points += [(b.position.lat_deg, b.position.lon_deg) for b in bases]
        self.extent: Extent | None = city_extent(points, settings.extent_margin_m)

    def category(self, name: object) -> Category:
        cats = self.settings.categories
        if not isinstance(name, str) or name not in cats:
            raise UnknownCategoryError(str(name), list(cats))
        return cats[name]

    def place(self, lat: object, lon: object) -> tuple[float, float, Placement]:
        la, lo = check_coordinates(lat, lon)
        check_in_extent(la, lo, self.extent, self.city)
        s = self.settings
        return la, lo, locate(la, lo, self.zones, self.key_sites,
                              default_target_min=s.default_target_min,
                              default_road_factor=s.default_road_factor, rivers=s.rivers)

    def check(self, lat: object, lon: object, category: object, priority: object = None,
              notes: object = "") -> Call:
        """The call, or the first BadIncidentError subclass saying what is wrong."""
        cat = self.category(category)
        la, lo, placement = self.place(lat, lon)
        if priority is None:
            priority = cat.priority
        if isinstance(priority, bool) or not isinstance(priority, int) or \
                priority not in PRIORITIES:
            raise BadIncidentError(f"priority must be an integer 1..5 (1 most urgent), "
                                   f"got {priority!r}")
        if not isinstance(notes, str):
            raise BadIncidentError(f"notes must be text, got {type(notes).__name__}")
        if len(notes) > MAX_NOTES:
            raise BadIncidentError(f"notes are {len(notes)} characters; at most {MAX_NOTES}")
        return Call(la, lo, cat, priority, notes.strip(), placement)
