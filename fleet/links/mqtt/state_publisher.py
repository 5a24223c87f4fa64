"""fleet's own view of every unit, republished retained on ``{prefix}/state/{unit_id}``.

Another console (or a dashboard) that subscribes to ``{prefix}/state/+`` gets the whole
fleet at once from the broker's retained store, then every change. The publisher reads
the service's change stream, which already coalesces per unit, and publishes a changed
unit at most once per ``period_s`` (1 s), and only when its message (but ``ts``) differs
from the last one: a unit moving and reporting at 1 Hz costs one message a second,
however many reports arrived, and a parked one none. On every (re)connection it first
publishes every unit, because a broker restarted without persistence has lost the
retained store.

It runs inside the bridge's connection and sees the core only through the LinkContext
(``subscribe``, ``snapshots``). A unit leaves the registry when fleet restarts with a
config without it: the bridge then clears its retained state (``MqttBridge._sweep``).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

from ...errors import LinkError
from ...events import UnitSnapshot
from ..base import LinkContext
from .schema import VERSION, encode
from .topics import Topics

log = logging.getLogger("fleet.mqtt")


def state_fields(snap: UnitSnapshot) -> dict[str, Any]:
    """The contract's state message for one unit, but ``v`` and ``ts`` (absent fields
    omitted, never null)."""
    u = snap.unit
    out: dict[str, Any] = {
        "id": u.id, "callsign": u.callsign, "kind": u.kind.value,
        "group": u.group, "status": snap.status.value, "link_state": snap.link_state.value,
    }
    t = snap.telemetry
    if t is not None:
        if math.isfinite(t.lat_deg) and math.isfinite(t.lon_deg):
            out["lat"] = t.lat_deg
            out["lon"] = t.lon_deg
        for key, value in (("speed", t.ground_speed_m_s), ("heading", t.heading_deg),
                           ("fuel", t.battery_pct)):
            if value is not None and math.isfinite(value):
                out[key] = value
    return out


def state_payload(snap: UnitSnapshot, ts: float) -> bytes:
    return encode({"v": VERSION, "ts": ts, **state_fields(snap)})


class StatePublisher:
    def __init__(
        self, topics: Topics, *, period_s: float = 1.0, tick_s: float = 0.25,
        monotonic: Callable[[], float],
    ) -> None:
        self.topics = topics
        self.period_s = period_s
        self.tick_s = tick_s
        self.monotonic = monotonic
        self.published = 0
        self.failed = 0
        self._refusing = False

    async def run(self, ctx: LinkContext, publish: Callable[[str, bytes, int], None]) -> None:
        """Publish everything, then changes, until cancelled. ``publish(topic, payload,
        qos)`` queues one retained message (or raises LinkError).

        The whole fleet goes at QoS 1: the broker's PUBACK (with its MQTT 5 reason code)
        says the retained store took it, or that an ACL refused it. Changes go at QoS 0:
        on a live TCP connection nothing is lost, a change is superseded within a second,
        and whatever was in flight when a connection dropped is covered by the full
        publication on the next one; it spares a PUBACK per message, ~20 % of the
        bridge's CPU at 300 units a second. While the broker refuses (see
        :meth:`refused`), changes stay at QoS 1 so that each refusal is counted."""
        self._refusing = False
        last: dict[str, float] = {}  # when each unit was last published (monotonic)
        sent: dict[str, dict[str, Any]] = {}  # what was published, this connection
        waiting: dict[str, UnitSnapshot] = {}
        with ctx.subscribe(max_events=1) as changes:  # unit changes coalesce; events unused
            self._publish(ctx, publish, ctx.snapshots(), last, sent, qos=1)
            while True:
                await asyncio.sleep(self.tick_s)
                for snap in changes.drain().units:
                    waiting[snap.id] = snap
                now = self.monotonic()
                due = [s for s in waiting.values()
                       if now - last.get(s.id, -math.inf) >= self.period_s]
                for snap in due:
                    del waiting[snap.id]
                self._publish(ctx, publish, due, last, sent, qos=1 if self._refusing else 0)

    def refused(self) -> None:
        """The broker refused a state message (an MQTT 5 PUBACK reason code)."""
        self._refusing = True

    def _publish(
        self, ctx: LinkContext, publish: Callable[[str, bytes, int], None],
        snaps: Iterable[UnitSnapshot], last: dict[str, float], sent: dict[str, dict[str, Any]],
        qos: int,
    ) -> None:
        """Publish each unit whose message differs from the last one sent (a parked unit
        reporting the same position every second has not changed)."""
        now = self.monotonic()
        ts = ctx.wall()
        state = self.topics.state
        for snap in snaps:
            fields = state_fields(snap)
            if sent.get(snap.id) == fields:
                continue
            last[snap.id] = now
            try:
                publish(state(snap.id), encode({"v": VERSION, "ts": ts, **fields}), qos)
            except LinkError as exc:
                self.failed += 1
                if self.failed == 1:
                    log.warning("state of %s not published: %s", snap.id, exc)
                continue
            sent[snap.id] = fields
            self.published += 1
