"""110 calls: when they come (a Poisson process), what they are, where, and the request.

Pure and seeded: the same seed and places give the same calls (ids aside, which carry a
per-run token so the core's idempotency never mistakes a new run's call for an old one).
A call's category is drawn from a realistic mix (most 110 calls are thefts, traffic and
help to the public; violence, crowds and water rescues are rarer); its place from the
shares below, except that a water rescue is by a river and most crowds gather at key sites.
"""

from __future__ import annotations

import math
import random
import secrets
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .places import Places
from .where import Sampler

OPERATOR = "110 call centre"
VERSION = 1
#: relative frequency by category id; the places file's other categories get none
DEFAULT_MIX: Mapping[str, float] = {
    "theft": 30, "assistance": 25, "traffic": 22, "violent_crime": 6, "crowd": 6,
    "search": 4, "water_rescue": 2, "terror": 0, "overwatch": 0,
}
#: where a call is (crowds and water rescues aside)
AREA_SHARES: tuple[tuple[str, float], ...] = (("key_site", 0.30), ("downtown", 0.40),
                                              ("elsewhere", 0.30))
CROWD_AT_KEY_SITE = 0.7
FIRST_CALL_S = (15.0, 45.0)   # sim seconds: the loop shows in a demo's first minute
NOTES: Mapping[str, tuple[str, ...]] = {
    "theft": ("phone snatched from a pedestrian", "e-bike stolen from a rack",
              "shoplifter held by staff", "purse taken on a bus", "shop break-in"),
    "assistance": ("elderly man lost, cannot find his way home",
                   "child separated from parents", "neighbours' dispute over noise",
                   "locked out with a child inside", "person lying on the pavement"),
    "traffic": ("two-car collision, no injuries", "scooter rider down, conscious",
                "car stalled across a junction", "minor collision, drivers arguing",
                "taxi hit a cyclist"),
    "violent_crime": ("fight outside a restaurant, one bleeding",
                      "man threatening passers-by with a knife",
                      "assault, attacker fled on foot"),
    "crowd": ("crowd pushing at an entrance", "vendors' dispute drawing a crowd",
              "large group blocking the road"),
    "search": ("elderly woman with dementia missing since morning",
               "child missing for an hour"),
    "water_rescue": ("person in the water near the bank", "swimmer in difficulty",
                     "someone fell from the embankment"),
    "terror": ("unattended bag, caller overheard threats",),
}


@dataclass(frozen=True)
class Call:
    seq: int
    id: str            # the CAD request id (unique per run)
    ref: str           # the call centre's own number, 110-YYYY-NNNNNN
    t_s: float         # sim seconds since the centre started
    lat: float
    lon: float
    category: str
    area: str          # key_site, downtown, elsewhere, river
    place: str         # the key site's or zone's name, or "river"
    notes: str


def arrival_times(rng: random.Random, calls_per_hour: float,
                  first_s: tuple[float, float] = FIRST_CALL_S) -> Iterator[float]:
    """Sim seconds of each call: the first within ``first_s``, then exponential gaps."""
    if calls_per_hour <= 0:
        return
    t = rng.uniform(*first_s)
    while True:
        yield t
        t += rng.expovariate(calls_per_hour / 3600.0)


def category_weights(places: Places, mix: Mapping[str, float] | None = None
                     ) -> dict[str, float]:
    """The mix over the categories the core knows (equal weights if none is in the mix)."""
    chosen = {**DEFAULT_MIX, **(mix or {})}
    weights = {c.id: float(chosen.get(c.id, 0.0)) for c in places.categories}
    if not places.rivers:
        weights.pop("water_rescue", None)
    if not any(w > 0 for w in weights.values()):
        weights = {c.id: 1.0 for c in places.categories if c.id != "water_rescue"
                   or places.rivers}
    return {k: w for k, w in weights.items() if w > 0}


class CallGenerator:
    def __init__(self, places: Places, *, seed: int = 1, mix: Mapping[str, float] | None = None,
                 run_id: str | None = None, first_seq: int = 1, year: int | None = None
                 ) -> None:
        self.places = places
        self.sampler = Sampler(places)
        self.rng = random.Random(f"{seed}:calls")
        self.weights = category_weights(places, mix)
        if not self.weights:
            raise ValueError("no category can be called (check the places file and --mix)")
        self.run_id = run_id or secrets.token_hex(4)
        self.seq = first_seq - 1
        self.year = year or time.localtime().tm_year

    def next_call(self, t_s: float) -> Call:
        rng = self.rng
        category = rng.choices(list(self.weights), list(self.weights.values()))[0]
        area, point, place = self._where(category)
        self.seq += 1
        note = rng.choice(NOTES.get(category, ("caller reports an incident",)))
        where = {"key_site": f"at {place}", "river": "by the river",
                 "downtown": "downtown"}.get(area, f"in {place.split(' (')[0]}")
        return Call(self.seq, f"110-{self.run_id}-{self.seq}",
                    f"110-{self.year}-{self.seq % 1_000_000:06d}", t_s,
                    round(point[0], 6), round(point[1], 6), category, area, place,
                    f"{note}; {where}")

    def _where(self, category: str) -> tuple[str, tuple[float, float], str]:
        rng, s = self.rng, self.sampler
        if category == "water_rescue":
            p = s.river_point(rng)
            if p is not None:
                return "river", p, "river"
        if category == "crowd" and rng.random() < CROWD_AT_KEY_SITE:
            area = "key_site"
        else:
            area = rng.choices([a for a, _ in AREA_SHARES], [w for _, w in AREA_SHARES])[0]
        if area == "key_site":
            found = s.key_site(rng)
            if found is not None:
                return "key_site", found[0], found[1].name
            area = "downtown"
        if area == "downtown" and s.downtown is not None:
            return "downtown", s.downtown_point(rng), s.downtown.name
        p, zone = s.elsewhere_point(rng)
        return "elsewhere", p, zone.name if zone else "the city"


def request_doc(call: Call, *, ts: float, dispatch: bool, operator: str = OPERATOR
                ) -> dict[str, Any]:
    """The CAD request of docs/dispatch.md ("CAD over MQTT"); priority: the category's."""
    if not (math.isfinite(call.lat) and math.isfinite(call.lon)):
        raise ValueError("a call needs a finite position")
    return {"v": VERSION, "id": call.id, "ts": round(ts, 3), "lat": call.lat, "lon": call.lon,
            "category": call.category, "notes": call.notes, "operator": operator,
            "ref": call.ref, "dispatch": dispatch}
