"""An MQTT broker for ``fleet demo``, so the demo runs on a machine with none installed.

    async with demo_broker() as url:          # "mqtt://127.0.0.1:<free port>"
        config = use_broker(config, url)
        ...

The choice, in order:

1. **Mosquitto**, when installed (on PATH or in /usr/sbin): the broker a real deployment
   runs, written in C, ~10 µs of CPU per message at QoS 0 (PERF_NOTES). It runs as a
   child process with a generated config: one listener on a free loopback port,
   anonymous (loopback only), no persistence.
2. **amqtt** otherwise: a pure-Python broker (MQTT 3.1.1), a dependency of fleet, so
   ``pip install`` is all a demo needs; the bridge falls back to 3.1.1 for it
   (docs/mqtt.md). It costs ~20x Mosquitto's CPU per message but carries the demo:
   with the city simulator's 292 units (one connection each, with its Will, retained
   presence and command subscription) reporting at 1 Hz and fleet republishing their
   state, it took ~45 % of one core and delivered every report (Mosquitto: ~2 %).
   Stock amqtt did not: on every SUBSCRIBE it scans every retained message (formatting
   debug strings for each, logging off or not), and the demo's 292 subscriptions over
   ~600 retained messages pushed it past 100 % CPU into a reconnect storm. The child
   runs a subclass that replays retained messages by dict lookup (one private amqtt
   method overridden; the ``~=0.12.1`` pin keeps it stable; tests/mqtt covers it).
   It runs as a child process too (``python -m fleet.broker --port N``), not in fleet's
   event loop: its CPU and its failures stay out of fleet's process, and both brokers
   have the same lifecycle. ``python -m bench.mqtt_ingest`` measures it again.

The broker is started on a free port, waited for until it answers an MQTT CONNECT, and
stopped by pid when the ``async with`` ends (SIGTERM, then SIGKILL after 5 s). On Linux
the child also gets SIGTERM if fleet dies without unwinding (``PR_SET_PDEATHSIG``), so
no broker outlives the demo.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib.util
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from . import children
from .config import FleetConfig
from .errors import FleetError

log = logging.getLogger("fleet.broker")

MOSQUITTO_CANDIDATES = ("mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")
HOST = "127.0.0.1"
STOP_GRACE_S = 5.0
#: CONNECT (MQTT 3.1.1, clean session, keepalive 10 s, client id "fleet-probe")
_CONNECT = b"\x10\x17\x00\x04MQTT\x04\x02\x00\x0a\x00\x0bfleet-probe"
_DISCONNECT = b"\xe0\x00"


class BrokerUnavailableError(FleetError):
    """No broker can be started here (neither Mosquitto nor amqtt), or it failed to start."""


def find_mosquitto() -> str | None:
    for name in MOSQUITTO_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def amqtt_available() -> bool:
    return importlib.util.find_spec("amqtt") is not None


def choose_backend(backend: str = "auto") -> str:
    """``mosquitto`` or ``amqtt``: the one asked for, or for ``auto`` the best present."""
    if backend not in ("auto", "mosquitto", "amqtt"):
        raise ValueError(f"unknown broker backend {backend!r}")
    if backend in ("auto", "mosquitto") and find_mosquitto():
        return "mosquitto"
    if backend in ("auto", "amqtt") and amqtt_available():
        return "amqtt"
    wanted = "Mosquitto or amqtt" if backend == "auto" else backend
    raise BrokerUnavailableError(
        f"no MQTT broker for the demo: {wanted} is not installed "
        "(apt install mosquitto, or pip install amqtt)")


def free_port(host: str = HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def demo_broker(*, backend: str = "auto", timeout_s: float = 15.0
                      ) -> AsyncIterator[str]:
    """Start a broker on a free loopback port, yield its URL, stop it on exit."""
    chosen = choose_backend(backend)
    with tempfile.TemporaryDirectory(prefix="fleet-broker-") as tmp:
        workdir = Path(tmp)
        proc, port = await _start(chosen, workdir, timeout_s)
        log.info("demo broker: %s on %s:%d (pid %d)", chosen, HOST, port, proc.pid)
        try:
            yield f"mqtt://{HOST}:{port}"
        finally:
            await _stop(proc)
            log.info("demo broker stopped (pid %d)", proc.pid)


def use_broker(config: FleetConfig, url: str) -> FleetConfig:
    """``config`` with its ``[mqtt]`` broker replaced by ``url`` (a plain mqtt:// URL)."""
    from .config.urls import parse_mqtt_url

    if config.mqtt is None:
        return config
    parsed = parse_mqtt_url(url, False)
    mqtt = dataclasses.replace(config.mqtt, url=url, host=parsed.host, port=parsed.port,
                               tls=None, username=None, password=None)
    return dataclasses.replace(config, mqtt=mqtt)


async def _start(backend: str, workdir: Path, timeout_s: float
                 ) -> tuple[asyncio.subprocess.Process, int]:
    last = ""
    for _ in range(3):  # a free port can be taken by someone else before the broker binds
        port = free_port()
        log_path = workdir / f"{backend}-{port}.log"
        argv = _mosquitto_argv(workdir, port) if backend == "mosquitto" else \
            [sys.executable, "-m", "fleet.broker", "--port", str(port)]
        out = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out,
                preexec_fn=children.die_with_parent(),
            )
        finally:
            os.close(out)
        try:
            if await _wait_ready(proc, port, timeout_s):
                return proc, port
        except BaseException:
            await _stop(proc)
            raise
        last = log_path.read_text(errors="replace")[-400:].strip()
        await _stop(proc)
        if "in use" not in last:
            break
    raise BrokerUnavailableError(f"the {backend} broker did not start: {last or 'no output'}")


