"""The ``fleet.ui`` entry point: run the console until the operator quits or ``stop`` is set."""

from __future__ import annotations

import asyncio

from fleet.service import FleetService
from tui.app import FleetConsole


async def run_console(service: FleetService, stop: asyncio.Event) -> None:
    """A :data:`fleet.runner.Frontend`. Returns when the app exits; setting ``stop``
    (SIGTERM from the runner) makes the app call ``exit()`` and restore the terminal."""
    app = FleetConsole(service, stop=stop)
    await app.run_async()
