"""The city's clock: every time fleet shows or reads is Hengyang local time.

Schedules are written in it, incident numbers count its days, and the console, CLI and
reports show it, whatever the machine's own zone is (a server in UTC, a laptop set to
another city): one time zone, the one the command centre works in.

China Standard Time is UTC+8 all year (no daylight saving since 1991), so a local wall
time maps to exactly one instant. The IANA zone is used when the system has tzdata; a
fixed UTC+8 otherwise (same result).
"""

from __future__ import annotations

import datetime as dt

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    CITY_TZ: dt.tzinfo = ZoneInfo("Asia/Shanghai")
except (ImportError, ZoneInfoNotFoundError):  # no tzdata (e.g. Windows without the package)
    CITY_TZ = dt.timezone(dt.timedelta(hours=8), "CST")

ZONE_LABEL = "CST"  # China Standard Time, as the header shows it


def local(unix_s: float) -> dt.datetime:
    """Unix seconds as an aware city datetime."""
    return dt.datetime.fromtimestamp(unix_s, CITY_TZ)


def clock(unix_s: float) -> str:
    """``HH:MM:SS`` in the city."""
    return local(unix_s).strftime("%H:%M:%S")


def to_unix(when: dt.datetime) -> float:
    """An ISO date/time as typed (naive means city time) as Unix seconds."""
    return (when if when.tzinfo is not None else when.replace(tzinfo=CITY_TZ)).timestamp()
