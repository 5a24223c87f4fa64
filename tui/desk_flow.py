"""The incident desk's actions on a listed incident: send (the recommendation, or units
chosen), replace a failed or lost unit, clear with a disposition, close, cancel, note;
and (from :class:`~tui.desk_calls.CallTaker`) taking a new call. See
:mod:`tui.desk_base` for how each runs and reports."""

from __future__ import annotations

from collections.abc import Callable

from fleet.dispatch.explain import duration, recommendation_lines
from fleet.dispatch.incident import Assignment, Incident, IncidentStatus
from fleet.dispatch.recommend import Recommendation
from tui.call_parse import Location
from tui.desk_base import desk_action
from tui.desk_calls import CallTaker
from tui.desk_rows import needs_replacement, place
from tui.screens.ask import AskScreen, ChoiceScreen
from tui.screens.disposition import DispositionScreen
from tui.screens.question import QuestionScreen
from tui.screens.recommendation import CHOOSE, DISPATCH, RecommendationScreen


def required(what: str) -> Callable[[str], str]:
    """A parser that refuses empty text, saying ``what`` is wanted."""

    def parse(text: str) -> str:
        if not text.strip():
            raise ValueError(what)
        return text.strip()

    return parse


class DeskFlow(CallTaker):
    def _incident(self, incident_id: str) -> Incident:
        return self.dispatch.incident(incident_id)

    @desk_action("Send")
    async def send(self, incident_id: str) -> None:
        """The recommendation for this incident now; dispatch it or choose units."""
        inc = self._open(incident_id, "send units to")
        if inc is None:
            return
        rec = self.dispatch.recommend(incident_id)
        choice = await self._ask(RecommendationScreen(
            f"Send to {inc.id}: {inc.category} at {place(inc)}", recommendation_lines(rec),
            can_send=bool(rec.unit_ids), new_call=False))
        if choice == DISPATCH:
            await self._dispatch(incident_id, rec.unit_ids)
        elif choice == CHOOSE:
            await self._choose(inc, rec)

    @desk_action("Choose units")
    async def choose_units(self, incident_id: str) -> None:
        inc = self._open(incident_id, "send units to")
        if inc is not None:
            await self._choose(inc, self.dispatch.recommend(incident_id))

    async def _choose(self, inc: Incident, rec: Recommendation) -> None:
        units = await self._pick_units(inc.id, rec, Location(inc.lat, inc.lon),
                                       exclude={a.unit_id for a in inc.active})
        if units:
            await self._dispatch(inc.id, units)

    @desk_action("Replace")
    async def replace(self, incident_id: str) -> None:
        """Send the proposed replacement for a failed or lost unit (confirmed)."""
        inc = self._open(incident_id, "replace a unit on")
        if inc is None:
            return
        out = needs_replacement(inc)
        if not out:
            self.notify(f"{incident_id}: no failed or lost unit to replace", "warning")
            return
        old: Assignment | None = out[0]
        if len(out) > 1:
            old = await self._ask(ChoiceScreen(
                f"Replace which unit on {incident_id}?",
                [(f"{self.model.callsign(a.unit_id)}: {self._why(a)}", a) for a in out]))
            if old is None:
                return
        proposal = self.view.proposal(incident_id) if len(out) == 1 else None
        new = proposal.chosen[0] if proposal is not None and proposal.chosen else None
        name = self.model.callsign(old.unit_id)
        lines = [f"{name}: {self._why(old)}"]
        lines.append(f"send {new.callsign} ({new.kind.value}), ETA {duration(new.eta_s)}, "
                     f"in its place" if new is not None else
                     "send the next unit in the ranking in its place")
        if old.status.active:
            lines.append(f"{name} is released (aircraft return to launch)")
        if not await self._ask(QuestionScreen(f"Replace {name} on {incident_id}", lines,
                                              "Send replacement")):
            return
        inc = await self.dispatch.reassign(incident_id, old.unit_id,
                                           new.unit_id if new is not None else None,
                                           operator=self.operator, reason=self._why(old))
        self.model.put_incidents([inc])
        sent = inc.assignment(old.unit_id)
        to = sent.replaced_by if sent is not None else None
        self.done(f"{incident_id}: {name} replaced by {self.model.callsign(to or '?')}")

    @staticmethod
    def _why(a: Assignment) -> str:
        if a.lost_at is not None:
            return "lost (no telemetry)"
        return f"failed: {a.reason}" if a.reason else "failed"

    @desk_action("Clear")
    async def clear(self, incident_id: str) -> None:
        inc = self._incident(incident_id)
        if inc.status is not IncidentStatus.ON_SCENE:
            self.notify(f"{incident_id} is {inc.status.value.replace('_', ' ')}: clear needs "
                        "a unit on scene (cancel a call nobody reached: K)", "warning")
            return
        answer = await self._ask(DispositionScreen(
            f"Clear {incident_id}: releases {self._names(inc)}"))
        if answer is None:
            return
        disposition, note = answer
        inc = await self.dispatch.clear(incident_id, operator=self.operator,
                                        disposition=disposition, note=note)
        self.model.put_incidents([inc])
        self.done(f"{incident_id} cleared: {disposition}")

    @desk_action("Close")
    async def close(self, incident_id: str) -> None:
        inc = self._incident(incident_id)
        if inc.status is not IncidentStatus.CLEARED:
            self.notify(f"{incident_id} is {inc.status.value.replace('_', ' ')}: close "
                        "follows clear (c)", "warning")
            return
        lines = [f"disposition: {inc.disposition or '—'}",
                 "response: " + (duration(inc.response_s) if inc.response_s is not None
                                 else "nobody on scene"),
                 "closing is final: the incident leaves the desk"]
        if await self._ask(QuestionScreen(f"Close {incident_id}?", lines, "Close")):
            inc = await self.dispatch.close(incident_id, operator=self.operator)
            self.model.put_incidents([inc])
            self.done(f"{incident_id} closed")

    @desk_action("Cancel")
    async def cancel(self, incident_id: str) -> None:
        inc = self._open(incident_id, "cancel")
        if inc is None:
            return
        reason = await self._ask(AskScreen(
            f"Cancel {incident_id}", "Why (recorded; e.g. false alarm, duplicate call):",
            required("say why (it is recorded), e.g. false alarm")))
        if reason is None:
            return
        lines = [f"reason: {reason}", f"releases: {self._names(inc)}",
                 "cancelling is final"]
        if await self._ask(QuestionScreen(f"Cancel {incident_id}?", lines,
                                          "Cancel incident", danger=True)):
            inc = await self.dispatch.cancel(incident_id, operator=self.operator,
                                             reason=reason)
            self.model.put_incidents([inc])
            self.done(f"{incident_id} cancelled: {reason}")

    @desk_action("Note")
    async def note(self, incident_id: str) -> None:
        text = await self._ask(AskScreen(f"Note on {incident_id}", "Note (recorded):",
                                         required("type the note (esc: none)")))
        if text:
            inc = await self.dispatch.add_note(incident_id, text, operator=self.operator)
            self.model.put_incidents([inc])
            self.done(f"{incident_id}: note added")

    def _open(self, incident_id: str, what: str) -> Incident | None:
        inc = self._incident(incident_id)
        if not inc.status.open:
            self.notify(f"cannot {what} {incident_id}: it is {inc.status.value}", "warning")
            return None
        return inc

    def _names(self, inc: Incident) -> str:
        return ", ".join(self.model.callsign(a.unit_id) for a in inc.active) or "no units"
