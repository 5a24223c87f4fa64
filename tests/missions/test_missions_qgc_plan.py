"""QGroundControl .plan import and export, and clear errors for files we cannot read."""

import json
import math

import pytest
from missions_helpers import DATA, assert_same_items

from fleet.errors import FleetError
from fleet.missions import (
    MissionFileError,
    MissionItem,
    MissionType,
    MissionValidationError,
    Plan,
    change_speed,
    dumps_plan,
    fence_circle,
    fence_polygon,
    fence_return_point,
    home_item,
    jump,
    loads_plan,
    plan_from_json,
    plan_to_json,
    rally_point,
    read_plan,
    return_to_launch,
    set_roi,
    takeoff,
    validate,
    waypoint,
    write_plan,
)

SAMPLE = DATA / "downtown_patrol.plan"


def sample_json():
    return json.loads(SAMPLE.read_text())


# --- the realistic sample -----------------------------------------------------------

def test_sample_mission_reads_as_the_items_qgc_would_send():
    plan = read_plan(SAMPLE)
    nan = math.nan
    assert_same_items(plan.mission, [
        MissionItem(22, 3, 0, 0, 0, nan, 26.893012, 112.588034, 40),
        change_speed(8),
        MissionItem(16, 3, 0, 0, 0, nan, 26.890041875839233, 112.59711360931396, 60),
        MissionItem(19, 3, 30, 0, 0, 1, 26.879883408546448, 112.6059877872467, 60),
        set_roi(26.872011423110962, 112.59800434112549, 0),
        MissionItem(16, 3, 2, 0, 0, nan, 26.87214136123657, 112.5880342721939, 55.5),
        jump(3, 2),
        return_to_launch(),
    ])
    assert plan.home == home_item(26.893012, 112.588034, 95.2)
    assert (plan.cruise_speed_m_s, plan.hover_speed_m_s) == (15.0, 5.0)
    assert (plan.firmware_type, plan.vehicle_type) == (3, 2)


def test_sample_fence_is_polygons_then_circles_then_the_return_point():
    plan = read_plan(SAMPLE)
    assert plan.fence == (
        *fence_polygon([(26.912450790405273, 112.57812118530273),
                        (26.912450790405273, 112.64198303222656),
                        (26.856781005859375, 112.64198303222656),
                        (26.856781005859375, 112.57812118530273)]),
        fence_circle(26.892517403421187, 112.62598815917969, 150.5, inclusion=False),
        fence_return_point(26.893012, 112.588034, 40),
    )
    assert plan.rally == (rally_point(26.900012493133545, 112.54501342773438, 40),
                          rally_point(26.860034465789795, 112.59500503540039, 45))


def test_sample_passes_validation_for_every_list():
    plan = read_plan(SAMPLE)
    for mission_type in MissionType:
        validate(plan.get(mission_type).items, mission_type)


def test_sample_survives_export_and_import():
    plan = read_plan(SAMPLE)
    again = loads_plan(dumps_plan(plan))
    assert_same_items(again.mission, plan.mission)
    assert again.fence == plan.fence and again.rally == plan.rally
    assert again.home == plan.home


# --- export follows QGC's writer ------------------------------------------------------

PLAN = Plan(
    mission=[takeoff(40), change_speed(8), waypoint(26.89, 112.597, 60, hold_s=2),
             MissionItem(16, 0, param4=math.nan, lat_deg=26.88, lon_deg=112.6, alt_m=150),
             jump(3, 2), return_to_launch()],
    fence=[*fence_polygon([(26.91, 112.57), (26.91, 112.64), (26.85, 112.64)]),
           fence_circle(26.89, 112.62, 150, inclusion=False),
           *fence_polygon([(26.88, 112.60), (26.88, 112.61), (26.87, 112.61)], False),
           fence_return_point(26.893, 112.588, 40)],
    rally=[rally_point(26.9, 112.545, 40)],
    home=home_item(26.893, 112.588, 95.2),
)


def test_export_has_qgc_top_level_keys_and_versions():
    data = plan_to_json(PLAN)
    assert data["fileType"] == "Plan" and data["version"] == 1
    assert data["groundStation"] == "QGroundControl"
    mission = data["mission"]
    assert mission["version"] == 2
    assert mission["plannedHomePosition"] == [26.893, 112.588, 95.2]
    assert (mission["firmwareType"], mission["vehicleType"]) == (3, 2)
    assert (mission["cruiseSpeed"], mission["hoverSpeed"]) == (15, 5)
    assert mission["globalPlanAltitudeMode"] == 0  # relative and absolute items: mixed
    assert data["geoFence"]["version"] == 2 and data["rallyPoints"]["version"] == 2


