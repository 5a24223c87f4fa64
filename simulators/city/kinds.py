"""How each kind of unit moves and what it carries: the numbers behind the speed model.

A unit's speed on an edge is
``min(edge limit, kind top speed) x (1 - edge congestion x traffic x kind sensitivity)
x unit factor`` (x ``urgent_factor`` when dispatched). Motorcycles filter through queues, so
their sensitivity to congestion is a third of a car's: in traffic they are the fastest units,
as the rapid police rely on. Each unit draws its own factor (seeded) so two cars differ.
Off the map's main roads (the last leg to a call, and back) a unit moves in a straight line at
``offroad_speed_m_s``: a side street's crawl, or the crew on foot.
"""

from __future__ import annotations

from dataclasses import dataclass

LAND_KINDS = ("command_vehicle", "patrol_car", "motorcycle")
WATER_KINDS = ("command_boat", "patrol_boat")
KINDS = LAND_KINDS + WATER_KINDS


@dataclass(frozen=True)
class KindProfile:
    top_speed_m_s: float        # the vehicle's own limit (boats: cruising)
    congestion_sensitivity: float   # 0 ignores traffic, 1 suffers all of it
    patrol_speed_factor: float  # idle patrolling is slower than driving to a call
    urgent_factor: float        # lights and siren
    crew: int
    fuel_pct_per_km: float      # fuel (or battery) used per kilometre
    alt_m: float                # ground / water level reported as alt
    parks_when_idle: bool       # command vehicles and command boats wait at their base
    patrol_radius_m: float      # idle patrol loops stay this close to the base
    speed_spread: float         # standard deviation of the per-unit factor
    #: the last leg from the road to the call (side street, on foot) and back, straight
    offroad_speed_m_s: float


PROFILES: dict[str, KindProfile] = {
    "command_vehicle": KindProfile(15.0, 1.0, 0.6, 1.15, 4, 0.25, 62.0, True, 1200.0, 0.05,
                                   3.5),
    "patrol_car": KindProfile(19.0, 1.0, 0.55, 1.25, 2, 0.18, 62.0, False, 2000.0, 0.07, 4.0),
    "motorcycle": KindProfile(20.0, 0.33, 0.6, 1.25, 1, 0.45, 62.0, False, 1500.0, 0.08, 5.0),
    "command_boat": KindProfile(10.0, 0.0, 0.6, 1.1, 4, 1.2, 50.0, True, 3000.0, 0.04, 2.5),
    "patrol_boat": KindProfile(13.0, 0.0, 0.55, 1.15, 3, 1.5, 50.0, False, 4000.0, 0.06, 3.0),
}


def edge_speed_m_s(profile: KindProfile, limit_m_s: float, congestion: float, traffic: float,
                   unit_factor: float, *, patrolling: bool, urgent: bool) -> float:
    """Speed on one edge; ``traffic`` scales the city's congestion (0 empty streets, 1 normal)."""
    base = min(limit_m_s * (profile.urgent_factor if urgent else 1.0), profile.top_speed_m_s)
    slowdown = max(0.1, 1.0 - congestion * traffic * profile.congestion_sensitivity)
    speed = base * slowdown * unit_factor
    return speed * profile.patrol_speed_factor if patrolling else speed
