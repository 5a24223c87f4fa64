"""Recommendations and incidents as plain text, for the CLI and the console alike."""

from __future__ import annotations

import math

from fleet.city_time import clock as city_clock
from fleet.model import Domain

from .incident import Incident
from .recommend import Option, Recommendation


def duration(seconds: float | None) -> str:
    """``2 min 36 s``, ``45 s``, ``1 h 05 min``; ``-`` for unknown."""
    if seconds is None or math.isnan(seconds):
        return "-"
    if math.isinf(seconds):
        return "never"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def distance(metres: float | None) -> str:
    if metres is None:
        return "-"
    return f"{metres / 1000:.2f} km" if metres >= 1000 else f"{metres:.0f} m"


def clock(unix: float | None) -> str:
    """The city's wall-clock time of a Unix timestamp, ``HH:MM:SS``."""
    return "-" if unix is None else city_clock(unix)


def option_line(o: Option, target_s: float) -> str:
    """E.g. ``RP08 Car 1 (patrol_car): 1.23 km x1.4 road = 1.72 km at 11.0 m/s -> 2 min 36 s``."""
    domain = o.kind.domain
    if domain is Domain.AIR or o.route_m <= o.distance_m * 1.0001:
        route = f"{distance(o.distance_m)} straight"
    else:
        way = "river" if domain is Domain.WATER else "road"
        via = f" via {o.via}" if o.via else ""
        route = (f"{distance(o.distance_m)} x{o.route_m / max(o.distance_m, 1e-9):.1f} {way}"
                 f"{via} = {distance(o.route_m)}")
    launch = f" + {duration(o.launch_s)} launch" if o.launch_s > 0 else ""
    energy = "battery" if domain is Domain.AIR else "fuel"
    battery = f", {energy} {o.battery_pct:.0f} %" if o.battery_pct is not None else ""
    verdict = "within" if o.meets_target else "MISSES"
    return (f"{o.callsign} ({o.kind.value}): {route} at {o.speed_m_s:.1f} m/s{launch} "
            f"-> {duration(o.eta_s)}{battery}; {verdict} the {duration(target_s)} target")


def recommendation_lines(rec: Recommendation) -> list[str]:
    """The whole explanation: target, choices per requirement, alternates, left out."""
    p = rec.placement
    lines = [f"{rec.category} at {rec.lat:.5f}, {rec.lon:.5f}: {p.zone_name}"
             + (f", key site {p.key_site_name}" if p.key_site_name else "")
             + f"; target {duration(p.target_s)} ({p.target_source})"]
    met = rec.target_met
    if met is None:
        lines.append("NO UNIT AVAILABLE: the target will be missed")
    else:
        lines.append(f"first arrival in {duration(rec.first_eta_s)}: target "
                     + ("met" if met else "MISSED"))
    for f in rec.fills:
        lines.append(f"{f.label}:")
        lines += [f"  send  {option_line(o, p.target_s)}" for o in f.chosen]
        if f.short_by > 0:
            lines.append(f"  short by {f.short_by}: no other eligible unit")
        lines += [f"  next  {option_line(o, p.target_s)}" for o in f.alternates]
    if rec.excluded:
        lines.append("not considered:")
        lines += [f"  {e.callsign} ({e.kind.value}, {distance(e.distance_m)}): {e.detail}"
                  for e in rec.excluded]
    lines += [f"note: {n}" for n in rec.notes]
    return lines


def incident_lines(inc: Incident) -> list[str]:
    """An incident's timeline: every transition with its time, then each unit's."""
    lines = [f"{inc.id} {inc.category} P{inc.priority} {inc.status.value} at "
             f"{inc.lat:.5f}, {inc.lon:.5f} ({inc.zone_name}; target {duration(inc.target_s)})"]
    for name in ("received", "dispatched", "en_route", "on_scene", "cleared", "closed",
                 "cancelled"):
        t = getattr(inc, f"{name}_at")
        if t is not None:
            lines.append(f"  {name:<10} {clock(t)}  +{duration(t - inc.received_at)}")
    for a in inc.assignments:
        steps = ", ".join(f"{n} {clock(t)}" for n, t in (
            ("ack", a.acknowledged_at), ("en route", a.en_route_at),
            ("on scene", a.on_scene_at), ("ended", a.ended_at)) if t is not None)
        lost = " LOST" if a.lost_at is not None else ""
        why = f" ({a.reason})" if a.reason else ""
        lines.append(f"  unit {a.unit_id}: {a.status.value}{lost}{why}; assigned "
                     f"{clock(a.assigned_at)}{', ' + steps if steps else ''}")
    lines += [f"  note: {n}" for n in inc.notes]
    return lines