def test_export_simple_items_as_qgc_writes_them():
    items = plan_to_json(PLAN)["mission"]["items"]
    assert items[2] == {
        "AMSLAltAboveTerrain": None, "Altitude": 60, "AltitudeMode": 1, "autoContinue": True,
        "command": 16, "doJumpId": 3, "frame": 3, "params": [2, 0, 0, 0, 26.89, 112.597, 60],
        "type": "SimpleItem",
    }
    assert items[3]["params"][3] is None  # NaN is written as null
    assert items[3]["AltitudeMode"] == 2  # GLOBAL frame: absolute
    assert items[1] == {"autoContinue": True, "command": 178, "doJumpId": 2, "frame": 2,
                        "params": [1, 8, -1, 0, 0, 0, 0], "type": "SimpleItem"}
    assert [i["doJumpId"] for i in items] == [1, 2, 3, 4, 5, 6]
    assert items[4]["params"][:2] == [3, 2]  # DO_JUMP names doJumpId 3 = item 3


def test_export_fence_and_rally_shapes():
    data = plan_to_json(PLAN)
    fence = data["geoFence"]
    assert fence["polygons"] == [
        {"inclusion": True, "polygon": [[26.91, 112.57], [26.91, 112.64], [26.85, 112.64]],
         "version": 1},
        {"inclusion": False, "polygon": [[26.88, 112.6], [26.88, 112.61], [26.87, 112.61]],
         "version": 1},
    ]
    assert fence["circles"] == [{"circle": {"center": [26.89, 112.62], "radius": 150},
                                 "inclusion": False, "version": 1}]
    assert fence["breachReturn"] == [26.893, 112.588, 40]
    assert data["rallyPoints"]["points"] == [[26.9, 112.545, 40]]


def test_export_text_is_sorted_indented_json_with_no_nan_literals():
    text = dumps_plan(PLAN)
    assert text.startswith('{\n    "fileType": "Plan",\n    "geoFence": {')
    assert "NaN" not in text and text.endswith("}\n")


def test_round_trip_puts_fence_in_qgc_order():
    again = loads_plan(dumps_plan(PLAN))
    fence = PLAN.fence
    assert again.fence == (*fence[:3], *fence[4:7], fence[3], fence[7])
    assert_same_items(again.mission, PLAN.mission)
    assert again.rally == PLAN.rally and again.home == PLAN.home


def test_write_and_read_a_file(tmp_path):
    path = tmp_path / "patrol.plan"
    write_plan(PLAN, path)
    assert not (tmp_path / "patrol.plan.tmp").exists()
    assert_same_items(read_plan(path).mission, PLAN.mission)


def test_export_without_home_uses_the_first_position():
    data = plan_to_json(Plan(mission=[takeoff(30), waypoint(26.89, 112.59, 50)]))
    assert data["mission"]["plannedHomePosition"] == [26.89, 112.59, 0]
    assert plan_to_json(Plan())["mission"]["plannedHomePosition"] == [0, 0, 0]
    assert plan_to_json(Plan())["mission"]["globalPlanAltitudeMode"] == 1


def test_export_refuses_a_broken_fence():
    broken = Plan(fence=fence_polygon([(0, 0), (0, 1), (1, 1)])[:2])
    with pytest.raises(MissionValidationError, match="declares 3 vertices but has 2"):
        plan_to_json(broken)


# --- import details -------------------------------------------------------------------

def test_do_jump_targets_are_mapped_from_doJumpId_to_item_numbers():
    data = sample_json()
    for n, item in enumerate(data["mission"]["items"]):
        item["doJumpId"] = 10 + n  # a hand-edited file: ids no longer equal positions
    data["mission"]["items"][6]["params"][0] = 12  # the waypoint that is item 3
    plan = plan_from_json(data)
    assert plan.mission[6] == jump(3, 2)


def test_older_item_layout_with_a_coordinate_key_is_read():
    data = sample_json()
    item = data["mission"]["items"][2]
    item["coordinate"] = item["params"][4:]
    item["params"] = item["params"][:4]
    plan = plan_from_json(data)
    assert plan.mission[2].lat_deg == 26.890041875839233 and plan.mission[2].alt_m == 60


def test_null_coordinates_of_commands_without_a_position_read_as_zero():
    data = sample_json()
    data["mission"]["items"][1]["params"][4:] = [None, None, None]
    assert plan_from_json(data).mission[1] == change_speed(8)


def test_geofence_and_rally_points_are_optional():
    data = sample_json()
    del data["geoFence"], data["rallyPoints"]
    plan = plan_from_json(data)
    assert plan.fence == () and plan.rally == ()


def test_empty_mission_items_are_accepted():
    data = sample_json()
    data["mission"]["items"] = []
    assert plan_from_json(data).mission == ()


# --- bad files --------------------------------------------------------------------------

def mutate(change):
    data = sample_json()
    change(data)
    return json.dumps(data)


