"""Taking a call: the form, a pick on the map, the recommendation with its one
confirmation, then the incident recorded (and sent)."""

from __future__ import annotations

from collections.abc import Sequence

from fleet.dispatch.explain import recommendation_lines
from fleet.errors import FleetError
from tui.call_parse import CallDraft, Location, format_point, parse_location, parse_priority
from tui.desk_base import DeskBase, desk_action, log
from tui.desk_rows import place
from tui.screens.call_form import CallScreen
from tui.screens.recommendation import CHOOSE, DISPATCH, RECORD, RecommendationScreen


class CallTaker(DeskBase):
    """``n``: a call from the form to the recorded (and dispatched) incident."""

    def check_call(self, draft: CallDraft) -> str | None:
        """What is wrong with the call, by the core's own rules; None if nothing. (The
        form calls it on enter: whatever goes wrong is an answer there, not a crash.)"""
        try:
            where = parse_location(draft.location, self.view.key_sites)
            priority = parse_priority(draft.priority)
            if draft.category is None:
                return "choose a category"
            self.dispatch.intake.check(where.lat, where.lon, draft.category, priority,
                                       draft.notes)
        except (ValueError, FleetError) as exc:
            return str(exc)
        except Exception as exc:
            log.exception("checking a call failed inside the console")
            return f"cannot check the call: {exc!r}"
        return None

    @desk_action("New call")
    async def take_call(self) -> None:
        """Form, recommendation, then record (and send) with one confirmation."""
        draft = CallDraft()
        while True:
            draft = await self._ask(CallScreen(draft, self.view.key_sites,
                                               self.view.categories, self.check_call))
            if draft is None:
                return
            if draft.pick:
                point = await self.pick_point("incident location") if self.pick_point \
                    else None
                draft = CallDraft(format_point(*point) if point else draft.location,
                                  draft.category, draft.priority, draft.notes, draft.ref)
                continue
            where = parse_location(draft.location, self.view.key_sites)
            category = str(draft.category)
            rec = self.dispatch.preview(where.lat, where.lon, category)
            choice = await self._ask(RecommendationScreen(
                f"New call: {category} at {where.describe()}", recommendation_lines(rec),
                can_send=bool(rec.unit_ids), new_call=True))
            units: list[str] | None = list(rec.unit_ids)
            if choice == CHOOSE:
                units = await self._pick_units(f"new call at {where.describe()}", rec,
                                               where)
                if units is None:
                    continue
            elif choice != DISPATCH and choice != RECORD:
                continue  # back to the form, as typed
            await self._record(draft, where, units if choice != RECORD else None)
            return

    async def _record(self, draft: CallDraft, where: Location,
                      units: Sequence[str] | None) -> None:
        inc = await self.dispatch.new_incident(
            where.lat, where.lon, str(draft.category), priority=parse_priority(draft.priority),
            notes=draft.notes.strip(), operator=self.operator, source="console",
            ref=draft.ref.strip() or None)
        self.model.put_incidents([inc])
        self.on_incident(inc.id)
        self.done(f"{inc.id} recorded: {inc.category} at {place(inc)}")
        if units is not None:
            await self._dispatch(inc.id, units)
