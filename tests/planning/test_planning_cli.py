"""``fleet plan``, ``fleet coverage`` and ``fleet schedule`` from the command line."""

import pytest

from fleet.cli import main
from fleet.missions import read_plan

AREA = "26.910,112.575 26.910,112.590 26.898,112.590 26.898,112.575"
NO_FLY = "26.905,112.580 26.905,112.583 26.902,112.583 26.902,112.580"
CONFIG = """
[[groups]]
id = "air1"
domain = "air"

[[units]]
id = "air-1"
kind = "drone"
group = "air1"
mavlink = { sysid = 1 }

[[key_sites]]
id = "gate"
lat = 26.894
lon = 112.588

[[patrols]]
id = "p"
pattern = "tour"
sites = ["gate"]

[[schedules]]
id = "night"
patrol = "p"
start = 20:00:00
end = "02:00"
every_min = 60
units = ["air-1"]

[[schedules]]
id = "festival"
kind = "blackout"
start = 2025-06-01T08:00:00
end = 2025-06-01T21:00:00
reason = "festival"
"""


def test_plan_coverage_writes_one_plan_per_sortie_and_draws_it(tmp_path, capsys):
    out = tmp_path / "mission.plan"
    assert main(["plan", "coverage", "--polygon", AREA, "--exclude", NO_FLY, "--drones", "2",
                 "--out", str(out), "--show"]) == 0
    text = capsys.readouterr().out
    assert "coverage:" in text and "drone 2:" in text and "wrote" in text
    assert any(0x2800 <= ord(ch) <= 0x28FF for ch in text)  # the braille picture
    files = sorted(tmp_path.glob("mission-d*.plan"))
    assert len(files) >= 2
    assert all(read_plan(f).mission[0].command == 22 for f in files)  # NAV_TAKEOFF first


def test_plan_tour_and_perimeter_of_the_demo(tmp_path, capsys):
    assert main(["plan", "tour", "--sites", "wanda,bubugao", "--loiter", "20",
                 "--out", str(tmp_path / "t.plan")]) == 0
    assert read_plan(tmp_path / "t.plan").mission
    capsys.readouterr()
    assert main(["plan", "show", str(tmp_path / "t.plan")]) == 0  # import: read back, drawn
    assert "2 route points" in capsys.readouterr().out
    capsys.readouterr()
    assert main(["plan", "perimeter", "--site", "wanda", "--radius", "250"]) == 0
    assert capsys.readouterr().out.startswith("orbit: 1.57 km")


def test_plan_errors_are_one_line_with_exit_2(capsys):
    assert main(["plan", "tour", "--sites", "wanda,bubugoa"]) == 2
    assert capsys.readouterr().err.strip() == (
        "fleet: plan: unknown key site 'bubugoa' (did you mean 'bubugao'?)")
    assert main(["plan", "coverage", "--polygon", "26.9,112.5 26.91,112.51 26.9,112.51 "
                 "26.91,112.5"]) == 2
    assert "edges 1 and 3 cross" in capsys.readouterr().err
    assert main(["plan", "coverage", "--zone", "nanyue", "--base", "uav-hq",
                 "--endurance", "20"]) == 2
    assert "out of reach from base" in capsys.readouterr().err


def test_coverage_offline_says_units_are_at_their_bases(capsys):
    assert main(["coverage", "--recommend", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("offline: no telemetry, so 286 land units are placed at their bases")
    assert "downtown" in out and "hengyang-east" in out and "recommendation:" in out


def test_schedule_list_and_next_in_local_time(tmp_path, capsys):
    path = tmp_path / "fleet.toml"
    path.write_text(CONFIG)
    assert main(["schedule", "list", "--config", str(path), "--at", "2025-06-01T19:00"]) == 0
    out = capsys.readouterr().out
    assert "night: patrol p every 60 min 20:00-02:00 daily, units air-1" in out
    assert "festival: blackout 2025-06-01 08:00 to 2025-06-01 21:00" in out
    assert main(["schedule", "next", "--config", str(path), "--at", "2025-06-01T19:00",
                 "--count", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines == ["Sun 2025-06-01 20:00  night (p)  skipped: blackout festival",
                     "Sun 2025-06-01 21:00  night (p)",
                     "Sun 2025-06-01 22:00  night (p)"]


@pytest.mark.parametrize("argv", [["schedule", "next", "--at", "tomorrow"]])
def test_schedule_bad_time_is_a_usage_error(argv, capsys):
    assert main(argv) == 2
    assert "--at expects" in capsys.readouterr().err
