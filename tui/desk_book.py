"""The incidents the console knows, as plain data: the latest value of each, as the
dispatch centre's feed gave it, and which of them the desk lists and in what order.

Pure (no Textual). An incident stays listed while it is open or cleared (awaiting close);
closed and cancelled ones stay, dimmed at the bottom, for :data:`RECENT_S` so the operator
sees what their last action did.
"""

from __future__ import annotations

from collections.abc import Iterable

from fleet.dispatch.incident import Incident, IncidentStatus

RECENT_S = 300.0


def ended_at(inc: Incident) -> float | None:
    return inc.closed_at if inc.closed_at is not None else inc.cancelled_at


def is_late(inc: Incident, now: float) -> bool:
    """Open, nobody on scene, and the target time has passed."""
    return inc.status.open and inc.on_scene_at is None and now - inc.received_at > inc.target_s


def _group(inc: Incident) -> int:
    if inc.status.open:
        return 0
    return 1 if inc.status is IncidentStatus.CLEARED else 2


class IncidentBook:
    """Latest value per incident id."""

    def __init__(self) -> None:
        self.incidents: dict[str, Incident] = {}

    def put(self, incidents: Iterable[Incident]) -> set[str]:
        """Take new values; returns the ids that changed."""
        changed = set()
        for inc in incidents:
            if self.incidents.get(inc.id) is not inc:
                self.incidents[inc.id] = inc
                changed.add(inc.id)
        return changed

    def prune(self, now: float) -> None:
        """Forget incidents that ended more than :data:`RECENT_S` ago (a long shift
        must not slow every frame); one that changes again comes back with the change."""
        for incident_id, inc in list(self.incidents.items()):
            end = ended_at(inc)
            if end is not None and now - end > RECENT_S:
                del self.incidents[incident_id]

    def get(self, incident_id: str | None) -> Incident | None:
        return self.incidents.get(incident_id or "")

    def shown(self, now: float) -> list[Incident]:
        """Open first (most urgent, then oldest), then cleared, then recently ended."""
        out = []
        for inc in self.incidents.values():
            end = ended_at(inc)
            if end is None or now - end <= RECENT_S:
                out.append(inc)
        return sorted(out, key=lambda i: (_group(i), i.priority, i.received_at, i.id))

    def on_map(self) -> list[Incident]:
        """Open and cleared-not-closed incidents: what the map marks."""
        return [i for i in self.incidents.values() if ended_at(i) is None]

    def counts(self, now: float) -> tuple[int, int]:
        """(open incidents, of which late)."""
        open_ = [i for i in self.incidents.values() if i.status.open]
        return len(open_), sum(is_late(i, now) for i in open_)

    def owner(self, unit_id: str) -> Incident | None:
        """The open incident ``unit_id`` is actively assigned to, if any."""
        for inc in self.incidents.values():
            if inc.status.open and any(a.unit_id == unit_id for a in inc.active):
                return inc
        return None
