"""Hardware-in-the-loop: the scripted flight against ArduPilot SITL.

Set ARDUPILOT_SITL to an ``arducopter`` binary (built from ArduPilot with
``./waf configure --board sitl && ./waf copter``) and, optionally,
ARDUPILOT_SITL_DEFAULTS to ``Tools/autotest/default_params/copter.parm``. Three
instances start with ``--speedup``, ``-I`` and ``--sysid``; fleet connects to each
over TCP (5760 + 10 i) and flies all three at once. The instances are stopped by pid.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import pytest
from flight_script import full_flight

from fleet.config import parse_config
from fleet.service import FleetService

SITL = os.environ.get("ARDUPILOT_SITL")
DEFAULTS = os.environ.get("ARDUPILOT_SITL_DEFAULTS")
SPEEDUP = int(os.environ.get("ARDUPILOT_SITL_SPEEDUP", "5"))
INSTANCES = 3
HOME = "26.8900,112.5700,60,0"

pytestmark = [
    pytest.mark.hil,
    pytest.mark.skipif(not SITL, reason="ARDUPILOT_SITL is not set (path to arducopter)"),
]


@pytest.fixture
def sitl(tmp_path: Path):
    procs = []
    for i in range(INSTANCES):
        workdir = tmp_path / f"sitl{i}"
        workdir.mkdir()
        cmd = [SITL, "--model", "quad", "--speedup", str(SPEEDUP), "-I", str(i),
               "--sysid", str(i + 1), "--home", HOME]
        if DEFAULTS:
            cmd += ["--defaults", DEFAULTS]
        log = open(workdir / "sitl.log", "wb")  # noqa: SIM115 - closed with the process
        procs.append((subprocess.Popen(cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT),
                      log))
    yield [5760 + 10 * i for i in range(INSTANCES)]
    for proc, log in procs:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


async def test_three_sitl_copters_fly_the_patrol(sitl):
    config = parse_config({
        "mavlink": {"links": [{"name": f"sitl{i}", "url": f"tcp://127.0.0.1:{port}"}
                              for i, port in enumerate(sitl)]},
        "units": [{"id": f"air-{i + 1}", "kind": "drone", "mavlink": {"sysid": i + 1}}
                  for i in range(INSTANCES)],
    })
    async with FleetService(config) as svc, asyncio.TaskGroup() as tg:
        for i in range(INSTANCES):
            tg.create_task(full_flight(svc, f"air-{i + 1}", scale_s=5.0 / SPEEDUP * 2))
