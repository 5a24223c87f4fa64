""""Load plan" (u) on the console against the fake service: a .plan written by the
planning code goes up with its progress on screen, verified; several parts go one per
aircraft; a patrol is planned per drone; mistakes, refusals and esc say so."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from console_harness import Console, console
from fake_service import FakeService, command_names, rejected, small_config_data
from textual.widgets import Input, Label, OptionList

from fleet.cli import main as fleet_main
from fleet.commands import UploadMission
from fleet.config import parse_config
from fleet.missions import read_plan
from tui.screens.confirm import ConfirmScreen
from tui.screens.plan_source import PlanSourceScreen
from tui.screens.upload import UploadScreen

AREA = "26.910,112.575 26.910,112.590 26.898,112.590 26.898,112.575"


@pytest.fixture
def svc() -> FakeService:
    data = small_config_data()
    data["patrols"] = [{"id": "ring", "pattern": "perimeter", "site": "wanda",
                        "radius_m": 200}]
    s = FakeService(config=parse_config(data))
    for unit, lon in (("air-1", 112.5880), ("air-2", 112.5882)):
        s.report(unit, 26.8930, lon, battery_pct=90.0, relative_alt_m=0.0, armed=False,
                 mode="GUIDED", ready=True)
    s.report("rp02-pc1", 26.8900, 112.5970)
    return s


@pytest.fixture
def plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    """``fleet plan`` output in the console's current directory: the Wanda Plaza orbit
    (one file) and a coverage split between 2 drones (x-d1-1.plan, x-d2-1.plan, ...)."""
    assert fleet_main(["plan", "perimeter", "--site", "wanda", "--radius", "250",
                       "--out", str(tmp_path / "wanda.plan")]) == 0
    assert fleet_main(["plan", "coverage", "--polygon", AREA, "--drones", "2",
                       "--endurance", "60", "--out", str(tmp_path / "block.plan")]) == 0
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def screen_text(c: Console, selector: str) -> str:
    return str(c.app.screen.query_one(selector).render())


def uploads(svc: FakeService) -> list[tuple[str, UploadMission]]:
    return [(s.unit_id, s.command) for s in svc.sent if isinstance(s.command, UploadMission)]


async def choose_source(c: Console, text: str) -> None:
    await c.press("u")
    await c.until(lambda: isinstance(c.app.screen, PlanSourceScreen), what="the source dialog")
    await c.press(*text, "enter")


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 55)])
async def test_a_plan_file_goes_up_with_progress_and_is_verified(
        svc: FakeService, plans: Path, size: tuple[int, int]) -> None:
    gate = svc.upload_gate = asyncio.Event()
    svc.upload_hold_at = 17
    mission = read_plan(plans / "wanda.plan").mission
    n = len(mission)
    async with console(svc, size) as c:
        await c.press("u")
        await c.until(lambda: isinstance(c.app.screen, PlanSourceScreen))
        offered = c.app.screen.query_one(OptionList)
        found = [str(offered.get_option_at_index(i).prompt)
                 for i in range(offered.option_count)]
        assert found == ["block-d*-1.plan", "block-d1-1.plan", "block-d2-1.plan",
                         "wanda.plan", "patrol:ring"]
        await c.press(*"wanda.plan", "enter")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen), what="the confirmation")
        text = screen_text(c, "#plan")
        assert f"Upload {n} items (" in text and "km, " in text and "min at 12 m/s)" in text
        assert "from wanda.plan → Eagle 1 (air-1)" in " ".join(text.split())
        await c.press("y")
        await c.until(lambda: isinstance(c.app.screen, UploadScreen), what="the progress")
        await c.until(lambda: f"17/{n} items" in screen_text(c, "#uploads"),
                      what="17 items sent")
        assert c.last_command("air-1") == f"upload_mission: sending…: 17/{n} items"
        gate.set()
        await c.until(lambda: f"verified {n} items" in screen_text(c, "#uploads"),
                      what="verified")
        assert "enter or esc closes" in screen_text(c, "#hint")
        await c.press("enter")
        await c.until(lambda: c.app.screen is c.main, what="back to the main screen")
        assert c.last_command("air-1") == f"upload_mission: accepted: verified {n} items"
        await c.until(lambda: "uploaded and verified" in c.log_text())
    [(unit, command)] = uploads(svc)
    assert unit == "air-1" and command.verify and command.items == mission
    assert svc.snapshot("air-1").mission  # the core's record: what the map draws


async def test_the_parts_of_a_multi_drone_plan_go_one_per_aircraft(
        svc: FakeService, plans: Path) -> None:
    async with console(svc) as c:
        await c.press("space", "space", "space")  # Eagle 1, Eagle 2 and the helicopter
        await c.press("u")
        await c.until(lambda: isinstance(c.app.screen, PlanSourceScreen))
        await c.press("tab", "enter")  # the first offered: block-d*-1.plan
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        text = " ".join(screen_text(c, "#plan").split())
        assert "from block-d1-1.plan → Eagle 1 (air-1)" in text
        assert "from block-d2-1.plan → Eagle 2 (air-2)" in text
        assert "Falcon 1: no part left for it (2 parts, 3 aircraft)" in text
        await c.press("y")
        await c.until(lambda: isinstance(c.app.screen, UploadScreen)
                      and c.app.screen.finished, what="both uploads ended")
        await c.press("escape")
        await c.until(lambda: c.app.screen is c.main)
    sent = dict(uploads(svc))
    assert sent["air-1"].items == read_plan(plans / "block-d1-1.plan").mission
    assert sent["air-2"].items == read_plan(plans / "block-d2-1.plan").mission
    assert "heli-1" not in sent


async def test_one_file_to_two_drones_and_a_patrol_planned_for_each(
        svc: FakeService, plans: Path) -> None:
    async with console(svc) as c:
        await c.press("space", "space")
        await choose_source(c, "wanda.plan")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        text = " ".join(screen_text(c, "#plan").split())
        assert "→ Eagle 1 (air-1), Eagle 2 (air-2)" in text
        assert "each of the 2 aircraft gets the same mission" in text
        await c.press("n")
        await c.until(lambda: c.app.screen is c.main)
        await choose_source(c, "patrol:ring")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen), what="patrol planned")
        text = " ".join(screen_text(c, "#plan").split())
        assert "from patrol ring (part 1 of 2) → Eagle 1 (air-1)" in text
        assert "from patrol ring (part 2 of 2) → Eagle 2 (air-2)" in text
        await c.press("y")
        await c.until(lambda: isinstance(c.app.screen, UploadScreen) and c.app.screen.finished)
        await c.press("enter")
    assert [u for u, _ in uploads(svc)] == ["air-1", "air-2"]
    assert all(cmd.items[0].command == 22 for _, cmd in uploads(svc))  # takeoff first


async def test_mistakes_are_answered_in_the_dialog_and_cars_are_left_out(
        svc: FakeService, plans: Path) -> None:
    (plans / "broken.plan").write_text('{"fileType": "Plan", "version": 1}')
    (plans / "notes.txt").write_text("hello")
    (plans / "bad.waypoints").write_text(
        "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t26.89\t112.58\t95\t1\n"
        "1\t0\t3\t16\t0\t0\t0\t0\t95.0\t112.58\t60\t1\n")
    async with console(svc, (80, 24)) as c:
        await choose_source(c, "missing.plan")
        error = c.app.screen.query_one("#error", Label)
        await c.until(lambda: "no such file: missing.plan" in str(error.render()))
        for typed, said in (("broken.plan", "broken.plan: "), ("notes.txt", "not a .plan"),
                            ("bad.waypoints", "item 1: latitude 95"),
                            ("patrol:nowhere", "unknown patrol 'nowhere'")):
            c.app.screen.query_one(Input).value = ""
            await c.press(*typed, "enter")
            await c.until(lambda s=said: s in str(error.render()), what=said)
        await c.press("escape")
        await c.until(lambda: c.app.screen is c.main)
        c.main.select("rp02-pc1")
        await c.press("u")
        await c.until(lambda: "a plan is for aircraft only" in " ".join(
            str(n.message) for n in c.app._notifications))
    assert not uploads(svc)


async def test_a_refused_verification_and_an_upload_cancelled_by_esc(
        svc: FakeService, plans: Path) -> None:
    svc.results["air-1"] = rejected("air-1", "mission_verify", "mismatch",
                                    "sent 36 items, vehicle holds 35")
    svc.upload_gate = asyncio.Event()
    svc.upload_hold_at = 5
    async with console(svc, (120, 40)) as c:
        await c.press("space", "space")
        await choose_source(c, "wanda.plan")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        await c.press("y")
        await c.until(lambda: isinstance(c.app.screen, UploadScreen))
        screen = c.app.screen
        await c.until(lambda: "5/" in screen_text(c, "#uploads"))
        await c.press("escape")  # both are held at 5 items: both cancelled
        await c.until(lambda: screen.finished, what="cancelled")
        text = screen_text(c, "#uploads")
        assert text.count("cancelled: the vehicle may hold part of it") == 2
        assert "Done: 0 of 2 verified" in screen_text(c, "#hint")
        await c.press("escape")
        await c.until(lambda: c.app.screen is c.main)
        assert c.last_command("air-2").startswith("upload_mission: cancelled")
        svc.upload_gate = None
        c.main.select("air-1")
        c.app.model.marked.clear()
        await choose_source(c, "wanda.plan")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        await c.press("y")
        await c.until(lambda: isinstance(c.app.screen, UploadScreen) and c.app.screen.finished)
        text = " ".join(screen_text(c, "#uploads").split())
        assert ("failed: verification failed, the read-back differs: mismatch: sent 36 "
                "items, vehicle holds 35") in text
        await c.press("enter")
        await c.until(lambda: "mission from wanda.plan not loaded" in c.log_text())
        assert c.last_command("air-1").startswith("upload_mission: failed: verification")
    assert svc.snapshot("air-1").mission is None
    assert [n for n in command_names(svc) if n[1] == "upload_mission"] == [
        ("air-1", "upload_mission"), ("air-2", "upload_mission"), ("air-1", "upload_mission")]


async def test_the_palette_and_help_name_the_command(svc: FakeService, plans: Path) -> None:
    from tui.palette import FleetCommands
    from tui.screens.help import keymap

    commands = dict(next(entries for name, entries in keymap() if name.startswith("Commands")))
    assert commands["u"] == "Load plan"
    assert commands["p"] == "Start patrol / mission"
    assert commands["P"] == "Stop patrol / pause mission"
    async with console(svc) as c:
        entries = {name: (call, why) for name, call, why in FleetCommands(c.main)._entries()}
        call, why = entries["Load plan (u)"]
        assert "verified by reading it back" in why
        assert "resume" in entries["Start patrol / mission (p)"][1]
        await call()  # the palette awaits the screen's run_action, as here
        await c.until(lambda: isinstance(c.app.screen, PlanSourceScreen))
        assert c.app.screen.title_text == "Load plan: Eagle 1"
