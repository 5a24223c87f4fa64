"""Child processes fleet starts itself (the demo's simulators and broker): started so
they die with fleet, stopped by pid, SIGTERM first and SIGKILL after a grace period."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

STOP_GRACE_S = 5.0


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when fleet dies without unwinding
    (kill -9), so nothing outlives it; None on other systems."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not in the child
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


async def spawn(argv: Sequence[str], log_path: Path) -> asyncio.subprocess.Process:
    """Start ``argv`` with its output in ``log_path``, in its own process group (so a
    Ctrl-C meant for the console does not reach it: fleet stops it itself)."""
    out = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        return await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out,
            preexec_fn=die_with_parent(), start_new_session=True,
        )
    finally:
        os.close(out)


async def stop(proc: asyncio.subprocess.Process, grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM, wait up to ``grace_s``, then SIGKILL; always reaps the child."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        async with asyncio.timeout(grace_s):
            await proc.wait()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
