"""A real Mosquitto broker for tests: its own process, port and config, stopped after use."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CANDIDATES = ("mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")


def find_mosquitto() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Broker:
    host: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_broker(workdir: Path, *, port: int | None = None, timeout_s: float = 10.0) -> Broker:
    """Start mosquitto on 127.0.0.1 and return once it accepts connections."""
    binary = find_mosquitto()
    if binary is None:
        raise RuntimeError("mosquitto not found: run 'make test' (it installs Debian's package)")
    port = port or free_port()
    conf = workdir / f"mosquitto-{port}.conf"
    log = workdir / f"mosquitto-{port}.log"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "set_tcp_nodelay true\nlog_dest stderr\n"
    )
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout_s
    while True:  # wait for the listening socket: the event we need, bounded by a timeout
        if proc.poll() is not None:
            raise RuntimeError(f"mosquitto exited ({proc.returncode}): {log.read_text()[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(
                    f"mosquitto did not listen on {port} within {timeout_s} s"
                ) from None
            time.sleep(0.02)
    return Broker("127.0.0.1", port, proc, log)
