"""The CAD action protocol, the incident document and its text, without a broker."""

import json

import pytest
from test_layering import IO_MODULES, ROOT, imported_modules, top_level

from fleet.dispatch import cad_ops, cad_render
from fleet.dispatch.cad import CadPayloadError
from fleet.dispatch.cad_actions import (
    OPS,
    ActionRequest,
    action_rejected,
    encode_action,
    feed_topic,
    parse_action,
)
from fleet.dispatch.incident import EventKind, IncidentEvent, replay
from fleet.dispatch.incident_doc import incident_doc, incident_summary
from fleet.links.mqtt.topics import CAD, Topics

RECEIVED = {"lat": 26.9, "lon": 112.6, "category": "theft", "priority": 3, "zone": "downtown",
            "zone_name": "Downtown", "target_s": 60.0, "key_site": "wanda",
            "key_site_name": "Wanda Plaza", "source": "cad", "ref": "110-7", "notes": "bag"}


def body(**fields):
    return json.dumps({"v": 1, "id": "r-1", **fields}).encode()


def ev(kind, t, unit=None, **data):
    return IncidentEvent(kind, "INC-1", float(t), "Zhang", unit, data)


def lifecycle():
    return replay([
        ev(EventKind.RECEIVED, 1000, **RECEIVED),
        ev(EventKind.ASSIGNED, 1005, "car-1", requirement="1 land (theft)", eta_s=40.04),
        ev(EventKind.ASSIGNED, 1005, "car-2", requirement="1 land (theft)", eta_s=90.0),
        ev(EventKind.LOST, 1010, "car-2"),
        ev(EventKind.EN_ROUTE, 1008, "car-1"),
        ev(EventKind.ON_SCENE, 1050, "car-1", by="crew report", distance_m=330.2,
           beyond_radius=True),
        ev(EventKind.REASSIGNED, 1060, "car-2", to="car-3", reason="lost"),
        ev(EventKind.NOTE, 1070, text="suspect gone"),
        ev(EventKind.CLEARED, 1200, disposition="report taken"),
    ])["INC-1"]


@pytest.mark.parametrize("op", list(OPS))
def test_every_op_round_trips(op):
    args = {"list": {"open_only": False, "limit": 5}, "dispatch": {"units": ["car-1"]},
            "reassign": {"unit": "car-1", "to": "car-2", "reason": "slow"},
            "release": {"unit": "car-1", "reason": "needed elsewhere"},
            "clear": {"disposition": "arrest", "note": "n"}, "close": {"disposition": "d"},
            "cancel": {"reason": "false alarm"}, "note": {"text": "hello"}}.get(op, {})
    req = ActionRequest("r-1", op, None if op in ("list", "status") else "INC-1", "Zhang", args)
    assert parse_action(encode_action(req)) == req


@pytest.mark.parametrize(("payload", "reason", "code"), [
    (b"{nope", "not JSON", "bad_request"),
    (b"[1]", "expected a JSON object", "bad_request"),
    (json.dumps({"v": 1, "op": "list"}).encode(), "id must be", "bad_request"),
    (json.dumps({"v": 1, "id": "x" * 65, "op": "list"}).encode(), "id must be", "bad_request"),
    (body(op="list", v=2), "v must be 1", "bad_request"),
    (body(op="explode", incident="INC-1"), "unknown op 'explode'; known: list", "unknown_op"),
    (body(op=["list"]), "unknown op", "unknown_op"),
    (body(op="show"), "show needs incident", "bad_request"),
    (body(op="show", incident=7), "show needs incident", "bad_request"),
    (body(op="release", incident="INC-1"), "release needs unit", "bad_request"),
    (body(op="dispatch", incident="INC-1", units="car-1"), "units must be a list",
     "bad_request"),
    (body(op="dispatch", incident="INC-1", units=[]), "units must be a list", "bad_request"),
    (body(op="list", open_only="yes"), "open_only must be true or false", "bad_request"),
    (body(op="list", limit=0), "limit must be an integer 1..1000", "bad_request"),
    (body(op="list", limit=True), "limit must be an integer", "bad_request"),
    (body(op="note", incident="INC-1", text="  "), "note needs text: it is empty",
     "bad_request"),
    (body(op="note", incident="INC-1", text="x" * 2001), "text must be a string of at most",
     "bad_request"),
    (body(op="show", incident="INC-1", operator=""), "operator must be", "bad_request"),
    (b"x" * 20000, "payload over", "bad_request"),
])
def test_bad_requests_say_what_is_wrong(payload, reason, code):
    with pytest.raises(CadPayloadError) as err:
        parse_action(payload)
    assert reason in str(err.value) and err.value.code == code
    assert "\n" not in str(err.value)


