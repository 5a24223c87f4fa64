"""Anchors of the audit chain, pure: what a checkpoint says and how it is written down.

A keyed chain stops anyone without the key from re-forging rows; it does not stop
someone who has the key and the database. What stops them is the head written where the
database's writer cannot rewrite it: an append-only anchor file (:mod:`.anchor_file`),
a retained broker topic (:mod:`.audit_heads`), a second site's copy. Each checkpoint
says "at this time row ``seq`` had hash ``head``", and carries a *trail*: the first 8
hex digits of every row's hash since the previous checkpoint, so verify can name the
first row that differs, not just "something before row 24".

A checkpoint's ``event`` is ``open`` (the writer started), ``checkpoint`` (every N rows
or minutes) or ``close`` (clean shutdown: nothing may follow until the next ``open``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

EVENTS = ("open", "checkpoint", "close")
TRAIL_HEX = 8  # digits of each row's hash in a trail: locates, the full head proves
TRAIL_MAX = 500  # rows per anchor line (a longer stretch is written as several lines)
_HASH = re.compile(r"[0-9a-f]{64}")
_PREFIX = re.compile(f"[0-9a-f]{{{TRAIL_HEX}}}")


@dataclass(frozen=True, slots=True)
class Anchor:
    time: float  # Unix seconds (wall clock) when it was written
    seq: int  # the last row it covers (0: an empty audit)
    head: str  # that row's hash (GENESIS for seq 0)
    key_id: str | None  # the key that sealed the row (None: unkeyed)
    event: str = "checkpoint"
    trail: tuple[str, ...] = ()  # hash prefixes of rows seq-len(trail)+1 .. seq

    @property
    def first(self) -> int:
        """The first row the trail covers (``seq + 1`` when the trail is empty)."""
        return self.seq - len(self.trail) + 1


def trail_of(hashes: Sequence[str]) -> tuple[str, ...]:
    return tuple(h[:TRAIL_HEX] for h in hashes)


def to_line(a: Anchor) -> str:
    """One line of an anchor file: JSON, sorted keys, newline-terminated."""
    doc = {"v": 1, "time": a.time, "seq": a.seq, "head": a.head, "key": a.key_id,
           "event": a.event, "trail": " ".join(a.trail)}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n"


def from_line(text: str) -> Anchor:
    """Parse one anchor line; ValueError saying what is wrong."""
    try:
        doc = json.loads(text)
    except ValueError:
        raise ValueError("not JSON") from None
    if not isinstance(doc, dict) or doc.get("v") != 1:
        raise ValueError("not a version 1 anchor")
    anchor = _anchor(doc)
    trail = doc.get("trail", "")
    if not isinstance(trail, str):
        raise ValueError("trail is not a string")
    parts = tuple(trail.split())
    if any(not _PREFIX.fullmatch(p) for p in parts) or len(parts) > anchor.seq:
        raise ValueError("trail is not hash prefixes of rows up to seq")
    if parts and parts[-1] != anchor.head[:TRAIL_HEX]:
        raise ValueError("trail does not end with the head")
    return Anchor(anchor.time, anchor.seq, anchor.head, anchor.key_id, anchor.event, parts)


def _anchor(doc: dict) -> Anchor:
    time, seq, head, key = doc.get("time"), doc.get("seq"), doc.get("head"), doc.get("key")
    event = doc.get("event", "checkpoint")
    if isinstance(time, bool) or not isinstance(time, (int, float)):
        raise ValueError("time is not a number")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise ValueError("seq is not a row number")
    if not isinstance(head, str) or not _HASH.fullmatch(head):
        raise ValueError("head is not a 64-digit hex hash")
    if key is not None and not isinstance(key, str):
        raise ValueError("key is not a key id")
    if event not in EVENTS:
        raise ValueError(f"event is not one of {', '.join(EVENTS)}")
    return Anchor(float(time), seq, head, key, event)


def to_message(a: Anchor) -> bytes:
    """The retained broker message: the anchor without its trail."""
    doc = {"v": 1, "ts": a.time, "seq": a.seq, "head": a.head, "key": a.key_id,
           "event": a.event}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class ExpectedHead:
    """A head noted elsewhere (``--expect-head``): its row, when known, and hash."""

    head: str
    seq: int | None = None


def parse_expected(text: str) -> ExpectedHead:
    """``HASH``, ``SEQ:HASH``, or the broker's head message (JSON); ValueError else."""
    text = text.strip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            raise ValueError("not valid JSON") from None
        if not isinstance(doc, dict):
            raise ValueError("expected a JSON object with seq and head")
        seq, head = doc.get("seq"), doc.get("head")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            raise ValueError("its seq is not a row number")
        if not isinstance(head, str) or not _HASH.fullmatch(head):
            raise ValueError("its head is not a 64-digit hex hash")
        return ExpectedHead(head, seq)
    seq_text, sep, head = text.rpartition(":")
    if not sep:
        head = text
    if not _HASH.fullmatch(head):
        raise ValueError("expected a 64-digit hex hash, SEQ:HASH, or the audit/head message")
    if sep:
        if not seq_text.isdigit():
            raise ValueError(f"expected SEQ:HASH with SEQ a row number, got {seq_text!r}")
        return ExpectedHead(head, int(seq_text))
    return ExpectedHead(head)
