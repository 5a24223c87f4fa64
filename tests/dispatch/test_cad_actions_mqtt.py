"""Incident actions over a real Mosquitto against a real core: each op, the refusals, a
resent request, the operator in the audit, the change feed, and the unit bridge keeping
out of the CAD subtree."""

import asyncio
import json
import logging
import time
import uuid
from contextlib import closing

import aiomqtt
import pytest
from mqtt_helpers import PREFIX, ScriptedUnit, bridge_for, running_fleet, telemetry
from waits import connected, until

from fleet.cli.incident import exchange, exchange_action
from fleet.config import load_config
from fleet.dispatch.audit import open_readonly, select
from fleet.dispatch.cad import CadRequest
from fleet.dispatch.cad_actions import ActionRequest, action_topics, feed_topic
from fleet.dispatch.incident import IncidentStatus
from fleet.dispatch.incident_doc import incident_doc
from fleet.model import LinkState
from fleet.service import FleetService

pytestmark = pytest.mark.broker
SCENE = (26.8800, 112.6000)
OPERATOR_KINDS = {"unit.assigned", "unit.reassigned", "unit.released", "incident.cleared",
                  "incident.closed", "incident.cancelled", "incident.note"}


def write_config(tmp_path, broker) -> str:
    path = tmp_path / "fleet.toml"
    path.write_text(f"""
units = [
  {{ id = "car-1", callsign = "Car 1", kind = "patrol_car" }},
  {{ id = "car-2", callsign = "Car 2", kind = "patrol_car" }},
  {{ id = "car-3", callsign = "Car 3", kind = "patrol_car" }},
]
[fleet]
name = "Testcity"
[mqtt]
url = "{broker.url}"
keepalive_s = 5
[dispatch]
audit_db = "audit.sqlite3"
ack_timeout_s = 3
[[zones]]
id = "downtown"
name = "Downtown"
target_min = 3
polygon = [[26.910, 112.575], [26.910, 112.635], [26.868, 112.635], [26.868, 112.575]]
""", encoding="utf-8")
    return str(path)


def arrives(command):
    """A crew that parks on the nearest road: its goto is completed at once."""
    return [("accepted", None), ("completed", None)] if command["type"] == "goto" \
        else [("accepted", None)]


async def act(mqtt, op, incident=None, *, rid=None, operator="Zhang", **args):
    req = ActionRequest(rid or uuid.uuid4().hex, op, incident, operator, args)
    return await exchange_action(mqtt, req, 10)


async def heard(svc, unit, lat, lon):
    await unit.report(lat=lat, lon=lon)
    await until(svc, lambda: svc.state.link_state(unit.unit_id) is LinkState.OK, 5)


def audit_rows(tmp_path):
    with closing(open_readonly(tmp_path / "audit.sqlite3")) as conn:
        return list(select(conn))


