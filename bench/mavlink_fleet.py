"""MAVLink with the simulator on loopback: mission transfer time, and the core's CPU share
with 50 drones streaming at 10 Hz.

Targets: 100-item mission upload under 1 s (completes at 20 % loss both ways); the core
under 25 % of one core with 50 drones at 10 Hz. The drones run in a separate process
(``python -m simulators drone``) so the CPU measured here is the core's alone.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import time

from fleet.config import parse_config
from fleet.missions import waypoint
from fleet.model import LinkState
from fleet.service import FleetService
from simulators.drone import FAST_BOOT, DroneFleetSim, FaultConfig, FleetConfig, Home

HOME = Home(26.8930, 112.5880, 95.0)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(port: int, count: int, rate_hz: float = 4.0):
    return parse_config({
        "mavlink": {"stream_rate_hz": rate_hz,
                    "links": [{"name": "air", "url": f"udpin://127.0.0.1:{port}"}]},
        "units": [{"id": f"air-{i}", "kind": "drone", "mavlink": {"sysid": i}}
                  for i in range(1, count + 1)],
    })


async def mission_upload_s(loss: float) -> float:
    port = _port()
    items = [waypoint(26.89 + i * 1e-4, 112.58, 30) for i in range(100)]
    async with FleetService(_config(port, 1)) as svc:
        sim_cfg = FleetConfig(count=1, udpout=("127.0.0.1", port), boot=FAST_BOOT,
                              home=HOME, faults=FaultConfig(loss=loss), seed=3)
        async with DroneFleetSim(sim_cfg):
            drone = await svc.wait_for_unit("air-1", timeout=20)
            t0 = time.perf_counter()
            await drone.mission.upload(items, verify=False, timeout=300)
            return time.perf_counter() - t0


async def core_cpu_share(count: int = 50, rate_hz: float = 10.0, window_s: float = 10.0,
                         ) -> tuple[float, int]:
    port = _port()
    async with FleetService(_config(port, count, rate_hz)) as svc:
        sim = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "simulators", "drone", "--count", str(count), "--fast-boot",
            "--udpout", f"127.0.0.1:{port}", "--home", "26.893,112.588,95",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        try:
            with svc.subscribe() as sub:
                async with asyncio.timeout(60):
                    while sum(svc.state.link_state(f"air-{i}") is LinkState.OK
                              for i in range(1, count + 1)) < count:
                        await sub.next_batch()
            await asyncio.sleep(3)  # let the requested stream rates take effect
            applied0 = svc.state.counters.applied
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(window_s)
            cpu = time.process_time() - cpu0
            wall = time.perf_counter() - wall0
            reports = svc.state.counters.applied - applied0
            return cpu / wall, int(reports / wall)
        finally:
            sim.terminate()
            await sim.wait()


def run() -> list[tuple[str, str, str]]:
    clean = asyncio.run(mission_upload_s(0.0))
    lossy = asyncio.run(mission_upload_s(0.2))
    share, rate = asyncio.run(core_cpu_share())
    return [
        ("mission upload, 100 items, loopback (s)", f"{clean:.2f}", "< 1"),
        ("mission upload, 100 items, 20% loss each way (s)", f"{lossy:.2f}", "completes"),
        ("core CPU, 50 drones at 10 Hz (% of one core)", f"{share * 100:.1f}", "< 25"),
        ("  state updates applied per second", f"{rate:,}", ""),
    ]


if __name__ == "__main__":
    for row in run():
        print(*row, sep="  |  ")
