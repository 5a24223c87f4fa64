"""The SITL backend: real ArduPilot binaries, one process per vehicle.

Each instance runs in its own temporary directory (SITL writes eeprom.bin and logs there)
with ``-I n`` (MAVLink on TCP 5760 + 10 n; also UDP 5501 + 10 n for RC input), ``--sysid``,
``--speedup``, ``--home`` and ``--defaults`` (the model's .parm files, then the test's own
parameters as one more file, which wins). Instance numbers are claimed with a lock file
per number, so two test runs on one machine (or the sim contract test's ``-I 7``) never
share ports; stopped by pid.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import pytest
from backend import Backend, Endpoint, grid_home, home_of
from sitl_setup import SitlConfigError, SitlTarget, sitl_required, sitl_speedup, sitl_target
from vehicle_process import VehicleProcess

FIRST_INSTANCE = 10
LAST_INSTANCE = 99
LOCK_DIR = Path(tempfile.gettempdir()) / "fleet-hil-sitl"


class SitlBackend(Backend):
    name = "sitl"
    wall_factor = 3.0  # SITL runs *up to* its speed-up: slower when the cores are busy
    wall_slack_s = 15.0
    port_timeout_s = 60.0

    def __init__(self, workdir: Path, speedup: float | None = None) -> None:
        super().__init__(workdir)
        self.speedup = speedup or sitl_speedup()

    @contextlib.asynccontextmanager
    async def vehicles(self, model: str, count: int, params: Mapping[str, float],
                       fast_boot: bool) -> AsyncIterator[list[Endpoint]]:
        try:
            target = sitl_target(model)  # refused before anything starts
        except SitlConfigError as exc:
            if not sitl_required():
                pytest.skip(str(exc))
            raise
        extra = self._extra_params(model, params)
        with contextlib.ExitStack() as locks:
            instances = [locks.enter_context(claim_instance()) for _ in range(count)]
            procs = [self._process(target, i, n, extra) for i, n in enumerate(instances)]
            try:
                for proc in procs:
                    await proc.start()
                yield [Endpoint(sysid=i + 1, port=5760 + 10 * n, process=proc)
                       for i, (n, proc) in enumerate(zip(instances, procs, strict=True))]
            finally:
                for proc in procs:
                    await proc.stop()

    def _extra_params(self, model: str, params: Mapping[str, float]) -> Path | None:
        if not params:
            return None
        path = self.workdir / f"{model}-test.parm"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{name} {value:g}\n" for name, value in params.items()))
        return path

    def _process(self, target: SitlTarget, index: int, instance: int,
                 extra: Path | None) -> VehicleProcess:
        lat, lon, alt, yaw = grid_home(home_of(target.model), index)
        defaults = [*target.defaults, *([extra] if extra else [])]
        cmd = [str(target.binary), "--model", target.sitl_model,
               "--speedup", f"{self.speedup:g}", "-I", str(instance), "--sysid", str(index + 1),
               "--home", f"{lat:.7f},{lon:.7f},{alt:g},{yaw:g}",
               "--defaults", ",".join(str(p) for p in defaults)]
        return VehicleProcess(f"sitl-{target.model}-{index}", cmd,
                              self.workdir / f"sitl-{target.model}-{index}")


@contextlib.contextmanager
def claim_instance() -> Iterator[int]:
    """A SITL instance number whose ports are free, held (by a lock file) until exit."""
    LOCK_DIR.mkdir(exist_ok=True)
    for n in range(FIRST_INSTANCE, LAST_INSTANCE + 1):
        fd = os.open(LOCK_DIR / f"I{n}.lock", os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                continue
            raise
        if not _ports_free(n):
            os.close(fd)
            continue
        try:
            yield n
        finally:
            os.close(fd)
        return
    raise RuntimeError(f"no free SITL instance in {FIRST_INSTANCE}..{LAST_INSTANCE}")


def _ports_free(n: int) -> bool:
    """SITL's TCP 5760/5762/5763 + 10 n (bound on all addresses) and UDP RC input 5501 + 10 n."""
    checks = [(socket.SOCK_STREAM, 5760 + 10 * n + k) for k in (0, 2, 3)]
    checks.append((socket.SOCK_DGRAM, 5501 + 10 * n))
    for kind, port in checks:
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                return False
    return True
