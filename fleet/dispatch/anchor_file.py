"""The anchor files: one per UTC day, ``YYYY-MM-DD.log`` in the anchor directory, one
JSON line per checkpoint (:mod:`.anchor`), appended and never rewritten.

Written with ``O_APPEND`` (each checkpoint one ``write``, then ``fsync``), mode 0600 in a
0700 directory. Appending is all fleet ever does to them; the protection is where they
live: by default next to the database (``<audit>.anchors/``), where they stop anyone who
has only the key or only the database, and better on storage the core's user cannot
rewrite (``chattr +a``, a directory shipped to a second site; docs/dispatch.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from .anchor import Anchor, from_line, to_line
from .audit_check import AnchorSet

SUFFIX = ".log"


def default_anchor_dir(db_path: str | os.PathLike[str]) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".anchors")


class AnchorWriter:
    """Appends checkpoints to the day's file (by the anchor's own time, UTC)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def append(self, anchors: Sequence[Anchor]) -> Path:
        """Append ``anchors`` in one write and fsync; OSError if that fails."""
        if not anchors:
            raise ValueError("nothing to append")
        if not self.directory.is_dir():
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            _chmod(self.directory, 0o700)
        day = dt.datetime.fromtimestamp(anchors[-1].time, dt.UTC).date().isoformat()
        path = self.directory / f"{day}{SUFFIX}"
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags, 0o600)
        try:
            if hasattr(os, "fchmod") and os.fstat(fd).st_mode & 0o777 != 0o600:
                os.fchmod(fd, 0o600)  # whatever the umask
            data = "".join(to_line(a) for a in anchors).encode()
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f"short write to {path} ({written} of {len(data)} bytes)")
            os.fsync(fd)
        finally:
            os.close(fd)
        return path


def anchor_files(directory: Path) -> list[Path]:
    """The day files, oldest first (their names sort by date)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.endswith(SUFFIX) and p.is_file())


def read_anchors(directory: str | os.PathLike[str]) -> AnchorSet:
    """Every anchor in ``directory`` in the order written. A last line without its
    newline (a crash mid-write) is noted, not held against the audit; any other line
    that is not an anchor is a problem."""
    d = Path(directory)
    anchors: list[tuple[Anchor, str]] = []
    problems: list[str] = []
    notes: list[str] = []
    files = anchor_files(d)
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: unreadable ({exc})")
            continue
        lines = text.split("\n")
        for number, line in enumerate(lines, 1):
            if not line:
                continue
            try:
                anchors.append((from_line(line), f"{path.name}:{number}"))
            except ValueError as exc:
                torn = number == len(lines) and path == files[-1]
                (notes if torn else problems).append(
                    f"{path}:{number}: " + ("an unfinished last line (a crash while "
                                            "writing it?)" if torn else f"not an anchor: {exc}"))
    return AnchorSet(str(d), anchors, problems, notes)


def last_anchor(directory: str | os.PathLike[str]) -> Anchor | None:
    """The newest well-formed anchor, or None."""
    for path in reversed(anchor_files(Path(directory))):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            for line in reversed(path.read_text(encoding="utf-8").splitlines()):
                with contextlib.suppress(ValueError):
                    return from_line(line)
    return None


def _chmod(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):
        os.chmod(path, mode)
