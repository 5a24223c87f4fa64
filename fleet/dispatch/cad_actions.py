"""Incident actions over MQTT (docs/dispatch.md, "CAD over MQTT"): requests, answers. Pure.

A CAD system (or ``fleet incident ACTION``) publishes ``{"v": 1, "id", "op",
"operator", "incident", ...}`` on ``{prefix}/cad/action`` and reads the answer with the
same ``id`` on ``{prefix}/cad/action/ack``. Each op's fields are checked here, before
the centre sees them, so a bad request is refused with one line naming the field. The
envelope carries ``operator`` (recorded in the audit) and ignores unknown fields, so
operators' roles and credentials (issue #16) can be added without a new version.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .cad import MAX_ID, VERSION, CadPayloadError, envelope

ACTION_TOPIC = "cad/action"
ACTION_ACK_TOPIC = "cad/action/ack"
FEED_TOPIC = "cad/incidents"  # + "/{incident id}": the change feed
MAX_TEXT = 2000  # a note, reason or disposition (as intake's MAX_NOTES)
MAX_UNITS = 32
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

#: op -> its fields: name -> (type, required). Types: id (a string of 1..64), ids (a
#: list of them), text (up to MAX_TEXT), bool, limit (1..MAX_LIMIT)
OPS: dict[str, dict[str, tuple[str, bool]]] = {
    "list": {"open_only": ("bool", False), "limit": ("limit", False)},
    "show": {},
    "dispatch": {"units": ("ids", False)},
    "reassign": {"unit": ("id", True), "to": ("id", False), "reason": ("text", False)},
    "release": {"unit": ("id", True), "reason": ("text", False)},
    "clear": {"disposition": ("text", False), "note": ("text", False)},
    "close": {"disposition": ("text", False)},
    "cancel": {"reason": ("text", False)},
    "note": {"text": ("text", True)},
    "status": {},  # the core itself: links, units, refusal counters (``fleet status``)
}
READ_ONLY = frozenset({"list", "show", "status"})  # answered afresh, never remembered
#: ops about no incident
NO_INCIDENT = frozenset({"list", "status"})


@dataclass(frozen=True, slots=True)
class ActionRequest:
    id: str
    op: str
    incident: str | None = None  # every op but list and status
    operator: str | None = None  # recorded in the audit; the config's default if None
    args: Mapping[str, Any] = field(default_factory=dict)  # the op's fields, checked


def action_topics(prefix: str) -> tuple[str, str]:
    return f"{prefix}/{ACTION_TOPIC}", f"{prefix}/{ACTION_ACK_TOPIC}"


def feed_topic(prefix: str, incident_id: str = "+") -> str:
    return f"{prefix}/{FEED_TOPIC}/{incident_id}"


def parse_action(payload: bytes) -> ActionRequest:
    """The checked request, or CadPayloadError (with ``code``) saying what is wrong."""
    body, rid = envelope(payload)
    op = body.get("op")
    if not isinstance(op, str) or op not in OPS:
        raise CadPayloadError(f"unknown op {op!r}; known: {', '.join(OPS)}", rid, "unknown_op")
    operator = body.get("operator")
    if operator is not None and not _is_id(operator):
        raise CadPayloadError(f"operator must be a name of 1..{MAX_ID} characters", rid)
    incident = body.get("incident")
    if op not in NO_INCIDENT and not _is_id(incident):
        raise CadPayloadError(f"{op} needs incident: an incident id", rid)
    args = {}
    for name, (kind, required) in OPS[op].items():
        value = body.get(name)
        if value is None:
            if required:
                raise CadPayloadError(f"{op} needs {name}", rid)
            continue
        problem = _check(kind, value)
        if problem:
            raise CadPayloadError(f"{name} must be {problem}", rid)
        args[name] = value
    if op == "note" and not args["text"].strip():
        raise CadPayloadError("note needs text: it is empty", rid)
    return ActionRequest(rid, op, incident if op not in NO_INCIDENT else None, operator, args)


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID


def _check(kind: str, value: object) -> str:
    """What ``value`` should have been ("" if it is fine)."""
    if kind == "id":
        return "" if _is_id(value) else f"a string of 1..{MAX_ID} characters"
    if kind == "ids":
        ok = isinstance(value, list) and 0 < len(value) <= MAX_UNITS and all(map(_is_id, value))
        return "" if ok else f"a list of 1..{MAX_UNITS} unit ids (omit it for the recommendation)"
    if kind == "text":
        ok = isinstance(value, str) and len(value) <= MAX_TEXT
        return "" if ok else f"a string of at most {MAX_TEXT} characters"
    if kind == "bool":
        return "" if isinstance(value, bool) else "true or false"
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_LIMIT
    return "" if ok else f"an integer 1..{MAX_LIMIT}"


def encode_action(req: ActionRequest) -> bytes:
    body: dict[str, Any] = {"v": VERSION, "id": req.id, "ts": time.time(), "op": req.op}
    if req.operator:
        body["operator"] = req.operator
    if req.incident is not None:
        body["incident"] = req.incident
    body.update(req.args)
    return json.dumps(body, ensure_ascii=False).encode()


def action_accepted(request_id: str, op: str, ts: float, **fields: Any) -> bytes:
    """``incident`` (the document) for one incident, ``incidents`` for list; a dispatch
    with refused units overrides ``result`` with ``partial`` and adds ``refused``."""
    body = {"v": VERSION, "id": request_id, "ts": ts, "op": op, "result": "accepted", **fields}
    return json.dumps(body, ensure_ascii=False).encode()


def action_rejected(request_id: str | None, op: str | None, ts: float, reason: str,
                    error: str, **fields: Any) -> bytes:
    """``fields``: e.g. ``refused`` (a dispatch nobody could go to: who and why)."""
    body = {"v": VERSION, "id": request_id, "ts": ts, "op": op, "result": "rejected",
            "error": error, "reason": reason, **fields}
    return json.dumps(body, ensure_ascii=False).encode()


def feed_message(doc: Mapping[str, Any], ts: float) -> bytes:
    return json.dumps({"v": VERSION, "ts": ts, "incident": doc}, ensure_ascii=False).encode()
