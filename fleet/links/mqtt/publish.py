"""Publishing with the broker's verdict: MQTT 5 PUBACK reason codes, which aiomqtt drops.

Under MQTT 5 a broker that refuses a QoS 1 publish (its ACL denies the topic) says so
in the PUBACK: Mosquitto answers 0x87 "Not authorized". Under 3.1.1 it cannot: it acks
and drops the message, so a refused command is only seen as a timeout.

aiomqtt 2.5 receives that reason code from paho and discards it, and ``publish()``
returns normally. So :class:`Publisher` hooks paho's public ``on_publish`` callback and
``publish`` method on the paho client aiomqtt keeps in ``Client._client`` (the one place
fleet reaches inside aiomqtt; the ``~=2.5`` pin keeps it stable and
tests/mqtt/test_mqtt_security.py covers it). Two ways to publish:

* ``await publish(...)`` (commands): the mid of the publish is recorded for the task
  that made it, and a failing reason code for that mid raises PublishRefusedError when
  the publish returns;
* ``publish_nowait(...)`` (fleet's state, ~300 a second): handed to paho, which runs
  the QoS 1 flow itself, without aiomqtt's per-publish future and tasks (about half the
  CPU of an awaited publish); a refusal calls ``on_refused(topic, reason)``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiomqtt
import paho.mqtt.client as paho_mqtt

from ...errors import LinkError


async def acked_publish(client: aiomqtt.Client, topic: str, payload: bytes, *, qos: int,
                        retain: bool = False) -> None:
    """``client.publish`` that never swallows a cancellation. aiomqtt waits for the PUBACK
    with ``asyncio.wait_for``, which on Python 3.11 returns normally when the PUBACK and a
    cancellation arrive together (CPython gh-86296): the task goes on "cancelling" and a
    TaskGroup waiting for it at shutdown waits for ever. Seen as a hung test."""
    await client.publish(topic, payload, qos=qos, retain=retain)
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class PublishRefusedError(LinkError):
    """The broker refused the publish (MQTT 5 reason code >= 0x80, e.g. Not authorized)."""

    def __init__(self, topic: str, reason: str) -> None:
        self.topic = topic
        self.reason = reason
        super().__init__(f"broker refused the publish to {topic!r}: {reason}")


class PublishFailedError(LinkError):
    """The publish did not complete (not connected, disconnected, or no PUBACK in time)."""


class NotConnectedError(PublishFailedError):
    """No connection to the broker right now."""


class Publisher:
    """Publishing on one connected aiomqtt client (see the module docstring)."""

    def __init__(self, client: aiomqtt.Client, *, reason_codes: bool,
                 on_refused: Callable[[str, str], None]) -> None:
        self.client = client
        self.on_refused = on_refused
        self._paho: Any = client._client
        self._publish_now = self._paho.publish  # the original, for publish_nowait
        self._mids: dict[asyncio.Task[Any], int] = {}
        self._refused: dict[int, str] = {}
        self._nowait: dict[int, str] = {}  # mid -> topic, until its PUBACK
        self._reason_codes = reason_codes
        if reason_codes:
            self._hook(self._paho)

    def _hook(self, paho: Any) -> None:
        publish = paho.publish
        on_publish = paho.on_publish

        def publish_recording_mid(*args: Any, **kwargs: Any) -> Any:
            info = publish(*args, **kwargs)
            task = asyncio.current_task()
            if task is not None:
                self._mids[task] = info.mid
            return info

        def on_publish_checking(client: Any, userdata: Any, mid: int, reason_code: Any,
                                properties: Any) -> None:
            topic = self._nowait.pop(mid, None)
            if getattr(reason_code, "is_failure", False):
                if topic is None:
                    self._refused[mid] = str(reason_code)
                else:
                    self.on_refused(topic, str(reason_code))
            if topic is None:
                on_publish(client, userdata, mid, reason_code, properties)

        paho.publish = publish_recording_mid
        paho.on_publish = on_publish_checking

    async def publish(self, topic: str, payload: bytes, qos: int, retain: bool = False) -> None:
        task = asyncio.current_task()
        try:
            await acked_publish(self.client, topic, payload, qos=qos, retain=retain)
        except aiomqtt.MqttError as exc:
            raise PublishFailedError(f"publish to {topic!r} failed: {exc}") from None
        finally:
            mid = self._mids.pop(task, None) if task is not None else None
        if mid is not None:
            reason = self._refused.pop(mid, None)
            if reason is not None:
                raise PublishRefusedError(topic, reason)

    def publish_nowait(self, topic: str, payload: bytes, qos: int, retain: bool = False) -> None:
        """Queue a publish in paho and return; raises PublishFailedError if paho refuses it
        (disconnected, or its outgoing queue is full)."""
        info = self._publish_now(topic, payload, qos, retain)
        if info.rc != paho_mqtt.MQTT_ERR_SUCCESS:
            raise PublishFailedError(f"publish to {topic!r} failed: "
                                     f"{paho_mqtt.error_string(info.rc)}")
        if self._reason_codes and qos:
            self._nowait[info.mid] = topic
