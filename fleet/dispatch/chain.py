"""The audit's hash chain, pure: canonical row JSON, row hashes, and the check of one row.

Each row stores ``hash = HMAC-SHA256(key, prev_hash + canonical_json(row))`` where the
row is ``{seq, time, operator, kind, incident, unit, data}``, ``prev_hash`` is the
previous row's hash (64 zeros for the first row) and ``key`` is the audit key, kept
apart from the database (:mod:`.audit_key`); the row's ``key_id`` column names the key
(a fingerprint, never the key). Without the key nobody can recompute a hash, so an
edited row cannot be re-hashed to look whole.

Files written before the key (schema 1) hold ``hash = sha256(prev_hash + canonical
row)`` and no ``key_id``: they are still checked, and named as the older, re-forgeable
format. A file continued by a keyed fleet keeps its old rows as they were and chains the
keyed ones onto them; an unkeyed row after a keyed one is tampering.

The whole-file verdict (anchors, expected heads) is :mod:`.audit_check`'s.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What a caller appends; the store gives it a sequence number and hashes."""

    kind: str  # e.g. "incident.received", "command.sent"
    time: float  # Unix seconds
    operator: str
    incident: str | None = None
    unit: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int
    time: float
    operator: str
    kind: str
    incident: str | None
    unit: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str
    key_id: str | None = None  # the key that sealed the row; None: schema-1 plain SHA-256


@dataclass(frozen=True, slots=True)
class AuditKey:
    """The secret that seals rows, and its public fingerprint (stored with each row)."""

    secret: bytes = field(repr=False)
    key_id: str
    source: str = ""  # where it came from, for messages (a path, "ephemeral")

    @classmethod
    def from_secret(cls, secret: bytes, source: str = "") -> AuditKey:
        if len(secret) != KEY_BYTES:
            raise ValueError(f"an audit key is {KEY_BYTES} bytes, got {len(secret)}")
        return cls(secret, key_id_of(secret), source)


def key_id_of(secret: bytes) -> str:
    """16 hex digits naming a key: a hash of it, domain-separated, that reveals nothing."""
    return hashlib.sha256(b"fleet audit key id\0" + secret).hexdigest()[:16]


def canonical(value: Any) -> str:
    """One JSON text per value: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def row_hash(prev_hash: str, seq: int, time: float, operator: str, kind: str,
             incident: str | None, unit: str | None, data: Mapping[str, Any],
             key: bytes | None = None) -> str:
    """The row's hash: HMAC-SHA256 with ``key``, plain SHA-256 (schema 1) without."""
    return _hash(prev_hash, seq, time, operator, kind, incident, unit, canonical(data), key)


def _hash(prev_hash: str, seq: int, time: float, operator: str, kind: str,
          incident: str | None, unit: str | None, data_json: str, key: bytes | None) -> str:
    """The row's JSON assembled around the (canonical) data text in sorted-key order: the
    same bytes as ``canonical(row)``, one dumps cheaper."""
    d = json.dumps
    text = (f'{{"data":{data_json},"incident":{d(incident, ensure_ascii=False)},'
            f'"kind":{d(kind, ensure_ascii=False)},"operator":{d(operator, ensure_ascii=False)},'
            f'"seq":{d(seq)},"time":{d(time)},"unit":{d(unit, ensure_ascii=False)}}}')
    message = (prev_hash + text).encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.digest(key, message, "sha256").hex()


def seal(entry: AuditEntry, seq: int, prev_hash: str, key: AuditKey | None = None
         ) -> tuple[str, str]:
    """``(data_json, hash)`` for ``entry`` stored as row ``seq``; raises ValueError for
    data JSON cannot carry (NaN, non-string keys, objects)."""
    text = canonical(dict(entry.data))
    return text, _hash(prev_hash, seq, float(entry.time), entry.operator, entry.kind,
                       entry.incident, entry.unit, text, key.secret if key else None)


#: ``(seq, time, operator, kind, incident, unit, data_json, prev_hash, hash, key_id)``
StoredRow = tuple[int, float, str, str, str | None, str | None, str, str, str, str | None]


def row_problem(row: StoredRow, expected: int, prev: str, keyed_before: bool,
                key: AuditKey | None) -> str:
    """What is wrong with one stored row, or "". ``expected`` is the seq it should have,
    ``prev`` the previous row's hash, ``keyed_before`` whether a keyed row came before.
    ``key`` None: keyed rows' MACs are not checked (links, order and form still are)."""
    seq, time, operator, kind, incident, unit, data_json, prev_hash, digest, key_id = row
    if seq != expected:
        if seq > expected:
            gone = f"row {expected}" if seq == expected + 1 else f"rows {expected}-{seq - 1}"
            after = f"row {expected - 1} is followed by" if expected > 1 else "the file starts at"
            return f"{gone} missing (deleted?): {after} row {seq}"
        return f"row {seq} out of order"
    if prev_hash != prev:
        return ("prev_hash does not match the previous row's hash "
                "(a row before it was changed, removed or inserted)")
    try:
        data = json.loads(data_json)
    except (ValueError, TypeError):
        return "data is not valid JSON"
    if canonical(data) != data_json:
        return "data is not in canonical form (edited by hand?)"
    if not isinstance(time, float):
        return f"time is not a number ({time!r})"
    if key_id is None:
        if keyed_before:
            return ("an unkeyed (plain SHA-256) row after keyed rows: re-hashed by someone "
                    "without the key")
        if _hash(prev, seq, time, operator, kind, incident, unit, data_json, None) != digest:
            return "contents do not match the row's hash (row changed)"
        return ""
    if key is None:
        return ""
    if key_id != key.key_id:
        return (f"sealed with key {key_id}, not the file's key {key.key_id} (the key_id "
                "column was changed, or the row re-sealed with another key)")
    if _hash(prev, seq, time, operator, kind, incident, unit, data_json,
             key.secret) != digest:
        return "contents do not match the row's HMAC (row changed, or re-hashed without the key)"
    return ""


def record(row: StoredRow) -> AuditRecord:
    seq, time, operator, kind, incident, unit, data_json, prev_hash, digest, key_id = row
    return AuditRecord(seq, time, operator, kind, incident, unit, json.loads(data_json),
                       prev_hash, digest, key_id)
