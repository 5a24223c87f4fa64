"""Headless operation: every change as a JSON line on stdout, for servers and scripts.

Lines are ``{"type": "unit" | "status" | "alert" | "link" | "registered" | "started" |
"overflow" | "counters" | "stopped", ...}``. Unit lines are coalesced per ``interval_s``:
a unit that reported ten times in that window appears once, with its latest state. Writing happens
in a worker thread, so a stalled reader of stdout never stalls the core; if it stalls
long enough, events are dropped and an ``overflow`` line says how many.
"""

from __future__ import annotations

import asyncio
import json
from typing import TextIO

from .events import event_to_dict, snapshot_to_dict
from .service import FleetService


def _dumps(obj: dict) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _write(out: TextIO, lines: list[str]) -> None:
    out.write("\n".join(lines) + "\n")
    out.flush()


def _counters_line(service: FleetService) -> dict:
    return {"type": "counters", "time": service.wall(), "counters": service.counters()}


async def stream_json_lines(
    service: FleetService, out: TextIO, *, interval_s: float = 1.0, max_events: int = 10_000,
    counters_every_s: float = 60.0,
) -> None:
    """Write the service's changes to ``out`` until cancelled; then a last ``counters``
    line and a ``stopped`` line. Counters also go out every ``counters_every_s`` when
    they changed, so a refusal counted after its first alert is still seen."""
    try:
        await _stream(service, out, interval_s, max_events, counters_every_s)
    finally:  # cancelled (shutdown): said synchronously, the loop is going away
        _write(out, [_dumps(_counters_line(service)),
                     _dumps({"type": "stopped", "time": service.wall()})])


async def _stream(service: FleetService, out: TextIO, interval_s: float, max_events: int,
                  counters_every_s: float) -> None:
    last_counters: dict = {}
    next_counters = service.monotonic() + counters_every_s
    with service.subscribe(max_events=max_events) as sub:
        hello = {
            "type": "started", "fleet": service.config.name, "units": len(service.state),
            "time": service.wall(),
            "links": [{"name": ls.name, "state": str(ls.state), "detail": ls.detail}
                      for ls in service.links()],
        }
        # alerts raised while starting (before we subscribed) come from the history
        history = [_dumps(event_to_dict(a)) for a in service.alerts]
        await asyncio.to_thread(_write, out, [_dumps(hello), *history])
        while True:
            batch = await sub.next_batch()
            lines = []
            if batch.dropped_events:
                lines.append(_dumps({"type": "overflow", "dropped_events": batch.dropped_events,
                                     "time": service.wall()}))
            lines += [_dumps(event_to_dict(e)) for e in batch.events]
            lines += [_dumps(snapshot_to_dict(s)) for s in batch.units]
            if service.monotonic() >= next_counters:
                next_counters = service.monotonic() + counters_every_s
                now = service.counters()
                if now != last_counters:
                    last_counters = now
                    lines.append(_dumps(_counters_line(service)))
            await asyncio.to_thread(_write, out, lines)
            await asyncio.sleep(interval_s)
