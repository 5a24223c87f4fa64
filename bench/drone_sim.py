"""Drone simulator figure from issue 4: 50 instances streaming at 10 Hz on one asyncio loop.

Target: the simulator process uses under half a core (CPU seconds per wall second, from
``time.process_time``) at speedup 1 with 50 instances, every stream group at 10 Hz (~121
messages/s each, ~6,000 msgs/s in all) sent by UDP to a sink in another process (so the sink's
decoding is not counted). Half the fleet flies GUIDED legs so the physics does real work.

Run alone: ``python -m bench.drone_sim``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time

from bench.machine import print_table
from simulators.drone import FAST_BOOT, DroneFleetSim, FleetConfig, Mode

N = 50
RATE_HZ = 10
WARMUP_S = 3.0
MEASURE_S = 10.0
STREAMS = ("RAW_SENS", "EXT_STAT", "RC_CHAN", "RAW_CTRL", "POSITION", "EXTRA1", "EXTRA2",
           "EXTRA3", "ADSB")   # what REQUEST_DATA_STREAM(ALL) sets

_SINK = r"""
import json, socket, sys, time
from pymavlink.dialects.v20 import ardupilotmega as m
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
mav = m.MAVLink(None)
mav.robust_parsing = True
start, end = float(sys.argv[1]), float(sys.argv[2])
counted = datagrams = 0
sock.settimeout(0.2)
while time.time() < end:
    try:
        data = sock.recv(65536)
    except socket.timeout:
        continue
    msgs = mav.parse_buffer(data) or []
    if time.time() >= start:
        datagrams += 1
        counted += sum(1 for x in msgs if x.get_type() != "BAD_DATA")
print(json.dumps({"msgs": counted, "datagrams": datagrams}), flush=True)
"""


async def _measure(port: int) -> tuple[float, float]:
    params = {f"SR0_{s}": RATE_HZ for s in STREAMS}
    cfg = FleetConfig(count=N, udpout=("127.0.0.1", port), boot=FAST_BOOT, params=params,
                      speedup=1.0)
    async with DroneFleetSim(cfg) as sim:
        await asyncio.sleep(2.0)                       # boot (fast) and get GPS
        for inst in sim.instances[::2]:
            v = inst.vehicle
            v.set_mode(Mode.GUIDED)
            v.arm()
            v.takeoff(30)
        await asyncio.sleep(WARMUP_S - 2.0)
        for k, inst in enumerate(sim.instances[::2]):
            inst.vehicle.guided_goto(300.0 * (k % 3 - 1), 300.0, inst.vehicle.body.up)
        cpu0, wall0, ticks0 = time.process_time(), time.monotonic(), sim.ticks
        await asyncio.sleep(MEASURE_S)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        tick_hz = (sim.ticks - ticks0) / wall
    return cpu / wall, tick_hz


def bench() -> dict[str, float]:
    t0 = time.time()
    start, end = t0 + WARMUP_S + 0.5, t0 + WARMUP_S + 0.5 + MEASURE_S - 1.0
    sink = subprocess.Popen([sys.executable, "-c", _SINK, str(start), str(end)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout is not None
        port = int(sink.stdout.readline())
        cpu_per_wall, tick_hz = asyncio.run(_measure(port))
        result = json.loads(sink.stdout.readline())
    finally:
        sink.wait(timeout=30)
    window = end - start
    return {"cpu": cpu_per_wall, "tick_hz": tick_hz, "msgs_s": result["msgs"] / window,
            "datagrams_s": result["datagrams"] / window}


def run() -> list[tuple[str, str, str]]:
    r = bench()
    return [
        (f"{N} drones, all streams {RATE_HZ} Hz: sim CPU s per wall s", f"{r['cpu']:.3f}",
         "< 0.5"),
        ("messages/s received by the UDP sink", f"{r['msgs_s']:,.0f}", f"~{N * 121:,}"),
        ("datagrams/s (one per instance per tick)", f"{r['datagrams_s']:,.0f}", ""),
        ("physics ticks/s (all instances per tick)", f"{r['tick_hz']:.1f}", "20"),
    ]


def main() -> None:
    print_table(run())


if __name__ == "__main__":
    socket.setdefaulttimeout(None)
    main()
