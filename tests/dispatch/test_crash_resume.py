"""Issue #14, probe 4: kill -9 at each step of a drone's dispatch sequence.

A real core process (core_child.py: FleetService, a real audit SQLite file, MAVLink over
UDP to the drone simulator running here at 20x) is SIGKILLed the moment a step is in the
audit: after the arm is acknowledged, after the takeoff is acknowledged, after the goto
is sent, after the drone is on scene. A new core on the same audit must take the
sequence up (the drone ends on scene, or orbiting it) or flag it with an alert, write no
duplicate row and raise no duplicate alert, and a further restart must not flag it again.

With ``gcs_failsafe = "vehicle"`` the simulated drone keeps ArduCopter's default (no GCS
failsafe) and hovers in GUIDED while fleet is down, as in the probe; with the default
``rtl`` its failsafe flies it home, and a core coming back must not launch it again
blindly: it is flagged. Every wait is on the core's own lines (alerts, decisions) with a
timeout; the call is in the urban zone (5-minute target), far from any target time.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from broker import free_port

from fleet.dispatch.audit import open_readonly, select
from simulators.drone import FAST_BOOT, DroneFleetSim, Home
from simulators.drone import FleetConfig as SimConfig

HERE = Path(__file__).parent
SPEEDUP = 20.0
PAD = Home(26.8930, 112.5880, 95.0)
SCENE = (26.8955, 112.5880)  # ~280 m north of the pad
URBAN = [[26.960, 112.510], [26.960, 112.720], [26.830, 112.720], [26.830, 112.510]]
#: what a resumed action sends again (recovery.Do -> commands)
RESENDS = {"relaunch": {"arm", "takeoff", "goto"}, "takeoff": {"takeoff", "goto"},
           "climb": {"goto"}, "goto": {"goto"}, "orbit": {"orbit"}}
ONCE = ("incident.received", "unit.assigned", "unit.acknowledged", "unit.en_route",
        "unit.on_scene", "incident.target_missed", "recovery.flagged")


class Core:
    """One core_child.py process and the JSON lines it printed."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[dict[str, Any]] = []

    @classmethod
    async def start(cls, config: Path, *args: str) -> Core:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(HERE.parent.parent), os.environ.get("PYTHONPATH", "")])}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE / "core_child.py"), str(config), *args,
            stdout=asyncio.subprocess.PIPE, env=env)
        return cls(proc)

    async def until(self, predicate, timeout: float) -> dict[str, Any]:
        """The first line (printed so far or next) for which ``predicate`` holds."""
        for line in self.lines:
            if predicate(line):
                return line
        assert self.proc.stdout is not None
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.proc.stdout.readline()
                if not raw:
                    raise AssertionError(f"the core exited ({await self.proc.wait()}) "
                                         f"before that; it said {self.lines}")
                line = json.loads(raw)
                self.lines.append(line)
                if predicate(line):
                    return line

    async def killed(self, timeout: float) -> None:
        """Read until the process dies; it must have been SIGKILLed."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(timeout):
            while raw := await self.proc.stdout.readline():
                self.lines.append(json.loads(raw))
            assert await self.proc.wait() == -signal.SIGKILL, self.lines

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(10):
                    await self.proc.communicate()
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    def alerts(self, code: str) -> list[dict[str, Any]]:
        return [x for x in self.lines if x["e"] == "alert" and x["code"] == code]


def write_config(tmp_path: Path, port: int, failsafe: str) -> Path:
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps({
        "fleet": {"name": "Testcity"},
        "zones": [{"id": "urban", "name": "Urban", "target_min": 5, "polygon": URBAN}],
        "mavlink": {"links": [{"name": "air", "url": f"udpin://127.0.0.1:{port}"}],
                    "command_timeout_s": 0.15, "heartbeat_hz": SPEEDUP,
                    "gcs_failsafe": failsafe},
        "units": [{"id": "air-1", "callsign": "Eagle 1", "kind": "drone",
                   "mavlink": {"sysid": 1}}],
        "dispatch": {"audit_db": str(tmp_path / "audit.sqlite3"), "takeoff_timeout_s": 30},
    }), encoding="utf-8")
    return path


def rows(tmp_path: Path) -> list[Any]:
    with closing(open_readonly(tmp_path / "audit.sqlite3")) as conn:
        return list(select(conn))


def kinds(records: list[Any]) -> Counter[str]:
    return Counter(r.kind for r in records)


def sent(records: list[Any]) -> Counter[str]:
    return Counter(r.data["command"] for r in records if r.kind == "command.sent")


def outcome(line: dict[str, Any]) -> bool:
    """The restarted core has done what it will: on scene (orbiting), or flagged."""
    return line["e"] == "alert" and (
        line["code"] in ("dispatch.on_scene", "dispatch.resume_flagged")
        or (line["code"] == "dispatch.resumed_unit" and "orbit" in line["message"]))


STEPS = {"arm acked": "command.acked:arm", "takeoff acked": "command.acked:takeoff",
         "goto sent": "command.sent:goto", "on scene": "unit.on_scene"}


@pytest.mark.parametrize(("step", "failsafe", "expect"), [
    ("arm acked", "vehicle", "on scene"),
    ("takeoff acked", "vehicle", "on scene"),
    ("goto sent", "vehicle", "on scene"),
    ("on scene", "vehicle", "on scene"),
    ("takeoff acked", "rtl", "flagged"),
])
async def test_kill_9_at_a_step_of_the_drone_sequence(tmp_path, step, failsafe, expect):
    port = free_port()
    config = write_config(tmp_path, port, failsafe)
    sim_cfg = SimConfig(count=1, udpout=("127.0.0.1", port), speedup=SPEEDUP,
                        boot=FAST_BOOT, home=PAD)
    async with DroneFleetSim(sim_cfg):
        first = await Core.start(config, "--dispatch", str(SCENE[0]), str(SCENE[1]),
                                 "overwatch", "--kill-after", STEPS[step])
        try:
            await first.killed(timeout=60)
        finally:
            await first.stop()
        before = rows(tmp_path)
        [incident] = [r.incident for r in before if r.kind == "incident.received"]

        second = await Core.start(config)
        try:
            await second.until(outcome, timeout=60)
            decision = await second.until(lambda x: x["e"] == "resume", timeout=30)
        finally:
            await second.stop()
        after = rows(tmp_path)
        third = await Core.start(config)  # replay again: nothing new to flag or alert
        try:
            again = await third.until(lambda x: x["e"] == "resume", timeout=30)
        finally:
            await third.stop()
    final = rows(tmp_path)
    assert incident in decision["text"]

    flagged = second.alerts("dispatch.resume_flagged")
    if expect == "flagged":
        [flag] = flagged
        assert flag["unit"] == "air-1" and flag["severity"] == "warning"
        assert incident in flag["message"] and "Eagle 1 (air-1)" in flag["message"]
        assert f"stopped at {step} when fleet restarted" in flag["message"]
        assert "not launched again blindly" in flag["message"]
        assert "recovery.resumed" not in kinds(after)
        assert sent(after) == sent(before)  # nothing was commanded blindly
    else:
        assert flagged == []
        resumed = [r for r in after if r.kind == "recovery.resumed"]
        assert len(resumed) <= 1  # one decision per restart and assignment
        redo = RESENDS[resumed[0].data["action"]] if resumed else set()
        on_scene_now = "unit.on_scene" in kinds(after) - kinds(before)
        for name, count in sent(after).items():  # each command once, plus a resend
            extra = (name in redo) + (name == "orbit" and on_scene_now)
            assert count == sent(before)[name] + extra, (name, sent(before), sent(after))
        assert kinds(after)["unit.on_scene"] == 1
        if step == "on scene":
            assert resumed and resumed[0].data["action"] == "orbit"
    for kind in ONCE:  # the facts of the incident are in the audit once
        assert kinds(final)[kind] <= 1, (kind, kinds(final))
    assert kinds(final)["unit.assigned"] == 1 and kinds(final)["unit.failed"] == 0
    for code in ("dispatch.on_scene", "dispatch.target_missed", "dispatch.resume_flagged",
                 "dispatch.unit_failed"):
        total = sum(len(core.alerts(code)) for core in (first, second, third))
        assert total <= (0 if code == "dispatch.unit_failed" else 1), (code, total)
    # the third start replays the same audit: the flag is not raised or written again
    assert third.alerts("dispatch.resume_flagged") == []
    assert kinds(final)["recovery.flagged"] == kinds(after)["recovery.flagged"]
    assert incident in again["text"]
