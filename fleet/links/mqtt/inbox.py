"""The bridge's incoming queue: aiomqtt's message queue, bounded, with a drop policy.

aiomqtt puts each message the broker delivers into a queue the bridge reads; its own
bounded queue drops the newest message when full and only logs it. This one (given to
aiomqtt as ``queue_type``) decides what to lose and counts it:

* when full, the **oldest queued telemetry** message is dropped to make room: a unit
  reports every second and its next report supersedes the lost one (telemetry is QoS 0
  for the same reason, docs/mqtt.md);
* if no telemetry is queued (a flood of acks, presence or OwnTracks), the **incoming**
  message is dropped instead: nothing already accepted is reordered or lost.

Every drop calls ``on_drop`` (the bridge counts it as OVERFLOW and logs the first).
The queue only fills when the event loop is starved for seconds: fleet's whole MQTT
path (paho, aiomqtt, the bridge, the state) takes many times the demo's ~300 messages a
second (the MQTT ingest figures in docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

import aiomqtt


class Inbox(asyncio.Queue[aiomqtt.Message]):
    def __init__(self, maxsize: int, on_drop: Callable[[aiomqtt.Message], None]) -> None:
        super().__init__(maxsize)
        self._on_drop = on_drop

    # the documented extension point of asyncio.Queue (LifoQueue overrides it too)
    def _init(self, maxsize: int) -> None:
        self._queue: deque[aiomqtt.Message] = deque()

    def put_nowait(self, item: aiomqtt.Message) -> None:
        if self.full():
            victim = self._evict_oldest_telemetry()
            if victim is None:
                self._on_drop(item)
                return
            self._on_drop(victim)
        super().put_nowait(item)

    def _evict_oldest_telemetry(self) -> aiomqtt.Message | None:
        queue = self._queue
        for i, msg in enumerate(queue):
            if msg.topic.value.endswith("/telemetry"):
                del queue[i]
                return msg
        return None
