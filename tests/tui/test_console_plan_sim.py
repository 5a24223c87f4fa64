"""The console loads a `fleet plan` .plan onto a simulated drone through the real
FleetService over UDP: uploaded, read back and verified, held in ``snap.mission``; then
flown with p, paused with P (BRAKE, the item kept) and resumed with p from that item."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from console_harness import Console
from test_console_sim import drones, telemetry
from textual.widgets import Input

from fleet.cli import main as fleet_main
from fleet.missions import read_plan
from fleet.tasking import route_of
from tui.screens.confirm import ConfirmScreen
from tui.screens.plan_source import PlanSourceScreen
from tui.screens.upload import UploadScreen


def tel(c: Console, name: str, default: object = None) -> object:
    return getattr(telemetry(c, "air-1"), name, default)


def state(c: Console) -> str:
    """What the drone and the console say, for a failure's message."""
    fields = ("mode", "armed", "mission_seq", "relative_alt_m", "ground_speed_m_s")
    return (", ".join(f"{f}={tel(c, f)}" for f in fields)
            + f"; last command: {c.last_command('air-1')}; log: {c.log_text()[-600:]}")


async def wait(c: Console, cond: Callable[[], object], timeout: float, what: str) -> None:
    try:
        await c.until(cond, timeout, what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; {state(c)}") from None


async def test_a_plan_loaded_from_the_console_is_verified_flown_paused_and_resumed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    # the demo's Wanda Plaza orbit, from base uav-hq: where the simulated drone stands
    assert fleet_main(["plan", "perimeter", "--site", "wanda", "--radius", "250",
                       "--out", str(tmp_path / "wanda.plan")]) == 0
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    items = read_plan(tmp_path / "wanda.plan").mission
    n = len(items)
    # 10x leaves the mission ~15 s of wall time to be paused in; DISARM_DELAY 0: ArduCopter
    # would disarm after 10 s (1 s here) on the ground between the arm and the start; no GCS
    # failsafe: at 10x a heartbeat half a wall second late on a loaded machine trips it
    async with drones(1, speedup=10, gcs_failsafe="vehicle",
                      params={"DISARM_DELAY": 0, "FS_GCS_ENABLE": 0}) as (c, _sim):
        await wait(c, lambda: tel(c, "ready", False), 15, "the drone ready")
        await c.press("u")
        await c.until(lambda: isinstance(c.app.screen, PlanSourceScreen))
        c.app.screen.query_one(Input).value = "wanda.plan"  # typed at once: a busy loop
        await c.press("enter")                              # makes each key press slow
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        await c.press("y")
        await c.until(lambda: isinstance(c.app.screen, UploadScreen) and c.app.screen.finished,
                      30, "the upload and its read-back")
        text = str(c.app.screen.query_one("#uploads").render())
        assert f"verified {n} items" in text, text
        await c.press("enter")
        await c.until(lambda: c.app.screen is c.main)
        svc = c.service
        assert svc.snapshot("air-1").mission == route_of(items)
        assert c.last_command("air-1") == f"upload_mission: accepted: verified {n} items"

        await c.press("a")
        await wait(c, lambda: tel(c, "armed", False), 15, "armed")
        await c.press("p")  # AUTO + MISSION_START: it takes off from the mission's takeoff
        await wait(c, lambda: tel(c, "mode") == "AUTO" and (tel(c, "mission_seq") or 0) >= 4,
                      30, "flying the mission past its third item")
        assert svc.snapshot("air-1").tasking.command == "mission"
        await c.press("P")
        await wait(c, lambda: tel(c, "mode") == "BRAKE", 15, "paused in BRAKE")
        paused_at = tel(c, "mission_seq")
        await wait(c, lambda: (tel(c, "ground_speed_m_s") or 0.0) < 0.5, 15, "stopped")
        assert tel(c, "mission_seq") == paused_at and tel(c, "armed")
        assert (tel(c, "relative_alt_m") or 0.0) > 30  # holds its height, no pilot needed
        await c.press("p")
        await wait(c, lambda: tel(c, "mode") == "AUTO", 15, "resumed in AUTO")
        assert (tel(c, "mission_seq") or 0) >= paused_at  # not restarted at item 1
        await wait(c, lambda: (tel(c, "mission_seq") or 0) > paused_at, 30,
                      "on to the next item")
