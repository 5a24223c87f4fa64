"""The city simulator's cost: CPU seconds per wall second for the whole city on a local broker.

Targets: the full city (26 groups x 11 vehicles + 6 boats = 292 MQTT clients) at 1 Hz under
10 % of one core, so it can load-test fleet on the same 2-core machine; every report
delivered. Also measured, side by side, the same 292 clients publishing the same telemetry
with aiomqtt: the reason the simulator speaks MQTT through its own small codec.
Runnable alone: ``python -m bench.city_sim``.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import aiomqtt

from simulators.city import Broker, CityConfig, CitySim

UNITS = 292


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Mosquitto:
    """A private broker and a ``mosquitto_sub`` counting telemetry into a file."""

    def __init__(self, workdir: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        conf = workdir / "mosquitto.conf"
        conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                        "persistence false\nset_tcp_nodelay true\nmax_connections -1\n")
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.out = workdir / "received.txt"

    def count_from_now(self) -> subprocess.Popen:
        return subprocess.Popen(["mosquitto_sub", "-p", str(self.port), "-t",
                                 "fleet/v1/+/+/telemetry"], stdout=self.out.open("wb"))

    def received(self) -> int:
        return sum(1 for _ in self.out.open("rb"))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def _measure_city(broker: _Mosquitto, rate_hz: float, speedup: float,
                        seconds: float) -> dict[str, float]:
    config = CityConfig(broker=Broker("127.0.0.1", broker.port), rate_hz=rate_hz,
                        speedup=speedup)
    t0 = time.monotonic()
    async with CitySim(config) as sim:
        connect_s = time.monotonic() - t0
        await asyncio.sleep(2.0)                     # past the start-up burst
        counter, counting_since = broker.count_from_now(), time.monotonic()
        await asyncio.sleep(0.5)                     # the counter has subscribed
        cpu0, wall0, broker0 = _cpu_self(), time.monotonic(), _cpu_of(broker.proc.pid)
        sent0 = sim.summary()["telemetry_sent"]
        await asyncio.sleep(seconds)
        wall = time.monotonic() - wall0
        cpu, broker_cpu = _cpu_self() - cpu0, _cpu_of(broker.proc.pid) - broker0
        sent = sim.summary()["telemetry_sent"] - sent0
        counter.terminate()
        counted_for = time.monotonic() - counting_since
    counter.wait(5)
    return {"connect_s": connect_s, "cpu": cpu / wall, "broker": broker_cpu / wall,
            "sent": sent / wall, "received": broker.received() / counted_for}


async def _measure_aiomqtt(broker: _Mosquitto, seconds: float) -> float:
    """The same load from 292 aiomqtt clients (one publishing loop): CPU s per wall s."""
    doc = {"v": 1, "ts": 0.0, "lat": 26.89, "lon": 112.57, "alt": 62.0, "speed": 8.4,
           "heading": 271.5, "fuel": 76.0, "status": "patrolling", "crew": 2}
    async with asyncio.TaskGroup() as tg:
        clients: list[tuple[str, aiomqtt.Client]] = []
        ready = asyncio.Event()

        async def unit(i: int) -> None:
            uid = f"u{i:03d}"
            status = f"fleet/v1/patrol_car/{uid}/status"
            async with aiomqtt.Client("127.0.0.1", broker.port, identifier=uid,
                                      will=aiomqtt.Will(status, b"offline", 1, True)) as c:
                await c.publish(status, b"online", qos=1, retain=True)
                await c.subscribe(f"fleet/v1/patrol_car/{uid}/cmd", qos=1)
                clients.append((f"fleet/v1/patrol_car/{uid}/telemetry", c))
                if len(clients) == UNITS:
                    ready.set()
                await asyncio.Future()               # until cancelled

        tasks = [tg.create_task(unit(i)) for i in range(UNITS)]
        await ready.wait()
        cpu0, wall0 = _cpu_self(), time.monotonic()
        tick = wall0
        while time.monotonic() - wall0 < seconds:
            for topic, client in clients:
                doc["ts"] = time.time()
                await client.publish(topic, json.dumps(doc), qos=0)
            tick += 1.0
            await asyncio.sleep(max(0.0, tick - time.monotonic()))
        result = (_cpu_self() - cpu0) / (time.monotonic() - wall0)
        for task in tasks:
            task.cancel()
    return result


def run(seconds: float = 15.0) -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        broker = _Mosquitto(Path(tmp))
        try:
            base = asyncio.run(_measure_city(broker, 1.0, 1.0, seconds))
            fast = asyncio.run(_measure_city(broker, 1.0, 20.0, seconds / 2))
            busy = asyncio.run(_measure_city(broker, 10.0, 1.0, seconds / 2))
            aio = asyncio.run(_measure_aiomqtt(broker, seconds / 2))
        finally:
            broker.stop()
    return [
        ("city sim: 292 units online (s)", f"{base['connect_s']:.2f}", "< 5"),
        ("city sim @1 Hz: sim CPU s / wall s", f"{base['cpu']:.3f}", "< 0.10"),
        ("city sim @1 Hz: mosquitto CPU s / wall s", f"{base['broker']:.3f}", ""),
        ("city sim @1 Hz: telemetry sent (msgs/s)", f"{base['sent']:.0f}", "292"),
        ("city sim @1 Hz: telemetry delivered (msgs/s, approx.)", f"{base['received']:.0f}",
         "292"),
        ("city sim @1 Hz, speedup 20: sim CPU s / wall s", f"{fast['cpu']:.3f}", "< 0.15"),
        ("city sim @10 Hz: sim CPU s / wall s", f"{busy['cpu']:.3f}", "< 0.5"),
        ("city sim @10 Hz: telemetry delivered (msgs/s, approx.)", f"{busy['received']:.0f}",
         "2,920"),
        ("same load @1 Hz via 292 aiomqtt clients: CPU s / wall s", f"{aio:.3f}",
         "(comparison)"),
    ]


if __name__ == "__main__":
    from bench.machine import print_table

    print_table(run())
