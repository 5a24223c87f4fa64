"""Typed reads from parsed TOML that know their key path.

Each getter either returns a value of the promised type and range or raises a
one-line ``ConfigError`` naming the file, the key path and what was expected versus
found, so the section builders in :mod:`fleet.config.loader` stay declarative.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from fleet.errors import ConfigError
from fleet.spelling import did_you_mean

E = TypeVar("E", bound=StrEnum)

_MISSING: Any = object()
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
#: ids end up in MQTT topics and log lines: no spaces, slashes or wildcards
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def describe(value: Any) -> str:
    """Name a found value the way TOML does, short enough for one line."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, Mapping):
        return "table"
    if isinstance(value, (list, tuple)):
        return f"array of {len(value)}"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return f"{type(value).__name__} {value.isoformat()}"
    return type(value).__name__


def one_of(choices: Iterable[str]) -> str:
    return "one of " + ", ".join(choices)


def _fmt(number: float) -> str:
    return f"{number:g}"


def _bounds(gt: float | None, ge: float | None, le: float | None) -> str:
    if ge is not None and le is not None:
        return f" in {_fmt(ge)}..{_fmt(le)}"
    if gt is not None:
        return f" > {_fmt(gt)}"
    if ge is not None:
        return f" >= {_fmt(ge)}"
    if le is not None:
        return f" <= {_fmt(le)}"
    return ""


def key_join(parent: str, name: str) -> str:
    """``parent.name`` with TOML quoting for names that are not bare keys."""
    part = name if _BARE_KEY.fullmatch(name) else '"' + name.replace('"', '\\"') + '"'
    return f"{parent}.{part}" if parent else part


