"""Display code that fails becomes a log line and one notice, never a traceback.

Textual ends the app on an exception in a render or a handler; an operator watching a
fleet must keep the console, so the paths that draw or react to clicks are wrapped:
the error is logged (once per distinct error), the operator told once, and a harmless
fallback (a blank line, nothing) stands in.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger("tui")
F = TypeVar("F", bound=Callable[..., Any])
_seen: set[str] = set()


def guarded(fallback: Callable[..., Any] = lambda *args, **kwargs: None) -> Callable[[F], F]:
    """Wrap a widget method; on an exception return ``fallback(self, *args, **kwargs)``."""

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def inner(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                report(self, method.__qualname__, exc)
                return fallback(self, *args, **kwargs)

        return inner  # type: ignore[return-value]

    return wrap


def report(node: Any, where: str, exc: Exception) -> None:
    key = f"{where}: {exc!r}"
    if key in _seen:
        return
    _seen.add(key)
    log.error("console error in %s", where, exc_info=exc)
    with contextlib.suppress(Exception):  # no app (yet): the log line is all there is
        node.app.notify(f"display error in {where}: {exc!r}", severity="error", timeout=10)
