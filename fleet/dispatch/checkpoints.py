"""When the audit writer anchors its head, and the writing of it (on the writer thread).

An anchor is written when the writer opens (covering any rows the last run left
unanchored, e.g. after a crash, or a whole older file the first time), after every
``every_rows`` rows, ``every_s`` seconds after the first row not yet anchored, and at a
clean close. Each goes to the anchor file and to the :class:`.HeadFeed` (the broker).

A failed anchor write never fails an append: the incident record matters more than its
witness. The rows stay pending (the next checkpoint covers them), the failure is logged
once, and :attr:`Checkpointer.error` says what it is until a write succeeds.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence

from .anchor import TRAIL_MAX, Anchor, trail_of
from .anchor_file import AnchorWriter, last_anchor
from .audit_heads import HeadFeed
from .chain import GENESIS

log = logging.getLogger("fleet.dispatch.audit")


class Checkpointer:
    def __init__(self, writer: AnchorWriter, heads: HeadFeed | None, key_id: str | None, *,
                 every_rows: int = 100, every_s: float = 300.0,
                 wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.writer = writer
        self.heads = heads
        self.key_id = key_id
        self.every_rows = every_rows
        self.every_s = every_s
        self._wall = wall
        self._monotonic = monotonic
        self._pending: list[tuple[int, str]] = []  # (seq, hash) of rows not yet anchored
        self._seq, self._head = 0, GENESIS
        self._due: float | None = None  # monotonic time of the next timed checkpoint
        self.error: str | None = None
        self.written = 0  # anchor lines written

    def start(self, conn: sqlite3.Connection) -> None:
        """Anchor the head as the writer opens, with every row since the last anchor."""
        last_row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"
                                ).fetchone()
        self._seq, self._head = last_row if last_row else (0, GENESIS)
        last = last_anchor(self.writer.directory)
        since = 0
        if last is not None:
            since = min(last.seq, self._seq)
            at = conn.execute("SELECT hash FROM audit WHERE seq = ?", (last.seq,)).fetchone()
            actual = at[0] if at else (GENESIS if last.seq == 0 else None)
            if actual != last.head:
                log.error("the audit disagrees with its last anchor (row %d in %s): run "
                          "`fleet audit verify`", last.seq, self.writer.directory)
        self._pending = [(int(s), str(h)) for s, h in conn.execute(
            "SELECT seq, hash FROM audit WHERE seq > ? ORDER BY seq", (since,))]
        self._anchor("open")

    def committed(self, rows: Sequence[tuple[int, str]]) -> None:
        """Rows just made durable: anchor if enough are pending, else arm the timer."""
        if not rows:
            return
        self._pending += rows
        self._seq, self._head = rows[-1]
        if len(self._pending) >= self.every_rows:
            self._anchor("checkpoint")
        elif self._due is None:
            self._due = self._monotonic() + self.every_s

    def timeout(self) -> float | None:
        """Seconds until the timed checkpoint (None: nothing pending)."""
        if self._due is None:
            return None
        return max(0.0, self._due - self._monotonic())

    def tick(self) -> None:
        if self._due is not None and self._monotonic() >= self._due:
            self._anchor("checkpoint")

    def close(self) -> None:
        self._anchor("close")

    def _anchor(self, event: str) -> None:
        now = self._wall()
        lines = [Anchor(now, chunk[-1][0], chunk[-1][1], self.key_id, "checkpoint",
                        trail_of([h for _, h in chunk]))
                 for chunk in (self._pending[i:i + TRAIL_MAX]
                               for i in range(0, len(self._pending), TRAIL_MAX))]
        if lines:
            last = lines[-1]
            lines[-1] = Anchor(last.time, last.seq, last.head, last.key_id, event, last.trail)
        else:
            lines = [Anchor(now, self._seq, self._head, self.key_id, event)]
        self._due = None
        try:
            self.writer.append(lines)
        except OSError as exc:
            if self.error is None:
                log.error("cannot write the audit anchor in %s: %s (rows stay pending)",
                          self.writer.directory, exc)
            self.error = str(exc)
            self._due = self._monotonic() + self.every_s
        else:
            self._pending.clear()
            self.written += len(lines)
            if self.error is not None:
                log.warning("audit anchors written again in %s", self.writer.directory)
            self.error = None
        if self.heads is not None:
            self.heads.put(lines[-1])
