"""CAD payloads over MQTT (docs/dispatch.md): requests in, acknowledgements out. Pure.

A computer-aided-dispatch system (or ``fleet incident new``) publishes a request on
``{prefix}/cad/incident`` (QoS 1) and reads the answer with the same ``id`` on
``{prefix}/cad/incident/ack``. The id makes a request idempotent: a redelivered or
resent request gets the first answer again, never a second incident.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

from .explain import recommendation_lines
from .incident import Incident
from .recommend import Recommendation

VERSION = 1
REQUEST_TOPIC = "cad/incident"
ACK_TOPIC = "cad/incident/ack"
MAX_PAYLOAD = 16 * 1024
MAX_ID = 64


class CadPayloadError(ValueError):
    """A request that cannot be parsed; ``request_id`` when it had a usable one, ``code``
    the machine-readable kind of refusal (``bad_request``, ``unknown_op``)."""

    def __init__(self, reason: str, request_id: str | None = None,
                 code: str = "bad_request") -> None:
        self.request_id = request_id
        self.code = code
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class CadRequest:
    id: str
    lat: Any  # checked by the intake, so its message is the same everywhere
    lon: Any
    category: str
    priority: int | None = None
    notes: str = ""
    operator: str | None = None
    ref: str | None = None  # the CAD system's own call number
    dispatch: bool = False  # send the recommended units at once


def request_topics(prefix: str) -> tuple[str, str]:
    return f"{prefix}/{REQUEST_TOPIC}", f"{prefix}/{ACK_TOPIC}"


def envelope(payload: bytes) -> tuple[dict[str, Any], str]:
    """The JSON object of a CAD message and its request id, checked (size, JSON, id,
    version); CadPayloadError (with the id once known) says what is wrong."""
    if len(payload) > MAX_PAYLOAD:
        raise CadPayloadError(f"payload over {MAX_PAYLOAD} bytes")
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CadPayloadError(f"not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise CadPayloadError("expected a JSON object")
    rid = body.get("id")
    if not isinstance(rid, str) or not 0 < len(rid) <= MAX_ID:
        raise CadPayloadError(f"id must be a string of 1..{MAX_ID} characters")
    if body.get("v") != VERSION:
        raise CadPayloadError(f"v must be {VERSION}", rid)
    return body, rid


def parse_request(payload: bytes) -> CadRequest:
    body, rid = envelope(payload)
    for key in ("lat", "lon", "category"):
        if key not in body:
            raise CadPayloadError(f"missing {key}", rid)
    strings = {k: body.get(k) for k in ("notes", "operator", "ref")}
    for key, value in strings.items():
        if value is not None and not isinstance(value, str):
            raise CadPayloadError(f"{key} must be a string", rid)
    dispatch = body.get("dispatch", False)
    if not isinstance(dispatch, bool):
        raise CadPayloadError("dispatch must be true or false", rid)
    return CadRequest(rid, body["lat"], body["lon"], str(body["category"]),
                      body.get("priority"), strings["notes"] or "", strings["operator"],
                      strings["ref"], dispatch)


def encode_request(req: CadRequest) -> bytes:
    body: dict[str, Any] = {"v": VERSION, "id": req.id, "ts": time.time(), "lat": req.lat,
                            "lon": req.lon, "category": req.category}
    optional = {"priority": req.priority, "notes": req.notes, "operator": req.operator,
                "ref": req.ref, "dispatch": req.dispatch or None}
    body.update({k: v for k, v in optional.items() if v})
    return json.dumps(body).encode()


def accepted(request_id: str, inc: Incident, rec: Recommendation | None,
             dispatched: list[str], *, result: str = "accepted",
             refused: list[dict[str, Any]] | None = None, error: str | None = None,
             reason: str | None = None) -> bytes:
    """The answer to a recorded call. ``result`` is ``accepted``, or, when the call asked
    for a dispatch, ``partial`` (some units refused: ``refused``) or ``failed`` (nobody
    sent: ``error``, ``reason`` and ``refused`` say why; the call is recorded all the
    same, ``incident`` names it)."""
    body: dict[str, Any] = {
        "v": VERSION, "id": request_id, "ts": time.time(), "result": result,
        "incident": inc.id, "zone": inc.zone_id, "zone_name": inc.zone_name,
        "target_s": inc.target_s, "status": inc.status.value, "dispatched": dispatched,
        "refused": refused or [],
    }
    if error is not None:
        body.update(error=error, reason=reason)
    if rec is not None:
        body["recommended"] = [
            {"unit": o.unit_id, "callsign": o.callsign, "kind": o.kind.value,
             "eta_s": round(o.eta_s, 1), "meets_target": o.meets_target} for o in rec.chosen]
        first = rec.first_eta_s
        body["first_eta_s"] = None if first is None or math.isinf(first) else round(first, 1)
        body["explanation"] = recommendation_lines(rec)
    return json.dumps(body, ensure_ascii=False).encode()


def rejected(request_id: str | None, reason: str) -> bytes:
    return json.dumps({"v": VERSION, "id": request_id, "ts": time.time(),
                       "result": "rejected", "reason": reason}, ensure_ascii=False).encode()
