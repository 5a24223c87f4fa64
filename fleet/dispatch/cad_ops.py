"""The CAD action ops, performed through DispatchCenter's operator API.

Each op is the console's own call (``dispatch``, ``reassign``, ``release``, ``clear``,
``close``, ``cancel``, ``add_note``) with ``operator=`` the request's, so the audit
records who acted whichever way the action came. Every refusal becomes a one-line
``rejected`` answer with a machine-readable ``error``; nothing a request carries can
raise out of here. Answers to actions are remembered by request id (the last
:data:`REMEMBERED`), so a resent request is answered again and not performed twice;
refusals worth a retry (dispatch down, audit write failed) are not remembered.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fleet.errors import FleetError, UnknownUnitError

from .cad_actions import (
    DEFAULT_LIMIT,
    READ_ONLY,
    ActionRequest,
    action_accepted,
    action_rejected,
)
from .errors import (
    AuditError,
    BadIncidentError,
    DispatchUnavailableError,
    IllegalTransitionError,
    NoUnitsAvailableError,
    UnitUnavailableError,
    UnknownIncidentError,
)
from .incident import Incident
from .incident_doc import incident_doc, incident_summary
from .outcome import refused_doc

if TYPE_CHECKING:
    from .center import DispatchCenter

log = logging.getLogger("fleet.dispatch.cad")
REMEMBERED = 1000

#: refusal -> ``error`` code, first match wins
ERROR_CODES: tuple[tuple[type[Exception], str], ...] = (
    (UnknownIncidentError, "unknown_incident"),
    (IllegalTransitionError, "illegal_transition"),
    (UnitUnavailableError, "unit_unavailable"),
    (UnknownUnitError, "unknown_unit"),
    (NoUnitsAvailableError, "no_units"),
    (BadIncidentError, "bad_incident"),
    (DispatchUnavailableError, "unavailable"),
    (AuditError, "audit_failed"),
)
RETRYABLE = frozenset({"unavailable", "audit_failed", "internal"})


class ActionAnswers:
    """The last answers by request id: a resend gets the first answer, not a second act."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self.size = size
        self._answers: OrderedDict[str, bytes] = OrderedDict()

    def get(self, request_id: str) -> bytes | None:
        answer = self._answers.get(request_id)
        if answer is not None:
            self._answers.move_to_end(request_id)
        return answer

    def put(self, request_id: str, answer: bytes) -> None:
        self._answers[request_id] = answer
        self._answers.move_to_end(request_id)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)


async def perform(center: DispatchCenter, req: ActionRequest, answers: ActionAnswers
                  ) -> bytes:
    """The answer to ``req``, acting at most once per request id."""
    known = answers.get(req.id)
    if known is not None:
        return known
    try:
        fields = await _OPS[req.op](center, req)
    except Exception as exc:
        code = error_code(exc)
        if code == "internal":
            log.exception("CAD %s %s failed", req.op, req.incident)
            reason = f"internal error: {exc!r}"
        else:
            reason = str(exc)
        refused = getattr(exc, "refused", ())
        extra = {"refused": refused_doc(refused, center.callsign)} if refused else {}
        answer = action_rejected(req.id, req.op, center.port.wall(), reason, code, **extra)
        center.cad_stats.rejected += 1
        if req.op not in READ_ONLY and code not in RETRYABLE:
            answers.put(req.id, answer)
        return answer
    if req.op in READ_ONLY:
        return action_accepted(req.id, req.op, center.port.wall(), **fields)
    answer = action_accepted(req.id, req.op, center.port.wall(),
                             operator=req.operator or center.settings.operator, **fields)
    answers.put(req.id, answer)
    return answer


def error_code(exc: BaseException) -> str:
    """The ``error`` of a refusal: the first of :data:`ERROR_CODES` that matches,
    ``refused`` for another fleet error, ``internal`` for a bug."""
    code = next((c for t, c in ERROR_CODES if isinstance(exc, t)), None)
    if code is not None:
        return code
    return "refused" if isinstance(exc, FleetError) else "internal"


def document(center: DispatchCenter, inc: Incident) -> dict[str, Any]:
    """``inc`` as the CAD document, with the call signs the fleet knows."""
    state = center.port.view
    callsigns = {a.unit_id: state.unit(a.unit_id).callsign for a in inc.assignments
                 if a.unit_id in state}
    return incident_doc(inc, callsigns)


def _incident(center: DispatchCenter, inc: Incident) -> dict[str, Any]:
    return {"incident": document(center, inc)}


async def _list(center: DispatchCenter, req: ActionRequest) -> dict[str, Any]:
    found = center.incidents(open_only=req.args.get("open_only", True))
    limit = req.args.get("limit", DEFAULT_LIMIT)
    return {"total": len(found), "incidents": [incident_summary(i) for i in found[-limit:]]}


async def _show(center: DispatchCenter, req: ActionRequest) -> dict[str, Any]:
    return _incident(center, center.incident(_id(req)))


async def _dispatch(center: DispatchCenter, req: ActionRequest) -> dict[str, Any]:
    """``result`` ``partial`` when some units were refused (``refused`` says why)."""
    done = await center.dispatch_units(_id(req), req.args.get("units"),
                                       operator=req.operator)
    return {**_incident(center, done.incident), "result": done.result,
            "refused": refused_doc(done.refused, center.callsign)}


async def _reassign(center: DispatchCenter, req: ActionRequest) -> dict[str, Any]:
    a = req.args
    return _incident(center, await center.reassign(
        _id(req), a["unit"], a.get("to"), operator=req.operator, reason=a.get("reason", "")))


async def _release(center: DispatchCenter, req: ActionRequest) -> dict[str, Any]:
    a = req.args
    return _incident(center, await center.release(
        _id(req), a["unit"], operator=req.operator, reason=a.get("reason", "")))


async def _clear(center: DispatchCenter, req: ActionRequest) -> dict[str, Any]:
    a = req.args
    return _incident(center, await center.clear(
        _id(req), operator=req.operator, note=a.get("note", ""),
        disposition=a.get("disposition", "")))


async def _close(center: DispatchCenter, req: ActionRequest) -> dict[str, Any]:
    return _incident(center, await center.close(
        _id(req), operator=req.operator, disposition=req.args.get("disposition", "")))


async def _cancel(center: DispatchCenter, req: ActionRequest) -> dict[str, Any]:
    return _incident(center, await center.cancel(
        _id(req), operator=req.operator, reason=req.args.get("reason", "")))


async def _note(center: DispatchCenter, req: ActionRequest) -> dict[str, Any]:
    return _incident(center, await center.add_note(
        _id(req), req.args["text"].strip(), operator=req.operator))


def _id(req: ActionRequest) -> str:
    assert req.incident is not None  # parse_action requires it for every op but list
    return req.incident


async def _status(center: DispatchCenter, _req: ActionRequest) -> dict[str, Any]:
    """The core as its operators need it from afar: each link's state and what it
    refused, by reason (counted after the first alert of each kind), and units by status."""
    port = center.port
    counts = {s.value: n for s, n in port.counts().items() if n}
    return {"fleet": port.name, "units": len(port.view), "statuses": counts,
            "links": [{"name": ln.name, "state": ln.state.value, "detail": ln.detail}
                      for ln in port.links()],
            "counters": port.counters()}


_OPS: dict[str, Callable[[DispatchCenter, ActionRequest], Awaitable[dict[str, Any]]]] = {
    "status": _status,
    "list": _list, "show": _show, "dispatch": _dispatch, "reassign": _reassign,
    "release": _release, "clear": _clear, "close": _close, "cancel": _cancel, "note": _note,
}
