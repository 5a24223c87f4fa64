"""Incidents as JSON documents, for the CAD topics (docs/dispatch.md). Pure.

The same document answers ``show`` and every action, and is what the change feed
(``{prefix}/cad/incidents/{id}``) publishes, so a CAD system needs one parser. Every
key is always present (``null`` when not reached yet), so a consumer can tell "not
yet" from "not sent". ``callsigns`` (unit id -> call sign) is optional: the value
alone cannot know them, the centre's state does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .incident import Assignment, Incident


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def assignment_doc(a: Assignment, callsign: str | None = None) -> dict[str, Any]:
    return {
        "unit": a.unit_id, "callsign": callsign, "status": a.status.value,
        "requirement": a.requirement, "eta_s": _r(a.eta_s, 1),
        "assigned_at": _r(a.assigned_at), "acknowledged_at": _r(a.acknowledged_at),
        "en_route_at": _r(a.en_route_at), "on_scene_at": _r(a.on_scene_at),
        "ended_at": _r(a.ended_at), "lost": a.lost_at is not None, "lost_at": _r(a.lost_at),
        "reason": a.reason or None, "replaces": a.replaces, "replaced_by": a.replaced_by,
        "arrived_by": a.arrived_by, "arrival_distance_m": _r(a.arrival_distance_m, 1),
        "beyond_radius": a.beyond_radius,
    }


def incident_doc(inc: Incident, callsigns: Mapping[str, str] | None = None
                 ) -> dict[str, Any]:
    """Everything known about ``inc``: place, target, every time, every unit, notes."""
    names = callsigns or {}
    return {
        **incident_summary(inc),
        "placement_note": inc.placement_note or None,
        "en_route_at": _r(inc.en_route_at), "cleared_at": _r(inc.cleared_at),
        "closed_at": _r(inc.closed_at), "cancelled_at": _r(inc.cancelled_at),
        "disposition": inc.disposition, "cancel_reason": inc.cancel_reason,
        "source": inc.source, "notes": list(inc.notes),
        "units": [assignment_doc(a, names.get(a.unit_id)) for a in inc.assignments],
    }


def incident_summary(inc: Incident) -> dict[str, Any]:
    """One line's worth (the ``list`` answer): what, where, how late, who is on it."""
    return {
        "id": inc.id, "status": inc.status.value, "category": inc.category,
        "priority": inc.priority, "lat": inc.lat, "lon": inc.lon, "zone": inc.zone_id,
        "zone_name": inc.zone_name, "key_site": inc.key_site_id,
        "key_site_name": inc.key_site_name, "target_s": inc.target_s,
        "received_at": _r(inc.received_at), "dispatched_at": _r(inc.dispatched_at),
        "on_scene_at": _r(inc.on_scene_at), "response_s": _r(inc.response_s, 1),
        "target_met": inc.target_met, "ref": inc.ref,
        "active_units": [a.unit_id for a in inc.active],
    }
