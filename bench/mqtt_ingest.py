"""MQTT ingest: fleet's bridge against a bare aiomqtt subscriber, side by side.

One anonymous Mosquitto on a free loopback port (``fleet.broker.open_broker``). A
publisher process sends 200-byte schema-v1 telemetry for 292 units at QoS 0; a
subscriber process receives it, either a bare aiomqtt loop (``async for message in
client.messages``, nothing else) or a whole FleetService with the MQTT bridge (typed
decoding, registry, kind check, state update, change stream; the state publisher and the
console idle). Each figure is the subscriber process's own CPU time (process_time), so
the broker and the publisher, on the other core, do not count. Rounds alternate and the
median is reported. Both protocol versions are measured, each against the bare
subscriber on the same version: paho decodes an MQTT 5 PUBLISH's properties into an
object per message, which costs every MQTT 5 subscriber ~40 %.

Figures (targets from issue 5):

* fleet ingest vs bare aiomqtt, msgs per CPU-second: >= 0.9x
* fleet's CPU with 292 units at 1 Hz, state republished every second, and a console-like
  subscriber draining the change stream 20 times a second: < 15 % of a core

(The amqtt rows are gone with amqtt: it lost telemetry under the demo's load and could
not enforce the closed broker's ACLs, so the demo runs Mosquitto only; docs/mqtt.md.)

Run alone: ``python -m bench.mqtt_ingest``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

N_UNITS = 292
PREFIX = "fleet/v1"
INGEST_RATE = 3000  # msgs/s for the side-by-side: below every subscriber's capacity
INGEST_COUNT = 12_000
ROUNDS = 3
DEMO_SECONDS = 10
ROOT = str(Path(__file__).resolve().parent.parent)


def unit_id(i: int) -> str:
    return f"u{i:03d}"


def payload(ts: float, i: int, step: int = 0) -> bytes:
    """A ~200-byte telemetry message (the contract's example plus a little); the unit
    moves ~1 m north at each ``step``."""
    return (
        f'{{"v": 1, "ts": {ts:.3f}, "lat": {26.85 + i * 0.0002 + step * 1e-5:.6f}, '
        f'"lon": {112.55 + i * 0.0002:.6f}, "alt": 62.0, "speed": 8.4, "heading": 271.5, '
        f'"fuel": 76.0, "status": "patrolling", "crew": 2, "odometer": 123456.7}}'
    ).encode()


# -- roles, each in its own process -----------------------------------------------------
def role_pub(port: int, count: int, rate: float, units_connect: bool) -> None:
    """Publish ``count`` reports at ``rate``. With ``units_connect``, as the city does:
    one connection per unit, with its Last Will, retained ``online`` and a subscription
    to its command topic (what a broker pays for per unit); else one connection."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    base = [f"{PREFIX}/patrol_car/{unit_id(i)}" for i in range(N_UNITS)]
    clients = []
    for i in range(N_UNITS if units_connect else 1):
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{os.getpid()}-{i}")
        if units_connect:
            c.will_set(f"{base[i]}/status", b"offline", 1, True)
        c.connect("127.0.0.1", port)
        c.loop_start()
        if units_connect:
            c.subscribe(f"{base[i]}/cmd", 1)
            c.publish(f"{base[i]}/status", b"online", 1, True)
        clients.append(c)
    for c in clients:  # publish only once the broker has said CONNACK, as units do: the
        # spec lets a client send before it, but amqtt drops what arrives that early
        deadline = time.monotonic() + 30
        while not c.is_connected() and time.monotonic() < deadline:
            time.sleep(0.01)
    tick = 0.01
    per_tick = max(1, round(rate * tick))
    start = time.monotonic()
    sent = 0
    last = {}
    while sent < count:
        now = time.time()
        for _ in range(min(per_tick, count - sent)):
            i = sent % N_UNITS
            c = clients[i % len(clients)]
            last[c] = c.publish(f"{base[i]}/telemetry", payload(now, i, sent // N_UNITS),
                                qos=0)
            sent += 1
        delay = start + (sent / per_tick) * tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    for c in clients:
        last[c].wait_for_publish(timeout=10)  # written out before the DISCONNECT
    for c in clients:
        c.disconnect()
        c.loop_stop()


async def role_bare(port: int, count: int, protocol: int) -> dict[str, float]:
    import aiomqtt

    got = 0
    async with aiomqtt.Client("127.0.0.1", port,
                              protocol=aiomqtt.ProtocolVersion(protocol)) as client:
        await client.subscribe(f"{PREFIX}/+/+/telemetry", qos=0)
        print("ready", flush=True)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        try:
            async with asyncio.timeout(60):
                async for _message in client.messages:
                    got += 1
                    if got == count:
                        break
        except TimeoutError:
            pass
        return {"received": got, "cpu_s": time.process_time() - cpu0,
                "wall_s": time.perf_counter() - wall0}


async def role_fleet(port: int, count: int, state_period_s: float, protocol: int,
                     console: bool) -> dict[str, float]:
    """With ``console``, a subscriber drains the whole change stream 20 times a second
    (as the console does); without, it listens to one unit only, to wake up cheaply."""
    from aiomqtt import ProtocolVersion

    from fleet.config import MqttConfig, parse_config
    from fleet.events import ConnectionState
    from fleet.links.mqtt import MqttBridge
    from fleet.service import FleetService

    config = parse_config({"units": [{"id": unit_id(i), "callsign": unit_id(i).upper(),
                                      "kind": "patrol_car"} for i in range(N_UNITS)]})
    mqtt = MqttConfig(f"mqtt://127.0.0.1:{port}", "127.0.0.1", port, None, None, None,
                      None, 30, PREFIX)
    bridge = MqttBridge(mqtt, state_period_s=state_period_s,
                        protocol=ProtocolVersion(protocol))
    async with FleetService(config, links=[bridge]) as svc:
        c = bridge.counters
        with svc.subscribe(max_events=16) as changes:
            while svc.links()[0].state is not ConnectionState.CONNECTED:
                await changes.next_batch()
        # before measuring: the first full state publication, and the sweep of retained
        # states (fleet hears its own state for sweep_s after connecting)
        await asyncio.sleep(bridge.sweep_s + 0.5)
        watched = None if console else [unit_id(0)]
        with svc.subscribe(units=watched, max_events=16) as changes:
            print("ready", flush=True)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            seen, cpu1, wall1 = 0, cpu0, wall0
            with contextlib.suppress(TimeoutError):
                while seen < count:  # or until nothing came for 3 s (a lost report)
                    async with asyncio.timeout(3 if seen else 60):
                        await changes.next_batch()
                    await asyncio.sleep(0.05)
                    if c.telemetry + sum(c.refused().values()) > seen:
                        seen = c.telemetry + sum(c.refused().values())
                        cpu1, wall1 = time.process_time(), time.perf_counter()
        result = {"received": c.telemetry, "cpu_s": cpu1 - cpu0, "wall_s": wall1 - wall0,
                  "refused": sum(c.refused().values()),
                  "state_published": bridge.state_publisher.published}
    return result


# -- orchestration ----------------------------------------------------------------------
def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.mqtt_ingest", *args]


async def _measure(port: int, role: str, count: int, rate: float, *extra: str,
                   units_connect: bool = False) -> dict[str, float]:
    root = ROOT
    sub = await asyncio.create_subprocess_exec(
        *_cmd("--role", role, "--port", str(port), "--count", str(count), *extra),
        stdout=asyncio.subprocess.PIPE, cwd=root)
    assert sub.stdout is not None
    pub = None
    try:
        ready = await asyncio.wait_for(sub.stdout.readline(), 30)
        assert ready.strip() == b"ready", ready
        pub = await asyncio.create_subprocess_exec(
            *_cmd("--role", "pub", "--port", str(port), "--count", str(count),
                  "--rate", str(rate), *(["--units-connect"] if units_connect else [])),
            cwd=root)
        await pub.wait()
        out = await asyncio.wait_for(sub.stdout.readline(), 90)
        await sub.wait()
    finally:
        for proc in (pub, sub):
            if proc is not None and proc.returncode is None:
                proc.kill()
                await proc.wait()
    return json.loads(out)


async def _all() -> list[tuple[str, str, str]]:
    from fleet.broker import find_mosquitto, open_broker

    rows: list[tuple[str, str, str]] = []
    if find_mosquitto() is None:
        return [("mqtt ingest", "skipped", "needs mosquitto")]
    async with open_broker() as url:
        port = int(url.rsplit(":", 1)[1])
        for protocol, label in (("4", "MQTT 3.1.1"), ("5", "MQTT 5")):
            rates: dict[str, list[float]] = {"bare": [], "fleet": []}
            for _ in range(ROUNDS):
                for role, extra in (("bare", ()), ("fleet", ("--state-period", "3600",
                                                             "--no-console"))):
                    r = await _measure(port, role, INGEST_COUNT, INGEST_RATE,
                                       "--protocol", protocol, *extra)
                    rates[role].append(r["received"] / r["cpu_s"])
            bare, fleet = statistics.median(rates["bare"]), statistics.median(rates["fleet"])
            rows += [
                (f"mqtt: bare aiomqtt subscriber, {label} (msgs/CPU-s)", f"{bare:,.0f}", ""),
                (f"mqtt: fleet ingest, {label} (msgs/CPU-s)", f"{fleet:,.0f}", ""),
                (f"mqtt: fleet ingest / bare aiomqtt, {label}", f"{fleet / bare:.2f}x",
                 ">= 0.9x"),
            ]
        for protocol, label in (("4", "MQTT 3.1.1"), ("5", "MQTT 5")):
            r = await _measure(port, "fleet", N_UNITS * DEMO_SECONDS, N_UNITS,
                               "--state-period", "1", "--protocol", protocol,
                               units_connect=True)
            rows.append((f"mqtt: fleet CPU, {N_UNITS} units at 1 Hz + state, {label} "
                         "(% of a core)", f"{100 * r['cpu_s'] / r['wall_s']:.1f}", "< 15"))
    return rows


def run() -> list[tuple[str, str, str]]:
    return asyncio.run(_all())


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.mqtt_ingest")
    p.add_argument("--role", choices=["pub", "bare", "fleet"])
    p.add_argument("--port", type=int)
    p.add_argument("--count", type=int)
    p.add_argument("--rate", type=float, default=INGEST_RATE)
    p.add_argument("--state-period", type=float, default=1.0)
    p.add_argument("--protocol", type=int, choices=[4, 5], default=5)
    p.add_argument("--no-console", dest="console", action="store_false")
    p.add_argument("--units-connect", action="store_true")
    args = p.parse_args()
    if args.role == "pub":
        role_pub(args.port, args.count, args.rate, args.units_connect)
    elif args.role == "bare":
        print(json.dumps(asyncio.run(role_bare(args.port, args.count, args.protocol))),
              flush=True)
    elif args.role == "fleet":
        result = role_fleet(args.port, args.count, args.state_period, args.protocol,
                            args.console)
        print(json.dumps(asyncio.run(result)), flush=True)
    else:
        from .machine import print_table

        print_table(run())


if __name__ == "__main__":
    main()
