"""Ground units and CAD intake over a real Mosquitto: a call from the CLI reaches the
running core, the scripted patrol car gets its goto, arrives, and the loop closes."""

import asyncio
import json
from contextlib import closing

import pytest
from mqtt_helpers import ScriptedUnit
from waits import connected, until

from fleet.cli import dispatch as cli
from fleet.config import load_config
from fleet.dispatch.audit import open_readonly, select
from fleet.dispatch.cad import CadRequest
from fleet.dispatch.incident import IncidentStatus
from fleet.model import LinkState, UnitStatus
from fleet.service import FleetService

pytestmark = pytest.mark.broker
SCENE = (26.8800, 112.6000)


def write_config(tmp_path, broker) -> str:
    path = tmp_path / "fleet.toml"
    path.write_text(f"""
units = [
  {{ id = "car-1", callsign = "Car 1", kind = "patrol_car" }},
  {{ id = "car-2", callsign = "Car 2", kind = "patrol_car" }},
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


async def heard(svc, unit, lat, lon):
    await unit.report(lat=lat, lon=lon)
    await until(svc, lambda: svc.state.link_state(unit.unit_id) is LinkState.OK, 5)


async def test_cli_call_dispatches_a_ground_unit_over_mqtt(tmp_path, broker):
    path = write_config(tmp_path, broker)
    cfg = load_config(path)
    async with FleetService(cfg) as svc, ScriptedUnit(broker, "car-1") as car, \
            ScriptedUnit(broker, "car-2") as far:
        await connected(svc)
        await heard(svc, car, 26.8830, 112.6000)
        await heard(svc, far, 26.9000, 112.6000)
        c = svc.dispatch
        await asyncio.wait_for(c.cad_listening.wait(), 5)
        argv = ["incident", "new", "--config", path, "--lat", str(SCENE[0]), "--lon",
                str(SCENE[1]), "--category", "theft", "--notes", "bag snatched",
                "--dispatch", "--timeout", "10"]
        assert await asyncio.to_thread(cli_main, argv) == 0
        [inc] = c.incidents()
        assert inc.source == "cad" and inc.notes == ("bag snatched",)
        [goto] = await car.wait_commands(1)
        assert (goto["type"], goto["lat"], goto["lon"]) == ("goto", *SCENE)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.EN_ROUTE, 10)
        await car.report(lat=SCENE[0] + 0.0001, lon=SCENE[1])
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 10)
        await c.clear(inc.id)
        _goto, release = await car.wait_commands(2)  # the crew terminal is told it is free
        assert (release["type"], release["status"]) == ("set_status", "available")
        assert svc.state.duty_status("car-1") is UnitStatus.AVAILABLE
        await c.close(inc.id)
        assert far.commands == []
    with closing(open_readonly(tmp_path / "audit.sqlite3")) as conn:
        kinds = [r.kind for r in select(conn)]
    assert kinds[0] == "incident.received" and "unit.on_scene" in kinds


async def test_cad_requests_are_idempotent_and_bad_ones_rejected(tmp_path, broker):
    cfg = load_config(write_config(tmp_path, broker))
    async with FleetService(cfg) as svc:
        await connected(svc)
        await asyncio.wait_for(svc.dispatch.cad_listening.wait(), 5)
        req = CadRequest("req-1", SCENE[0], SCENE[1], "theft", ref="110-2025-0001")
        first = await cli.exchange(cfg.mqtt, req, 10)
        again = await cli.exchange(cfg.mqtt, req, 10)
        assert first["result"] == "accepted" and again["incident"] == first["incident"]
        assert len(svc.dispatch.incidents()) == 1
        assert svc.dispatch.incident(first["incident"]).ref == "110-2025-0001"
        assert first["recommended"] == []  # nobody heard: the answer says so
        assert any("NO UNIT AVAILABLE" in line for line in first["explanation"])
        bad = await cli.exchange(cfg.mqtt, CadRequest("req-2", 26.88, 112.60, "arson"), 10)
        assert bad["result"] == "rejected" and "unknown incident category" in bad["reason"]
        far = await cli.exchange(cfg.mqtt, CadRequest("req-3", 40.0, 116.4, "theft"), 10)
        assert far["result"] == "rejected" and "outside the Testcity area" in far["reason"]
        assert len(svc.dispatch.incidents()) == 1


async def test_a_unit_reporting_arrival_is_on_scene_where_it_parked(tmp_path, broker):
    """The city's crews stop on the nearest road: their goto ``completed`` is arrival."""
    cfg = load_config(write_config(tmp_path, broker))

    def arrives(command):
        return [("accepted", None), ("completed", None)] if command["type"] == "goto" \
            else [("accepted", None)]

    async with FleetService(cfg) as svc, ScriptedUnit(broker, "car-1", script=arrives) as car:
        await connected(svc)
        await heard(svc, car, 26.8830, 112.6000)
        c = svc.dispatch
        inc = await c.new_incident(*SCENE, "theft")
        await c.dispatch(inc.id)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 10)
        assert svc.state.telemetry("car-1").lat_deg == 26.8830  # 330 m away, by its word


def cli_main(argv):
    from fleet.cli import main
    return main(argv)


def test_cli_checks_locally_before_the_broker(tmp_path, capsys):
    path = tmp_path / "fleet.toml"
    path.write_text('[mqtt]\nurl = "mqtt://127.0.0.1:9"\n', encoding="utf-8")
    from fleet.cli import main
    code = main(["incident", "new", "--config", str(path), "--lat", "26.88", "--lon",
                 "112.6", "--category", "thef"])
    assert code == 1 and "did you mean 'theft'" in capsys.readouterr().err
    code = main(["incident", "new", "--config", str(path), "--lat", "26.88", "--lon",
                 "112.6", "--category", "theft", "--timeout", "2"])
    err = capsys.readouterr().err
    assert code == 1 and "cannot reach the broker at mqtt://127.0.0.1:9" in err
    assert json  # the payload format itself is covered by the CAD tests
