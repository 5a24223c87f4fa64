"""What a dispatch did: the units sent and the ones refused, with why. Pure.

Issue #14: one refused unit used to void the whole call, and the answer still said
"accepted". A dispatch now sends every unit that can go and says which could not; the
CAD answers (``result``: ``accepted``, ``partial``, ``failed``) and the CLI's exit code
are derived from this one value, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import Refusal
from .incident import Incident

ACCEPTED, PARTIAL, FAILED = "accepted", "partial", "failed"


@dataclass(frozen=True, slots=True)
class Dispatched:
    incident: Incident
    sent: tuple[str, ...]
    refused: tuple[Refusal, ...] = ()

    @property
    def result(self) -> str:
        """``accepted`` (every unit asked for went) or ``partial`` (some refused)."""
        return PARTIAL if self.refused else ACCEPTED


def refused_doc(refused: Sequence[Refusal], callsign: Callable[[str], str]
                ) -> list[dict[str, Any]]:
    """The ``refused`` list of a CAD answer."""
    return [{"unit": r.unit_id, "callsign": callsign(r.unit_id), "reason": r.reason}
            for r in refused]


def refused_text(refused: Sequence[Refusal], callsign: Callable[[str], str]) -> str:
    """``RP18 Command 1 (rp18-cv1): committed to INC-…; …`` for notes and alerts."""
    return "; ".join(f"{callsign(r.unit_id)} ({r.unit_id}): {r.reason}" for r in refused)
