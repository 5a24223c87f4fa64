"""Dispatch settings (the ``[dispatch]`` config section), with the defaults in one place.

Parsed and validated by :mod:`fleet.config.dispatch`; see docs/dispatch.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fleet.model import Domain

from .categories import DEFAULT_CATEGORIES, Category

LatLon = tuple[float, float]

#: Where boats can go, until ``fleet/data/hengyang_map.json`` carries the rivers: the
#: Xiang through the city (south to north) and the lower Zheng up to Huaxin, hand-
#: digitised to a few hundred metres (the same lines the city simulator sails on).
HENGYANG_RIVERS: tuple[tuple[LatLon, ...], ...] = (
    ((26.815, 112.630), (26.830, 112.624), (26.842, 112.618), (26.852, 112.614),
     (26.862, 112.6120), (26.872, 112.6122), (26.880, 112.6140), (26.888, 112.6170),
     (26.896, 112.6192), (26.904, 112.6202), (26.912, 112.6212), (26.918, 112.6228),
     (26.926, 112.6255), (26.936, 112.6300), (26.948, 112.6370), (26.960, 112.6460),
     (26.972, 112.6560), (26.985, 112.6680)),
    ((26.926, 112.575), (26.924, 112.590), (26.9215, 112.602), (26.920, 112.612),
     (26.918, 112.6228)),
)

#: Battery or fuel below which a unit is not sent: a drone at 30 % has about ten
#: minutes of flight left, enough to reach a city incident, hold briefly and return.
DEFAULT_RESERVE_PCT: Mapping[Domain, float] = {Domain.AIR: 30.0, Domain.LAND: 10.0,
                                               Domain.WATER: 15.0}


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    #: SQLite audit file; None: ``$XDG_STATE_HOME/fleet/audit.sqlite3`` for a config
    #: loaded from a file, an in-memory audit for one built in code (tests)
    audit_db: str | None = None
    #: the key that seals audit rows (HMAC), kept apart from the database; None:
    #: ``$XDG_CONFIG_HOME/fleet/audit.key``, created 0600 on first use
    audit_key_file: str | None = None
    #: where the audit's head is anchored (a file a day, append-only); None: ``<audit_db>.anchors``
    audit_anchor_dir: str | None = None
    audit_checkpoint_rows: int = 100  # anchor the head after this many rows...
    audit_checkpoint_min: float = 5.0  # ...or this long after the first unanchored row
    operator: str = "duty-officer"  # who acts when a call names nobody
    categories: Mapping[str, Category] = field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    reserve_pct: Mapping[Domain, float] = field(default_factory=lambda: dict(DEFAULT_RESERVE_PCT))
    default_target_min: float = 5.0  # outside every zone ("other urban districts")
    default_road_factor: float = 1.4
    extent_margin_m: float = 10_000.0  # around zones, key sites and bases
    rivers: tuple[tuple[LatLon, ...], ...] = HENGYANG_RIVERS
    river_reach_m: float = 300.0  # boats are considered within this of a river
    drone_alt_m: float = 40.0  # transit and overwatch altitude above home
    orbit_radius_m: float = 50.0
    arrival_radius_m: float = 50.0  # ground and water units: on scene within this
    air_arrival_radius_m: float = 80.0  # aircraft: horizontal distance
    ack_timeout_s: float = 10.0  # per command, for the unit to accept
    takeoff_timeout_s: float = 90.0  # to climb to a safe altitude before transit
    cad_intake: bool = True  # listen on {prefix}/cad/incident when [mqtt] is configured
    #: the city map (fleet/data/hengyang_map.json's format) whose rivers and bridges
    #: route ground units to the other bank; None: the road factor alone
    road_map: str | None = None
    #: closure hygiene (:mod:`.hygiene`): a restart replays every open incident, so ones
    #: an operator forgot to clear are flagged for review rather than left open for days
    stale_on_scene_min: float = 60.0  # a unit on scene longer than this
    stale_open_min: float = 120.0  # an incident not cleared this long after the call
    stale_unreached_factor: float = 3.0  # units sent, nobody on scene after this x target
