"""Run the service until the operator quits or a signal arrives, then stop cleanly.

SIGINT and SIGTERM both mean "stop": every task is cancelled inside the service's
TaskGroup, every socket closes, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from .config import FleetConfig
from .headless import stream_json_lines
from .service import FleetService

#: a front end: runs until the operator quits or ``stop`` is set
Frontend = Callable[[FleetService, asyncio.Event], Awaitable[None]]


async def run_service(
    config: FleetConfig,
    *,
    frontend: Frontend | None = None,
    out: TextIO | None = None,
    interval_s: float = 1.0,
    service_options: dict | None = None,
) -> int:
    """Run headless (JSON lines to ``out``) when ``frontend`` is None. Returns an exit code."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with FleetService(config, **(service_options or {})) as svc:
            if frontend is None:
                work = stream_json_lines(svc, out or sys.stdout, interval_s=interval_s)
            else:
                work = frontend(svc, stop)
            await _until_stopped(work, stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return 0


async def _until_stopped(work: Awaitable[None], stop: asyncio.Event) -> None:
    """Run ``work`` until it returns or ``stop`` is set, whichever comes first."""
    async with asyncio.TaskGroup() as tg:
        main = tg.create_task(_quiet_pipe(work))
        waiter = tg.create_task(stop.wait())
        await asyncio.wait({main, waiter}, return_when=asyncio.FIRST_COMPLETED)
        main.cancel()
        waiter.cancel()


async def _quiet_pipe(work: Awaitable[None]) -> None:
    """A reader that closed our stdout (``fleet run --headless | head``) is a normal end."""
    with contextlib.suppress(BrokenPipeError):
        await work
