"""Loading plans, without a screen: sources, parts over aircraft, the words, the rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_service import FakeService, small_config_data

from fleet.config import parse_config
from fleet.missions import (
    Plan,
    change_speed,
    fence_circle,
    home_item,
    loiter_time,
    return_to_launch,
    takeoff,
    waypoint,
    write_plan,
    write_waypoints,
)
from tui.command_plans import SPEC_BY_NAME
from tui.plan_load import Planned, Source, assign, choices, read_source, resolve_paths
from tui.plan_patrol import plan_patrol
from tui.plan_words import Part, route_figures, upload_words
from tui.upload_rows import Phase, UploadRow, bar, failure

HOME = (26.8930, 112.5880)
NORTH_1KM = (26.8930 + 1000 / 111_195, 112.5880)  # fleet.geo's metres per degree
SPEC = SPEC_BY_NAME["load_plan"]


def mission() -> tuple:
    return (takeoff(40), change_speed(10), waypoint(*NORTH_1KM, 40), return_to_launch())


def write(path: Path, items=None, **plan) -> Path:
    write_plan(Plan(mission=mission() if items is None else items,
                    home=home_item(*HOME, 95), **plan), path)
    return path


@pytest.fixture
def svc() -> FakeService:
    data = small_config_data()
    data["patrols"] = [{"id": "ring", "pattern": "perimeter", "site": "wanda",
                        "radius_m": 200}]
    s = FakeService(config=parse_config(data))
    s.report("air-1", *HOME, battery_pct=90.0)
    s.report("air-2", HOME[0], HOME[1] + 0.0002, battery_pct=90.0)
    s.report("rp02-pc1", 26.8900, 112.5970)
    return s


# -- sources -----------------------------------------------------------------------------
def test_paths_expand_home_start_here_and_match_patterns_in_natural_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("x-d10-1.plan", "x-d2-1.plan", "x-d1-1.plan", "a.plan"):
        write(tmp_path / name)
    (tmp_path / "sub").mkdir()
    assert resolve_paths("~/a.plan", Path("/")) == [tmp_path / "a.plan"]
    assert resolve_paths("a.plan", tmp_path) == [tmp_path / "a.plan"]
    assert [p.name for p in resolve_paths("x-d*-1.plan", tmp_path)] == [
        "x-d1-1.plan", "x-d2-1.plan", "x-d10-1.plan"]
    assert [p.name for p in resolve_paths(" a.plan , x-d2-1.plan", tmp_path)] == [
        "a.plan", "x-d2-1.plan"]
    for typed, said in (("b.plan", "no such file: b.plan"), ("y*.plan", "no file matches"),
                        ("sub", "sub is a directory"), ("  ", "type a .plan")):
        with pytest.raises(ValueError, match=said):
            resolve_paths(typed, tmp_path)


def test_a_plan_and_a_waypoints_file_read_as_parts(tmp_path: Path) -> None:
    write(tmp_path / "p.plan", cruise_speed_m_s=9.0)
    write_waypoints(mission(), tmp_path / "w.waypoints", home=home_item(*HOME, 95))
    plan = read_source("p.plan", tmp_path)
    assert plan.label == "p.plan" and plan.parts[0].items == mission()
    assert plan.parts[0].home == pytest.approx(HOME) and plan.parts[0].speed_m_s == 9.0
    wp = read_source("w.waypoints", tmp_path).parts[0]
    assert wp.name == "w.waypoints" and len(wp.items) == 4 and wp.home == pytest.approx(HOME)
    both = read_source("p.plan,w.waypoints", tmp_path)
    assert both.label == "p.plan,w.waypoints (2 files)" and len(both.parts) == 2


def test_what_is_wrong_with_a_file_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "broken.plan").write_text("{not json")
    (tmp_path / "notes.txt").write_text("hello")
    write(tmp_path / "empty.plan", items=())
    write(tmp_path / "far.plan", items=(takeoff(40), waypoint(95.0, 112.58, 40)))
    write(tmp_path / "fenced.plan", fence=(fence_circle(*HOME, 300),))
    for typed, said in (("broken.plan", r"^broken\.plan: "),
                        ("notes.txt", "notes.txt: not a .plan .QGroundControl JSON. or "
                                      r"\.waypoints"),
                        ("empty.plan", "empty.plan: no mission items"),
                        ("far.plan", "far.plan: item 2: latitude 95")):
        with pytest.raises(ValueError, match=said):
            read_source(typed, tmp_path)
    assert read_source("fenced.plan", tmp_path).notes == (
        "fenced.plan: its geofence (1 item) not loaded (the mission only)",)


def test_a_patrol_source_names_a_configured_patrol() -> None:
    assert read_source("patrol:ring", Path("."), ["ring"]) == Source("patrol ring",
                                                                      patrol="ring")
    with pytest.raises(ValueError, match=r"unknown patrol 'rin' \(known: ring\)"):
        read_source("patrol:rin", Path("."), ["ring"])


def test_the_offer_groups_fleet_plans_drone_files_then_files_then_patrols(
        tmp_path: Path) -> None:
    names = ["b-d1-1.plan", "b-d2-1.plan", "b-d1-2.plan", "b-d2-2.plan", "c-1.plan",
             "c-2.plan", "solo-d1-1.plan", "w.waypoints", "notes.txt"]
    files = [tmp_path / n for n in names]
    assert choices(files, tmp_path, ["ring"]) == [
        "b-d*-1.plan", "b-d*-2.plan", "b-d1-1.plan", "b-d1-2.plan", "b-d2-1.plan",
        "b-d2-2.plan", "c-1.plan", "c-2.plan", "solo-d1-1.plan", "w.waypoints",
        "patrol:ring"]


# -- who gets what -----------------------------------------------------------------------
def test_one_part_goes_to_every_aircraft_and_cars_are_left_out(svc: FakeService) -> None:
    part = Part("p.plan", mission(), HOME)
    snaps = [svc.snapshot(u) for u in ("air-1", "rp02-pc1", "air-2")]
    load = assign(SPEC, Source("p.plan", (part,)), snaps)
    assert [u.unit_id for u in load.uploads] == ["air-1", "air-2"]
    assert load.skipped == (("RP02 Car 1", "a plan is for aircraft only"),)
    assert load.describe() == [
        "Upload 4 items (2.0 km, 3 min at 10 m/s) from p.plan → Eagle 1 (air-1), "
        "Eagle 2 (air-2)", "each of the 2 aircraft gets the same mission"]
    assert load.dangers == ("this goes to 2 units",)


def test_parts_go_one_per_aircraft_in_order(svc: FakeService) -> None:
    parts = tuple(Part(f"x-d{k}-1.plan", mission(), HOME) for k in (1, 2, 3))
    two = [svc.snapshot("air-1"), svc.snapshot("air-2")]
    load = assign(SPEC, Source("x", parts), two)
    assert [(u.unit_id, u.part.name) for u in load.uploads] == [
        ("air-1", "x-d1-1.plan"), ("air-2", "x-d2-1.plan")]
    assert "1 part(s) go to nobody (x-d3-1.plan)" in load.dangers[0]
    three = [*two, svc.snapshot("heli-1")]
    load = assign(SPEC, Source("x", parts[:2]), three)
    assert load.skipped == (("Falcon 1", "no part left for it (2 parts, 3 aircraft)"),)


def test_warnings_for_a_far_start_and_a_mission_in_flight(svc: FakeService) -> None:
    svc.report("air-1", 26.9050, 112.6400, armed=True, mode="AUTO", relative_alt_m=60.0)
    load = assign(SPEC, Source("p", (Part("p.plan", mission(), HOME),)),
                  [svc.snapshot("air-1")])
    assert load.dangers[0] == ("Eagle 1 is flying a mission in AUTO: the new one replaces "
                               "it in flight")
    assert load.dangers[1].startswith("Eagle 1 is 5.3 km from where p.plan starts")


def test_a_planned_patrol_gives_each_aircraft_its_own_part(svc: FakeService) -> None:
    config = svc.config
    patrol = config.patrols[0]
    zones = {z.id: z for z in config.zones}
    sites = {s.id: s for s in config.key_sites}
    aircraft = [svc.snapshot(u) for u in ("air-1", "air-2", "heli-1")]  # heli: no report,
    planned = plan_patrol(patrol, zones, sites, aircraft)               # but a base
    assert [p.name for p in planned.parts.values()] == [
        "patrol ring (part 1 of 3)", "patrol ring (part 2 of 3)", "patrol ring (part 3 of 3)"]
    assert all(p.items[0] == takeoff(patrol.alt_m) for p in planned.parts.values())
    load = assign(SPEC, Source("patrol ring", patrol="ring"), aircraft, planned)
    assert [u.unit_id for u in load.uploads] == ["air-1", "air-2", "heli-1"]
    nowhere = assign(SPEC, Source("patrol ring", patrol="ring"), aircraft,
                     Planned(why={"air-1": "no position or base to plan from"}))
    assert nowhere.skipped[0] == ("Eagle 1", "no position or base to plan from")
    assert nowhere.empty


def test_a_low_battery_loads_what_one_sortie_flies_or_says_why_not(
        svc: FakeService) -> None:
    config = svc.config

    def planned(battery: float) -> Planned:
        svc.report("air-1", *HOME, battery_pct=battery)
        return plan_patrol(config.patrols[0], {z.id: z for z in config.zones},
                           {s.id: s for s in config.key_sites}, [svc.snapshot("air-1")])

    part = planned(20.0)  # 35 min endurance: 7 min of it
    assert part.notes == ("Eagle 1: one sortie flies 54% of patrol ring (endurance and "
                          "battery); the rest is not loaded",)
    assert planned(12.0).why["air-1"].startswith("cannot plan patrol ring: point")


# -- words -------------------------------------------------------------------------------
def test_the_figures_count_home_holds_and_the_missions_own_speed() -> None:
    length, duration, speed = route_figures(Part("p", mission(), HOME))
    assert length == pytest.approx(2000, rel=1e-3) and speed == 10
    assert duration == pytest.approx(200, rel=1e-3)
    held = (takeoff(40), waypoint(*NORTH_1KM, 40, hold_s=30), loiter_time(*HOME, 40, 60))
    length, duration, speed = route_figures(Part("h", held, HOME, speed_m_s=5.0))
    assert duration == pytest.approx(2000 / 5 + 90, rel=1e-3)
    assert route_figures(Part("n", held), None)[1:] == (None, None)
    assert upload_words(Part("n", held)) == "Upload 3 items (1.0 km) from n"
    assert upload_words(Part("one", (takeoff(40),)), 8.0) == \
        "Upload 1 item (0.0 km, 1 min at 8 m/s) from one"


def test_upload_rows_count_the_operators_items_not_the_wire() -> None:
    row = UploadRow("air-1", "Eagle 1", 42)
    assert row.text() == "Eagle 1: waiting"
    row.start()
    row.progress(1, 43)  # home (seq 0) first on ArduPilot
    assert row.text() == "Eagle 1: 0/42 items" and bar(row) == "░" * 16
    row.progress(18, 43)
    assert row.text() == "Eagle 1: 17/42 items" and bar(row).startswith("██████░")
    row.progress(43, 43)
    assert row.phase is Phase.VERIFYING
    assert row.status() == "42/42 items, reading back to verify…"
    row.verified()
    row.cancelled()  # too late: it stays verified
    assert row.text() == "Eagle 1: verified 42 items" and row.finished
    px4 = UploadRow("px", "PX", 3)
    px4.progress(2, 3)  # no home item
    assert px4.done == 2
    bad = UploadRow("b", "B", 3)
    bad.failed(failure("mission_verify", "mismatch: item 2 read back differs"))
    assert bad.text() == ("B: failed: verification failed, the read-back differs: "
                          "mismatch: item 2 read back differs")
    gone = UploadRow("g", "G", 3)
    gone.cancelled()
    assert gone.status().startswith("cancelled: the vehicle may hold part of it")
