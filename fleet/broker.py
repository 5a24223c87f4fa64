"""The demo's broker: a closed Mosquitto on loopback, started and stopped by fleet.

    async with demo_broker(accounts, workdir) as broker:
        config = use_broker(config, broker.control_url, CORE_USER,
                            broker.files.password(CORE_USER))
        # the city simulator: broker.units_url, broker.files.unit_credentials

The demo runs the setup a deployment runs (:mod:`fleet.brokerconf`, docs/mqtt.md
"Security"): every unit its own account and ACL on the units listener (client id = user
name), the core and the CAD clients on the control listener, nobody anonymous, passwords
made at random for this run in 0600 files under ``workdir``. Mosquitto it must be: the
bundled pure-Python amqtt the demo used to fall back on lost telemetry under the demo's
load (37 reports in the benchmark), took a third of a core, and has neither per-user
ACLs for these topics nor a way to tie a client id to its user, so it is gone
(``make demo`` installs Mosquitto as ``make test`` does).

Each broker is a child process on free loopback ports, waited for until both listeners
answer an MQTT CONNECT, and stopped by pid when the ``async with`` ends (SIGTERM, then
SIGKILL after 5 s). On Linux the child also gets SIGTERM if fleet dies without unwinding
(``PR_SET_PDEATHSIG``), so no broker outlives the demo. :func:`open_broker` starts an
anonymous one, for the benchmarks only.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from . import children
from .brokerconf import Accounts, BrokerFiles, Listener, write_broker_files
from .config import FleetConfig
from .errors import FleetError

log = logging.getLogger("fleet.broker")

MOSQUITTO_CANDIDATES = ("mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")
HOST = "127.0.0.1"
STOP_GRACE_S = 5.0
#: CONNECT (MQTT 3.1.1, clean session, keepalive 10 s, client id "fleet-probe"); a closed
#: broker refuses it (CONNACK 5), which still says it is up
_CONNECT = b"\x10\x17\x00\x04MQTT\x04\x02\x00\x0a\x00\x0bfleet-probe"
_DISCONNECT = b"\xe0\x00"
_DEMO_LOGGING = ("set_tcp_nodelay true", "log_dest stderr", "log_type error",
                 "log_type warning")


class BrokerUnavailableError(FleetError):
    """Mosquitto is not installed here, or it failed to start."""


@dataclasses.dataclass(frozen=True, slots=True)
class DemoBroker:
    """A running closed broker: where units and the core connect, and its files."""

    units_url: str
    control_url: str
    files: BrokerFiles
    pid: int


def find_mosquitto() -> str | None:
    for name in MOSQUITTO_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def require_mosquitto() -> str:
    binary = find_mosquitto()
    if binary is None:
        raise BrokerUnavailableError(
            "the demo needs the Mosquitto broker: run `make demo` (it installs it) or "
            "`sudo apt install mosquitto`")
    return binary


def free_port(host: str = HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def demo_broker(accounts: Accounts, workdir: Path, *, timeout_s: float = 15.0
                      ) -> AsyncIterator[DemoBroker]:
    """Start a closed Mosquitto for ``accounts`` with its files in ``workdir``."""
    binary = require_mosquitto()
    header = (*_DEMO_LOGGING, *(["user root"] if os.geteuid() == 0 else []))

    written: list[BrokerFiles] = []

    def write(ports: tuple[int, int]) -> Path:
        # started as root, Mosquitto 2 would drop to the mosquitto user, which cannot
        # read this run's 0600 files: `user root` keeps it as it is
        written.append(write_broker_files(workdir, accounts, Listener(HOST, ports[0]),
                                          Listener(HOST, ports[1]), persistence=False,
                                          header=header))
        return written[-1].conf

    proc, (units_port, control_port) = await _start(binary, write, workdir, timeout_s)
    log.info("demo broker: mosquitto, closed: units on %s:%d, core and CAD on %s:%d "
             "(pid %d); accounts and ACLs in %s", HOST, units_port, HOST, control_port,
             proc.pid, workdir)
    try:
        yield DemoBroker(f"mqtt://{HOST}:{units_port}", f"mqtt://{HOST}:{control_port}",
                         written[-1], proc.pid)
    finally:
        await children.stop(proc, STOP_GRACE_S)
        log.info("demo broker stopped (pid %d)", proc.pid)


@contextlib.asynccontextmanager
async def open_broker(*, timeout_s: float = 15.0) -> AsyncIterator[str]:
    """An anonymous Mosquitto on a free loopback port, for the benchmarks: never the
    demo's (anyone on this machine could command its units)."""
    binary = require_mosquitto()
    with tempfile.TemporaryDirectory(prefix="fleet-mq-") as tmp:
        workdir = Path(tmp)

        def write(ports: tuple[int, int]) -> Path:
            conf = workdir / "mosquitto.conf"
            conf.write_text(f"listener {ports[0]} {HOST}\nallow_anonymous true\n"
                            "persistence false\n" + "\n".join(_DEMO_LOGGING) + "\n")
            return conf

        proc, (port, _) = await _start(binary, write, workdir, timeout_s, listeners=1)
        try:
            yield f"mqtt://{HOST}:{port}"
        finally:
            await children.stop(proc, STOP_GRACE_S)


def use_broker(config: FleetConfig, url: str, username: str | None = None,
               password: str | None = None) -> FleetConfig:
    """``config`` with its ``[mqtt]`` broker replaced by ``url`` (a plain mqtt:// URL)
    and these credentials."""
    from .config.urls import parse_mqtt_url

    if config.mqtt is None:
        return config
    parsed = parse_mqtt_url(url, False)
    mqtt = dataclasses.replace(config.mqtt, url=url, host=parsed.host, port=parsed.port,
                               tls=None, username=username, password=password)
    return dataclasses.replace(config, mqtt=mqtt)


async def _start(binary: str, write: Callable[[tuple[int, int]], Path], workdir: Path,
                 timeout_s: float, listeners: int = 2
                 ) -> tuple[asyncio.subprocess.Process, tuple[int, int]]:
    last = ""
    for _ in range(3):  # a free port can be taken by someone else before the broker binds
        ports = (free_port(), free_port())
        conf = write(ports)
        log_path = workdir / f"mosquitto-{ports[0]}.log"
        proc = await children.spawn([binary, "-c", str(conf)], log_path)
        try:
            if await _wait_ready(proc, ports[:listeners], timeout_s):
                return proc, ports
        except BaseException:
            await children.stop(proc, STOP_GRACE_S)
            raise
        last = log_path.read_text(errors="replace")[-400:].strip()
        await children.stop(proc, STOP_GRACE_S)
        if "in use" not in last:
            break
    raise BrokerUnavailableError(f"mosquitto did not start: {last or 'no output'}")


async def _wait_ready(proc: asyncio.subprocess.Process, ports: tuple[int, ...],
                      timeout_s: float) -> bool:
    """True once every listener answers CONNECT with a CONNACK; False if it exits first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    waiting = list(ports)
    while proc.returncode is None:
        waiting = [p for p in waiting if not await _probe(p)]
        if not waiting:
            return True
        if loop.time() > deadline:
            raise BrokerUnavailableError(f"the broker did not answer on port {waiting[0]} "
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
        return connack[0] == 0x20
    except (OSError, asyncio.IncompleteReadError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
