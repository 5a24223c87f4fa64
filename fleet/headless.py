"""Headless operation: every change as a JSON line on stdout, for servers and scripts.

Lines are ``{"type": "unit" | "status" | "alert" | "link" | "registered" | "started" |
"overflow" | "stopped", ...}``. Unit lines are coalesced per ``interval_s``: a unit that
reported ten times in that window appears once, with its latest state. Writing happens
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


async def stream_json_lines(
    service: FleetService, out: TextIO, *, interval_s: float = 1.0, max_events: int = 10_000
) -> None:
    """Write the service's changes to ``out`` until cancelled."""
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
            await asyncio.to_thread(_write, out, lines)
            await asyncio.sleep(interval_s)
