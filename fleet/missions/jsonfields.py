"""Typed reads from parsed JSON that name the key path when the value is wrong.

Every getter returns a value of the promised type or raises a one-line
:class:`MissionFileError` such as ``plan.json: mission.items[2].params[4]: expected a
number or null, found string 'x'``, so the format readers stay declarative.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fleet.missions.errors import MissionFileError

_MISSING: Any = object()


def describe(value: Any) -> str:
    """Name a found JSON value, short enough for one line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"string {value if len(value) <= 40 else value[:37] + '...'!r}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return f"array of {len(value)}"
    return type(value).__name__


def key_path(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (write null)")


class JsonFields:
    """Reads for one file; ``source`` is the path (or a label) errors start with."""

    def __init__(self, source: str):
        self.source = str(source)

    def fail(self, where: str, message: str) -> MissionFileError:
        return MissionFileError(self.source, f"{where}: {message}" if where else message)

    def parse(self, text: str) -> Any:
        """Strict JSON: NaN/Infinity literals are refused as QGroundControl would."""
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as err:
            raise self.fail("", f"not valid JSON: {err.msg} (line {err.lineno} column "
                                f"{err.colno})") from None
        except ValueError as err:
            raise self.fail("", f"not valid JSON: {err}") from None

    def field(self, obj: dict[str, Any], key: str, where: str, default: Any = _MISSING) -> Any:
        if key in obj:
            return obj[key]
        if default is _MISSING:
            raise self.fail(where, f"missing key {key!r}")
        return default

    def object(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, found {describe(value)}")
        return value

    def array(self, value: Any, where: str, length: int | None = None) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected an array, found {describe(value)}")
        if length is not None and len(value) != length:
            raise self.fail(where, f"expected {length} values, found {len(value)}")
        return value

    def number(self, value: Any, where: str, null_ok: bool = False) -> float:
        """A JSON number as float; ``null`` is NaN where QGroundControl writes NaN as null."""
        if value is None and null_ok:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, int | float):
            wanted = "a number or null" if null_ok else "a number"
            raise self.fail(where, f"expected {wanted}, found {describe(value)}")
        return float(value)

    def integer(self, value: Any, where: str) -> int:
        number = self.number(value, where)
        if not number.is_integer():
            raise self.fail(where, f"expected a whole number, found {describe(value)}")
        return int(number)

    def boolean(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, found {describe(value)}")
        return value

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"expected a string, found {describe(value)}")
        return value

    def version(self, obj: dict[str, Any], where: str, supported: int,
                required: bool = True) -> None:
        """Check ``obj["version"]``; absent is fine when not ``required``."""
        if "version" not in obj and not required:
            return
        found = self.integer(self.field(obj, "version", where), key_path(where, "version"))
        if found != supported:
            label = f"{where} version" if where else "version"
            raise self.fail("", f"{label} {found} is not supported (only {supported})")
