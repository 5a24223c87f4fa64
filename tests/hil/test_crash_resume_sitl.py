"""Issue #14, probe 4, on each backend: the core is killed (-9) the moment a step of a
drone's dispatch is in the audit (arm acked, takeoff acked, goto sent, on scene), the drone
is left without fleet for 10 vehicle seconds, and a new core on the same audit takes the
sequence up.

- Without a GCS failsafe (``gcs_failsafe = "vehicle"``, ArduCopter's default off), the
  drone finishes its takeoff and hovers in GUIDED over its pad, as in the probe: the new
  core climbs it if needed and sends its goto, and it ends on scene.
- With fleet's default (RTL after 5 s without fleet), the vehicle has flown home by
  itself: the new core must not launch it again blindly; it flags it for the operator.

The cores are child processes (tests/dispatch/core_child.py, as in the simulator-only
kill tests, tests/dispatch/test_crash_resume.py), connected through the backend's radios.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from backend import COPTER_HOME, Backend

sys.path.insert(0, str(Path(__file__).parent.parent / "dispatch"))
from test_crash_resume import ONCE, STEPS, Core, kinds, outcome, rows

SCENE = (COPTER_HOME[0] + 0.0025, COPTER_HOME[1])  # ~280 m north of the pad
URBAN = [[26.960, 112.510], [26.960, 112.720], [26.830, 112.720], [26.830, 112.510]]


def write_config(tmp_path: Path, radios: dict, failsafe: str) -> Path:
    config = {
        **radios,
        "fleet": {"name": "Testcity"},
        "zones": [{"id": "urban", "name": "Urban", "target_min": 5, "polygon": URBAN}],
        "dispatch": {"audit_db": str(tmp_path / "audit.sqlite3"), "takeoff_timeout_s": 60},
    }
    config["mavlink"] = {**config["mavlink"], "gcs_failsafe": failsafe}
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.mark.parametrize(("step", "failsafe", "expect"), [
    ("arm acked", "vehicle", "on scene"),  # disarmed on the pad meanwhile: launched again
    ("takeoff acked", "vehicle", "on scene"),  # the probe: hovering over its pad
    ("goto sent", "vehicle", "on scene"),
    ("on scene", "vehicle", "on scene"),  # its overwatch orbit is started again
    ("takeoff acked", "rtl", "flagged"),  # flew home by itself: not launched blindly
])
async def test_a_core_killed_at_a_step_resumes_or_flags_on_restart(
        backend: Backend, tmp_path: Path, step: str, failsafe: str, expect: str) -> None:
    async with backend.radios(model="quad") as (radios, (unit_id,)):
        config = write_config(tmp_path, radios, failsafe)
        first = await Core.start(config, "--dispatch", str(SCENE[0]), str(SCENE[1]),
                                 "overwatch", "--kill-after", STEPS[step])
        try:
            await first.killed(timeout=backend.wall(200))  # boot, ready, ... that step
        finally:
            await first.stop()
        # 10 vehicle seconds without fleet: a GCS failsafe (5 s) has surely acted
        await backend.until_vehicle_time(unit_id, (backend.vehicle_time_s(unit_id) or 0) + 10)
        before = rows(tmp_path)
        [incident] = [r.incident for r in before if r.kind == "incident.received"]

        second = await Core.start(config)
        try:
            done = await second.until(outcome, timeout=backend.wall(120))
            decision = await second.until(lambda x: x["e"] == "resume", timeout=backend.wall(30))
        finally:
            await second.stop()
        third = await Core.start(config)  # the same audit again: nothing new to flag
        try:
            await third.until(lambda x: x["e"] == "resume", timeout=backend.wall(60))
        finally:
            await third.stop()
    final = rows(tmp_path)
    assert incident in decision["text"]
    flagged = second.alerts("dispatch.resume_flagged")
    if expect == "flagged":
        [flag] = flagged
        assert flag["unit"] == unit_id and "not launched again blindly" in flag["message"]
        assert "recovery.resumed" not in kinds(final)
    else:
        assert flagged == [] and done["code"] in ("dispatch.on_scene", "dispatch.resumed_unit")
        assert kinds(final)["unit.on_scene"] == 1  # once, whichever core saw it
    assert third.alerts("dispatch.resume_flagged") == []
    for kind in ONCE:
        assert kinds(final)[kind] <= 1, (kind, kinds(final))
