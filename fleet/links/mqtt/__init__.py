"""MQTT links: ground vehicles, boats, trackers and OwnTracks phones, via one broker.

One :class:`MqttBridge` per configured broker (``[mqtt]``), speaking schema v1
(docs/mqtt.md):

* ``bridge``: the Link (connect, subscribe, dispatch, reconnect by the supervisor)
* ``schema``, ``owntracks``: typed payload decoding with the contract's rules
* ``topics``: topic names, built and parsed
* ``commands``: fleet commands as ``cmd`` messages, acks, resends
* ``state_publisher``: fleet's state, retained, for other consoles
* ``inbox``: the bounded incoming queue and its drop policy
* ``publish``: QoS 1 publishing with MQTT 5 PUBACK reason codes (ACL refusals)
* ``refusals``: what is refused, counted per kind and logged once per kind
* ``connection``: TLS, protocol fallback, reason codes
"""

from __future__ import annotations

from collections.abc import Callable

from ..settings import LinksConfig
from .bridge import MqttBridge
from .commands import RetryPolicy
from .publish import PublishFailedError, PublishRefusedError
from .refusals import BridgeCounters, Refusal


def build_links(config: LinksConfig, monotonic: Callable[[], float]) -> list[MqttBridge]:
    """The bridge to the configured broker (none without an ``[mqtt]`` section)."""
    if config.mqtt is None:
        return []
    return [MqttBridge(config.mqtt, monotonic=monotonic)]


__all__ = [
    "BridgeCounters",
    "MqttBridge",
    "PublishFailedError",
    "PublishRefusedError",
    "Refusal",
    "RetryPolicy",
    "build_links",
]