def _mosquitto_argv(workdir: Path, port: int) -> list[str]:
    conf = workdir / f"mosquitto-{port}.conf"
    conf.write_text(
        f"listener {port} {HOST}\nallow_anonymous true\npersistence false\n"
        "set_tcp_nodelay true\nlog_dest stderr\nlog_type error\nlog_type warning\n"
    )
    binary = find_mosquitto()
    assert binary is not None
    return [binary, "-c", str(conf)]


async def _wait_ready(proc: asyncio.subprocess.Process, port: int, timeout_s: float) -> bool:
    """True once the broker answers CONNECT with CONNACK 0; False if it exits first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while proc.returncode is None:
        if await _probe(port):
            return True
        if loop.time() > deadline:
            raise BrokerUnavailableError(f"the broker did not answer on port {port} "
                                         f"within {timeout_s:g} s")
        await asyncio.sleep(0.05)  # polling a port that is not open yet: no event to wait on
    return False


async def _probe(port: int) -> bool:
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        return False
    try:
        writer.write(_CONNECT)
        async with asyncio.timeout(2.0):
            connack = await reader.readexactly(4)
        writer.write(_DISCONNECT)
        return connack[0] == 0x20 and connack[3] == 0
    except (OSError, asyncio.IncompleteReadError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _stop(proc: asyncio.subprocess.Process) -> None:
    await children.stop(proc, STOP_GRACE_S)


# -- the amqtt child process ---------------------------------------------------------------
def amqtt_config(port: int, host: str = HOST) -> dict[str, object]:
    """One anonymous TCP listener, without amqtt's per-packet logging plugins."""
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin":
                    {"allow_anonymous": True}},
    }


def _demo_amqtt() -> type:
    """amqtt's Broker with its retained-message replay indexed.

    On every SUBSCRIBE amqtt scans every retained message, formatting two debug strings
    per message even with debug logging off. The demo has ~600 retained messages (each
    unit's presence, fleet's state of each unit) and 292 units subscribing at once, so
    that scan alone took the broker past 100 % CPU and into a reconnect storm. A filter
    without wildcards (what every unit subscribes to) needs one dict lookup.
    """
    from amqtt.broker import Broker

    class DemoBroker(Broker):  # type: ignore[misc]
        async def _publish_retained_messages_for_subscription(
            self, subscription: tuple[str, int], session: Any
        ) -> None:
            topic_filter, qos = subscription
            handler = self._get_handler(session)
            if handler is None:
                return
            retained = self._retained_messages
            if "+" in topic_filter or "#" in topic_filter:
                found = [m for t, m in retained.items() if self._matches(t, topic_filter)]
            else:
                found = [retained[topic_filter]] if topic_filter in retained else []
            sends = [asyncio.ensure_future(handler.mqtt_publish(
                m.topic, m.data, min(qos, m.qos or qos), retain=True)) for m in found]
            if sends:
                await asyncio.wait(sends)

    return DemoBroker


async def serve_amqtt(port: int, host: str = HOST) -> None:
    """Run amqtt until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    broker = _demo_amqtt()(amqtt_config(port, host))
    await broker.start()
    try:
        await stop.wait()
    finally:
        await broker.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fleet.broker",
                                     description="The demo's embedded amqtt broker.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default=HOST)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("amqtt").setLevel(logging.ERROR)  # it logs every refused client
    asyncio.run(serve_amqtt(args.port, args.host))
    return 0


if __name__ == "__main__":
    sys.exit(main())
