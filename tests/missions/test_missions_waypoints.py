"""Mission Planner .waypoints ("QGC WPL 110") import and export."""

import math

import pytest
from missions_helpers import DATA, assert_same_items

from fleet.missions import (
    MissionFileError,
    MissionItem,
    change_speed,
    dumps_waypoints,
    home_item,
    jump,
    loads_waypoints,
    read_plan,
    read_waypoints,
    return_to_launch,
    takeoff,
    validate,
    waypoint,
    write_waypoints,
)

SAMPLE = DATA / "downtown_patrol.waypoints"


def test_mission_planner_sample_reads_home_and_items():
    home, items = read_waypoints(SAMPLE)
    assert home == home_item(26.893012, 112.588034, 95.2)
    assert_same_items(items, [
        takeoff(40),
        MissionItem(178, 3, 1, 8, -1),
        waypoint(26.89004188, 112.59711361, 60),
        MissionItem(19, 3, 30, 0, 0, 1, 26.87988341, 112.60598779, 60),
        waypoint(26.87214136, 112.58803427, 55.5, hold_s=2),
        MissionItem(177, 3, 3, 2),
        MissionItem(20, 3),
    ])
    validate(items)


def test_the_sample_matches_the_qgc_plan_of_the_same_patrol():
    _, items = read_waypoints(SAMPLE)
    plan = read_plan(DATA / "downtown_patrol.plan")
    from_plan = [i for i in plan.mission if i.command != 195]  # the .plan adds an ROI
    assert [i.command for i in items] == [i.command for i in from_plan]
    for mp, qgc in zip(items, from_plan, strict=True):
        if mp.command not in (16, 19):  # takeoff: MP leaves lat/lon 0, QGC fills them in
            continue
        assert math.isclose(mp.lat_deg, qgc.lat_deg, abs_tol=1e-8)
        assert math.isclose(mp.lon_deg, qgc.lon_deg, abs_tol=1e-8)
        assert mp.alt_m == qgc.alt_m


MISSION = [takeoff(40), change_speed(8), waypoint(26.890041875839234, 112.597, 60, 2),
           MissionItem(16, 0, param4=math.nan, lat_deg=-33.8688197, lon_deg=151.2092955,
                       alt_m=1e-5, autocontinue=False),
           jump(3, 2), return_to_launch()]


def test_export_is_mission_planner_layout():
    text = dumps_waypoints(MISSION, home_item(26.893, 112.588, 95.2))
    lines = text.splitlines()
    assert lines[0] == "QGC WPL 110"
    assert lines[1] == "0\t1\t0\t16\t0\t0\t0\t0\t26.893\t112.588\t95.2\t1"
    assert lines[2] == "1\t0\t3\t22\t0\t0\t0\t0\t0\t0\t40\t1"
    assert lines[4] == "3\t0\t3\t16\t2\t0\t0\t0\t26.890041875839234\t112.597\t60\t1"
    assert lines[5] == "4\t0\t0\t16\t0\t0\t0\tNaN\t-33.8688197\t151.2092955\t0.00001\t0"
    assert lines[6] == "5\t0\t2\t177\t3\t2\t0\t0\t0\t0\t0\t1"  # DO_JUMP to index 3
    assert all(len(line.split("\t")) == 12 for line in lines[1:])
    assert text.endswith("\n")


def test_round_trip_is_exact():
    home = home_item(26.893, 112.588, 95.2)
    got_home, items = loads_waypoints(dumps_waypoints(MISSION, home))
    assert got_home == home
    assert_same_items(items, MISSION)


def test_export_without_home_writes_a_placeholder():
    home, items = loads_waypoints(dumps_waypoints([takeoff(10)]))
    assert home == home_item(0, 0, 0) and items == (takeoff(10),)


def test_write_and_read_a_file(tmp_path):
    path = tmp_path / "patrol.waypoints"
    write_waypoints(MISSION, path, home=home_item(1, 2, 3))
    home, items = read_waypoints(path)
    assert home == home_item(1, 2, 3)
    assert_same_items(items, MISSION)


def test_header_only_file_is_an_empty_mission():
    assert loads_waypoints("QGC WPL 110\n") == (None, ())


def test_comments_blank_lines_and_space_separators_are_tolerated():
    text = ("QGC WPL 110\n# exported by hand\n\n"
            "0 1 0 16 0 0 0 0 26.9 112.6 90 1\n"
            "   \n1  0  3  22  0 0 0 0 0 0 30 1\n")
    home, items = loads_waypoints(text)
    assert home == home_item(26.9, 112.6, 90) and items == (takeoff(30),)


def test_home_line_with_command_0_reads_as_a_waypoint():
    home, _ = loads_waypoints("QGC WPL 110\n0\t1\t0\t0\t0\t0\t0\t0\t26.9\t112.6\t90\t1\n")
    assert home == home_item(26.9, 112.6, 90)


BAD = [
    ("", "line 1: expected 'QGC WPL 110', found ''"),
    ('{"fileType": "Plan"}', "line 1: expected 'QGC WPL 110', found '{\"fileType\": \"Plan\"}'"),
    ("QGC WPL 120\n", "line 1: version 'QGC WPL 120' is not supported (only 'QGC WPL 110')"),
    ("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t26.9\t112.6\t90\n",
     "line 2: 11 fields, expected 12 (index, current, frame, command, param1-4, lat, lon, alt, "
     "autocontinue)"),
    ("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t26,9\t112.6\t90\t1\n",
     "line 2: latitude '26,9' is not a number"),
    ("QGC WPL 110\n0\t1\t0\t16.5\t0\t0\t0\t0\t26.9\t112.6\t90\t1\n",
     "line 2: command '16.5' is not a whole number"),
    ("QGC WPL 110\n1\t1\t0\t16\t0\t0\t0\t0\t26.9\t112.6\t90\t1\n",
     "line 2: index 1, expected 0"),
    ("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t26.9\t112.6\t90\t1\n\n"
     "2\t0\t3\t22\t0\t0\t0\t0\t0\t0\t30\t1\n", "line 4: index 2, expected 1"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:50] for _, m in BAD])
def test_bad_files_name_the_line_and_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.waypoints"
    path.write_text(text)
    with pytest.raises(MissionFileError) as caught:
        read_waypoints(path)
    assert str(caught.value) == f"{path}: {message}"


def test_missing_file(tmp_path):
    path = tmp_path / "nope.waypoints"
    with pytest.raises(MissionFileError) as caught:
        read_waypoints(path)
    assert str(caught.value) == f"{path}: cannot read: No such file or directory"
