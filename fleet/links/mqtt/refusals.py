"""What the bridge refuses, counted by kind, and logged once per kind.

A broker carries whatever any client publishes, so the bridge meets garbage: bad JSON,
wrong types, NaN, coordinates off the globe, megabyte payloads, units nobody registered.
Each refusal is counted in :class:`BridgeCounters` (one field per kind), never changes
fleet's state, and is logged (and raised as an alert) the first time its kind is seen,
with an example; after that only the counter moves, so a flood cannot flood the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import StrEnum

log = logging.getLogger("fleet.mqtt")


class Refusal(StrEnum):
    TOO_LARGE = "too_large"  # payload over the contract's 4 KiB
    BAD_JSON = "bad_json"  # not UTF-8 JSON (NaN and Infinity are not JSON)
    WRONG_TYPE = "wrong_type"  # JSON, but a field is missing, null or of the wrong type
    OUT_OF_RANGE = "out_of_range"  # a value outside its range or set
    BAD_VERSION = "bad_version"  # "v" is not 1
    UNKNOWN_TOPIC = "unknown_topic"  # a topic outside the contract (or an unknown kind)
    UNKNOWN_UNIT = "unknown_unit"  # the registry policy refused the address
    KIND_MISMATCH = "kind_mismatch"  # topic kind differs from the registered unit's kind
    UNKNOWN_ACK = "unknown_ack"  # an ack for a command id we did not send to that unit
    STALE_RETAINED = "stale_retained"  # a retained report older than the unit's timeout
    CLOCK_SKEW = "clock_skew"  # a report stamped too far ahead of or behind fleet's clock
    IGNORED = "ignored"  # an OwnTracks message type fleet does not use
    OVERFLOW = "overflow"  # the incoming queue was full; the message was dropped
    HANDLER_ERROR = "handler_error"  # a bug in the bridge; logged with its traceback


class PayloadError(Exception):
    """A message refused, with the kind of refusal and a one-line detail."""

    def __init__(self, reason: Refusal, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass(slots=True)
class BridgeCounters:
    """Everything the bridge received, applied and refused since it was built."""

    received: int = 0
    telemetry: int = 0  # reports delivered to the state (MQTT and OwnTracks)
    presence: int = 0
    acks: int = 0
    publish_refused: int = 0  # fleet's own publishes the broker refused (MQTT 5)
    state_cleared: int = 0  # retained states of units no longer in the registry, cleared
    cad_ignored: int = 0  # the CAD interface's own messages (its acks), not for the bridge
    # refusals, one per Refusal value
    too_large: int = 0
    bad_json: int = 0
    wrong_type: int = 0
    out_of_range: int = 0
    bad_version: int = 0
    unknown_topic: int = 0
    unknown_unit: int = 0
    kind_mismatch: int = 0
    unknown_ack: int = 0
    stale_retained: int = 0
    clock_skew: int = 0
    ignored: int = 0
    overflow: int = 0
    handler_error: int = 0

    def refused(self) -> dict[str, int]:
        """The refusal counters that are not zero."""
        return {r.value: n for r in Refusal if (n := getattr(self, r.value))}

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class RefusalLog:
    """Counts each refusal; logs and alerts the first of each kind only."""

    def __init__(self, counters: BridgeCounters,
                 alert: Callable[[Refusal, str], None] | None = None) -> None:
        self.counters = counters
        self.alert = alert
        self._seen: set[Refusal] = set()

    def __call__(self, reason: Refusal, topic: str, detail: str) -> None:
        name = reason.value
        setattr(self.counters, name, getattr(self.counters, name) + 1)
        if reason in self._seen:
            return
        self._seen.add(reason)
        message = (f"refused MQTT message ({name}) on {topic!r}: {detail}; "
                   f"further {name} refusals are only counted")
        if reason is Refusal.HANDLER_ERROR:
            log.error(message, exc_info=True)
        else:
            log.warning(message)
        if self.alert is not None:
            self.alert(reason, message)
