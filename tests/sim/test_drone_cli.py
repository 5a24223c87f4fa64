"""``python -m simulators drone`` as a process: endpoints, profile, clean stop on SIGTERM/SIGINT."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pymavlink.dialects.v20 import ardupilotmega as M

ROOT = Path(__file__).resolve().parents[2]


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "simulators", "drone", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _heartbeats(sock: socket.socket, want: int, deadline_s: float = 10.0) -> dict[int, object]:
    mav = M.MAVLink(None)
    mav.robust_parsing = True
    seen: dict[int, object] = {}
    end = time.monotonic() + deadline_s
    while len(seen) < want and time.monotonic() < end:
        try:
            data = sock.recv(65536)
        except TimeoutError:
            continue
        for msg in mav.parse_buffer(data) or ():
            if msg.get_type() == "HEARTBEAT":
                seen[msg.get_srcSystem()] = msg
    return seen


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_udpout_fleet_runs_and_stops_cleanly(sig):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)
    proc = _start("--count", "3", "--sysid-base", "10", "--udpout",
                  f"127.0.0.1:{sock.getsockname()[1]}", "--fast-boot", "--speedup", "5",
                  "--profile", "helicopter")
    try:
        beats = _heartbeats(sock, 3)
        assert set(beats) == {10, 11, 12}
        assert all(b.type == M.MAV_TYPE_HELICOPTER for b in beats.values())
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    assert proc.returncode == 0, err
    assert "sysid 10" in out and "stopped" in out


def test_tcp_ports_are_printed_and_served():
    proc = _start("--count", "2", "--tcp-base", "0", "--fast-boot")
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(2)]
        ports = [int(re.search(r":(\d+)$", line.strip()).group(1)) for line in lines]
        for sysid, port in enumerate(ports, start=1):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.settimeout(0.5)
                assert sysid in _heartbeats(s, 1)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0


def test_bad_arguments_exit_with_an_error():
    proc = _start("--count", "300")
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 2 and "sysids" in err


def test_motorboat_profile_serves_an_ardurover_boat_and_checks_its_parameters():
    proc = _start("--profile", "motorboat", "--tcp-base", "0", "--fast-boot",
                  "--param", "FS_GCS_ENABLE=1")
    try:
        assert proc.stdout is not None
        port = int(re.search(r":(\d+)$", proc.stdout.readline().strip()).group(1))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.settimeout(0.5)
            assert _heartbeats(s, 1)[1].type == M.MAV_TYPE_SURFACE_BOAT
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    copter_only = _start("--profile", "motorboat", "--param", "WPNAV_SPEED=500")
    _, err = copter_only.communicate(timeout=10)
    assert copter_only.returncode == 2 and "WPNAV_SPEED is not one of the motorboat's" in err
