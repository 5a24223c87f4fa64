"""Suggestions for a mistyped name (a config key, a unit id, a schedule)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    options = list(choices)
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not match:
        lowered = {o.lower(): o for o in options}
        match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        match = [lowered[m] for m in match]
    if not match and len(word) >= 3:  # 'auto' -> 'auto_register'
        match = [o for o in options if o.startswith(word) or word.startswith(o)][:1]
    return f" (did you mean {match[0]!r}?)" if match else ""
