"""Structured logging: one JSON object per line, to a file, so the console stays clean.

The TUI owns the terminal and headless mode owns stdout, so logs never go to either;
they go to ``<log dir>/fleet.log`` (rotated), where ``jq`` and log shippers can read them.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
from pathlib import Path

_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():  # extra={...} fields
            if key not in _RESERVED and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def default_log_dir() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(state) / "fleet"


def setup_logging(log_dir: Path, level: str = "info") -> Path:
    """Send the ``fleet`` loggers to ``log_dir/fleet.log``; return the file's path.

    Raises OSError when the directory cannot be created or written.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "fleet.log"
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=20 * 1024 * 1024, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return path
