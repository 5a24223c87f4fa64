"""Reading and writing the mission files a caller names, with errors that say which file."""

from __future__ import annotations

import os
from pathlib import Path

from fleet.missions.errors import MissionFileError


def read_text(path: str | os.PathLike[str]) -> str:
    """The file's text (UTF-8, a BOM tolerated); unreadable is a :class:`MissionFileError`."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise MissionFileError(str(path), f"cannot read: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise MissionFileError(
            str(path), f"not UTF-8 text ({err.reason} at byte {err.start})") from err


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write via a temp file and a rename, so a crash never leaves half a plan behind."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
