"""With --auto-dispatch, the crews' side of a call's end: clear after the scene, then close.

Pure: the centre feeds it incident documents (the change feed ``{prefix}/cad/incidents/+``
and the answers to actions) with the sim time, and asks which actions are due. An
incident is followed only if this centre placed the call. Once it is on scene, the crew
works it for a drawn scene time, then the centre sends ``clear`` with a disposition and,
once cleared, ``close``. An incident nobody reached within ``unreached_s`` is left for
the operator (logged once); one the operator cleared, closed or cancelled is let go.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("simulators.calls")

DISPOSITIONS = ("report taken", "advised", "arrest", "no trace", "resolved")
SCENE_S = (180.0, 600.0)      # 3-10 min on scene
UNREACHED_S = 1200.0          # 20 min without anybody on scene: the operator's business
FINAL = frozenset({"closed", "cancelled"})
REMEMBER_UNKNOWN = 256        # feed documents seen before the answer named the incident


@dataclass(frozen=True)
class Action:
    op: str                   # clear | close
    incident: str
    fields: dict[str, str]


@dataclass
class Followed:
    incident: str
    ref: str
    since_s: float
    status: str = "received"
    clear_at_s: float | None = None
    disposition: str = ""
    sent: str = ""            # the last op sent and not yet answered


@dataclass
class CloserStats:
    cleared: int = 0
    closed: int = 0
    left: int = 0             # nobody reached it in time, or an action was refused
    let_go: int = 0           # the operator ended it first


class SceneCloser:
    def __init__(self, rng: random.Random, *, scene_s: tuple[float, float] = SCENE_S,
                 unreached_s: float = UNREACHED_S) -> None:
        self.rng = rng
        self.scene_s = scene_s
        self.unreached_s = unreached_s
        self.followed: dict[str, Followed] = {}
        self.stats = CloserStats()
        self._unknown: dict[str, dict[str, Any]] = {}

    def follow(self, incident_id: str, ref: str, now_s: float) -> None:
        if incident_id in self.followed:
            return
        self.followed[incident_id] = Followed(incident_id, ref, now_s)
        early = self._unknown.pop(incident_id, None)
        if early is not None:
            self.seen(early, now_s)

    def seen(self, doc: dict[str, Any], now_s: float) -> None:
        """An incident document (from the feed or an answer)."""
        incident_id, status = doc.get("id"), doc.get("status")
        if not isinstance(incident_id, str) or not isinstance(status, str):
            raise ValueError("an incident document needs string id and status")
        f = self.followed.get(incident_id)
        if f is None:
            self._unknown[incident_id] = doc
            while len(self._unknown) > REMEMBER_UNKNOWN:
                del self._unknown[next(iter(self._unknown))]
            return
        f.status = status
        if status == "on_scene" and f.clear_at_s is None:
            f.clear_at_s = now_s + self.rng.uniform(*self.scene_s)
            f.disposition = self.rng.choice(DISPOSITIONS)
        elif status in FINAL:
            if f.sent == "close" and status == "closed":
                self.stats.closed += 1
                log.info("%s: %s closed (%s)", f.ref, incident_id, f.disposition)
            else:
                self.stats.let_go += 1
                log.info("%s: %s %s by the operator", f.ref, incident_id, status)
            del self.followed[incident_id]
            return
        if status == "cleared" and f.sent == "clear":
            self.stats.cleared += 1
            f.sent = ""
        elif status == "cleared" and f.clear_at_s is None:
            f.clear_at_s = now_s      # cleared by the operator: close it all the same

    def due(self, now_s: float) -> list[Action]:
        actions = []
        for f in list(self.followed.values()):
            if f.sent:
                continue
            if f.status == "cleared":
                f.sent = "close"
                actions.append(Action("close", f.incident, _disposition(f)))
            elif f.status == "on_scene" and f.clear_at_s is not None and now_s >= f.clear_at_s:
                f.sent = "clear"
                actions.append(Action("clear", f.incident, _disposition(f)))
            elif f.clear_at_s is None and now_s - f.since_s >= self.unreached_s:
                self.stats.left += 1
                log.warning("%s: %s not reached within %.0f min (%s); left for the operator",
                            f.ref, f.incident, self.unreached_s / 60, f.status)
                del self.followed[f.incident]
        return actions

    def next_due_s(self) -> float | None:
        """The sim time of the next thing to do (None: nothing planned)."""
        times = [f.clear_at_s if f.clear_at_s is not None else f.since_s + self.unreached_s
                 for f in self.followed.values() if not f.sent]
        return min(times, default=None)

    def refused(self, incident_id: str, op: str, reason: str) -> None:
        """An action was rejected for good: the incident is the operator's now."""
        f = self.followed.pop(incident_id, None)
        if f is not None:
            self.stats.left += 1
            log.warning("%s: %s refused for %s (%s); left for the operator", f.ref, op,
                        incident_id, reason)


def _disposition(f: Followed) -> dict[str, str]:
    return {"disposition": f.disposition} if f.disposition else {}
