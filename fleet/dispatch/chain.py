"""The audit's hash chain, pure: canonical row JSON, row hashes, and verification.

Each row stores ``hash = sha256(prev_hash + canonical_json(row))`` where the row is
``{seq, time, operator, kind, incident, unit, data}`` and ``prev_hash`` is the previous
row's hash (64 zeros for the first row). Changing, inserting, removing or reordering
any row breaks every hash after it; removing rows from the end is caught by comparing
the head hash with one noted elsewhere (``fleet audit verify --expect-head``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64


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


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    rows: int  # rows checked
    head: str  # hash of the last good row (GENESIS for an empty log)
    bad_seq: int | None = None  # first bad row
    problem: str = ""

    def message(self) -> str:
        if self.ok:
            return f"OK: {self.rows} rows, head {self.head}"
        return f"TAMPERED at row {self.bad_seq}: {self.problem}"


def canonical(value: Any) -> str:
    """One JSON text per value: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def row_hash(prev_hash: str, seq: int, time: float, operator: str, kind: str,
             incident: str | None, unit: str | None, data: Mapping[str, Any]) -> str:
    return _hash(prev_hash, seq, time, operator, kind, incident, unit, canonical(data))


def _hash(prev_hash: str, seq: int, time: float, operator: str, kind: str,
          incident: str | None, unit: str | None, data_json: str) -> str:
    """sha256(prev + canonical row), the row's JSON assembled around the (canonical) data
    text in sorted-key order: the same bytes as ``canonical(row)``, one dumps cheaper."""
    d = json.dumps
    text = (f'{{"data":{data_json},"incident":{d(incident, ensure_ascii=False)},'
            f'"kind":{d(kind, ensure_ascii=False)},"operator":{d(operator, ensure_ascii=False)},'
            f'"seq":{d(seq)},"time":{d(time)},"unit":{d(unit, ensure_ascii=False)}}}')
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


def seal(entry: AuditEntry, seq: int, prev_hash: str) -> tuple[str, str]:
    """``(data_json, hash)`` for ``entry`` stored as row ``seq``; raises ValueError for
    data JSON cannot carry (NaN, non-string keys, objects)."""
    data = dict(entry.data)
    text = canonical(data)
    return text, row_hash(prev_hash, seq, float(entry.time), entry.operator, entry.kind,
                          entry.incident, entry.unit, data)


StoredRow = tuple[int, float, str, str, str | None, str | None, str, str, str]


def verify(rows: Iterable[StoredRow], expect_head: str | None = None) -> Verification:
    """Check stored rows ``(seq, time, operator, kind, incident, unit, data_json,
    prev_hash, hash)`` in seq order; stop at the first bad one."""
    prev, count, expected = GENESIS, 0, 1
    for seq, time, operator, kind, incident, unit, data_json, prev_hash, digest in rows:
        problem = _problem(seq, expected, prev, time, operator, kind, incident, unit,
                           data_json, prev_hash, digest)
        if problem:
            return Verification(False, count, prev, seq, problem)
        prev, count, expected = digest, count + 1, expected + 1
    if expect_head is not None and prev != expect_head:
        return Verification(False, count, prev, count + 1,
                            f"head is {prev}, expected {expect_head} (rows removed from the end?)")
    return Verification(True, count, prev)


def _problem(seq: int, expected: int, prev: str, time: object, operator: str, kind: str,
             incident: str | None, unit: str | None, data_json: str, prev_hash: str,
             digest: str) -> str:
    """What is wrong with one stored row, or an empty string."""
    if seq != expected:
        if seq > expected:
            return f"expected row {expected} next, found row {seq} (rows removed)"
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
    if _hash(prev, seq, time, operator, kind, incident, unit, data_json) != digest:
        return "contents do not match the row's hash (row changed)"
    return ""


def record(row: StoredRow) -> AuditRecord:
    seq, time, operator, kind, incident, unit, data_json, prev_hash, digest = row
    return AuditRecord(seq, time, operator, kind, incident, unit, json.loads(data_json),
                       prev_hash, digest)
