"""The city's clock: schedules, rosters and blackouts are written in Hengyang local time.

China Standard Time is UTC+8 all year (no daylight saving since 1991), so a local
wall time maps to exactly one instant and every day is 24 hours long: the schedule
arithmetic adds minutes to aware datetimes and never meets a gap or a repeated hour.
The IANA zone is used when the system has tzdata; a fixed UTC+8 otherwise (same result).
"""

from __future__ import annotations

import datetime as dt

from fleet.city_time import CITY_TZ, local

__all__ = ["CITY_TZ", "local", "localize"]


def localize(naive: dt.datetime) -> dt.datetime:
    """A naive local wall time (as written in the config) as an aware datetime."""
    return naive.replace(tzinfo=CITY_TZ)
