"""The whole-file verdict on an audit, pure: rows, key, anchors and an expected head.

Three independent witnesses, each naming the first row it can prove bad:

* the rows themselves (:func:`.chain.row_problem`): order, links, canonical form, and
  with the key each row's HMAC: an edit without the key is named exactly;
* the anchors (:mod:`.anchor`), written where the database's writer cannot rewrite them:
  a row whose hash differs from the anchored one (re-hashed with a stolen key), rows
  missing below an anchored row (cut off the end), rows after a clean shutdown;
* a head noted elsewhere (``--expect-head``): ``SEQ:HASH`` names cut rows, a changed
  row only as "at or before SEQ", a bare hash only "not in the chain".

The first bad row is the smallest any witness names; a problem no witness can place
(a head not in the chain, a missing or edited anchor file) still fails the check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .anchor import TRAIL_HEX, Anchor, ExpectedHead
from .chain import GENESIS, AuditKey, StoredRow, row_problem


@dataclass(frozen=True, slots=True)
class AnchorSet:
    """The anchors found for one audit, in the order they were written."""

    location: str  # the directory, for messages
    anchors: Sequence[tuple[Anchor, str]] = ()  # each with where it is ("file:line")
    problems: Sequence[str] = ()  # lines that are not anchors ("file:line: why")
    notes: Sequence[str] = ()  # harmless oddities (a torn last line after a crash)


@dataclass(frozen=True, slots=True)
class Finding:
    seq: int | None  # the first bad row, None when it cannot be placed
    problem: str


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    rows: int  # rows before the first bad one (all of them when ok)
    head: str  # hash of the last of those (GENESIS for none)
    bad_seq: int | None = None  # the first bad row, when it can be named
    problem: str = ""
    format: str = ""  # how the rows are sealed
    anchored: int = 0  # rows 1..anchored agree with an anchor
    notes: tuple[str, ...] = ()

    def message(self) -> str:
        if self.ok:
            return f"OK: {self.rows} rows, head {self.head}"
        if self.bad_seq is None:
            return f"TAMPERED: {self.problem}"
        return f"TAMPERED at row {self.bad_seq}: {self.problem}"

    def details(self) -> list[str]:
        """Lines after :meth:`message`: format, anchoring, notes."""
        out = [f"format: {self.format}"] if self.format else []
        return out + list(self.notes)


def check(rows: Sequence[StoredRow], *, key: AuditKey | None = None,
          anchors: AnchorSet | None = None, expected: ExpectedHead | None = None,
          anchors_required: bool = False) -> Verification:
    """Verify ``rows`` (in seq order). ``key`` None: keyed rows' MACs are not checked;
    ``anchors`` None: not checked; ``anchors_required``: an empty set is a failure."""
    hashes = {r[0]: r[8] for r in rows}
    last = rows[-1][0] if rows else 0
    findings = [f for f in (_rows_finding(rows, key),) if f is not None]
    notes: list[str] = []
    anchored = 0
    if anchors is not None:
        found, anchored = _anchor_findings(anchors, hashes, last, anchors_required)
        findings += found
        notes += anchors.notes
    if expected is not None:
        findings += _expected_finding(expected, hashes, last)
    located = [f for f in findings if f.seq is not None]
    unplaced = [f for f in findings if f.seq is None]
    first = min(located, key=lambda f: f.seq or 0) if located else None
    bad = first.seq if first else None
    good = [r for r in rows if bad is None or r[0] < bad]
    head = good[-1][8] if good else GENESIS
    fmt = describe_format(rows)
    if key is None and any(r[9] is not None for r in rows):
        notes.append("MACs not checked (no key): order, links, form and anchors only")
    if anchors is None:
        notes.append("anchors not checked")
    if first is None and not unplaced:
        if anchors is not None and anchored < last:
            notes.append(_unanchored(anchored, last))
        return Verification(True, len(good), head, format=fmt, anchored=anchored,
                            notes=tuple(notes))
    lead = first or unplaced[0]
    rest = [f.problem for f in (*located, *unplaced) if f is not lead]
    notes += rest[:2] + ([f"... and {len(rest) - 2} more findings"] if len(rest) > 2 else [])
    return Verification(False, len(good), head, bad, lead.problem, fmt,
                        min(anchored, (bad or 1) - 1), tuple(notes))


def _rows_finding(rows: Sequence[StoredRow], key: AuditKey | None) -> Finding | None:
    prev, expected, keyed = GENESIS, 1, False
    for row in rows:
        problem = row_problem(row, expected, prev, keyed, key)
        if problem:
            return Finding(min(row[0], expected), problem)
        prev, expected, keyed = row[8], expected + 1, keyed or row[9] is not None
    return None


def _anchor_findings(anchors: AnchorSet, hashes: dict[int, str], last: int,
                     required: bool) -> tuple[list[Finding], int]:
    """Findings against each anchor, and the highest row a matching anchor covers."""
    out = [Finding(None, f"{p} (the anchor file was edited?)") for p in anchors.problems]
    if not anchors.anchors:
        if required:
            out.append(Finding(None, f"no anchors in {anchors.location}: the core writes "
                               "one at every start (removed? --anchors DIR names another "
                               "place, --no-anchors checks without them)"))
        return out, 0
    anchored = 0
    for a, where in anchors.anchors:
        finding = _anchor_finding(a, where, hashes, last)
        if finding is None:
            anchored = max(anchored, a.seq)
        else:
            out.append(finding)
    a, where = anchors.anchors[-1]
    if a.event == "close" and last > a.seq:
        out.append(Finding(a.seq + 1, f"{_rows(a.seq + 1, last)} after the core's clean "
                           f"shutdown at row {a.seq} ({when(a.time)}, {where}) with no "
                           "anchor of a start since: not written by a fleet core"))
    return out, anchored


def _anchor_finding(a: Anchor, where: str, hashes: dict[int, str], last: int
                    ) -> Finding | None:
    found = _trail_differs(a, where, hashes)  # rows present first: they come before any cut
    if found is not None:
        return found
    said = f"the anchor of {when(a.time)} ({where})"
    if a.seq > last:
        return Finding(last + 1, f"{_rows(last + 1, a.seq)} missing: removed from the end "
                       f"({said} covers row {a.seq}, the file ends at row {last})")
    actual = hashes.get(a.seq, GENESIS if a.seq == 0 else None)
    if actual is not None and actual != a.head:
        return Finding(a.seq, f"hash differs from {said}: changed and re-hashed")
    return None


def _trail_differs(a: Anchor, where: str, hashes: dict[int, str]) -> Finding | None:
    for i, prefix in enumerate(a.trail):
        seq = a.first + i
        actual = hashes.get(seq)
        if actual is not None and actual[:TRAIL_HEX] != prefix:
            return Finding(seq, f"hash differs from the anchor of {when(a.time)} ({where}): "
                           "changed and re-hashed (by someone holding the key, or another "
                           "writer)")
    return None


def _expected_finding(e: ExpectedHead, hashes: dict[int, str], last: int) -> list[Finding]:
    if e.seq is not None:
        if e.seq > last:
            return [Finding(last + 1, f"{_rows(last + 1, e.seq)} missing: removed from the "
                            f"end (the expected head is row {e.seq}, the file ends at row "
                            f"{last})")]
        actual = hashes.get(e.seq, GENESIS if e.seq == 0 else None)
        if actual != e.head:
            return [Finding(None, f"row {e.seq}'s hash is {actual}, not the expected "
                            f"{e.head}: a row at or before {e.seq} was changed and "
                            "re-hashed (the anchors locate it)")]
        return []
    if e.head in hashes.values() or (e.head == GENESIS):
        return []
    return [Finding(None, f"the expected head {e.head} is in no row of the chain ({last} "
                    "rows): rows were removed from the end, or a row was changed and "
                    "re-hashed (SEQ:HASH or the anchors locate it)")]


def describe_format(rows: Sequence[StoredRow]) -> str:
    if not rows:
        return "empty"
    plain = [r[0] for r in rows if r[9] is None]
    keys = sorted({r[9] for r in rows if r[9] is not None})
    keyed = f"HMAC-SHA256, key {', '.join(keys)}"
    old = ("plain SHA-256 (schema 1, unkeyed: anyone who can write the file can re-forge "
           "it)")
    if not plain:
        return keyed
    if not keys:
        return old
    return (f"{_rows(plain[0], plain[-1])} plain SHA-256 (written before the key: only the "
            f"anchors protect them); the rest {keyed}")


def _unanchored(anchored: int, last: int) -> str:
    return (f"{_rows(anchored + 1, last)} not anchored yet (the core anchors every few "
            "rows or minutes and at shutdown; a running core's newest rows wait for it)")


def _rows(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first}-{last}"


def when(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
