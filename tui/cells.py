"""Pure formatting of core values for display: tolerant of None, NaN and odd types.

Kept free of Textual so it is tested directly; a bad value becomes "—", never an exception.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from enum import Enum

from fleet.city_time import clock as city_clock
from fleet.events import ConnectionState, Severity
from fleet.model import UnitStatus

MISSING = "—"

STATUS_STYLE: dict[UnitStatus, str] = {
    UnitStatus.AVAILABLE: "green",
    UnitStatus.PATROLLING: "cyan",
    UnitStatus.DISPATCHED: "yellow",
    UnitStatus.EN_ROUTE: "bold yellow",
    UnitStatus.ON_SCENE: "magenta",
    UnitStatus.RETURNING: "blue",
    UnitStatus.OUT_OF_SERVICE: "dim",
    UnitStatus.LOST: "bold red",
}

SEVERITY_STYLE: dict[Severity, str] = {
    Severity.EMERGENCY: "bold white on red",
    Severity.ALERT: "bold white on red",
    Severity.CRITICAL: "bold red",
    Severity.ERROR: "red",
    Severity.WARNING: "yellow",
    Severity.NOTICE: "cyan",
    Severity.INFO: "",
    Severity.DEBUG: "dim",
}

CONNECTION_STYLE: dict[ConnectionState, str] = {
    ConnectionState.CONNECTED: "green",
    ConnectionState.CONNECTING: "yellow",
    ConnectionState.DISCONNECTED: "red",
    ConnectionState.FAILED: "bold red",
    ConnectionState.UNAVAILABLE: "dim",
}


def label(value: object) -> str:
    """An enum or identifier as words: ``UnitKind.PATROL_CAR`` -> ``patrol car``."""
    if value is None:
        return MISSING
    text = str(value.value if isinstance(value, Enum) else value)
    return text.replace("_", " ") or MISSING


def number(value: object, fmt: str = ".0f") -> str:
    """A finite number formatted, or "—" for None, NaN, infinities and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return MISSING
    if not math.isfinite(value):
        return MISSING
    return format(value, fmt)


def age(now: float, last_seen: float | None) -> str:
    """Whole seconds since ``last_seen`` (monotonic), "—" if never seen."""
    if last_seen is None or not isinstance(now, int | float):
        return MISSING
    seconds = now - last_seen
    if not math.isfinite(seconds):
        return MISSING
    return f"{max(0, int(seconds))}s"


def clock(unix_s: object) -> str:
    """The city's wall-clock time HH:MM:SS (whatever the machine's zone), or "--:--:--"
    for a time the platform rejects."""
    try:
        return city_clock(float(unix_s))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return "--:--:--"


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``Air-2`` before ``Air-10``."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in _DIGITS.split(text) if part
    )


_SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], lo: float = 0.0, hi: float = 100.0) -> str:
    """One character per value, scaled from ``lo`` to ``hi`` (a battery is 0-100 %)."""
    span = hi - lo
    if span <= 0:
        return ""
    top = len(_SPARKS) - 1
    out = []
    for v in values:
        if not isinstance(v, int | float) or not math.isfinite(v):
            out.append(" ")
            continue
        out.append(_SPARKS[min(top, max(0, round((v - lo) / span * top)))])
    return "".join(out)
