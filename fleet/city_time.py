"""The city's clock: every time fleet shows or reads is the city's local time.

Schedules are written in it, incident numbers count its days, and the console, CLI and
reports show it, whatever the machine's own zone is (a server in UTC, a laptop set to
another city): one time zone, the one the command centre works in.

The zone is the config's ``[fleet] timezone`` (an IANA name, ``Asia/Shanghai`` unless
set: Hengyang's, China Standard Time, UTC+8 all year). Loading a config sets it for the
process (:func:`use_zone`): a process serves one city. :data:`CITY_TZ` is one tzinfo
object that follows that setting, so the modules that imported it before the config was
read (schedules, the dispatch centre, reports) keep the right zone. Without the system's
tz database only Asia/Shanghai is known (as a fixed UTC+8: the same times).
"""

from __future__ import annotations

import datetime as dt

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - zoneinfo is in every Python fleet supports
    ZoneInfo = None  # type: ignore[assignment,misc]
    ZoneInfoNotFoundError = KeyError  # type: ignore[assignment,misc]

DEFAULT_ZONE = "Asia/Shanghai"
_FALLBACK = {DEFAULT_ZONE: dt.timezone(dt.timedelta(hours=8), "CST")}


def zone_named(name: str) -> dt.tzinfo:
    """The IANA zone ``name``; ``ValueError`` naming it if there is no such zone."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a time zone must be an IANA name such as 'Asia/Shanghai'")
    try:
        if ZoneInfo is not None:
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    if name in _FALLBACK:  # no tz database (e.g. Windows without the tzdata package)
        return _FALLBACK[name]
    raise ValueError(f"unknown time zone {name!r}: an IANA name such as 'Asia/Shanghai' "
                     "(install the tzdata package if the system has no zone database)")


class CityZone(dt.tzinfo):
    """The configured zone, behind one object that can be imported before it is set."""

    def __init__(self, name: str = DEFAULT_ZONE) -> None:
        self.name = name
        self.zone = zone_named(name)

    def set(self, name: str) -> None:
        self.zone = zone_named(name)
        self.name = name

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta | None:
        return self.zone.utcoffset(when)

    def dst(self, when: dt.datetime | None) -> dt.timedelta | None:
        return self.zone.dst(when)

    def tzname(self, when: dt.datetime | None) -> str | None:
        return self.zone.tzname(when)

    def fromutc(self, when: dt.datetime) -> dt.datetime:
        return self.zone.fromutc(when.replace(tzinfo=self.zone)).replace(tzinfo=self)

    def __repr__(self) -> str:
        return f"CityZone({self.name!r})"


CITY_TZ = CityZone()


def use_zone(name: str) -> None:
    """Make ``name`` the city's zone for this process (``ValueError`` if unknown)."""
    CITY_TZ.set(name)


def zone_label(unix_s: float) -> str:
    """The zone's abbreviation at that instant, as clocks show it (``CST``, ``CEST``);
    the UTC offset for zones that have none (``+04``)."""
    return local(unix_s).tzname() or CITY_TZ.name


def local(unix_s: float) -> dt.datetime:
    """Unix seconds as an aware city datetime."""
    return dt.datetime.fromtimestamp(unix_s, CITY_TZ)


def clock(unix_s: float) -> str:
    """``HH:MM:SS`` in the city."""
    return local(unix_s).strftime("%H:%M:%S")


def to_unix(when: dt.datetime) -> float:
    """An ISO date/time as typed (naive means city time) as Unix seconds."""
    return (when if when.tzinfo is not None else when.replace(tzinfo=CITY_TZ)).timestamp()
