"""`fleet demo` runs the call centre with its options; the call centre's own command line."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiomqtt
import pytest

from fleet.cli import build_parser
from fleet.config import demo_config_path, load_config
from fleet.demo import CallOptions, places_document, simulator_commands

CONFIG = load_config(demo_config_path())
BROKER = "mqtt://127.0.0.1:1883"
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def calls_argv(calls: CallOptions, config=CONFIG, places: Path | None = Path("p.json")):
    commands = dict(simulator_commands(config, demo_config_path(), 14550, BROKER, places,
                                       calls))
    return commands.get("calls")


def test_the_demo_runs_the_call_centre_with_its_options():
    argv = calls_argv(CallOptions())
    assert argv[:4] == [sys.executable, "-m", "simulators", "calls"]
    options = dict(zip(argv[4::2], argv[5::2], strict=False))
    assert options == {"--places": "p.json", "--broker": BROKER, "--prefix": "fleet/v1",
                       "--calls-per-hour": "12"}
    auto = calls_argv(CallOptions(calls_per_hour=30, auto_dispatch=True))
    assert auto[-1] == "--auto-dispatch" and auto[auto.index("--calls-per-hour") + 1] == "30"


def test_no_call_centre_without_calls_or_a_cad_interface_to_call():
    assert calls_argv(CallOptions(calls_per_hour=0)) is None
    assert calls_argv(CallOptions(), places=None) is None
    assert calls_argv(CallOptions(), config=dataclasses.replace(CONFIG, mqtt=None)) is None
    no_cad = dataclasses.replace(CONFIG, dispatch=dataclasses.replace(CONFIG.dispatch,
                                                                      cad_intake=False))
    assert calls_argv(CallOptions(), config=no_cad) is None
    names = [name for name, _ in simulator_commands(CONFIG, demo_config_path(), 1, BROKER)]
    assert "city" in names and "calls" not in names     # the old call: no places, no calls


def test_fleet_demo_options_default_to_calls_waiting_for_the_operator():
    args = build_parser().parse_args(["demo"])
    assert (args.calls_per_hour, args.auto_dispatch) == (CallOptions().calls_per_hour, False)
    args = build_parser().parse_args(["demo", "--calls-per-hour", "0", "--auto-dispatch"])
    assert (args.calls_per_hour, args.auto_dispatch) == (0.0, True)
    out = subprocess.run([sys.executable, "-m", "fleet", "demo", "--calls-per-hour", "-1"],
                         capture_output=True, text=True, timeout=60, env=ENV)
    assert out.returncode == 2 and "expected a number >= 0" in out.stderr


def test_a_bad_places_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "places.json"
    bad.write_text("{}")
    out = subprocess.run([sys.executable, "-m", "simulators", "calls", "--places", str(bad)],
                         capture_output=True, text=True, timeout=60, env=ENV)
    assert out.returncode == 2
    assert out.stderr == f"error: {bad}: zones: expected a list\n"


@pytest.mark.broker
async def test_the_call_centre_process_places_calls_and_stops_cleanly(tmp_path, broker):
    places = tmp_path / "places.json"
    places.write_text(json.dumps(places_document(CONFIG)))
    async with aiomqtt.Client(broker.host, broker.port, identifier="listener") as listener:
        await listener.subscribe("fleet/v1/cad/incident", qos=1)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "simulators", "calls", "--places", str(places),
            "--broker", broker.url, "--speedup", "60", "--calls-per-hour", "60",
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        try:
            async with asyncio.timeout(20):
                message = await anext(aiter(listener.messages))
            body = json.loads(message.payload)
            assert body["operator"] == "110 call centre" and body["dispatch"] is False
            proc.send_signal(signal.SIGTERM)
            async with asyncio.timeout(20):
                out, err = await proc.communicate()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0
    assert b"Traceback" not in err and b"stopped: calls=" in out
