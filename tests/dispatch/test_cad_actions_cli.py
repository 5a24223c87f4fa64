"""``fleet incident ...`` end to end: the CLI against a running core through a real
Mosquitto, its output, its exit codes, and the operator it records."""

import asyncio
import json
import subprocess
import sys
from contextlib import closing

import pytest
from mqtt_helpers import ScriptedUnit
from test_cad_actions_mqtt import SCENE, arrives, heard, write_config
from waits import connected

from fleet.cli import main
from fleet.config import load_config
from fleet.dispatch.audit import open_readonly, select
from fleet.dispatch.incident import IncidentStatus
from fleet.service import FleetService

pytestmark = pytest.mark.broker


async def test_the_cli_handles_an_incident_from_call_to_close(tmp_path, broker, capsys):
    path = write_config(tmp_path, broker)
    cfg = load_config(path)

    async def fleet(*argv):
        code = await asyncio.to_thread(main, ["incident", *argv, "--config", path,
                                              "--timeout", "10"])
        out, err = capsys.readouterr()
        return code, out, err

    async with FleetService(cfg) as svc, ScriptedUnit(broker, "car-1", script=arrives) as car:
        await connected(svc)
        await heard(svc, car, 26.8830, SCENE[1])
        c = svc.dispatch
        await asyncio.wait_for(c.cad_listening.wait(), 5)
        code, out, _ = await fleet("new", "--lat", str(SCENE[0]), "--lon", str(SCENE[1]),
                                   "--category", "theft", "--operator", "Zhang", "--json")
        inc_id = json.loads(out)["incident"]
        assert code == 0 and c.incident(inc_id).status is IncidentStatus.RECEIVED

        code, out, _ = await fleet("list")
        header, line = out.splitlines()
        assert code == 0 and "CLOCK / TARGET" in header
        assert line.split()[:4] == [inc_id, "received", "theft", "P3"]
        assert "Downtown" in line and " / 3:00" in line and "0 units" in line

        code, out, _ = await fleet("dispatch", inc_id, "--operator", "Zhang")
        assert code == 0
        assert out.startswith(f"{inc_id} dispatched (recorded as Zhang)\n")
        assert "Car 1 (car-1)  assigned  [1 land (theft)]  ETA" in out
        await c.wait_for(lambda: c.incident(inc_id).status is IncidentStatus.ON_SCENE, 10)

        code, out, _ = await fleet("show", inc_id)
        assert code == 0 and f"{inc_id}  theft P3  ON_SCENE" in out
        assert "first on scene after" in out and "target met" in out
        assert "arrival by crew report, 334 m from the call: BEYOND the arrival radius" in out

        code, out, err = await fleet("close", inc_id, "--operator", "Zhao")
        assert code == 1 and out == ""
        assert err == f"fleet: rejected: {inc_id}: cannot close when it is on_scene; " \
            "close follows clear\n"
        for _ in range(2):  # a resend with the same id is not a second note
            code, out, _ = await fleet("note", inc_id, "suspect ran north", "--operator", "Li",
                                       "--id", "note-1")
            assert code == 0 and "- suspect ran north" in out
        code, out, _ = await fleet("clear", inc_id, "--disposition", "report taken",
                                   "--note", "all quiet", "--operator", "Zhao")
        assert code == 0 and "CLEARED" in out and "disposition  report taken" in out
        code, out, _ = await fleet("close", inc_id, "--operator", "Zhao", "--json")
        answer = json.loads(out)
        assert code == 0 and answer["result"] == "accepted"
        assert (answer["operator"], answer["incident"]["status"]) == ("Zhao", "closed")

        assert (await fleet("list"))[1] == "no incidents\n"
        code, out, _ = await fleet("list", "--all")
        assert code == 0 and inc_id in out and "closed" in out and "0:00 / 3:00" in out
        code, _, err = await fleet("show", "INC-nope")
        assert code == 1 and err == "fleet: rejected: unknown incident 'INC-nope'\n"

        # the module run as a program prints no traceback either way
        run = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "fleet", "incident", "show", inc_id, "--config", path,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = await asyncio.wait_for(run.communicate(), 30)
        assert run.returncode == 0 and f"{inc_id}  theft P3  CLOSED" in out.decode()
    with closing(open_readonly(tmp_path / "audit.sqlite3")) as conn:
        rows = [(r.kind, r.operator) for r in select(conn) if r.kind.startswith("incident.")
                or r.kind == "unit.assigned"]
    assert rows == [("incident.received", "Zhang"), ("unit.assigned", "Zhang"),
                    ("incident.note", "Li"), ("incident.cleared", "Zhao"),
                    ("incident.closed", "Zhao")]


async def test_no_answer_is_exit_3_with_the_id_to_resend(tmp_path, broker, capsys):
    path = write_config(tmp_path, broker)  # a broker, but no core behind it
    code = await asyncio.to_thread(main, ["incident", "show", "INC-1", "--config", path,
                                          "--timeout", "0.3", "--id", "req-7"])
    err = capsys.readouterr().err
    assert code == 3 and f"no answer within 0.3 s: is fleet running with the broker " \
        f"{broker.url}?" in err
    assert "resend it with --id req-7" in err and "Traceback" not in err


def test_usage_and_config_errors_are_exit_2(tmp_path, capsys):
    path = tmp_path / "fleet.toml"
    path.write_text('[fleet]\nname = "x"\n', encoding="utf-8")
    assert main(["incident", "note", "INC-1", " ", "--config", str(path)]) == 2
    assert capsys.readouterr().err == "fleet: note: note needs text: it is empty\n"
    assert main(["incident", "list", "--config", str(path)]) == 2
    assert "no [mqtt] broker" in capsys.readouterr().err
    assert main(["incident", "list", "--config", str(path), "--broker", "http://x"]) == 2
    assert "config error" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["incident", "release", "INC-1"])  # no unit
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["incident", "list", "--timeout", "0"])
    assert exit_.value.code == 2


async def test_fleet_status_shows_the_running_cores_links_and_refusals(tmp_path, broker, capsys):
    """Issue #14: refusals counted after their first alert are readable from the CLI: the
    running core answers ``fleet status`` (a read-only CAD action) with each link's state
    and what it refused, by reason."""
    import aiomqtt

    path = write_config(tmp_path, broker)
    cfg = load_config(path)
    async with FleetService(cfg) as svc, ScriptedUnit(broker, "car-1") as car:
        await connected(svc)
        await heard(svc, car, 26.8830, SCENE[1])
        await asyncio.wait_for(svc.dispatch.cad_listening.wait(), 5)
        async with aiomqtt.Client(broker.host, broker.port) as rogue:
            for _ in range(3):
                await rogue.publish(f"{cfg.mqtt.topic_prefix}/patrol_car/car-1/telemetry",
                                    b"{not json", qos=1)
        await car.report()  # after the garbage: the bridge has counted it all
        await svc.dispatch.wait_for(lambda: svc.counters()["mqtt"].get("bad_json") == 3, 5)
        code = await asyncio.to_thread(main, ["status", "--config", path, "--timeout", "10"])
        out, _ = capsys.readouterr()
        assert code == 0
        assert "link mqtt: connected" in out and "refused: bad json 3" in out
        assert out.splitlines()[0].startswith(f"{cfg.name}: ")
        code = await asyncio.to_thread(main, ["status", "--config", path, "--json"])
        answer = json.loads(capsys.readouterr()[0])
        assert answer["result"] == "accepted" and answer["counters"]["mqtt"]["bad_json"] == 3
