"""The CAD answers as text for ``fleet incident list|show|ACTION``. Pure.

It reads the JSON documents (:mod:`.incident_doc`) rather than Incident values: the CLI
only has what the core answered. Ages and clocks are measured against the answer's
``ts``, the core's clock, so a CLI on a machine with a skewed clock still says how
late a call is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .explain import clock, distance, duration

Doc = Mapping[str, Any]
PAST = {"dispatch": "dispatched", "reassign": "reassigned", "release": "released",
        "clear": "cleared", "close": "closed", "cancel": "cancelled", "note": "noted"}


def mmss(seconds: float) -> str:
    """``0:45``, ``12:03``, ``1:02:03``."""
    s = max(0, round(seconds))
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def age(seconds: float) -> str:
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60:02d}"


def against_target(doc: Doc, now: float) -> str:
    """First arrival (or the time so far) against the target, or MISSED."""
    target = float(doc["target_s"])
    response = doc.get("response_s")
    if response is None:
        if doc["status"] in ("cancelled", "cleared", "closed"):
            return "-"
        response = now - float(doc["received_at"])
    return f"{mmss(response)} / {mmss(target)}" if response <= target else "MISSED"


def place(doc: Doc) -> str:
    return str(doc.get("key_site_name") or doc.get("zone_name") or doc.get("zone") or "-")


def status_lines(answer: Doc) -> list[str]:
    """``fleet status``: the running core's links, what each refused by reason, units."""
    from fleet.counters import ACTIVITY

    statuses = answer.get("statuses") or {}
    lines = [f"{answer.get('fleet', '?')}: {answer.get('units', '?')} units  "
             + "  ".join(f"{k.replace('_', ' ')} {v}" for k, v in statuses.items())]
    counters = answer.get("counters") or {}
    for link in answer.get("links") or []:
        name = link.get("name")
        detail = f" ({link['detail']})" if link.get("detail") else ""
        lines.append(f"link {name}: {link.get('state')}{detail}")
        refused = {k: v for k, v in (counters.get(name) or {}).items() if k not in ACTIVITY}
        lines.append("  refused: " + (", ".join(
            f"{k.replace('_', ' ')} {v}" for k, v in sorted(refused.items(),
                                                              key=lambda kv: -kv[1]))
            or "nothing"))
    state = {k: v for k, v in (counters.get("state") or {}).items() if k != "applied"}
    applied = (counters.get("state") or {}).get("applied", 0)
    lines.append(f"reports applied {applied}" + "".join(
        f", {k.replace('_', ' ')} {v}" for k, v in state.items()))
    return lines


def list_lines(answer: Doc) -> list[str]:
    incidents = answer.get("incidents") or []
    now = float(answer["ts"])
    if not incidents:
        return ["no incidents"]
    rows = [("INCIDENT", "STATUS", "CATEGORY", "PLACE", "AGE", "CLOCK / TARGET", "UNITS")]
    for d in incidents:
        n = len(d.get("active_units") or [])
        rows.append((d["id"], d["status"], f"{d['category']} P{d['priority']}", place(d),
                     age(now - float(d["received_at"])), against_target(d, now),
                     f"{n} unit{'' if n == 1 else 's'}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1]
             for r in rows]
    total = answer.get("total", len(incidents))
    if total > len(incidents):
        lines.append(f"(the newest {len(incidents)} of {total}; --limit N for more)")
    return lines


def show_lines(doc: Doc, now: float) -> list[str]:
    """The incident: place, target and clock, times, each unit and its arrival, notes."""
    where = f"{doc['lat']:.5f}, {doc['lon']:.5f}  {doc['zone_name']}"
    if doc.get("key_site_name"):
        where += f", key site {doc['key_site_name']}"
    lines = [f"{doc['id']}  {doc['category']} P{doc['priority']}  {doc['status'].upper()}",
             f"  where    {where}"]
    if doc.get("placement_note"):
        lines.append(f"           {doc['placement_note']}")
    lines.append(f"  target   {duration(doc['target_s'])}; {_verdict(doc, now)}")
    src = f"{doc['source']}" + (f", ref {doc['ref']}" if doc.get("ref") else "")
    lines.append(f"  source   {src}")
    received = float(doc["received_at"])
    times = [f"{name.replace('_', ' ')} {clock(t)}" + (f" (+{duration(t - received)})"
                                                       if name != "received" else "")
             for name in ("received", "dispatched", "en_route", "on_scene", "cleared",
                          "closed", "cancelled") if (t := doc.get(f"{name}_at")) is not None]
    lines.append(f"  times    {', '.join(times)}")
    if doc.get("units"):
        lines.append("  units")
        for u in doc["units"]:
            lines += unit_lines(u)
    if doc.get("notes"):
        lines.append("  notes")
        lines += [f"    - {n}" for n in doc["notes"]]
    if doc.get("disposition"):
        lines.append(f"  disposition  {doc['disposition']}")
    if doc.get("cancel_reason"):
        lines.append(f"  cancelled    {doc['cancel_reason']}")
    return lines


def _verdict(doc: Doc, now: float) -> str:
    response = doc.get("response_s")
    if response is not None:
        return (f"first on scene after {duration(response)}: target "
                + ("met" if doc.get("target_met") else "MISSED"))
    if doc["status"] == "cancelled":
        return "cancelled before anyone arrived"
    elapsed = now - float(doc["received_at"])
    late = elapsed > float(doc["target_s"])
    return f"nobody on scene yet, {duration(elapsed)} since the call" + \
        ("; target MISSED" if late else "")


def unit_lines(u: Doc) -> list[str]:
    name = f"{u['callsign']} ({u['unit']})" if u.get("callsign") else str(u["unit"])
    head = f"    {name}  {u['status']}"
    if u.get("lost"):
        head += f"  LOST since {clock(u.get('lost_at'))}"
    if u.get("requirement"):
        head += f"  [{u['requirement']}]"
    if u.get("eta_s") is not None:
        head += f"  ETA {duration(u['eta_s'])}"
    if u.get("replaces"):
        head += f"  (replaces {u['replaces']})"
    if u.get("replaced_by"):
        head += f"  -> replaced by {u['replaced_by']}"
    if u.get("reason"):
        head += f": {u['reason']}"
    steps = [f"{n} {clock(t)}" for n, t in (
        ("assigned", u.get("assigned_at")), ("ack", u.get("acknowledged_at")),
        ("en route", u.get("en_route_at")), ("on scene", u.get("on_scene_at")),
        ("ended", u.get("ended_at"))) if t is not None]
    lines = [head, f"        {', '.join(steps)}"]
    if u.get("on_scene_at") is not None:
        lines.append(f"        {arrival(u)}")
    return lines


def arrival(u: Doc) -> str:
    """How arrival was established: by position or the crew's word, and how far."""
    by = u.get("arrived_by") or "unknown means"
    text = f"arrival by {by}"
    if u.get("arrival_distance_m") is not None:
        text += f", {distance(u['arrival_distance_m'])} from the call"
    if u.get("beyond_radius"):
        text += ": BEYOND the arrival radius (check it)"
    return text


def action_lines(answer: Doc) -> list[str]:
    """An accepted action: what was done, under whose name, and the incident now."""
    doc = answer["incident"]
    head = f"{doc['id']} {PAST.get(str(answer.get('op')), str(answer.get('op')))}"
    if answer.get("operator"):
        head += f" (recorded as {answer['operator']})"
    return [head, *show_lines(doc, float(answer["ts"]))]
