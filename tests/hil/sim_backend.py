"""The simulator backend: ``python -m simulators drone`` as a child process, like SITL.

A child process (not the in-process DroneFleetSim) so the simulator's CPU and timing are
its own, as SITL's are, and fleet meets it only on TCP. Ports are chosen by the OS
(``--tcp-base 0``) and read from the lines it prints at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from backend import Backend, Endpoint, home_of
from vehicle_process import VehicleProcess

SPEEDUP = 20.0
PROFILES = {"quad": "quad", "heli": "helicopter", "motorboat": "motorboat"}
_INSTANCE = re.compile(rb"instance (\d+): sysid (\d+) tcp:[^:]+:(\d+)")
START_TIMEOUT_S = 30.0


class SimBackend(Backend):
    name = "sim"
    wall_factor = 3.0  # a Python simulator shares the CPU with fleet and the test
    wall_slack_s = 5.0

    def __init__(self, workdir: Path, speedup: float = SPEEDUP) -> None:
        super().__init__(workdir)
        self.speedup = speedup

    @contextlib.asynccontextmanager
    async def vehicles(self, model: str, count: int, params: Mapping[str, float],
                       fast_boot: bool) -> AsyncIterator[list[Endpoint]]:
        lat, lon, alt, yaw = home_of(model)
        cmd = [sys.executable, "-m", "simulators", "drone", "--count", str(count),
               "--tcp-base", "0", "--speedup", f"{self.speedup:g}", "--profile",
               PROFILES[model], "--home", f"{lat},{lon},{alt},{yaw}", "--seed", "1"]
        if fast_boot:
            cmd.append("--fast-boot")
        for name, value in params.items():
            cmd += ["--param", f"{name}={value:g}"]
        proc = VehicleProcess(f"sim-{model}", cmd, self.workdir / f"sim-{model}")
        await proc.start(stdout_pipe=True)
        try:
            endpoints = await self._read_ports(proc, count)
            yield endpoints
        finally:
            await proc.stop()

    async def _read_ports(self, proc: VehicleProcess, count: int) -> list[Endpoint]:
        """The simulator prints ``instance i: sysid s tcp:host:port`` per instance, then
        ``running ...``; anything else before that is a failure to start."""
        assert proc.proc is not None and proc.proc.stdout is not None
        endpoints: list[Endpoint] = []
        try:
            async with asyncio.timeout(START_TIMEOUT_S):
                while len(endpoints) < count:
                    line = await proc.proc.stdout.readline()
                    if not line:
                        await proc.proc.wait()
                        raise proc.failure("exited before serving its TCP ports")
                    if found := _INSTANCE.search(line):
                        endpoints.append(Endpoint(int(found[2]), int(found[3]), proc))
        except TimeoutError:
            raise proc.failure(f"printed no TCP ports within {START_TIMEOUT_S:g} s") from None
        return endpoints
