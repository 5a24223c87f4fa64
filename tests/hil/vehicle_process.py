"""Vehicle processes (SITL binaries, the simulator) for the HIL backends: start one with
its output in a log file, reach its TCP port, stop it by pid, and say why it failed.

Each process dies with the test process (Linux ``PR_SET_PDEATHSIG``; SITL also checks its
parent itself), so a killed pytest leaves no vehicle behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from pathlib import Path

_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


class VehicleStartError(RuntimeError):
    """A vehicle process that could not be started or reached; the message says why and
    ends with the tail of its log."""


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    if _libc is not None:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def log_tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    tail = text.splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in tail) if tail else "(empty log)"


class VehicleProcess:
    """One child process, its working directory and log file."""

    def __init__(self, name: str, cmd: list[str], workdir: Path) -> None:
        self.name = name
        self.cmd = cmd
        self.workdir = workdir
        self.log = workdir / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None
        self.stopped_by_us = False

    async def start(self, *, stdout_pipe: bool = False) -> None:
        """Start it; with ``stdout_pipe`` its stdout is readable (stderr still to the log)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:  # a local file, opened once: not worth a thread
            self.proc = await asyncio.create_subprocess_exec(
                *self.cmd, cwd=self.workdir, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE if stdout_pipe else log,
                stderr=log, preexec_fn=_die_with_parent)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def exited(self) -> int | None:
        """The exit status once it has ended (None while it runs)."""
        return self.proc.returncode if self.proc else None

    def failure(self, what: str) -> VehicleStartError:
        status = "" if self.exited is None else f" (exit status {self.exited})"
        return VehicleStartError(
            f"{self.name}: {what}{status}\n  command: {' '.join(self.cmd)}\n"
            f"  log {self.log}:\n{log_tail(self.log)}")

    async def connect(self, port: int, timeout: float,
                      ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Connect to its TCP ``port`` as it comes up, failing fast if it exits first.

        Waiting for another process's listening socket has no event to wait on, so this
        retries the connect (every 50-500 ms) until ``timeout``; that is the only polling."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        delay = 0.05
        while True:
            if self.exited is not None:
                raise self.failure(f"exited before opening TCP port {port}")
            try:
                return await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                pass
            if loop.time() + delay > deadline:
                raise self.failure(f"did not open TCP port {port} within {timeout:g} s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    async def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM by pid, then SIGKILL if it lingers; waits for the exit either way."""
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        self.stopped_by_us = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            async with asyncio.timeout(timeout):
                await proc.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            await proc.wait()
