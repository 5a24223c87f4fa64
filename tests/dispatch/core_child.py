"""A fleet core in its own process, for the kill -9 tests (test_crash_resume.py).

    python core_child.py CONFIG.json [--dispatch LAT LON CATEGORY] [--kill-after SPEC]

Runs a FleetService with the config (a JSON object, as ``parse_config`` takes it, with
``[dispatch] audit_db`` a real SQLite file) and prints JSON lines on stdout: ``up``,
``dispatched`` (with the incident id), every ``alert``, and each ``resume`` decision.
``--dispatch`` records a call and sends the recommendation once the drones are ready.
``--kill-after KIND[:COMMAND]`` (e.g. ``command.acked:takeoff``, ``unit.on_scene``) makes
the process SIGKILL itself the moment a row of that kind is committed to the audit: a
real ``kill -9`` at an exact step of the dispatch sequence, from the audit's writer
thread, with nothing flushed or cancelled cleanly. SIGTERM stops it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from fleet.config import parse_config
from fleet.dispatch import audit
from fleet.events import Alert
from fleet.service import FleetService


def say(event: str, **fields: Any) -> None:
    print(json.dumps({"e": event, **fields}), flush=True)


class _Decisions(logging.Handler):
    """Each resume decision (fleet.dispatch.resume logs one per assignment) as a line."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("resume "):
            say("resume", text=record.getMessage())


def kill_after(spec: str) -> None:
    """Patch the audit (in this process only) to SIGKILL it once ``spec`` is durable."""
    kind, _, command = spec.partition(":")
    submit = audit.AuditLog.submit

    def matches(entry: Any) -> bool:
        return entry.kind == kind and (not command or entry.data.get("command") == command)

    def patched(self: audit.AuditLog, entries: Any) -> Any:
        future = submit(self, entries)
        if any(matches(e) for e in entries):
            future.add_done_callback(
                lambda f: os.kill(os.getpid(), signal.SIGKILL) if not f.exception() else None)
        return future

    audit.AuditLog.submit = patched  # type: ignore[method-assign]


async def run(args: argparse.Namespace, cfg: Any) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with FleetService(cfg) as svc:
        seen: set[int] = set()

        def alerts(batch: Any) -> None:
            for ev in batch:
                if isinstance(ev, Alert) and id(ev) not in seen:
                    seen.add(id(ev))
                    say("alert", code=ev.code, severity=ev.severity.value, unit=ev.unit_id,
                        message=ev.message)

        with svc.subscribe(max_events=1000) as sub:
            alerts(list(svc.alerts))
            say("up")
            pump = asyncio.create_task(_pump(sub, alerts))
            if args.dispatch:
                lat, lon, category = args.dispatch
                for unit in cfg.units:
                    drone = await svc.wait_for_unit(unit.id, timeout=20)
                    await drone.wait_ready(timeout=30)
                c = svc.dispatch
                inc = await c.new_incident(float(lat), float(lon), category)
                say("dispatched", incident=inc.id)
                await c.dispatch(inc.id)
            await stop.wait()
            pump.cancel()


async def _pump(sub: Any, alerts: Any) -> None:
    async for batch in sub:
        alerts(batch.events)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("config")
    p.add_argument("--dispatch", nargs=3, metavar=("LAT", "LON", "CATEGORY"))
    p.add_argument("--kill-after", metavar="KIND[:COMMAND]")
    args = p.parse_args()
    if args.kill_after:
        kill_after(args.kill_after)
    logger = logging.getLogger("fleet.dispatch")
    logger.setLevel(logging.INFO)
    logger.addHandler(_Decisions())
    cfg = parse_config(json.loads(Path(args.config).read_text(encoding="utf-8")))
    asyncio.run(run(args, cfg))
    sys.exit(0)


if __name__ == "__main__":
    main()