async def test_every_action_is_done_and_audited_under_its_operator(tmp_path, broker, caplog):
    caplog.set_level(logging.WARNING)
    cfg = load_config(write_config(tmp_path, broker))
    mqtt = cfg.mqtt
    async with FleetService(cfg) as svc, ScriptedUnit(broker, "car-1", script=arrives) as c1, \
            ScriptedUnit(broker, "car-2") as c2, ScriptedUnit(broker, "car-3") as c3:
        await connected(svc)
        for unit, lat in ((c1, 26.8830), (c2, 26.8900), (c3, 26.9000)):
            await heard(svc, unit, lat, SCENE[1])
        c = svc.dispatch
        await asyncio.wait_for(c.cad_listening.wait(), 5)
        new = await exchange(mqtt, CadRequest("call-1", *SCENE, "theft", operator="Zhang"), 10)
        inc_id = new["incident"]

        shown = await act(mqtt, "show", inc_id)
        assert shown["result"] == "accepted" and shown["op"] == "show"
        assert (shown["incident"]["id"], shown["incident"]["status"]) == (inc_id, "received")
        listed = await act(mqtt, "list")
        assert [i["id"] for i in listed["incidents"]] == [inc_id] and listed["total"] == 1

        sent = await act(mqtt, "dispatch", inc_id, operator="Zhang")
        assert sent["operator"] == "Zhang" and sent["incident"]["status"] == "dispatched"
        [unit] = sent["incident"]["units"]
        assert (unit["unit"], unit["callsign"], unit["status"]) == ("car-1", "Car 1", "assigned")
        await c.wait_for(lambda: c.incident(inc_id).status is IncidentStatus.ON_SCENE, 10)
        shown = await act(mqtt, "show", inc_id)
        arrived = shown["incident"]["units"][0]
        assert (arrived["arrived_by"], arrived["beyond_radius"]) == ("crew report", True)
        assert arrived["arrival_distance_m"] == pytest.approx(334, abs=5)

        noted = await act(mqtt, "note", inc_id, operator="Li", text="suspect ran north")
        assert noted["incident"]["notes"] == ["suspect ran north"]
        moved = await act(mqtt, "reassign", inc_id, operator="Wang", unit="car-1", to="car-2",
                          reason="car-1 needed elsewhere")
        old, new_unit = moved["incident"]["units"]
        assert (old["status"], old["replaced_by"], new_unit["replaces"]) == \
            ("reassigned", "car-2", "car-1")
        let_go = await act(mqtt, "release", inc_id, operator="Wang", unit="car-2",
                           reason="not needed")
        assert let_go["incident"]["units"][1]["status"] == "released"
        cleared = await act(mqtt, "clear", inc_id, operator="Zhao",
                            disposition="report taken", note="all quiet")
        assert cleared["incident"]["status"] == "cleared"
        closed = await act(mqtt, "close", inc_id, operator="Zhao", disposition="no further action")
        assert closed["incident"]["status"] == "closed"
        assert closed["incident"]["disposition"] == "no further action"

        other = await c.new_incident(*SCENE, "theft")
        sent = await act(mqtt, "dispatch", other.id, operator="Sun", units=["car-3"])
        assert [u["unit"] for u in sent["incident"]["units"]] == ["car-3"]
        called_off = await act(mqtt, "cancel", other.id, operator="Qian", reason="false alarm")
        assert called_off["incident"]["cancel_reason"] == "false alarm"
        assert [i["id"] for i in (await act(mqtt, "list"))["incidents"]] == []
        everything = await act(mqtt, "list", open_only=False)
        assert [i["status"] for i in everything["incidents"]] == ["closed", "cancelled"]
        assert (await c1.wait_commands(1))[0]["type"] == "goto"
    expected = {("unit.assigned", "car-1"): "Zhang", ("incident.note", None): "Li",
                ("unit.reassigned", "car-1"): "Wang", ("unit.assigned", "car-2"): "Wang",
                ("unit.released", "car-2"): "Wang", ("incident.cleared", None): "Zhao",
                ("incident.closed", None): "Zhao", ("unit.assigned", "car-3"): "Sun",
                ("incident.cancelled", None): "Qian"}
    rows = [r for r in audit_rows(tmp_path) if r.kind in OPERATOR_KINDS]
    assert {(r.kind, r.unit): r.operator for r in rows} == expected
    assert len(rows) == len(expected)
    assert not [r for r in caplog.records if "refused MQTT message" in r.getMessage()]
    assert not [a for a in svc.alerts if a.code == "mqtt.unknown_topic"]