def test_unknown_fields_are_ignored_so_roles_can_come_later():
    req = parse_action(body(op="cancel", incident="INC-1", operator="Zhang", role="dispatcher",
                            seat=3, reason="false alarm"))
    assert req.args == {"reason": "false alarm"} and req.operator == "Zhang"


def test_every_op_has_a_handler():
    assert set(cad_ops._OPS) == set(OPS)


def test_the_incident_document_has_every_time_and_how_each_unit_arrived():
    doc = incident_doc(lifecycle(), {"car-1": "Car 1"})
    json.dumps(doc)  # plain JSON
    assert doc["status"] == "cleared" and doc["disposition"] == "report taken"
    assert (doc["received_at"], doc["dispatched_at"], doc["en_route_at"], doc["on_scene_at"],
            doc["cleared_at"], doc["closed_at"], doc["cancelled_at"]) == \
        (1000, 1005, 1008, 1050, 1200, None, None)
    assert (doc["response_s"], doc["target_met"], doc["key_site"]) == (50.0, True, "wanda")
    assert doc["notes"] == ["bag", "suspect gone"] and doc["ref"] == "110-7"
    car1, car2 = doc["units"]
    assert car1 == {
        "unit": "car-1", "callsign": "Car 1", "status": "released",
        "requirement": "1 land (theft)", "eta_s": 40.0, "assigned_at": 1005,
        "acknowledged_at": 1008, "en_route_at": 1008, "on_scene_at": 1050,
        "ended_at": 1200, "lost": False, "lost_at": None, "reason": "cleared",
        "replaces": None, "replaced_by": None, "arrived_by": "crew report",
        "arrival_distance_m": 330.2, "beyond_radius": True}
    assert (car2["status"], car2["lost"], car2["replaced_by"], car2["reason"]) == \
        ("reassigned", True, "car-3", "lost")
    assert incident_summary(lifecycle()).items() <= doc.items()


def test_list_lines_show_the_clock_against_the_target():
    inc = lifecycle()
    late = dict(incident_summary(inc), id="INC-2", status="dispatched", on_scene_at=None,
                response_s=None, target_met=None, key_site_name=None, active_units=["a"])
    answer = {"ts": 1000 + 45, "total": 5, "incidents": [
        dict(late, id="INC-3", received_at=1000.0),  # 45 s of 60: running
        dict(late, received_at=900.0),  # 145 s: missed
        incident_summary(inc)]}  # cleared, arrived at 50 s
    header, running, missed, done, more = cad_render.list_lines(answer)
    assert header.split()[:3] == ["INCIDENT", "STATUS", "CATEGORY"]
    assert "0:45 / 1:00" in running and "1 unit" in running and "Downtown" in running
    assert "MISSED" in missed and "2 min" in missed
    assert "0:50 / 1:00" in done and "Wanda Plaza" in done and "0 units" in done
    assert more == "(the newest 3 of 5; --limit N for more)"


def test_show_lines_flag_a_crew_report_beyond_the_radius():
    text = "\n".join(cad_render.show_lines(incident_doc(lifecycle(), {"car-1": "Car 1"}),
                                           2000))
    assert "INC-1  theft P3  CLEARED" in text and "key site Wanda Plaza" in text
    assert "first on scene after 50 s: target met" in text
    assert "Car 1 (car-1)  released" in text and "ETA 40 s" in text
    assert "arrival by crew report, 330 m from the call: BEYOND the arrival radius" in text
    assert "car-2  reassigned  LOST since" in text and "-> replaced by car-3: lost" in text
    assert "- suspect gone" in text and "disposition  report taken" in text
    assert "ref 110-7" in text


def test_rejections_carry_a_code_and_a_reason():
    answer = json.loads(action_rejected(None, None, 5.0, "not JSON", "bad_request"))
    assert answer == {"v": 1, "id": None, "ts": 5.0, "op": None, "result": "rejected",
                      "error": "bad_request", "reason": "not JSON"}


def test_the_bridge_leaves_the_cad_subtree_alone():
    topics = Topics("fleet/v1")
    assert topics.parse("fleet/v1/cad/incident/ack") == (CAD, "", "incident/ack")
    assert topics.parse("fleet/v1/cad/action/ack") == (CAD, "", "action/ack")
    assert topics.parse(feed_topic("fleet/v1", "INC-1")) == (CAD, "", "incidents/INC-1")
    assert topics.parse("fleet/v1/patrol_car/car-1/ack") == ("ack", "patrol_car", "car-1")


@pytest.mark.parametrize("name", ["cad_actions", "incident_doc", "cad_render"])
def test_the_protocol_modules_are_pure(name):
    path = ROOT / "fleet" / "dispatch" / f"{name}.py"
    assert not top_level(imported_modules(path)) & IO_MODULES