def set_path(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return change


DELETE = object()
SURVEY = {"type": "ComplexItem", "complexItemType": "survey", "version": 5, "polygon": []}

BAD = [
    (set_path(["fileType"], "Mission"), "fileType: expected 'Plan', found 'Mission'"),
    (set_path(["version"], 2), "version 2 is not supported (only 1)"),
    (set_path(["mission"], DELETE), "missing key 'mission'"),
    (set_path(["mission", "version"], 1), "mission version 1 is not supported (only 2)"),
    (set_path(["mission", "plannedHomePosition"], DELETE),
     "mission: missing key 'plannedHomePosition'"),
    (set_path(["mission", "plannedHomePosition"], [26.9, 112.6]),
     "mission.plannedHomePosition: expected 3 values, found 2"),
    (set_path(["mission", "firmwareType"], "ArduPilot"),
     "mission.firmwareType: expected a number, found string 'ArduPilot'"),
    (set_path(["mission", "items"], {}), "mission.items: expected an array, found object"),
    (set_path(["mission", "items", 2], SURVEY),
     "mission.items[2]: ComplexItem 'survey' is not supported (only SimpleItem)"),
    (set_path(["mission", "items", 2, "type"], "Waypoint"),
     "mission.items[2].type: unknown item type 'Waypoint'"),
    (set_path(["mission", "items", 3, "command"], DELETE),
     "mission.items[3]: missing key 'command'"),
    (set_path(["mission", "items", 3, "frame"], 3.5),
     "mission.items[3].frame: expected a whole number, found number 3.5"),
    (set_path(["mission", "items", 3, "autoContinue"], 1),
     "mission.items[3].autoContinue: expected true or false, found number 1"),
    (set_path(["mission", "items", 3, "params", 4], "26.9"),
     "mission.items[3].params[4]: expected a number or null, found string '26.9'"),
    (set_path(["mission", "items", 3, "params"], [0, 0, 0]),
     "mission.items[3].params: expected 7 values, found 3"),
    (set_path(["mission", "items", 6, "params", 0], 42),
     "mission.items[6].params[0]: DO_JUMP target doJumpId 42 matches no item"),
    (set_path(["geoFence", "version"], 1), "geoFence version 1 is not supported (only 2)"),
    (set_path(["geoFence", "polygons", 0, "polygon"], [[1, 2], [3, 4]]),
     "geoFence.polygons[0].polygon: a fence polygon needs at least 3 vertices, found 2"),
    (set_path(["geoFence", "polygons", 0, "polygon", 1], [1]),
     "geoFence.polygons[0].polygon[1]: expected 2 values, found 1"),
    (set_path(["geoFence", "polygons", 0, "version"], 2),
     "geoFence.polygons[0] version 2 is not supported (only 1)"),
    (set_path(["geoFence", "circles", 0, "circle", "radius"], None),
     "geoFence.circles[0].circle.radius: expected a number, found null"),
    (set_path(["geoFence", "circles", 0, "inclusion"], DELETE),
     "geoFence.circles[0]: missing key 'inclusion'"),
    (set_path(["geoFence", "breachReturn"], [26.9, 112.6]),
     "geoFence.breachReturn: expected 3 values, found 2"),
    (set_path(["rallyPoints", "version"], 1), "rallyPoints version 1 is not supported (only 2)"),
    (set_path(["rallyPoints", "points", 1], [26.9, 112.6, True]),
     "rallyPoints.points[1][2]: expected a number, found true"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m[:60] for _, m in BAD])
def test_bad_plans_name_the_file_the_key_and_the_problem(tmp_path, change, message):
    path = tmp_path / "bad.plan"
    path.write_text(mutate(change))
    with pytest.raises(MissionFileError) as caught:
        read_plan(path)
    assert str(caught.value) == f"{path}: {message}"
    assert caught.value.path == str(path) and caught.value.message == message
    assert isinstance(caught.value, FleetError)
    assert "\n" not in str(caught.value)


def test_not_json_at_all(tmp_path):
    path = tmp_path / "broken.plan"
    path.write_text('{"fileType": "Plan",\n  "version": 1,,}')
    with pytest.raises(MissionFileError) as caught:
        read_plan(path)
    assert str(caught.value) == (f"{path}: not valid JSON: Expecting property name enclosed "
                                 f"in double quotes (line 2 column 16)")


def test_nan_literals_are_not_json():
    with pytest.raises(MissionFileError, match=r"^<string>: not valid JSON: NaN is not valid "
                                               r"JSON \(write null\)$"):
        loads_plan('{"fileType": "Plan", "x": NaN}')


def test_top_level_must_be_an_object():
    with pytest.raises(MissionFileError) as caught:
        loads_plan("[]", "x.plan")
    assert str(caught.value) == "x.plan: expected an object, found array of 0"


def test_missing_file_and_binary_file(tmp_path):
    missing = tmp_path / "nope.plan"
    with pytest.raises(MissionFileError) as caught:
        read_plan(missing)
    assert str(caught.value) == f"{missing}: cannot read: No such file or directory"
    binary = tmp_path / "binary.plan"
    binary.write_bytes(b"\xff\xfe{}")
    with pytest.raises(MissionFileError, match=r"binary.plan: not UTF-8 text \(invalid start "
                                               r"byte at byte 0\)$"):
        read_plan(binary)


def test_utf8_bom_is_tolerated(tmp_path):
    path = tmp_path / "bom.plan"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert len(read_plan(path).mission) == 8

