"""The ``fleet`` command as a user runs it: a real process, real signals, exit codes."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

import fleet
from fleet.config import demo_config_path

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def fleet_cmd(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fleet", *args], capture_output=True,
                          text=True, timeout=60, env=ENV, **kw)


class Lines:
    """Reads a process's stdout in a thread so the test can wait for a line with a timeout."""

    def __init__(self, proc: subprocess.Popen):
        self.queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, args=(proc.stdout,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            self.queue.put(line)
        self.queue.put(None)

    def next_json(self, timeout: float = 20.0) -> dict:
        line = self.queue.get(timeout=timeout)
        if line is None:
            raise EOFError("fleet closed its stdout")
        return json.loads(line)


def test_version():
    out = fleet_cmd("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"fleet {fleet.__version__}"


@pytest.mark.parametrize("args", [[], ["run"], ["check-config"], ["frobnicate"]])
def test_usage_errors_exit_2(args):
    out = fleet_cmd(*args)
    assert out.returncode == 2
    assert "usage: fleet" in out.stderr


@pytest.mark.parametrize("sub", ["run", "demo", "check-config"])
def test_help_everywhere(sub):
    out = fleet_cmd(sub, "--help")
    assert out.returncode == 0 and "usage: fleet " + sub in out.stdout


def test_check_config_summarises_the_demo():
    out = fleet_cmd("check-config", str(demo_config_path()))
    assert out.returncode == 0, out.stderr
    assert f"{demo_config_path()}: OK" in out.stdout
    assert "301 units" in out.stdout


def test_config_errors_are_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[units]]\nid = "a"\ncallsign = "A"\nkind = "dron"\n')
    for args in (["check-config", str(bad)], ["run", "--headless", "--config", str(bad)]):
        out = fleet_cmd(*args)
        assert out.returncode == 2
        assert out.stdout == ""
        assert out.stderr.count("\n") == 1, out.stderr  # one line, no traceback
        assert "units[0].kind" in out.stderr and "did you mean 'drone'" in out.stderr


def test_missing_config_file(tmp_path):
    out = fleet_cmd("check-config", str(tmp_path / "nope.toml"))
    assert out.returncode == 2
    assert out.stderr == f"fleet: config error: {tmp_path / 'nope.toml'}: file not found\n"


def test_console_needs_a_terminal(tmp_path):
    out = fleet_cmd("demo", "--log-dir", str(tmp_path))
    assert out.returncode == 2
    assert "use --headless" in out.stderr


def test_unwritable_log_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = fleet_cmd("demo", "--headless", "--log-dir", str(blocker / "logs"))
    assert out.returncode == 2
    assert out.stderr.startswith(f"fleet: cannot write logs to {blocker / 'logs'}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_headless_demo_runs_the_whole_fleet_and_stops_cleanly(tmp_path, sig):
    """The demo starts a broker and the simulators, every kind of unit reports, and a
    signal stops all of it: exit 0, no child left."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "fleet", "demo", "--headless", "--interval", "0.2",
         "--log-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )
    try:
        lines = Lines(proc)
        hello = lines.next_json()
        assert hello["type"] == "started"
        assert hello["fleet"] == "Hengyang" and hello["units"] == 301
        heard: set[str] = set()
        wanted = {"drone", "helicopter", "patrol_car", "motorcycle", "command_vehicle",
                  "patrol_boat", "command_boat"}
        deadline = time.monotonic() + 60
        while heard < wanted and time.monotonic() < deadline:
            event = lines.next_json(timeout=60)
            if event["type"] == "unit" and event["link_state"] == "ok":
                heard.add(event["kind"])
        assert heard == wanted
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == 0
        tail = []
        while True:  # what it said after the signal, up to the end of its stdout
            try:
                tail.append(lines.next_json(timeout=10))
            except EOFError:
                break
        assert [e["type"] for e in tail[-2:]] == ["counters", "stopped"]
        assert tail[-2]["counters"]["state"]["applied"] > 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr.read() == ""
    log = [json.loads(line) for line in (tmp_path / "fleet.log").read_text().splitlines()]
    messages = [r["message"] for r in log]
    assert any(m.startswith("fleet started: 301 units") for m in messages)
    pids = [int(m.rsplit("pid ", 1)[1].rstrip(")")) for m in messages
            if m.startswith("demo: started")]
    assert len(pids) >= 6  # drones at four bases, the helicopter, the city
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or _is_zombie(pid), f"child {pid} left"


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] == "Z"
    except OSError:
        return True


def test_operator_option_names_who_is_recorded(tmp_path, monkeypatch):
    """``--operator`` becomes the name the core records for actions that name nobody
    (the console's incident actions default to it)."""
    from fleet import cli

    seen = {}

    async def fake_run_service(config, **_kw):
        seen["operator"] = config.dispatch.operator
        return 0

    monkeypatch.setattr(cli, "run_service", fake_run_service)
    path = tmp_path / "fleet.toml"
    path.write_text("[fleet]\nname = 'T'\n", encoding="utf-8")
    args = ["run", "--config", str(path), "--headless", "--log-dir", str(tmp_path)]
    assert cli.main([*args, "--operator", "Zhang Wei"]) == 0
    assert seen["operator"] == "Zhang Wei"
    assert cli.main(args) == 0
    assert seen["operator"] == "duty-officer"