class Table:
    """A TOML table plus where it sits (file, key path), with checked getters."""

    def __init__(self, data: Mapping[str, Any], key: str, source: str):
        self.data = data
        self.key = key
        self.source = source

    def file_path(self, value: str) -> Path:
        """A path from the config: ``~`` expanded, a relative one taken from the config
        file's directory (as given, for a config built in code)."""
        path = Path(value).expanduser()
        if not path.is_absolute() and not self.source.startswith("<"):
            path = Path(self.source).parent / path
        return path

    # -- errors -------------------------------------------------------------------------

    def path(self, name: str | None = None) -> str:
        return key_join(self.key, name) if name is not None else self.key

    def error(self, message: str, name: str | None = None) -> ConfigError:
        return ConfigError(message, path=self.source, key=self.path(name) or None)

    def expected(self, name: str, what: str, value: Any) -> ConfigError:
        return self.error(f"expected {what}, got {describe(value)}", name)

    # -- structure ----------------------------------------------------------------------

    def check_keys(self, allowed: Sequence[str], what: str = "key") -> None:
        """Reject the first key not in ``allowed``: a typo must not silently become a default."""
        for name in self.data:
            if name not in allowed:
                hint = did_you_mean(name, allowed) or f"; expected {one_of(allowed)}"
                raise self.error(f"unknown {what} {name!r}{hint}")

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        if name in self.data:
            return self.data[name]
        if default is _MISSING:
            raise self.error("missing required key", name)
        return default

    def table(self, name: str, *, required: bool = False) -> Table | None:
        if name not in self.data:
            return self.raw(name) if required else None  # raw() raises for a missing key
        value = self.data[name]
        if not isinstance(value, Mapping):
            raise self.expected(name, "a table", value)
        return Table(value, self.path(name), self.source)

    def tables(self, name: str) -> list[Table]:
        """An array of tables (``[[name]]``); absent means empty."""
        value = self.raw(name, [])
        if not isinstance(value, (list, tuple)):
            raise self.expected(name, f"an array of tables ([[{name}]])", value)
        out = []
        for i, item in enumerate(value):
            key = f"{self.path(name)}[{i}]"
            if not isinstance(item, Mapping):
                raise ConfigError(
                    f"expected a table, got {describe(item)}", path=self.source, key=key
                )
            out.append(Table(item, key, self.source))
        return out

    # -- scalars ------------------------------------------------------------------------

    def string(self, name: str, default: Any = _MISSING, *, id_like: bool = False) -> Any:
        if name not in self.data:
            return self.raw(name, default)
        value = self.data[name]
        if not isinstance(value, str):
            raise self.expected(name, "a string", value)
        if not value.strip():
            raise self.expected(name, "a non-empty string", value)
        if "\n" in value or "\r" in value:  # names end up in one-line logs and table cells
            raise self.expected(name, "a string without line breaks", value)
        if id_like and not ID_PATTERN.fullmatch(value):
            raise self.expected(
                name, "an id of letters, digits, '_', '-', '.' (starting with a letter or digit)",
                value,
            )
        return value

    def boolean(self, name: str, default: Any = _MISSING) -> Any:
        if name not in self.data:
            return self.raw(name, default)
        value = self.data[name]
        if not isinstance(value, bool):
            raise self.expected(name, "a boolean", value)
        return value

    def number(
        self, name: str, default: Any = _MISSING, *,
        gt: float | None = None, ge: float | None = None, le: float | None = None,
    ) -> Any:
        """A finite float; integers are accepted, booleans are not (True is not 1 m/s)."""
        if name not in self.data:
            return self.raw(name, default)
        value = self.data[name]
        return check_number(value, self.source, self.path(name), gt=gt, ge=ge, le=le)

    def integer(
        self, name: str, default: Any = _MISSING, *, ge: int | None = None, le: int | None = None,
    ) -> Any:
        if name not in self.data:
            return self.raw(name, default)
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int) or not (
            (ge is None or value >= ge) and (le is None or value <= le)
        ):
            raise self.expected(name, "an integer" + _bounds(None, ge, le), value)
        return value

    def choice(self, name: str, choices: Sequence[str], default: Any = _MISSING) -> Any:
        if name not in self.data:
            return self.raw(name, default)
        value = self.string(name)
        if value not in choices:
            raise self.error(
                f"expected {one_of(choices)}, got {value!r}{did_you_mean(value, choices)}", name
            )
        return value

    def enum(self, name: str, enum: type[E], default: Any = _MISSING) -> Any:
        if name not in self.data:
            return self.raw(name, default)
        return enum(self.choice(name, [e.value for e in enum]))

    def string_list(self, name: str, default: Any = _MISSING) -> Any:
        if name not in self.data:
            return self.raw(name, default)
        value = self.data[name]
        if not isinstance(value, (list, tuple)):
            raise self.expected(name, "an array of strings", value)
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise ConfigError(
                    f"expected a non-empty string, got {describe(item)}",
                    path=self.source, key=f"{self.path(name)}[{i}]",
                )
        return list(value)


def check_number(
    value: Any, source: str, key: str, *,
    gt: float | None = None, ge: float | None = None, le: float | None = None,
) -> float:
    """``value`` as a float, or a ConfigError at ``key``; also for numbers inside arrays."""
    what = "a number" + _bounds(gt, ge, le)
    ok = not isinstance(value, bool) and isinstance(value, (int, float))
    if ok and not math.isfinite(value):
        what, ok = "a finite number" + _bounds(gt, ge, le), False
    if ok and ((gt is not None and not value > gt) or (ge is not None and not value >= ge)
               or (le is not None and not value <= le)):
        ok = False
    if not ok:
        raise ConfigError(f"expected {what}, got {describe(value)}", path=source, key=key)
    return float(value)


class Seen:
    """Values already taken in one namespace, so a duplicate names where the first one is."""

    def __init__(self, what: str, known: Iterable[str] = ()):
        self.what = what
        self.where: dict[str, str] = dict.fromkeys(known, "")

    def __contains__(self, value: str) -> bool:
        return value in self.where

    def add(self, value: str, table: Table, name: str, origin: str | None = None) -> None:
        if value in self.where:
            raise table.error(f"duplicate {self.what} {value!r} (also {self.where[value]})", name)
        self.where[value] = origin or table.key

    def ref(self, value: str, table: Table, name: str) -> None:
        """Check that ``table.name`` refers to a value in this namespace."""
        if value not in self.where:
            hint = did_you_mean(value, self.where) if self.where else " (none are defined)"
            raise table.error(f"unknown {self.what} {value!r}{hint}", name)