async def test_refusals_are_one_line_and_a_resent_request_is_done_once(tmp_path, broker):
    cfg = load_config(write_config(tmp_path, broker))
    mqtt = cfg.mqtt
    async with FleetService(cfg) as svc, ScriptedUnit(broker, "car-1") as car:
        await connected(svc)
        c = svc.dispatch
        await asyncio.wait_for(c.cad_listening.wait(), 5)
        inc = await c.new_incident(*SCENE, "theft")

        async def refused(op, incident=None, **args):
            answer = await act(mqtt, op, incident, **args)
            assert answer["result"] == "rejected" and answer["op"] == op
            return answer["error"], answer["reason"]

        assert await refused("show", "INC-nope") == \
            ("unknown_incident", "unknown incident 'INC-nope'")
        assert await refused("close", inc.id) == ("illegal_transition", f"{inc.id}: cannot "
                                                  "close when it is received; close follows clear")
        error, reason = await refused("dispatch", inc.id)  # nobody heard yet
        assert error == "no_units" and reason.startswith(f"{inc.id}: no eligible unit to send")
        error, reason = await refused("dispatch", inc.id, units=["car-2"])
        assert (error, reason) == ("unit_unavailable", "car-2: cannot be dispatched: never "
                                   "heard (no telemetry yet)")
        assert await refused("dispatch", inc.id, units=["ghost"]) == \
            ("unknown_unit", "unknown unit 'ghost'")
        error, reason = await refused("release", inc.id, unit="car-1")
        assert error == "illegal_transition" and reason.endswith("car-1 is not assigned to it")
        assert (await refused("clear", inc.id))[0] == "illegal_transition"

        async with aiomqtt.Client(broker.host, broker.port) as raw:
            topic, ack = action_topics(mqtt.topic_prefix)
            await raw.subscribe(ack, qos=1)
            for payload in (b"{not json", json.dumps({"v": 1, "id": "b-1", "op": "fly",
                                                      "incident": inc.id}).encode(),
                            json.dumps({"v": 1, "id": "b-2", "op": "release",
                                        "incident": inc.id}).encode()):
                await raw.publish(topic, payload, qos=1)
            answers = []
            async with asyncio.timeout(10):
                async for message in raw.messages:
                    answers.append(json.loads(message.payload))
                    if len(answers) == 3:
                        break
        assert [(a["id"], a["error"]) for a in answers] == \
            [(None, "bad_request"), ("b-1", "unknown_op"), ("b-2", "bad_request")]
        assert answers[0]["reason"].startswith("not JSON: ")
        assert answers[2]["reason"] == "release needs unit"
        assert c.cad_stats.malformed == 1

        # a resend (same id) is answered the same, and acted on once
        await heard(svc, car, 26.8830, SCENE[1])
        first = await act(mqtt, "dispatch", inc.id, rid="d-1")
        again = await act(mqtt, "dispatch", inc.id, rid="d-1")
        assert first == again and first["result"] == "accepted"
        note = await act(mqtt, "note", inc.id, rid="n-1", text="once")
        assert await act(mqtt, "note", inc.id, rid="n-1", text="once") == note
        no = await act(mqtt, "close", inc.id, rid="x-1")
        assert await act(mqtt, "close", inc.id, rid="x-1") == no
        assert c.incident(inc.id).notes == ("once",)
        # reads are answered afresh: they change nothing
        before = await act(mqtt, "show", inc.id, rid="s-1")
        await c.add_note(inc.id, "later")
        after = await act(mqtt, "show", inc.id, rid="s-1")
        assert after["incident"]["notes"] == ["once", "later"] != before["incident"]["notes"]
    rows = audit_rows(tmp_path)
    assert [r.unit for r in rows if r.kind == "unit.assigned"] == ["car-1"]
    assert [r.data["text"] for r in rows if r.kind == "incident.note"] == ["once", "later"]


async def test_every_incident_change_is_published_on_the_feed(tmp_path, broker):
    cfg = load_config(write_config(tmp_path, broker))
    mqtt = cfg.mqtt
    async with FleetService(cfg) as svc, ScriptedUnit(broker, "car-1") as car, \
            aiomqtt.Client(broker.host, broker.port) as watcher:
        await connected(svc)
        await heard(svc, car, 26.8830, SCENE[1])
        c = svc.dispatch
        await asyncio.wait_for(c.cad_listening.wait(), 5)
        await watcher.subscribe(feed_topic(mqtt.topic_prefix), qos=1)
        seen: list[tuple[str, dict]] = []

        async def until_seen(predicate):
            async with asyncio.timeout(10):
                async for message in watcher.messages:
                    body = json.loads(message.payload)
                    assert body["v"] == 1 and not message.retain
                    seen.append((message.topic.value, body["incident"]))
                    if predicate(body["incident"]):
                        return body["incident"]

        inc = await c.new_incident(*SCENE, "theft", notes="bag snatched")
        got = await until_seen(lambda d: d["id"] == inc.id)
        assert got["status"] == "received" and got["notes"] == ["bag snatched"]
        await act(mqtt, "dispatch", inc.id)
        await until_seen(lambda d: d["status"] == "en_route")
        await act(mqtt, "cancel", inc.id, reason="false alarm")
        last = await until_seen(lambda d: d["status"] == "cancelled")
        assert last == json.loads(json.dumps(incident_doc(c.incident(inc.id),
                                                          {"car-1": "Car 1"})))
        assert {t for t, _ in seen} == {f"{PREFIX}/cad/incidents/{inc.id}"}
        assert c.cad_stats.published >= 3


async def test_the_unit_bridge_ignores_the_cad_topics_without_a_warning(broker, caplog):
    caplog.set_level(logging.WARNING, logger="fleet.mqtt")
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc, aiomqtt.Client(broker.host, broker.port) as cad:
        await connected(svc)
        for leaf in ("cad/incident/ack", "cad/action/ack", "cad/incidents/INC-1"):
            await cad.publish(f"{PREFIX}/{leaf}", b'{"v": 1, "id": "x"}', qos=1)
        # then a unit report from the same client: the bridge gets it last
        await cad.publish(f"{PREFIX}/patrol_car/car-1/telemetry",
                          telemetry(lat=26.95, ts=time.time()), qos=1)
        await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 10)
    assert bridge.counters.refused() == {}
    assert bridge.counters.cad_ignored == 2  # the feed's topic matches no subscription
    assert not [r for r in caplog.records if r.name == "fleet.mqtt"]
